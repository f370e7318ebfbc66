import type * as GenAi from '@google/genai' with { 'resolution-mode': 'import' };
import type { GenerateContentResponse, GenerateContentResponseUsageMetadata, GoogleGenAI } from '@google/genai' with { 'resolution-mode': 'import' };
import type { EndpointConfig } from '../endpoints';
import { ProviderError, redactSecrets } from '../errors';
import type { ChatRequest, Chunk, ConnectionTestResult, ModelInfo, ProviderAdapter } from '../types';
import { geminiFailure, isThinkingUnsupported, newCallId, toFinishReason, toGeminiParameters, toUsage } from './geminiMapping';

/**
 * The adapter for the Gemini Developer API (@google/genai). Facts about the SDK (3.1.0) it relies on:
 *  - it retries only when `httpOptions.retryOptions` is set, so leaving it unset makes `stream` one attempt; its
 *    "automatic continuation" re-sends a stream by itself and is switched off per request (see geminiMapping);
 *  - its `timeout` stays armed while the body streams, so any value would cut off a long answer: the stream gets
 *    none (streamChat's watchdogs cover silence), only the model listing gets one;
 *  - it sends the key in the `x-goog-api-key` header, never in the URL;
 *  - it reads the Vertex switch, the base URL and the API version from environment variables when they are not
 *    given, so all three are always given: the user's key must not follow an environment variable elsewhere.
 */

const GEMINI_BASE_URL = 'https://generativelanguage.googleapis.com';
/** 3.1.0 defaults to `v1`; thought summaries, `parametersJsonSchema` and new models land in `v1beta` first. */
const API_VERSION = 'v1beta';
const LISTING_TIMEOUT_MS = 60_000;
/** Gemini's largest page: one request lists every model. */
const LISTING_PAGE_SIZE = 1000;

/** Models (per base URL) that refused thought summaries: asked once, not on every request. */
const withoutThinking = new Set<string>();

type GenAiModule = typeof GenAi;
let genAiModule: Promise<GenAiModule> | undefined;

/** @google/genai types itself as an ES module only, so this CommonJS build loads it with import(). */
function loadGenAi(): Promise<GenAiModule> {
  genAiModule ??= import('@google/genai');
  return genAiModule;
}

export function createGeminiAdapter(config: EndpointConfig, apiKey: string | undefined): ProviderAdapter {
  const label = config.label;
  const secrets = apiKey ? [apiKey] : [];
  const { baseUrl, apiVersion } = splitVersion(config.baseUrl ?? GEMINI_BASE_URL);
  let client: GoogleGenAI | undefined;

  const sdk = async (): Promise<GoogleGenAI> => {
    if (!apiKey) {
      // Without a key the SDK would fall back to GOOGLE_API_KEY or Google Cloud credentials from the environment.
      throw new ProviderError({ kind: 'auth', provider: label, message: `No API key is set for ${label}. Set one with "AI Studio: Set API Key".` });
    }
    const { GoogleGenAI } = await loadGenAi();
    client ??= new GoogleGenAI({ vertexai: false, apiKey, apiVersion, httpOptions: { baseUrl } });
    return client;
  };

  const fail = (err: unknown, signal: AbortSignal, during: FailureContext['during']): ProviderError =>
    toProviderError(err, { label, secrets, signal, during });

  const openStream = async (request: ChatRequest, signal: AbortSignal) => {
    const modelKey = `${baseUrl}\n${request.model}`;
    const withThoughts = !withoutThinking.has(modelKey);
    const params = toGeminiParameters(request, withThoughts);
    try {
      return await (await sdk()).models.generateContentStream({ ...params, config: { ...params.config, abortSignal: signal } });
    } catch (err) {
      // Thought summaries are worth asking for, but models without thinking refuse the request that asks.
      if (!withThoughts || !isThinkingUnsupported(err) || signal.aborted) {
        throw err;
      }
      withoutThinking.add(modelKey);
      const plain = toGeminiParameters(request, false);
      return await (await sdk()).models.generateContentStream({ ...plain, config: { ...plain.config, abortSignal: signal } });
    }
  };

  const listModels = async (signal: AbortSignal): Promise<ModelInfo[]> => {
    try {
      const pager = await (await sdk()).models.list({
        config: { pageSize: LISTING_PAGE_SIZE, abortSignal: signal, httpOptions: { timeout: LISTING_TIMEOUT_MS } },
      });
      const models: ModelInfo[] = [];
      for await (const model of pager) {
        // Embedding, image and audio-only models share the listing; only chat models belong in the picker.
        if (model?.name && model.supportedActions?.includes('generateContent')) {
          const id = model.name.replace(/^models\//, '');
          models.push(model.displayName ? { id, label: model.displayName } : { id });
        }
      }
      return models;
    } catch (err) {
      throw fail(err, signal, 'listing');
    }
  };

  return {
    label,
    kind: config.kind,
    async *stream(request: ChatRequest, signal: AbortSignal): AsyncGenerator<Chunk> {
      let started = false;
      try {
        const responses = await openStream(request, signal);
        let calledTools = false;
        let usage: GenerateContentResponseUsageMetadata | undefined;
        for await (const response of responses) {
          started = true;
          throwIfPromptBlocked(response, label);
          usage = response.usageMetadata ?? usage;
          const candidate = response.candidates?.[0];
          for (const chunk of partsOf(response)) {
            calledTools ||= chunk.type === 'tool_call';
            yield chunk;
          }
          if (candidate?.finishReason !== undefined) {
            // Each chunk carries the running totals, so the last one seen is the whole answer's usage.
            if (usage) {
              yield { type: 'usage', usage: toUsage(usage) };
            }
            yield { type: 'finish', reason: toFinishReason(candidate.finishReason, calledTools) };
            // The final event: nothing of the answer follows, and a server that keeps the socket open must not
            // trip the idle watchdog after a complete answer.
            return;
          }
        }
        // Ending here without a finishReason is what @google/genai reports as success; streamChat calls it
        // incomplete because no finish chunk was yielded.
      } catch (err) {
        throw fail(err, signal, started ? 'streaming' : 'opening');
      }
    },
    listModels,
    async test(signal: AbortSignal): Promise<ConnectionTestResult> {
      const started = performance.now();
      const models = await listModels(signal);
      const latencyMs = Math.round(performance.now() - started);
      return { ok: true, latencyMs, detail: `Key accepted; ${models.length} models available.` };
    },
  };
}

/**
 * Text, thought summaries and function calls of the first candidate (we never ask for more than one), with the
 * thought signatures where Gemini put them: on a function call (the first of a step), or on a text or thought
 * part (then a `reasoning_signature` right after its text, which in a stream may be an empty last part).
 */
function* partsOf(response: GenerateContentResponse): Generator<Chunk> {
  for (const part of response.candidates?.[0]?.content?.parts ?? []) {
    const signature = part.thoughtSignature;
    if (part.functionCall) {
      const id = part.functionCall.id || newCallId();
      const args = JSON.stringify(part.functionCall.args ?? {});
      yield { type: 'tool_call', id, name: part.functionCall.name ?? '', arguments: args, ...(signature ? { signature } : {}) };
      continue;
    }
    if (part.text) {
      yield part.thought ? { type: 'reasoning', text: part.text } : { type: 'text', text: part.text };
    }
    if (signature) {
      yield { type: 'reasoning_signature', signature };
    }
  }
}

/** A prompt Gemini refuses to answer comes back as a 200 whose only content is `promptFeedback.blockReason`. */
function throwIfPromptBlocked(response: GenerateContentResponse, label: string): void {
  const blocked = response.promptFeedback?.blockReason;
  if (blocked) {
    const why = response.promptFeedback?.blockReasonMessage ?? `block reason ${blocked}`;
    throw new ProviderError({
      kind: 'content_filter',
      provider: label,
      message: `${label} refused the request because its content filter flagged the prompt (${why}).`,
    });
  }
}

interface FailureContext {
  label: string;
  secrets: readonly string[];
  signal: AbortSignal;
  during: 'opening' | 'streaming' | 'listing';
}

function toProviderError(err: unknown, context: FailureContext): ProviderError {
  const { label, secrets, signal } = context;
  if (err instanceof ProviderError) {
    return err;
  }
  if (signal.aborted) {
    // Stop or a watchdog: streamChat says which. Nothing of the SDK's error (request data) is kept.
    return new ProviderError({ kind: 'cancelled', provider: label, message: 'Stopped.' });
  }
  const failure = geminiFailure(err, label, secrets);
  if (failure) {
    return failure;
  }
  const detail = redactSecrets(describe(err), secrets);
  if (context.during === 'listing' && isTimeout(err)) {
    return new ProviderError({ kind: 'timeout', provider: label, message: `${label} did not answer the model listing in ${LISTING_TIMEOUT_MS / 1000} s.` });
  }
  if (context.during === 'streaming') {
    // A socket that died, or a stream the SDK could not parse: either way the answer stopped arriving.
    return new ProviderError({ kind: 'network', provider: label, message: `The connection to ${label} broke in the middle of the answer (${detail}).` });
  }
  if (isConnectionFailure(err)) {
    return new ProviderError({ kind: 'network', provider: label, message: `Could not reach ${label} (${detail}). Check the network and the endpoint's base URL.` });
  }
  // The SDK checks a request before it sends it ("contents are required"): sending it again changes nothing.
  return new ProviderError({ kind: 'bad_request', provider: label, message: `The Gemini SDK refused the request: ${detail}` });
}

/** fetch fails with a TypeError ("fetch failed", "terminated") whose cause holds the socket's error code. */
function isConnectionFailure(err: unknown): boolean {
  const cause = err instanceof Error ? (err.cause as { code?: unknown } | undefined) : undefined;
  return err instanceof TypeError || typeof cause?.code === 'string';
}

/** fetch's own errors say only "fetch failed" or "terminated"; the socket's code is in the cause. */
function describe(err: unknown): string {
  if (!(err instanceof Error)) {
    return String(err);
  }
  const cause = err.cause as { code?: unknown; message?: unknown } | undefined;
  const code = typeof cause?.code === 'string' ? cause.code : typeof cause?.message === 'string' ? cause.message : undefined;
  return code ? `${err.message}: ${code}` : err.message;
}

function isTimeout(err: unknown): boolean {
  return err instanceof Error && (err.name === 'AbortError' || err.name === 'TimeoutError');
}

/** Accepts a base URL given with its version (".../v1beta"), as one copied from Google's docs often is. */
function splitVersion(url: string): { baseUrl: string; apiVersion: string } {
  const match = /^(.*?)\/(v\d+(?:alpha|beta)?\d*)\/?$/.exec(url.trim());
  return match?.[1] && match[2] ? { baseUrl: match[1], apiVersion: match[2] } : { baseUrl: url.trim(), apiVersion: API_VERSION };
}
