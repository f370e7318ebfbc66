import { parseRetryAfter, ProviderError, redactSecrets, type ProviderErrorKind } from '../errors';

/**
 * The part of error mapping all HTTP providers share: status codes mean the same thing everywhere, and the
 * provider's own error code or message only refines a 400 or a 429. Each adapter extracts these fields from its
 * SDK's error and calls this, so every provider's 401 reads the same to the user.
 */

export interface HttpFailure {
  provider: string;
  status: number | undefined;
  /** The provider's error text (from the response body), shown to the user after redaction. */
  message: string;
  /** The provider's machine-readable error code or type, when it has one. */
  code?: string | undefined;
  headers?: { get(name: string): string | null } | undefined;
  /** Every secret that must not survive into the message: the endpoint's key. */
  secrets: readonly string[];
  now?: number;
}

const CONTEXT_LENGTH =
  /context[_ ]length|context window|context size|exceed_context_size|too many tokens|maximum context|prompt is too long|input is too long|exceeds the maximum/i;
const CONTENT_FILTER = /content[_ ]filter|content management policy|responsible ?ai|safety|blocked/i;
const QUOTA = /insufficient_quota|quota|billing|spend(ing)? (cap|limit)|credit balance|usage limit/i;

export function httpFailure(failure: HttpFailure): ProviderError {
  const { provider, status } = failure;
  const said = redactSecrets(failure.message.trim(), failure.secrets);
  const code = failure.code ?? '';
  const kind = kindOf(status, `${code} ${said}`);
  const retryAfterMs = kind === 'rate_limit' || kind === 'overloaded' ? parseRetryAfter(failure.headers, failure.now ?? Date.now()) : undefined;
  const quotaExhausted = kind === 'rate_limit' && QUOTA.test(`${code} ${said}`);
  return new ProviderError({
    kind,
    provider,
    message: messageFor(kind, provider, status, said, quotaExhausted),
    ...(status === undefined ? {} : { status }),
    ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
    quotaExhausted,
  });
}

function kindOf(status: number | undefined, text: string): ProviderErrorKind {
  if (status === 401 || status === 403) {
    return 'auth';
  }
  if (status === 429) {
    return 'rate_limit';
  }
  if (status === 408) {
    return 'timeout';
  }
  if (status !== undefined && (status >= 500 || status === 529)) {
    return 'overloaded';
  }
  if (CONTEXT_LENGTH.test(text)) {
    return 'context_length';
  }
  if (CONTENT_FILTER.test(text)) {
    return 'content_filter';
  }
  return status === undefined ? 'network' : 'bad_request';
}

function messageFor(kind: ProviderErrorKind, provider: string, status: number | undefined, said: string, quota: boolean): string {
  const detail = said ? ` ${provider} said: ${said}` : '';
  switch (kind) {
    case 'auth':
      return `${provider} rejected the API key (HTTP ${status}). Set a valid key with "AI Studio: Set API Key".${detail}`;
    case 'rate_limit':
      return quota
        ? `${provider} reports the account's quota or spending limit is reached; waiting will not help.${detail}`
        : `${provider} is rate limiting requests (HTTP 429).${detail}`;
    case 'overloaded':
      return `${provider} is overloaded or failing (HTTP ${status}); try again shortly.${detail}`;
    case 'context_length':
      return `The conversation is too long for this model's context window. Start a new branch or pick a model with a larger context.${detail}`;
    case 'content_filter':
      return `${provider} refused the request because its content filter flagged it.${detail}`;
    case 'timeout':
      return `${provider} timed out (HTTP ${status}).${detail}`;
    case 'network':
      return `Could not reach ${provider}.${detail}`;
    default:
      return `${provider} rejected the request (HTTP ${status}).${detail}`;
  }
}
