/**
 * Every provider failure becomes one error type with a `kind`, so the chat loop, the run loop and the UI decide
 * what to do (retry, ask for a key, shorten the context, say the answer is incomplete) without knowing which SDK
 * threw. Messages are written for the person reading them, and never contain an API key.
 */

export type ProviderErrorKind =
  | 'auth'
  | 'rate_limit'
  | 'overloaded'
  | 'content_filter'
  | 'context_length'
  | 'incomplete'
  | 'timeout'
  | 'network'
  | 'bad_request'
  | 'cancelled';

export interface ProviderErrorDetails {
  kind: ProviderErrorKind;
  /** Which provider or endpoint, as the user named it. */
  provider: string;
  message: string;
  status?: number;
  /** How long the provider asked us to wait, when it said. */
  retryAfterMs?: number;
  /** A rate limit that waiting will not fix (quota or spending cap reached). */
  quotaExhausted?: boolean;
  cause?: unknown;
}

export class ProviderError extends Error {
  readonly kind: ProviderErrorKind;
  readonly provider: string;
  readonly status: number | undefined;
  readonly retryAfterMs: number | undefined;
  readonly quotaExhausted: boolean;

  constructor(details: ProviderErrorDetails) {
    super(details.message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = 'ProviderError';
    this.kind = details.kind;
    this.provider = details.provider;
    this.status = details.status;
    this.retryAfterMs = details.retryAfterMs;
    this.quotaExhausted = details.quotaExhausted ?? false;
  }

  /** Whether trying the same request again, later, can succeed. */
  get retryable(): boolean {
    switch (this.kind) {
      case 'rate_limit':
        return !this.quotaExhausted;
      case 'overloaded':
      case 'network':
      case 'timeout':
        return true;
      default:
        // auth, bad_request, content_filter and context_length fail the same way again; incomplete and
        // cancelled already streamed part of an answer or were asked to stop.
        return false;
    }
  }
}

/**
 * Reads `retry-after-ms` (OpenAI) or `retry-after` (seconds or an HTTP date) from response headers. Returns
 * undefined when absent or unreadable, and never a negative wait.
 */
export function parseRetryAfter(headers: { get(name: string): string | null } | undefined, now: number): number | undefined {
  const ms = Number(headers?.get('retry-after-ms') ?? NaN);
  if (Number.isFinite(ms) && ms >= 0) {
    return ms;
  }
  const value = headers?.get('retry-after');
  if (!value) {
    return undefined;
  }
  const seconds = Number(value);
  if (Number.isFinite(seconds)) {
    return seconds >= 0 ? seconds * 1000 : undefined;
  }
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

const REDACTED = '[redacted]';
/** Shapes of API keys the providers issue, for text where the exact key is not known (an SDK's echo of a prefix). */
const KEY_SHAPES = [/\bsk-[A-Za-z0-9_-]{8,}/g, /\bAIza[0-9A-Za-z_-]{20,}/g, /\bBearer\s+[A-Za-z0-9._~+/-]{8,}=*/g];

/** Removes the given secrets, and anything shaped like an API key, from text that will be logged or shown. */
export function redactSecrets(text: string, secrets: readonly string[]): string {
  let result = text;
  for (const secret of secrets) {
    if (secret.length >= 4) {
      result = result.split(secret).join(REDACTED);
    }
  }
  for (const shape of KEY_SHAPES) {
    result = result.replace(shape, REDACTED);
  }
  return result;
}
