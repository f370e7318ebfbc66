import type { Watchdogs } from './endpoints';
import { ProviderError } from './errors';
import { withRetry, type RetryOptions } from './retry';
import type { ChatRequest, Chunk, ProviderAdapter } from './types';

/**
 * Streams one answer through any adapter with the behaviour the SDKs do not give us, the same for every provider:
 *  - a capped, cancellable retry, but only before the first chunk arrived (an answer already shown is never
 *    silently restarted);
 *  - a first-byte and an idle watchdog, because the SDKs' timeouts do not cover a stream that goes silent after
 *    its headers;
 *  - the final-event check: a stream that ends without its finish event is `incomplete`, never success;
 *  - Stop: the caller's signal ends the request, a retry wait or a silent stream at once, as `cancelled`.
 */

export interface StreamOptions {
  signal?: AbortSignal;
  watchdogs: Watchdogs;
  retry?: Omit<RetryOptions, 'signal' | 'provider'>;
}

export function streamChat(adapter: ProviderAdapter, request: ChatRequest, options: StreamOptions): AsyncIterableIterator<Chunk> {
  return new ChatStream(adapter, request, options);
}

/**
 * The stream as a plain async iterator rather than an async generator: a generator adds a promise step per
 * chunk on top of the adapter's own, which on a fast local stream was a measurable part of our overhead.
 */
class ChatStream implements AsyncIterableIterator<Chunk> {
  private attempt: Attempt | undefined;
  private finished = false;
  private closed = false;

  constructor(
    private readonly adapter: ProviderAdapter,
    private readonly request: ChatRequest,
    private readonly options: StreamOptions,
  ) {}

  [Symbol.asyncIterator](): this {
    return this;
  }

  async next(): Promise<IteratorResult<Chunk>> {
    if (this.closed) {
      return { done: true, value: undefined };
    }
    let result: IteratorResult<Chunk>;
    if (this.attempt === undefined) {
      try {
        const opened = await this.open();
        this.attempt = opened.attempt;
        result = opened.first;
      } catch (err) {
        this.closed = true;
        throw err;
      }
    } else {
      try {
        result = await this.attempt.next(this.options.watchdogs.idleMs, 'idle');
      } catch (err) {
        throw this.fail(err);
      }
    }
    if (result.done) {
      if (!this.finished) {
        throw this.fail(
          new ProviderError({
            kind: 'incomplete',
            provider: this.adapter.label,
            message: `${this.adapter.label} ended the answer without its final event; what arrived is kept as incomplete.`,
          }),
        );
      }
      this.close();
      return result;
    }
    const chunk = result.value;
    if (chunk.type === 'finish') {
      if (chunk.reason === 'content_filter') {
        throw this.fail(
          new ProviderError({
            kind: 'content_filter',
            provider: this.adapter.label,
            message: `${this.adapter.label} stopped the answer because its content filter flagged it.`,
          }),
        );
      }
      this.finished = true;
    }
    return result;
  }

  /** The consumer stopped early (`break`): release the request. */
  return(): Promise<IteratorResult<Chunk>> {
    this.close();
    return Promise.resolve({ done: true, value: undefined });
  }

  private open() {
    const { signal } = this.options;
    return withRetry(() => openAttempt(this.adapter, this.request, this.options), {
      ...this.options.retry,
      provider: this.adapter.label,
      ...(signal === undefined ? {} : { signal }),
    });
  }

  private fail(err: unknown): ProviderError {
    const error = this.attempt ? this.attempt.explain(err) : (err as ProviderError);
    this.close();
    return error;
  }

  private close(): void {
    if (!this.closed) {
      this.closed = true;
      this.attempt?.dispose();
    }
  }
}

async function openAttempt(adapter: ProviderAdapter, request: ChatRequest, options: StreamOptions) {
  const attempt = new Attempt(adapter, request, options.signal);
  try {
    const first = await attempt.next(options.watchdogs.firstByteMs, 'first');
    return { attempt, first };
  } catch (err) {
    attempt.dispose();
    throw attempt.explain(err);
  }
}

/**
 * One request to the provider, with its own abort controller that Stop and the watchdogs both pull. Per chunk it
 * does no more than record when the wait began: one abort listener and one timer serve the whole attempt (the
 * timer re-arms itself for the time left), because a timer and a listener per token cost 2-4 µs each, which on
 * a fast stream is most of our overhead over the raw SDK (bench:providers).
 */
class Attempt {
  private readonly controller = new AbortController();
  private readonly iterator: AsyncIterator<Chunk>;
  private timedOut: { phase: 'first' | 'idle'; ms: number } | undefined;
  private readonly onCallerAbort = () => this.controller.abort();
  private timer: ReturnType<typeof setTimeout> | undefined;
  private timerDueAt = 0;
  /** The wait in progress: when it began, how long it may last, and how to fail it. */
  private wait: { startedAt: number; limitMs: number; phase: 'first' | 'idle'; reject(err: Error): void } | undefined;

  constructor(
    private readonly adapter: ProviderAdapter,
    request: ChatRequest,
    private readonly callerSignal: AbortSignal | undefined,
  ) {
    callerSignal?.addEventListener('abort', this.onCallerAbort, { once: true });
    this.controller.signal.addEventListener('abort', () => this.wait?.reject(new Error('aborted')), { once: true });
    if (callerSignal?.aborted) {
      this.controller.abort();
    }
    this.iterator = adapter.stream(request, this.controller.signal)[Symbol.asyncIterator]();
  }

  /**
   * The next chunk, or a rejection once the watchdog fires or Stop is pressed. The race matters: an adapter
   * that ignores its abort signal still cannot hold the caller.
   */
  next(timeoutMs: number, phase: 'first' | 'idle'): Promise<IteratorResult<Chunk>> {
    if (this.controller.signal.aborted) {
      return Promise.reject(new Error('aborted'));
    }
    return new Promise((resolve, reject) => {
      const startedAt = performance.now();
      this.wait = { startedAt, limitMs: timeoutMs, phase, reject };
      // Re-armed only when this wait ends before the armed timer would fire (the first idle wait after a long
      // first-byte limit); with one limit for every chunk that never happens again.
      if (this.timer === undefined || startedAt + timeoutMs < this.timerDueAt) {
        this.arm(timeoutMs);
      }
      this.iterator.next().then(
        (result) => {
          this.wait = undefined;
          resolve(result);
        },
        (err: unknown) => {
          this.wait = undefined;
          reject(err instanceof Error ? err : new Error(String(err)));
        },
      );
    });
  }

  private arm(ms: number): void {
    clearTimeout(this.timer);
    this.timerDueAt = performance.now() + ms;
    this.timer = setTimeout(this.check, ms);
  }

  /** The watchdog: fires the timeout if the current wait is over its limit, else sleeps for the time left. */
  private readonly check = (): void => {
    this.timer = undefined;
    const wait = this.wait;
    if (!wait) {
      return;
    }
    const left = wait.startedAt + wait.limitMs - performance.now();
    if (left <= 0) {
      this.timedOut = { phase: wait.phase, ms: wait.limitMs };
      this.controller.abort();
      return;
    }
    this.arm(left);
  };

  /** Turns whatever ended the attempt into the one error type, giving Stop and the watchdogs precedence. */
  explain(err: unknown): ProviderError {
    const label = this.adapter.label;
    if (this.callerSignal?.aborted) {
      return new ProviderError({ kind: 'cancelled', provider: label, message: 'Stopped.' });
    }
    if (this.timedOut) {
      const seconds = Math.round(this.timedOut.ms / 100) / 10;
      const message =
        this.timedOut.phase === 'first'
          ? `${label} did not start answering within ${seconds} s. A local server may still be loading the model; the timeout is in the provider's settings.`
          : `${label} went silent for ${seconds} s in the middle of the answer.`;
      return new ProviderError({ kind: 'timeout', provider: label, message });
    }
    if (err instanceof ProviderError) {
      return err;
    }
    // Adapters map their SDK's errors; anything else is a fault below them (a socket, a parser).
    const detail = err instanceof Error ? err.message : String(err);
    return new ProviderError({ kind: 'network', provider: label, message: `Lost the connection to ${label}: ${detail}` });
  }

  dispose(): void {
    clearTimeout(this.timer);
    this.callerSignal?.removeEventListener('abort', this.onCallerAbort);
    this.controller.abort();
    // Ends the adapter's generator so the SDK releases its socket; it may already be finished or failed.
    this.iterator.return?.().catch(() => undefined);
  }
}
