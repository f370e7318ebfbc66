import { Anthropic, APIConnectionError, APIConnectionTimeoutError, APIError, APIUserAbortError } from '@anthropic-ai/sdk';
import type { EndpointConfig } from '../endpoints';
import { ProviderError, redactSecrets } from '../errors';
import type { Chunk, ChatRequest, ModelInfo, ProviderAdapter } from '../types';
import { AnthropicStreamReader, toCreateParams } from './anthropicMapping';
import { httpFailure } from './httpErrors';

/**
 * The adapter for Anthropic's Messages API (@anthropic-ai/sdk 1.x, API version 2026-10-21). One attempt per
 * call: the SDK's retries are off and its timeout is long, because streamChat owns retries and watchdogs.
 */

const DEFAULT_BASE_URL = 'https://api.anthropic.com';
/** Covers only the wait for response headers (the SDK clears it then); streamChat's watchdogs cut in first. */
const SDK_TIMEOUT_MS = 15 * 60_000;

export function createAnthropicAdapter(config: EndpointConfig, apiKey: string | undefined): ProviderAdapter {
  const provider = config.label;
  const secrets = apiKey ? [apiKey] : [];
  const fail = (err: unknown, signal: AbortSignal) => anthropicFailure(err, { provider, secrets, aborted: signal.aborted });
  let client: Anthropic | undefined;
  const clientOrFail = (): Anthropic => {
    if (!apiKey) {
      // Without a key the SDK would go looking for one in the environment and on disk; we never want that.
      throw new ProviderError({ kind: 'auth', provider, message: `No API key is set for ${provider}. Set one with "AI Studio: Set API Key".` });
    }
    client ??= new Anthropic({
      apiKey,
      // Explicit, so ANTHROPIC_BASE_URL in the editor's environment cannot send the key elsewhere.
      baseURL: config.baseUrl ?? DEFAULT_BASE_URL,
      maxRetries: 0,
      timeout: SDK_TIMEOUT_MS,
      // Spans would record prompts into whatever tracer another extension registered in this process.
      openTelemetry: false,
    });
    return client;
  };

  const listModels = async (signal: AbortSignal): Promise<ModelInfo[]> => {
    try {
      const models: ModelInfo[] = [];
      // The SDK follows has_more/last_id across pages.
      for await (const model of clientOrFail().models.list({ limit: 1000 }, { signal })) {
        if (model.lifecycle !== 'retired') {
          models.push(model.display_name ? { id: model.id, label: model.display_name } : { id: model.id });
        }
      }
      return models;
    } catch (err) {
      throw fail(err, signal);
    }
  };

  return {
    label: provider,
    kind: config.kind,
    stream: (request, signal) => streamMessages(clientOrFail, request, signal, fail),
    listModels,
    async test(signal) {
      const started = performance.now();
      const models = await listModels(signal);
      const latencyMs = Math.round(performance.now() - started);
      return { ok: true, latencyMs, detail: `Key accepted; ${models.length} model${models.length === 1 ? '' : 's'} available.` };
    },
  };
}

async function* streamMessages(
  clientOrFail: () => Anthropic,
  request: ChatRequest,
  signal: AbortSignal,
  fail: (err: unknown, signal: AbortSignal) => ProviderError,
): AsyncGenerator<Chunk> {
  try {
    const events = await clientOrFail().messages.create(toCreateParams(request), { signal });
    const reader = new AnthropicStreamReader();
    for await (const event of events) {
      // A loop, not yield*: delegating to a sync iterable costs an extra promise step per token.
      for (const chunk of reader.read(event)) {
        yield chunk;
      }
      if (reader.finished) {
        return;
      }
    }
    // The SDK ends its stream quietly, as if complete, when the signal aborts it mid-answer: say why it ended.
    // A stream that ended on its own without message_stop yields no finish, and streamChat calls it incomplete.
    if (signal.aborted) {
      throw new APIUserAbortError();
    }
  } catch (err) {
    throw fail(err, signal);
  }
}

/**
 * The HTTP status each error type of Anthropic's stands for. An error that arrives as an SSE `error` event in the
 * middle of a 200 stream has only its type (an overloaded_error there is the 529 it would have been up front).
 */
const STATUS_OF_ERROR_TYPE: Record<string, number> = {
  invalid_request_error: 400,
  authentication_error: 401,
  billing_error: 402,
  permission_error: 403,
  not_found_error: 404,
  rate_limit_error: 429,
  api_error: 500,
  timeout_error: 504,
  overloaded_error: 529,
};

/** error.details.error_code values that mean money, not speed: waiting will not help. */
const QUOTA_CODES = new Set([
  'contract_spend_limit_reached',
  'enforced_spend_limit_reached',
  'linked_organization_spend_limit_reached',
  'linked_organization_billing_unavailable',
]);

interface FailureContext {
  provider: string;
  secrets: readonly string[];
  /** Whether our signal was aborted: then the error is Stop or a watchdog, which streamChat explains. */
  aborted: boolean;
}

/** Any error out of the SDK as a ProviderError, never carrying the SDK error (it can hold request headers). */
export function anthropicFailure(err: unknown, { provider, secrets, aborted }: FailureContext): ProviderError {
  if (err instanceof ProviderError) {
    return err;
  }
  if (aborted || err instanceof APIUserAbortError) {
    return new ProviderError({ kind: 'cancelled', provider, message: 'Stopped.' });
  }
  if (err instanceof APIConnectionTimeoutError) {
    return new ProviderError({ kind: 'timeout', provider, message: `${provider} did not answer in time.` });
  }
  if (err instanceof APIConnectionError) {
    const reason = connectionReason(err);
    return new ProviderError({
      kind: 'network',
      provider,
      message: redactSecrets(`Could not reach ${provider}${reason ? ` (${reason})` : ''}. Check the network and the endpoint's base URL.`, secrets),
    });
  }
  if (err instanceof APIError) {
    // instanceof narrows to APIError<any, any, any>; these are the defaults it was declared with.
    return apiFailure(err as APIError<number | undefined, Headers | undefined>, provider, secrets);
  }
  // Not the SDK's own: the socket broke mid-stream (undici's "terminated") or an event did not parse.
  const reason = err instanceof Error ? [err.message, connectionReason(err)].filter(Boolean).join(': ') : String(err);
  return new ProviderError({ kind: 'network', provider, message: redactSecrets(`Lost the connection to ${provider} mid-answer: ${reason}`, secrets) });
}

function apiFailure(err: APIError, provider: string, secrets: readonly string[]): ProviderError {
  const status = err.status ?? (err.type ? STATUS_OF_ERROR_TYPE[err.type] : undefined);
  const said = err.apiMessage ?? err.message;
  const code = err.errorCode ?? err.type ?? undefined;
  if (status !== 401 && status !== 403 && isQuota(err, status, said)) {
    // Anthropic reports an empty credit balance as a 400 and a spend limit as a 402 or a 429 with a code, none of
    // which the shared mapping reads as a quota; they all mean the same to the user.
    const asQuota = httpFailure({ provider, status: 429, message: said, code: 'quota', secrets });
    return new ProviderError({ kind: 'rate_limit', provider, message: asQuota.message, quotaExhausted: true, ...(status === undefined ? {} : { status }) });
  }
  return httpFailure({ provider, status, message: said, code, headers: err.headers, secrets });
}

function isQuota(err: APIError, status: number | undefined, said: string): boolean {
  return status === 402 || err.type === 'billing_error' || QUOTA_CODES.has(err.errorCode ?? '') || /credit balance/i.test(said);
}

/** The system-level reason (ECONNREFUSED, other side closed) that fetch buries in its cause chain. */
function connectionReason(err: Error): string | undefined {
  let cause: unknown = err.cause;
  for (let depth = 0; depth < 4 && cause instanceof Error; depth++) {
    const code = (cause as { code?: unknown }).code;
    if (typeof code === 'string' && code.length > 0) {
      return cause.message.includes(code) ? cause.message : `${code}: ${cause.message}`;
    }
    cause = cause.cause;
  }
  return undefined;
}
