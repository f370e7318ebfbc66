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

export async function* streamChat(adapter: ProviderAdapter, request: ChatRequest, options: StreamOptions): AsyncGenerator<Chunk> {
  const { signal } = options;
  const opened = await withRetry(() => openAttempt(adapter, request, options), {
    ...options.retry,
    provider: adapter.label,
    ...(signal === undefined ? {} : { signal }),
  });
  const { attempt } = opened;
  let finished = false;
  try {
    let next: IteratorResult<Chunk> = opened.first;
    while (!next.done) {
      const chunk = next.value;
      if (chunk.type === 'finish') {
        if (chunk.reason === 'content_filter') {
          throw new ProviderError({
            kind: 'content_filter',
            provider: adapter.label,
            message: `${adapter.label} stopped the answer because its content filter flagged it.`,
          });
        }
        finished = true;
      }
      yield chunk;
      next = await attempt.next(options.watchdogs.idleMs, 'idle');
    }
    if (!finished) {
      throw new ProviderError({
        kind: 'incomplete',
        provider: adapter.label,
        message: `${adapter.label} ended the answer without its final event; what arrived is kept as incomplete.`,
      });
    }
  } catch (err) {
    throw attempt.explain(err);
  } finally {
    attempt.dispose();
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

/** One request to the provider, with its own abort controller that Stop and the watchdogs both pull. */
class Attempt {
  private readonly controller = new AbortController();
  private readonly iterator: AsyncIterator<Chunk>;
  private timedOut: { phase: 'first' | 'idle'; ms: number } | undefined;
  private readonly onCallerAbort = () => this.controller.abort();

  constructor(
    private readonly adapter: ProviderAdapter,
    request: ChatRequest,
    private readonly callerSignal: AbortSignal | undefined,
  ) {
    callerSignal?.addEventListener('abort', this.onCallerAbort, { once: true });
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
    const signal = this.controller.signal;
    return new Promise((resolve, reject) => {
      const onAbort = () => {
        clearTimeout(timer);
        reject(new Error('aborted'));
      };
      const timer = setTimeout(() => {
        this.timedOut = { phase, ms: timeoutMs };
        this.controller.abort();
      }, timeoutMs);
      if (signal.aborted) {
        onAbort();
        return;
      }
      signal.addEventListener('abort', onAbort, { once: true });
      this.iterator.next().then(
        (result) => {
          clearTimeout(timer);
          signal.removeEventListener('abort', onAbort);
          resolve(result);
        },
        (err: unknown) => {
          clearTimeout(timer);
          signal.removeEventListener('abort', onAbort);
          reject(err instanceof Error ? err : new Error(String(err)));
        },
      );
    });
  }

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
    this.callerSignal?.removeEventListener('abort', this.onCallerAbort);
    this.controller.abort();
    // Ends the adapter's generator so the SDK releases its socket; it may already be finished or failed.
    this.iterator.return?.().catch(() => undefined);
  }
}
