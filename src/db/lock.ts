import * as lockfile from 'proper-lockfile';

/**
 * Serializes writers across processes: every VS Code window has its own extension host on the same store folder.
 * proper-lockfile creates a lock folder atomically (mkdir), refreshes its mtime while held, and treats a lock
 * whose mtime is older than `staleMs` as abandoned by a crashed holder and takes it over.
 */

export interface LockOptions {
  staleMs: number;
  /** How long to wait for a live holder before giving up with a clear error. */
  acquireTimeoutMs: number;
  /** The lock was lost while held (its folder removed or taken over): the caller must stop writing. */
  onCompromised(error: Error): void;
}

export type Release = () => Promise<void>;

export class LockTimeoutError extends Error {
  constructor(waitedMs: number) {
    super(
      `Another VS Code window kept AI Studio's data locked for ${Math.round(waitedMs / 1000)} s. ` +
        'If no other window is busy, close the other windows and try again.',
    );
    this.name = 'LockTimeoutError';
  }
}

export async function acquireLock(target: string, options: LockOptions): Promise<Release> {
  const started = Date.now();
  let delay = 1;
  for (;;) {
    try {
      return await lockfile.lock(target, {
        realpath: false,
        stale: options.staleMs,
        update: Math.max(1000, Math.floor(options.staleMs / 3)),
        retries: 0,
        onCompromised: (err) => options.onCompromised(err),
      });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ELOCKED') {
        throw err;
      }
    }
    if (Date.now() - started > options.acquireTimeoutMs) {
      throw new LockTimeoutError(Date.now() - started);
    }
    // Short, growing waits: a commit holds the lock for milliseconds, so the first retries usually win.
    await new Promise((resolve) => setTimeout(resolve, delay + Math.random() * delay));
    delay = Math.min(delay * 2, 25);
  }
}

/** Runs async work one piece at a time within this process, in call order. */
export class Mutex {
  private tail: Promise<unknown> = Promise.resolve();

  run<T>(work: () => Promise<T>): Promise<T> {
    const result = this.tail.then(work, work);
    this.tail = result.catch(() => undefined);
    return result;
  }
}

export interface LeaseOptions extends LockOptions {
  /** How long the lock is kept after a piece of work, for the next one. */
  lingerMs: number;
  /** Held longer than this (a long burst), it is let go after the current work, so other windows get their turn. */
  maxHoldMs: number;
}

/**
 * The cross-process lock, kept for a moment after each piece of work: a burst of writes (an agent turn commits
 * several times per step) takes it once instead of once per commit, and skips catching up with other windows,
 * because nobody else can have written while it was held. Another window's write waits at most the linger (or,
 * during a long burst, until `maxHoldMs`). Call `run` and `drop` inside the caller's mutex.
 */
export class LockLease {
  private held: { release: Release; acquiredAt: number; usedAt: number; lost: boolean } | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly target: string,
    private readonly options: LeaseOptions,
    private readonly mutex: Mutex,
  ) {}

  /** Runs `work` holding the lock; `continued` is true when it was held without a gap since the last work. */
  async run<T>(work: (continued: boolean) => Promise<T>): Promise<T> {
    clearTimeout(this.timer);
    this.timer = undefined;
    let held = this.held;
    // Past twice the linger, the timer should have let go: the event loop was stalled (a debugger, a sleeping
    // laptop) and another window may have taken the lock as stale. Start over rather than trust it.
    const continued = held !== undefined && !held.lost && Date.now() - held.usedAt <= this.options.lingerMs * 2;
    if (!continued) {
      await this.drop();
      const release = await acquireLock(this.target, {
        ...this.options,
        onCompromised: (err) => {
          if (this.held) {
            this.held.lost = true;
          }
          this.options.onCompromised(err);
        },
      });
      const now = Date.now();
      held = this.held = { release, acquiredAt: now, usedAt: now, lost: false };
    }
    const lease = held!;
    try {
      return await work(continued);
    } finally {
      lease.usedAt = Date.now();
      if (this.held === lease) {
        if (lease.usedAt - lease.acquiredAt >= this.options.maxHoldMs) {
          await this.drop();
        } else {
          this.timer = setTimeout(() => void this.mutex.run(() => this.drop()), this.options.lingerMs);
          this.timer.unref?.();
        }
      }
    }
  }

  /** Lets go of the lock now, if held. */
  async drop(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    const held = this.held;
    this.held = undefined;
    if (held) {
      // A lock lost to another window (taken as stale) has nothing left to release.
      await held.release().catch((err: unknown) => {
        if (!held.lost) {
          this.options.onCompromised(err instanceof Error ? err : new Error(String(err)));
        }
      });
    }
  }
}
