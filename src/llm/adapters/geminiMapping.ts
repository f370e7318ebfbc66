import { randomUUID } from 'node:crypto';
import type {
  Content,
  FunctionDeclaration,
  GenerateContentConfig,
  GenerateContentResponseUsageMetadata,
  Part,
} from '@google/genai' with { 'resolution-mode': 'import' };
import { ProviderError, redactSecrets } from '../errors';
import type { ChatMessage, ChatRequest, ContentPart, FinishReason, ToolSpec, Usage } from '../types';
import { httpFailure } from './httpErrors';

/**
 * The pure half of the Gemini adapter: our request to @google/genai's `generateContentStream` parameters, and the
 * response fields and error bodies back to our shapes. Kept apart from the SDK calls so the mapping can be tested
 * without a server.
 */

/**
 * Gemini 3 rejects a history whose function calls lack the `thoughtSignature` the model attached to them ("Function
 * call is missing a thought_signature", HTTP 400). The signature travels in the `tool_call` part itself (stored with
 * the message, so it survives a restart); a call without one (history from another provider, or stored before
 * signatures were kept) gets the placeholder Google documents for histories it did not produce.
 */
const SKIP_SIGNATURE_VALIDATION = 'skip_thought_signature_validator';

export interface GeminiStreamParameters {
  model: string;
  contents: Content[];
  config: GenerateContentConfig;
}

/**
 * The `generateContentStream` parameters, without `abortSignal` (the adapter adds it). `withThoughts` asks for
 * thought summaries; models without thinking reject it, so the adapter retries once without it.
 */
export function toGeminiParameters(request: ChatRequest, withThoughts: boolean): GeminiStreamParameters {
  const config: GenerateContentConfig = {
    // On by default in @google/genai 3.x: it re-sends the request itself when a stream ends early with a
    // continuation token. Our stream is one attempt; streamChat owns every retry.
    automaticContinuation: false,
  };
  if (request.system) {
    config.systemInstruction = request.system;
  }
  if (request.temperature !== undefined) {
    config.temperature = request.temperature;
  }
  if (request.maxTokens !== undefined) {
    config.maxOutputTokens = request.maxTokens;
  }
  if (request.stop !== undefined && request.stop.length > 0) {
    config.stopSequences = request.stop;
  }
  if (request.tools !== undefined && request.tools.length > 0) {
    config.tools = [{ functionDeclarations: request.tools.map(toFunctionDeclaration) }];
  }
  if (withThoughts) {
    config.thinkingConfig = { includeThoughts: true };
    if (request.thinking?.budgetTokens !== undefined) {
      config.thinkingConfig.thinkingBudget = request.thinking.budgetTokens;
    }
  }
  return { model: request.model, contents: toGeminiContents(request.messages), config };
}

function toFunctionDeclaration(tool: ToolSpec): FunctionDeclaration {
  // `parametersJsonSchema` takes the JSON Schema as written; `parameters` wants Google's OpenAPI subset (no $ref,
  // no additionalProperties), which would reject schemas other providers accept.
  return { name: tool.name, description: tool.description, parametersJsonSchema: tool.parameters };
}

/**
 * Gemini's history: roles `user` and `model` only, so tool results travel as `functionResponse` parts of a user
 * turn. Consecutive messages that land on the same role are merged, and empty text is dropped: Gemini rejects a
 * turn without parts.
 */
export function toGeminiContents(messages: readonly ChatMessage[]): Content[] {
  const contents: Content[] = [];
  for (const message of messages) {
    const role = message.role === 'assistant' ? 'model' : 'user';
    const parts = toGeminiParts(message);
    if (parts.length === 0) {
      continue;
    }
    const previous = contents[contents.length - 1];
    if (previous?.role === role && previous.parts) {
      previous.parts.push(...parts);
    } else {
      contents.push({ role, parts });
    }
  }
  return contents;
}

function toGeminiParts(message: ChatMessage): Part[] {
  const parts: Part[] = [];
  const fromModel = message.role === 'assistant';
  let signedACall = false;
  for (const part of message.content) {
    switch (part.type) {
      case 'text':
        if (part.text.length > 0) {
          parts.push({ text: part.text });
        }
        break;
      case 'reasoning': {
        const thought = fromModel ? thoughtPart(part) : undefined;
        if (thought) {
          parts.push(thought);
        }
        break;
      }
      case 'tool_call': {
        const call: Part = { functionCall: { id: part.id, name: part.name, args: parseArguments(part.arguments) } };
        // The model signs the first call of a step; a parallel call after it carries no signature.
        const own = part.origin === 'gemini' ? part.signature : undefined;
        const signature = own ?? (signedACall ? undefined : SKIP_SIGNATURE_VALIDATION);
        if (signature !== undefined) {
          call.thoughtSignature = signature;
          signedACall = true;
        }
        parts.push(call);
        break;
      }
      case 'tool_result':
        parts.push({ functionResponse: { id: part.callId, name: part.name, response: functionResponseOf(part.content, part.isError === true) } });
        break;
    }
  }
  return parts;
}

/**
 * A thought of Gemini's goes back as a thought part with its signature; a signature that came on an empty part
 * (the end of a streamed text answer) goes back on an empty part. Another provider's reasoning is left out.
 */
function thoughtPart(part: Extract<ContentPart, { type: 'reasoning' }>): Part | undefined {
  if (part.origin !== 'gemini' || part.redacted !== undefined) {
    return undefined;
  }
  const signature = part.signature === undefined ? {} : { thoughtSignature: part.signature };
  if (part.text.length > 0) {
    return { text: part.text, thought: true, ...signature };
  }
  return part.signature === undefined ? undefined : { text: '', ...signature };
}

/**
 * `response` must be an object: a result that is a JSON object goes as that object, any other text as
 * `{ result: text }`; Gemini reads an `error` key as a failed call.
 */
export function functionResponseOf(content: string, isError: boolean): Record<string, unknown> {
  if (isError) {
    return { error: content };
  }
  try {
    const parsed: unknown = JSON.parse(content);
    if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)) {
      return parsed as Record<string, unknown>;
    }
  } catch {
    // Plain text: wrapped below.
  }
  return { result: content };
}

/** `args` must be an object; a model's unparsable argument text is passed back as text rather than lost. */
function parseArguments(text: string): Record<string, unknown> {
  if (text.trim() === '') {
    return {};
  }
  try {
    const parsed: unknown = JSON.parse(text);
    if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)) {
      return parsed as Record<string, unknown>;
    }
    return { value: parsed };
  } catch {
    return { unparsedArguments: text };
  }
}

/** Gemini often sends no id for a function call; the result must still be matched to it. */
export function newCallId(): string {
  return `call_${randomUUID()}`;
}

const FILTERED = new Set(['SAFETY', 'RECITATION', 'BLOCKLIST', 'PROHIBITED_CONTENT', 'SPII', 'IMAGE_SAFETY', 'IMAGE_PROHIBITED_CONTENT', 'IMAGE_RECITATION']);

export function toFinishReason(reason: string, calledTools: boolean): FinishReason {
  if (reason === 'STOP') {
    // Gemini ends a step that called functions with a plain STOP.
    return calledTools ? 'tool_calls' : 'stop';
  }
  if (reason === 'MAX_TOKENS') {
    return 'length';
  }
  return FILTERED.has(reason) ? 'content_filter' : 'other';
}

/**
 * Gemini bills thinking as output, and its `candidatesTokenCount` leaves the thoughts out, so output is the sum.
 * `promptTokenCount` already includes the cached tokens (`cachedContentTokenCount` is a part of it, as with OpenAI),
 * and tokens a built-in tool added to the prompt are billed as input too. Gemini reports no cache writes.
 */
export function toUsage(metadata: GenerateContentResponseUsageMetadata): Usage {
  const usage: Usage = {
    inputTokens: (metadata.promptTokenCount ?? 0) + (metadata.toolUsePromptTokenCount ?? 0),
    outputTokens: (metadata.candidatesTokenCount ?? 0) + (metadata.thoughtsTokenCount ?? 0),
  };
  if (metadata.cachedContentTokenCount !== undefined) {
    usage.cacheReadTokens = metadata.cachedContentTokenCount;
  }
  if (metadata.thoughtsTokenCount !== undefined) {
    usage.reasoningTokens = metadata.thoughtsTokenCount;
  }
  return usage;
}

/** Google's error body `{ error: { code, message, status, details } }`, which the SDK's ApiError carries as JSON text. */
interface GoogleError {
  message: string;
  status: string | undefined;
  details: Record<string, unknown>[];
}

/** The SDK's ApiError, recognised by shape so that a second copy of the SDK in a bundle does not defeat it. */
function apiErrorOf(err: unknown): { status: number; message: string } | undefined {
  const candidate = err as { name?: unknown; status?: unknown; message?: unknown } | null;
  return err instanceof Error && candidate?.name === 'ApiError' && typeof candidate.status === 'number'
    ? { status: candidate.status, message: err.message }
    : undefined;
}

function readGoogleError(text: string): GoogleError | undefined {
  // An HTTP error is the bare body; an error inside the stream reads "got status: X. {body}".
  const start = text.indexOf('{');
  if (start < 0) {
    return undefined;
  }
  try {
    const { error } = JSON.parse(text.slice(start)) as { error?: { message?: unknown; status?: unknown; details?: unknown } };
    if (error === null || typeof error !== 'object') {
      return undefined;
    }
    return {
      message: typeof error.message === 'string' ? error.message : '',
      status: typeof error.status === 'string' ? error.status : undefined,
      details: Array.isArray(error.details) ? error.details.filter(isRecord) : [],
    };
  } catch {
    return undefined;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function detailOf(error: GoogleError, type: string): Record<string, unknown> | undefined {
  return error.details.find((detail) => typeof detail['@type'] === 'string' && detail['@type'].endsWith(`google.rpc.${type}`));
}

/** Gemini says how long to wait in a RetryInfo detail ("30s", "1.5s"), not in a retry-after header. */
function retryDelayMs(error: GoogleError): number | undefined {
  const delay = detailOf(error, 'RetryInfo')?.retryDelay;
  const said = (typeof delay === 'string' ? /^(\d+(?:\.\d+)?)s$/.exec(delay) : null) ?? /retry in (\d+(?:\.\d+)?)s\b/i.exec(error.message);
  return said?.[1] === undefined ? undefined : Math.round(Number(said[1]) * 1000);
}

/**
 * Every Gemini 429 reads "You exceeded your current quota", the per-minute limits that waiting fixes included, so
 * the words say nothing: the QuotaFailure detail does. A daily or monthly quota, a quota of 0 (the model is not in
 * the plan) or a spending cap will not reset within any wait we accept.
 */
function isQuotaExhausted(error: GoogleError): boolean {
  const violations = detailOf(error, 'QuotaFailure')?.violations;
  const list = Array.isArray(violations) ? violations.filter(isRecord) : [];
  const longPeriod = list.some((v) => typeof v.quotaId === 'string' && /Per(Day|Month)/i.test(v.quotaId));
  const zero = list.some((v) => v.quotaValue === '0') || /\blimit: 0\b/.test(error.message);
  return longPeriod || zero || /spending cap|credits are depleted|prepayment/i.test(error.message);
}

/** Gemini answers a wrong or expired key with 400 INVALID_ARGUMENT, not 401. */
function isKeyRejected(error: GoogleError): boolean {
  const reason = detailOf(error, 'ErrorInfo')?.reason;
  return (typeof reason === 'string' && reason.startsWith('API_KEY_')) || /API key (not valid|expired)/i.test(error.message);
}

/** Maps the SDK's ApiError; undefined for anything else (a socket error, an abort). */
export function geminiFailure(err: unknown, provider: string, secrets: readonly string[]): ProviderError | undefined {
  const apiError = apiErrorOf(err);
  if (!apiError) {
    return undefined;
  }
  const { status } = apiError;
  const body = readGoogleError(apiError.message);
  const said = redactSecrets((body?.message || apiError.message).trim(), secrets).slice(0, 600);
  const detail = said ? ` ${provider} said: ${said}` : '';
  if (body && status !== 429 && isKeyRejected(body)) {
    const message = `${provider} rejected the API key (HTTP ${status}). Set a valid key with "AI Studio: Set API Key".${detail}`;
    return new ProviderError({ kind: 'auth', provider, message, status });
  }
  const retryAfterMs = body ? retryDelayMs(body) : undefined;
  if (status === 429) {
    const quotaExhausted = body !== undefined && isQuotaExhausted(body);
    const message = quotaExhausted
      ? `${provider} reports the account's quota or spending limit is reached; waiting will not help.${detail}`
      : `${provider} is rate limiting requests (HTTP 429).${detail}`;
    return new ProviderError({ kind: 'rate_limit', provider, message, status, quotaExhausted, ...(retryAfterMs === undefined ? {} : { retryAfterMs }) });
  }
  const headers = { get: (name: string) => (name === 'retry-after-ms' && retryAfterMs !== undefined ? String(retryAfterMs) : null) };
  return httpFailure({ provider, status, message: said, code: body?.status, headers, secrets });
}

/** A model without thinking refuses `thinkingConfig` ("thinking_config is not supported", "Thinking is not enabled"). */
export function isThinkingUnsupported(err: unknown): boolean {
  const apiError = apiErrorOf(err);
  return apiError?.status === 400 && /thinking[_ ]?config|include_thoughts|thinking is not (supported|enabled)/i.test(apiError.message);
}
