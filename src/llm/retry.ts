import { ProviderError } from './errors';

/**
 * Our own retry, because the SDKs' are unfit: openai's waits out a `retry-after` while ignoring the AbortSignal
 * (30 s observed), and @google/genai retries nothing. The SDKs run with retries off and every request goes
 * through here: capped attempts, `retry-after` honoured up to a cap, exponential backoff with jitter otherwise,
 * and a Stop that ends the wait at once.
 */

export interface RetryOptions {
  signal?: AbortSignal;
  provider: string;
  /** Attempts in all, the first included (default 3). */
  maxAttempts?: number;
  /** First backoff when the provider gives no retry-after (default 500 ms), doubled each time. */
  baseDelayMs?: number;
  /** Longest wait we accept; a provider asking for more fails now with its error (default 30 s). */
  maxDelayMs?: number;
  /** Told before each wait, so the UI can show "retrying in 4 s". */
  onRetry?(info: { attempt: number; delayMs: number; error: ProviderError }): void;
  random?: () => number;
}

export async function withRetry<T>(attempt: (attemptNumber: number) => Promise<T>, options: RetryOptions): Promise<T> {
  const maxAttempts = options.maxAttempts ?? 3;
  const base = options.baseDelayMs ?? 500;
  const cap = options.maxDelayMs ?? 30_000;
  const random = options.random ?? Math.random;
  for (let n = 1; ; n++) {
    throwIfAborted(options);
    try {
      return await attempt(n);
    } catch (err) {
      if (!(err instanceof ProviderError) || !err.retryable || n >= maxAttempts || options.signal?.aborted) {
        throw options.signal?.aborted ? cancelled(options) : err;
      }
      const backoff = base * 2 ** (n - 1) * (0.5 + random() / 2);
      const delayMs = err.retryAfterMs ?? backoff;
      if (delayMs > cap) {
        throw err;
      }
      options.onRetry?.({ attempt: n, delayMs, error: err });
      await sleep(delayMs, options);
    }
  }
}

function sleep(ms: number, options: RetryOptions): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      options.signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(cancelled(options));
    };
    options.signal?.addEventListener('abort', onAbort, { once: true });
  });
}

function throwIfAborted(options: RetryOptions): void {
  if (options.signal?.aborted) {
    throw cancelled(options);
  }
}

function cancelled(options: RetryOptions): ProviderError {
  return new ProviderError({ kind: 'cancelled', provider: options.provider, message: 'Stopped.' });
}
