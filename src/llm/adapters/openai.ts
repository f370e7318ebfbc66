import { APIConnectionError, APIConnectionTimeoutError, APIError, APIUserAbortError, AzureOpenAI, OpenAI, OpenAIError } from 'openai';
import type { EndpointConfig } from '../endpoints';
import { ProviderError, redactSecrets } from '../errors';
import type { ChatRequest, Chunk, ConnectionTestResult, ModelInfo, ProviderAdapter } from '../types';
import { httpFailure } from './httpErrors';
import { ChatChunkAssembler, toChatParams } from './openaiMapping';

/**
 * The adapter for OpenAI, Azure OpenAI (through the SDK's AzureOpenAI) and OpenAI-compatible servers (LM Studio,
 * vLLM, llama.cpp), all speaking Chat Completions streaming.
 */

/** The SDK's timeout only covers the wait for headers; streamChat's watchdogs own the real limits. */
const SDK_TIMEOUT_MS = 60 * 60_000;
/** The SDK refuses to run without a key; local servers ignore whatever is sent. */
const NO_KEY_PLACEHOLDER = 'not-needed';
/** Enough for any model to answer without error (OpenAI's Responses API already rejects fewer than 16). */
const TEST_MAX_TOKENS = 16;

export function createOpenAiAdapter(config: EndpointConfig, apiKey: string | undefined): ProviderAdapter {
  const label = config.label;
  const secrets = apiKey ? [apiKey] : [];
  let client: OpenAI | undefined;
  const getClient = () => (client ??= buildClient(config, apiKey));
  const fail = (err: unknown, signal: AbortSignal) => toProviderError(err, config, secrets, signal);

  async function* stream(request: ChatRequest, signal: AbortSignal): AsyncGenerator<Chunk> {
    const assembler = new ChatChunkAssembler();
    try {
      // Azure routes by the deployment in the URL; the body's model only needs to be present.
      const model = request.model || deploymentOf(config);
      const chunks = await getClient().chat.completions.create(toChatParams(request, config.kind, model), { signal });
      for await (const chunk of chunks) {
        // A loop, not yield*: delegating to a sync iterable costs an extra promise step per token.
        for (const piece of assembler.accept(chunk)) {
          yield piece;
        }
      }
    } catch (err) {
      // finish_reason is the final event; losing the connection while only the usage report was still due does
      // not make the answer incomplete.
      if (!assembler.finished || signal.aborted) {
        throw fail(err, signal);
      }
    }
    if (signal.aborted) {
      // The SDK ends an aborted stream quietly; without this the abort would read as a clean (incomplete) end.
      throw fail(new APIUserAbortError(), signal);
    }
    yield* assembler.end();
  }

  async function listModels(signal: AbortSignal): Promise<ModelInfo[]> {
    try {
      if (config.kind === 'azure-openai') {
        return await listAzureModels(getClient(), deploymentOf(config), signal);
      }
      const page = await getClient().models.list({ signal });
      return page.data.map((model) => ({ id: model.id })).sort((a, b) => a.id.localeCompare(b.id));
    } catch (err) {
      throw fail(err, signal);
    }
  }

  async function test(signal: AbortSignal): Promise<ConnectionTestResult> {
    const started = performance.now();
    try {
      if (config.kind === 'azure-openai') {
        const detail = await testAzureDeployment(getClient(), config, signal);
        return { ok: true, latencyMs: performance.now() - started, detail };
      }
      const page = await getClient().models.list({ signal });
      const count = page.data.length;
      const what = apiKey ? 'Key accepted' : 'Server answered';
      return { ok: true, latencyMs: performance.now() - started, detail: `${what}; ${count} model${count === 1 ? '' : 's'} available.` };
    } catch (err) {
      throw fail(err, signal);
    }
  }

  return { label, kind: config.kind, stream, listModels, test };
}

/**
 * Every option the SDK would otherwise read from the environment (OPENAI_BASE_URL, OPENAI_API_KEY, OPENAI_ORG_ID,
 * ...) is given explicitly, so a variable meant for another tool never redirects or re-authenticates our requests.
 */
function buildClient(config: EndpointConfig, apiKey: string | undefined): OpenAI {
  const common = { maxRetries: 0, timeout: SDK_TIMEOUT_MS, organization: null, project: null, adminAPIKey: null, webhookSecret: null };
  switch (config.kind) {
    case 'azure-openai': {
      if (!config.azure?.endpoint || !config.azure.deployment || !config.azure.apiVersion) {
        throw misconfigured(config, 'needs an endpoint, a deployment and an API version');
      }
      const { endpoint, deployment, apiVersion } = config.azure;
      // With `deployment` set the SDK puts it in the URL of every chat request, whatever the body's model says.
      return new AzureOpenAI({ ...common, apiKey: requireKey(config, apiKey), baseURL: null, endpoint, deployment, apiVersion });
    }
    case 'openai-compatible':
      if (!config.baseUrl) {
        throw misconfigured(config, 'needs a base URL, e.g. http://localhost:1234/v1');
      }
      return new OpenAI({ ...common, apiKey: apiKey || NO_KEY_PLACEHOLDER, baseURL: config.baseUrl });
    default:
      return new OpenAI({ ...common, apiKey: requireKey(config, apiKey), baseURL: config.baseUrl || 'https://api.openai.com/v1' });
  }
}

function requireKey(config: EndpointConfig, apiKey: string | undefined): string {
  if (!apiKey) {
    throw new ProviderError({
      kind: 'auth',
      provider: config.label,
      message: `No API key is set for ${config.label}. Set one with "AI Studio: Set API Key".`,
    });
  }
  return apiKey;
}

function misconfigured(config: EndpointConfig, what: string): ProviderError {
  return new ProviderError({ kind: 'bad_request', provider: config.label, message: `${config.label} ${what}; check its settings.` });
}

function deploymentOf(config: EndpointConfig): string {
  return config.azure?.deployment ?? '';
}

/**
 * Azure answers every chat request with the configured deployment (there is no deployment listing on current API
 * versions), so it comes first. The resource's model listing follows: it lets the user record which model the
 * deployment runs (for labels and prices); requests still go to the deployment. A resource or proxy without the
 * listing (404) still has its deployment.
 */
async function listAzureModels(client: OpenAI, deployment: string, signal: AbortSignal): Promise<ModelInfo[]> {
  const models: ModelInfo[] = [{ id: deployment, label: `${deployment} (deployment)` }];
  try {
    const page = await client.models.list({ signal });
    const listed = page.data.map((model) => model.id).filter((id) => id !== deployment);
    models.push(...[...new Set(listed)].sort().map((id) => ({ id })));
  } catch (err) {
    if (!(err instanceof APIError && err.status === 404)) {
      throw err;
    }
  }
  return models;
}

/**
 * A model listing on Azure succeeds with a wrong deployment name or a deployment still provisioning, and the first
 * chat then fails; a completion of a few tokens on the deployment proves the endpoint, key, deployment and API
 * version together, for a fraction of a cent.
 */
async function testAzureDeployment(client: OpenAI, config: EndpointConfig, signal: AbortSignal): Promise<string> {
  const deployment = deploymentOf(config);
  await client.chat.completions.create(
    { model: deployment, messages: [{ role: 'user', content: 'Say OK.' }], max_completion_tokens: TEST_MAX_TOKENS },
    { signal },
  );
  return `Key accepted; deployment "${deployment}" answered (API version ${config.azure?.apiVersion ?? '?'}).`;
}

/**
 * The SDK's errors carry the request's headers and the response body (which may echo the key), so none is ever
 * attached as `cause`: only the fields we need are copied out, through the shared HTTP mapping.
 */
function toProviderError(err: unknown, config: EndpointConfig, secrets: readonly string[], signal: AbortSignal): ProviderError {
  const provider = config.label;
  if (err instanceof ProviderError) {
    return err;
  }
  if (signal.aborted || err instanceof APIUserAbortError) {
    // streamChat reports Stop and its watchdogs itself; this only keeps the SDK's error from escaping.
    return new ProviderError({ kind: 'cancelled', provider, message: 'Stopped.' });
  }
  if (err instanceof APIConnectionTimeoutError) {
    return new ProviderError({ kind: 'timeout', provider, message: `${provider} did not answer in time (${redactSecrets(err.message, secrets)})` });
  }
  if (err instanceof APIConnectionError) {
    return new ProviderError({ kind: 'network', provider, message: `Could not reach ${provider} at ${whereTo(config)}: ${connectionFault(err, secrets)}` });
  }
  if (err instanceof APIError) {
    // instanceof widens the generics to `any`; the defaults are what the SDK really throws.
    const failure = err as APIError;
    return httpFailure({
      provider,
      status: failure.status,
      message: bodyMessage(failure),
      code: [failure.code, failure.type].filter((part): part is string => typeof part === 'string').join(' '),
      headers: failure.headers,
      secrets,
    });
  }
  const said = redactSecrets(err instanceof Error ? err.message : String(err), secrets);
  if (err instanceof OpenAIError) {
    // Raised by the SDK before any request was sent: a setting it cannot work with.
    return new ProviderError({ kind: 'bad_request', provider, message: `${provider} could not send the request: ${said}` });
  }
  // Raised by fetch while reading the body: a socket reset ("terminated") or a broken SSE stream.
  return new ProviderError({ kind: 'network', provider, message: `Lost the connection to ${provider} mid-answer: ${causeOf(err, secrets) ?? said}` });
}

/** The body's `error.message` when there is one: the SDK's own message prefixes the status and may dump JSON. */
function bodyMessage(err: APIError): string {
  const body: { message?: unknown } | undefined = err.error;
  return typeof body?.message === 'string' ? body.message : err.message;
}

function whereTo(config: EndpointConfig): string {
  return config.azure?.endpoint ?? config.baseUrl ?? 'https://api.openai.com/v1';
}

const CONNECTION_CODES: Record<string, string> = {
  ECONNREFUSED: 'connection refused; is the server running?',
  ENOTFOUND: 'host not found; check the URL',
  EAI_AGAIN: 'host name lookup failed; check the network',
  ECONNRESET: 'the connection was reset',
  ETIMEDOUT: 'the connection timed out',
  EHOSTUNREACH: 'host unreachable',
  UND_ERR_SOCKET: 'the connection was closed',
};

/** The SDK says only "Connection error."; the reason (ECONNREFUSED, ...) is in its cause chain. */
function connectionFault(err: APIConnectionError, secrets: readonly string[]): string {
  return causeOf(err, secrets) ?? redactSecrets(err.message, secrets);
}

/** The first socket error code in the cause chain, in words ("terminated" alone says little). */
function causeOf(err: unknown, secrets: readonly string[]): string | undefined {
  let cause: unknown = err instanceof Error ? err.cause : undefined;
  for (let depth = 0; depth < 5 && cause instanceof Error; depth++) {
    const code = (cause as { code?: unknown }).code;
    if (typeof code === 'string') {
      return CONNECTION_CODES[code] ?? `${code} (${redactSecrets(cause.message, secrets)})`;
    }
    cause = cause.cause;
  }
  return undefined;
}
