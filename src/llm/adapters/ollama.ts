import { Ollama, type ListResponse } from 'ollama';
import type { EndpointConfig } from '../endpoints';
import { ProviderError, redactSecrets } from '../errors';
import type { ChatRequest, Chunk, ConnectionTestResult, ModelInfo, ProviderAdapter } from '../types';
import { httpFailure } from './httpErrors';
import { chunksOf, newStreamState, toOllamaRequest } from './ollamaMapping';

/**
 * The adapter for a local or proxied Ollama server (the `ollama` SDK, NDJSON over /api/chat).
 *
 * Every call builds its own client, because `Ollama.abort()` aborts every stream of a client: a Stop on one chat
 * must not end another streaming at the same time. A stream is ended through its own iterator's `abort()`, and the
 * caller's signal also reaches the fetch itself through a wrapped `fetch`, since the SDK takes no signal and
 * would otherwise wait out a server that never sends its headers (or a model listing that never answers).
 */

const DEFAULT_HOST = 'http://127.0.0.1:11434';

/** The SDK's own error when a stream ends without `done: true` (utils.ts, AbortableAsyncIterator). */
const NO_FINAL_EVENT = 'Did not receive done or success response in stream.';

interface Connection {
  client: Ollama;
  /** Headers of the latest response, for retry-after: the SDK's ResponseError keeps none. */
  lastHeaders(): Headers | undefined;
}

interface Context {
  label: string;
  host: string;
  secrets: readonly string[];
  connection: Connection;
  /** The model of a chat request, for the "ollama pull" hint. */
  model?: string;
}

export function createOllamaAdapter(config: EndpointConfig, apiKey: string | undefined): ProviderAdapter {
  const label = config.label;
  const host = config.baseUrl ?? DEFAULT_HOST;
  const secrets = apiKey ? [apiKey] : [];
  const context = (signal: AbortSignal, model?: string): Context => ({
    label,
    host,
    secrets,
    connection: connect(host, apiKey, signal),
    ...(model === undefined ? {} : { model }),
  });

  return {
    label,
    kind: config.kind,
    stream: (request, signal) => streamAnswer(request, signal, context(signal, request.model)),

    async listModels(signal: AbortSignal): Promise<ModelInfo[]> {
      const ctx = context(signal);
      try {
        const models = modelsOf(await ctx.connection.client.list(), ctx);
        return models.map((m) => ({ id: m.name, ...(m.details?.parameter_size ? { label: `${m.name} (${m.details.parameter_size})` } : {}) }));
      } catch (err) {
        throw failureOf(err, signal, ctx);
      }
    },

    async test(signal: AbortSignal): Promise<ConnectionTestResult> {
      const ctx = context(signal);
      const started = performance.now();
      try {
        // The model listing proves the server (and a proxy's key); some proxies do not forward /api/version.
        const [version, list] = await Promise.all([ctx.connection.client.version().catch(() => undefined), ctx.connection.client.list()]);
        const count = modelsOf(list, ctx).length;
        const installed = count === 0 ? 'no models installed yet (download one with `ollama pull <model>`)' : `${count} model${count === 1 ? '' : 's'} installed`;
        return { ok: true, latencyMs: performance.now() - started, detail: `Ollama ${version?.version ?? '(version unknown)'}, ${installed}.` };
      } catch (err) {
        throw failureOf(err, signal, ctx);
      }
    },
  };
}

async function* streamAnswer(request: ChatRequest, signal: AbortSignal, ctx: Context): AsyncGenerator<Chunk> {
  let stream: Awaited<ReturnType<typeof startChat>> | undefined;
  let finished = false;
  const stop = () => stream?.abort();
  signal.addEventListener('abort', stop, { once: true });
  try {
    stream = await startChat(ctx.connection.client, request);
    if (signal.aborted) {
      stream.abort();
    }
    const state = newStreamState();
    for await (const part of stream) {
      // A loop, not yield*: delegating to a sync iterable costs an extra promise step per token.
      for (const chunk of chunksOf(part, state)) {
        yield chunk;
      }
      if (part.done) {
        finished = true;
        return;
      }
    }
  } catch (err) {
    if (!signal.aborted && err instanceof Error && err.message === NO_FINAL_EVENT) {
      // No finish chunk was yielded: streamChat reports the answer as incomplete, the same for every provider.
      return;
    }
    throw failureOf(err, signal, ctx);
  } finally {
    signal.removeEventListener('abort', stop);
    if (!finished) {
      // Releases the socket when the consumer gave up early (Stop, a watchdog, an error above us).
      stream?.abort();
    }
  }
}

/** The model list, or a clear error when the address answers but is not an Ollama server. */
function modelsOf(list: ListResponse, ctx: Context): ListResponse['models'] {
  if (!Array.isArray((list as Partial<ListResponse> | undefined)?.models)) {
    throw new ProviderError({
      kind: 'bad_request',
      provider: ctx.label,
      message: `${originOf(ctx.host)} answered, but not as an Ollama server (GET /api/tags has no model list). Check the address in the provider settings.`,
    });
  }
  return list.models;
}

function startChat(client: Ollama, request: ChatRequest) {
  return client.chat(toOllamaRequest(request));
}

function connect(host: string, apiKey: string | undefined, signal: AbortSignal): Connection {
  let lastHeaders: Headers | undefined;
  const boundFetch: typeof fetch = async (input, init) => {
    // The SDK passes its own signal for streams only (the one its iterator's abort() pulls); ours joins it.
    const signals = init?.signal ? [init.signal, signal] : [signal];
    const response = await fetch(input, { ...init, signal: AbortSignal.any(signals) });
    lastHeaders = response.headers;
    return response;
  };
  const client = new Ollama({ host, fetch: boundFetch, ...(apiKey ? { headers: { Authorization: `Bearer ${apiKey}` } } : {}) });
  return { client, lastHeaders: () => lastHeaders };
}

/** Maps anything the SDK or fetch threw to a ProviderError, never attaching the original (it may hold headers). */
function failureOf(err: unknown, signal: AbortSignal, ctx: Context): ProviderError {
  if (signal.aborted) {
    // streamChat reports Stop and its watchdogs itself; this only keeps the SDK's error from escaping.
    return new ProviderError({ kind: 'cancelled', provider: ctx.label, message: 'Stopped.' });
  }
  if (err instanceof ProviderError) {
    return err;
  }
  if (isResponseError(err)) {
    return responseFailure(err, ctx);
  }
  const code = connectionCode(err);
  if (code !== undefined || (err instanceof TypeError && /fetch failed|terminated/.test(err.message))) {
    return connectionFailure(code, ctx);
  }
  // Mostly the SDK relaying an `{"error": "..."}` line the server wrote after its 200 headers (the model runner
  // crashed, ...); else a body that is not Ollama's JSON.
  const said = err instanceof Error ? err.message : String(err);
  const mapped = httpFailure({ provider: ctx.label, status: undefined, message: said, code: codeFor(said, undefined), secrets: ctx.secrets });
  if (mapped.kind !== 'network') {
    return mapped;
  }
  return new ProviderError({ kind: 'network', provider: ctx.label, message: `${ctx.label} failed: ${redactSecrets(said, ctx.secrets)}` });
}

/** The SDK's ResponseError, which ollama 0.6.4 does not export: thrown for every non-2xx answer. */
interface ResponseErrorShape {
  status_code: number;
  /** The body's `error` field (a string from Ollama itself; proxies may send an object), or the body text. */
  error: unknown;
}

function isResponseError(err: unknown): err is ResponseErrorShape {
  return err instanceof Error && err.name === 'ResponseError' && typeof (err as Partial<ResponseErrorShape>).status_code === 'number';
}

function responseFailure(err: ResponseErrorShape, ctx: Context): ProviderError {
  const status = err.status_code;
  const { text, type } = describeError(err.error);
  const model = ctx.model;
  if (status === 404 && model !== undefined && /\bmodel\b.*\bnot found/i.test(text)) {
    const said = redactSecrets(text, ctx.secrets);
    return new ProviderError({
      kind: 'bad_request',
      provider: ctx.label,
      status,
      message: `${ctx.label} does not have the model "${model}". Download it with \`ollama pull ${model}\`, or pick an installed model. ${ctx.label} said: ${said}`,
    });
  }
  return httpFailure({
    provider: ctx.label,
    status,
    message: text,
    code: codeFor(`${type ?? ''} ${text}`, status),
    headers: ctx.connection.lastHeaders(),
    secrets: ctx.secrets,
  });
}

/**
 * The readable text of an error body. Ollama sends `{"error": "text"}`, but since it runs llama-server its 400s
 * can carry that server's whole JSON error as the text: unwrap it to its message and type.
 */
function describeError(error: unknown): { text: string; type?: string } {
  let value = error;
  if (typeof error === 'string' && error.trimStart().startsWith('{')) {
    try {
      value = JSON.parse(error) as unknown;
    } catch {
      return { text: error };
    }
  }
  if (typeof value === 'string') {
    return { text: value };
  }
  const record = (value ?? {}) as { error?: unknown; message?: unknown; type?: unknown };
  if (typeof record.message === 'string') {
    return { text: record.message, ...(typeof record.type === 'string' ? { type: record.type } : {}) };
  }
  return record.error === undefined ? { text: JSON.stringify(value) ?? '' } : describeError(record.error);
}

/**
 * A machine code for the shared mapping where Ollama's wording escapes its patterns: llama-server's
 * "exceeds the available context size", and ollama.com's "you have reached your weekly usage limit" (a quota:
 * waiting seconds will not help).
 */
function codeFor(text: string, status: number | undefined): string | undefined {
  if (/exceed_context_size|context (size|length)/i.test(text)) {
    return 'context_length_exceeded';
  }
  if (status === 429 && /usage limit/i.test(text)) {
    return 'quota_exceeded';
  }
  return undefined;
}

/** The system error code under fetch's "fetch failed" / "terminated" TypeError. */
function connectionCode(err: unknown): string | undefined {
  let current: unknown = err;
  for (let depth = 0; depth < 4 && current instanceof Error; depth++) {
    const { code, errors } = current as Error & { code?: unknown; errors?: unknown };
    if (typeof code === 'string') {
      return code;
    }
    // Connecting to both ::1 and 127.0.0.1 fails as an AggregateError of the two.
    current = current.cause ?? (Array.isArray(errors) ? (errors[0] as unknown) : undefined);
  }
  return undefined;
}

function connectionFailure(code: string | undefined, ctx: Context): ProviderError {
  const where = originOf(ctx.host);
  let message: string;
  if (code === 'ECONNREFUSED') {
    message = `Could not connect to ${ctx.label} at ${where}. Is Ollama running? Start it with \`ollama serve\`.`;
  } else if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') {
    message = `Could not find the host of ${ctx.label} (${where}); check the address in the provider settings.`;
  } else {
    message = `Lost the connection to ${ctx.label} at ${where}${code ? ` (${code})` : ''}.`;
  }
  return new ProviderError({ kind: 'network', provider: ctx.label, message });
}

/** The server's address for messages, without any user:password a base URL may carry. */
function originOf(host: string): string {
  try {
    return new URL(host.includes('://') ? host : `http://${host}`).origin;
  } catch {
    return 'the configured address';
  }
}
