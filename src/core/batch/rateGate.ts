/**
 * How many of a batch's items run at once, and when the next may start: the batch's concurrency at most, halved
 * on every rate limit or overload the provider reports (with a pause as long as it asked for), and raised by one
 * again after as many items in a row went through as are allowed at once (additive increase, multiplicative
 * decrease, as TCP does). A 429 thus slows the batch down instead of failing its items.
 *
 * Time is passed in (`now`) and waits go through `sleep`, so tests drive it without real time.
 */

export interface RateGateOptions {
  /** The batch's concurrency: the most items at a time, ever. */
  max: number;
  now(): number;
  sleep(ms: number, signal: AbortSignal): Promise<void>;
}

export interface RateGateReport {
  /** Items allowed at a time now. */
  limit: number;
  /** Rate limits (and overloads) seen. */
  rateLimited: number;
  /** How long the batch was held back by them, in all (overlapping pauses counted once). */
  waitedMs: number;
}

export class RateGate {
  private allowed: number;
  private active = 0;
  private pausedUntil = 0;
  private streak = 0;
  private hits = 0;
  private waited = 0;
  private readonly wakers = new Set<() => void>();

  constructor(private readonly options: RateGateOptions) {
    if (!Number.isInteger(options.max) || options.max < 1) {
      throw new Error(`A batch runs at least one item at a time; got ${options.max}`);
    }
    this.allowed = options.max;
  }

  report(): RateGateReport {
    return { limit: this.allowed, rateLimited: this.hits, waitedMs: Math.round(this.waited) };
  }

  /**
   * Waits for a slot (and the end of any pause), then holds it; call the returned function to let it go. Rejects
   * with the signal's reason once it is aborted.
   */
  async acquire(signal: AbortSignal): Promise<() => void> {
    for (;;) {
      signal.throwIfAborted();
      const pause = this.pausedUntil - this.options.now();
      if (pause > 0) {
        await this.options.sleep(pause, signal);
        continue;
      }
      if (this.active < this.allowed) {
        break;
      }
      await this.nextRelease(signal);
    }
    this.active++;
    let released = false;
    return () => {
      if (!released) {
        released = true;
        this.active--;
        this.wake();
      }
    };
  }

  /** Resolves once no pause holds the batch back (an item about to ask again waits here, keeping its slot). */
  async whenOpen(signal: AbortSignal): Promise<void> {
    for (let pause = this.pausedUntil - this.options.now(); pause > 0; pause = this.pausedUntil - this.options.now()) {
      await this.options.sleep(pause, signal);
    }
    signal.throwIfAborted();
  }

  /** The provider said "too many" (or "overloaded"): fewer at a time, and nothing new starts for `delayMs`. */
  rateLimited(delayMs: number): void {
    this.hits++;
    this.streak = 0;
    this.allowed = Math.max(1, Math.floor(this.allowed / 2));
    const now = this.options.now();
    const until = now + Math.max(0, delayMs);
    if (until > this.pausedUntil) {
      this.waited += until - Math.max(this.pausedUntil, now);
      this.pausedUntil = until;
    }
  }

  /** An item went through without a rate limit: after `limit` of them in a row, one more at a time. */
  succeeded(): void {
    if (this.allowed >= this.options.max) {
      return;
    }
    this.streak++;
    if (this.streak >= this.allowed) {
      this.streak = 0;
      this.allowed++;
      this.wake();
    }
  }

  private nextRelease(signal: AbortSignal): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const done = () => {
        this.wakers.delete(done);
        signal.removeEventListener('abort', onAbort);
        resolve();
      };
      const onAbort = () => {
        this.wakers.delete(done);
        reject(signal.reason instanceof Error ? signal.reason : new Error('Cancelled while waiting for a slot.'));
      };
      this.wakers.add(done);
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }

  private wake(): void {
    for (const waker of [...this.wakers]) {
      waker();
    }
  }
}

/** The wait before an item asks again after the provider refused it `attempt` times (1, 2, ...): 1 s doubling, capped. */
export function itemBackoffMs(attempt: number, retryAfterMs: number | undefined, random: () => number = Math.random): number {
  if (retryAfterMs !== undefined && retryAfterMs > 0) {
    return Math.min(retryAfterMs, 60_000);
  }
  return Math.min(60_000, 1_000 * 2 ** (attempt - 1)) * (0.75 + random() / 2);
}
