import { SpanStatusCode, type Attributes } from '@opentelemetry/api';
import { ATTR_ERROR_TYPE } from '@opentelemetry/semantic-conventions';
import {
  ATTR_GEN_AI_INPUT_MESSAGES,
  ATTR_GEN_AI_OPERATION_NAME,
  ATTR_GEN_AI_OUTPUT_MESSAGES,
  ATTR_GEN_AI_PROVIDER_NAME,
  ATTR_GEN_AI_REQUEST_MAX_TOKENS,
  ATTR_GEN_AI_REQUEST_MODEL,
  ATTR_GEN_AI_REQUEST_STOP_SEQUENCES,
  ATTR_GEN_AI_REQUEST_TEMPERATURE,
  ATTR_GEN_AI_RESPONSE_FINISH_REASONS,
  ATTR_GEN_AI_RESPONSE_TIME_TO_FIRST_CHUNK,
  ATTR_GEN_AI_SYSTEM_INSTRUCTIONS,
  GEN_AI_OPERATION_NAME_VALUE_CHAT,
  GEN_AI_PROVIDER_NAME_VALUE_ANTHROPIC,
  GEN_AI_PROVIDER_NAME_VALUE_AZURE_AI_OPENAI,
  GEN_AI_PROVIDER_NAME_VALUE_GCP_GEMINI,
  GEN_AI_PROVIDER_NAME_VALUE_OPENAI,
} from '@opentelemetry/semantic-conventions/incubating';
import type { StudioEvent } from '../../db/repositories/events';
import type { JsonValue } from '../../db/repositories/rows';
import { member } from './eventRecord';
import type { SpanDraft } from './spanDraft';
import { toGenAiInstructions, toGenAiMessages, type TraceContent } from './traceContent';

/**
 * What a `chat` span says in GenAI terms, for other tools to read: operation, provider,
 * request parameters, finish reason, time to first chunk, errors, and (opt-in) the messages. The figures come
 * from the events' payloads; the records (eventRecord.ts) carry the events themselves.
 */

/** Our endpoint ids as the conventions name providers; servers that speak OpenAI's API report as `openai`. */
export function providerName(providerId: string): string {
  if (providerId === 'anthropic') {
    return GEN_AI_PROVIDER_NAME_VALUE_ANTHROPIC;
  }
  if (providerId === 'openai' || providerId.startsWith('openai-compatible:')) {
    return GEN_AI_PROVIDER_NAME_VALUE_OPENAI;
  }
  if (providerId === 'gemini') {
    return GEN_AI_PROVIDER_NAME_VALUE_GCP_GEMINI;
  }
  if (providerId === 'azure-openai') {
    return GEN_AI_PROVIDER_NAME_VALUE_AZURE_AI_OPENAI;
  }
  // `ollama` and endpoints the conventions do not list go as they are (the conventions allow other values).
  return providerId;
}

/** A model call: its request (when recorded) and how it ended (absent while it streams). */
export function chatDescription(request: StudioEvent | undefined, outcome: StudioEvent | undefined, content: TraceContent | undefined): Attributes {
  const attributes: Attributes = { [ATTR_GEN_AI_OPERATION_NAME]: GEN_AI_OPERATION_NAME_VALUE_CHAT };
  const provider = text(request?.payload, 'provider') ?? text(outcome?.payload, 'provider');
  if (provider !== undefined) {
    attributes[ATTR_GEN_AI_PROVIDER_NAME] = providerName(provider);
  }
  const requestModel = request?.model ?? null;
  if (requestModel !== null) {
    attributes[ATTR_GEN_AI_REQUEST_MODEL] = requestModel;
  }
  const parameters = request === undefined ? undefined : member(request.payload, 'parameters');
  putNumber(attributes, ATTR_GEN_AI_REQUEST_TEMPERATURE, parameters === undefined ? undefined : member(parameters, 'temperature'));
  putNumber(attributes, ATTR_GEN_AI_REQUEST_MAX_TOKENS, parameters === undefined ? undefined : member(parameters, 'maxTokens'));
  const stop = parameters === undefined ? undefined : member(parameters, 'stop');
  const stops = Array.isArray(stop) ? (stop as readonly JsonValue[]).filter((item): item is string => typeof item === 'string') : [];
  if (stops.length > 0) {
    attributes[ATTR_GEN_AI_REQUEST_STOP_SEQUENCES] = stops;
  }
  const finishReason = text(outcome?.payload, 'finishReason');
  if (finishReason !== undefined) {
    attributes[ATTR_GEN_AI_RESPONSE_FINISH_REASONS] = [finishReason];
  }
  const firstToken = outcome === undefined ? undefined : member(outcome.payload, 'timeToFirstTokenMs');
  if (typeof firstToken === 'number') {
    // The conventions measure it in seconds; the record keeps our milliseconds in its payload.
    attributes[ATTR_GEN_AI_RESPONSE_TIME_TO_FIRST_CHUNK] = firstToken / 1000;
  }
  if (outcome !== undefined && isFailure(outcome)) {
    attributes[ATTR_ERROR_TYPE] = text(outcome.payload, 'kind') ?? '_OTHER';
  }
  const replyId = request?.messageId ?? outcome?.messageId ?? null;
  if (content !== undefined && replyId !== null) {
    Object.assign(attributes, contentAttributes(content, replyId, finishReason));
  }
  return attributes;
}

/** A failed call or tool: `*.error`, `*.failed`, or a tool result marked as an error (as the Inspector counts). */
export function isFailure(event: StudioEvent): boolean {
  return event.type.endsWith('.error') || event.type.endsWith('.failed') || member(event.payload, 'isError') === true;
}

export function failureStatus(outcome: StudioEvent | undefined): SpanDraft['status'] {
  if (outcome === undefined || !isFailure(outcome)) {
    return { code: SpanStatusCode.UNSET };
  }
  const message = text(outcome.payload, 'message');
  return message === undefined ? { code: SpanStatusCode.ERROR } : { code: SpanStatusCode.ERROR, message };
}

function contentAttributes(content: TraceContent, replyId: string, finishReason: string | undefined): Attributes {
  const attributes: Attributes = {};
  const input = content.input(replyId);
  if (input !== undefined) {
    attributes[ATTR_GEN_AI_INPUT_MESSAGES] = JSON.stringify(toGenAiMessages(input.messages));
    if (input.system !== undefined) {
      attributes[ATTR_GEN_AI_SYSTEM_INSTRUCTIONS] = JSON.stringify(toGenAiInstructions(input.system));
    }
  }
  const output = content.output(replyId);
  if (output !== undefined && output.content.length > 0) {
    const [message] = toGenAiMessages([output]);
    attributes[ATTR_GEN_AI_OUTPUT_MESSAGES] = JSON.stringify([{ ...message, ...(finishReason === undefined ? {} : { finish_reason: finishReason }) }]);
  }
  return attributes;
}

function text(payload: JsonValue | undefined, key: string): string | undefined {
  const value = payload === undefined ? undefined : member(payload, key);
  return typeof value === 'string' ? value : undefined;
}

function putNumber(attributes: Attributes, key: string, value: JsonValue | undefined): void {
  if (typeof value === 'number' && Number.isFinite(value)) {
    attributes[key] = value;
  }
}
