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
