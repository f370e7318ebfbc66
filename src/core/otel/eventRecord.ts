import type { Attributes } from '@opentelemetry/api';
import {
  ATTR_GEN_AI_CONVERSATION_ID,
  ATTR_GEN_AI_REQUEST_MODEL,
  ATTR_GEN_AI_RESPONSE_MODEL,
  ATTR_GEN_AI_USAGE_CACHE_CREATION_INPUT_TOKENS,
  ATTR_GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS,
  ATTR_GEN_AI_USAGE_INPUT_TOKENS,
  ATTR_GEN_AI_USAGE_OUTPUT_TOKENS,
  ATTR_GEN_AI_USAGE_REASONING_OUTPUT_TOKENS,
} from '@opentelemetry/semantic-conventions/incubating';
import type { EventType, StudioEvent, TokenCounts } from '../../db/repositories/events';
import type { JsonValue } from '../../db/repositories/rows';
import { redactSecrets } from './secretKeys';
import {
  STUDIO_COST,
  STUDIO_DURATION,
  STUDIO_ENDED_AT,
  STUDIO_EVENT_ID,
  STUDIO_EVENT_TYPE,
  STUDIO_MESSAGE_ID,
  STUDIO_PARENT_EVENT_ID,
  STUDIO_PAYLOAD,
  STUDIO_RUN_ID,
  STUDIO_STARTED_AT,
  STUDIO_UNCACHED_INPUT,
} from './studioAttributes';

/**
 * One event of the log as span (or span event) attributes, and back. Self-contained: every field of the event is
 * in its own attributes, so where the mapping puts a record (on a span, or as an event of one) does not matter
 * to the importer. Fields the GenAI conventions name (session, model, token usage) use their `gen_ai.*`
 * attributes, so viewers read them; the rest use `ai_studio.*`.
 */

/** Event ids as the Inspector accepts them: our ULIDs, and the prefixed ids of imported spans. */
const eventIdPattern = /^[\w.:-]{1,128}$/;
const eventTypePattern = /^[a-z][a-z0-9_]*(\.[a-z0-9_]+)+$/;

/** A record's attribute names, and the span (event) they came from, for error messages. */
export type RecordAttributes = ReadonlyMap<string, JsonValue>;

/** A file that claims to be ours but is not well formed; the importer turns it into a readable error. */
export class TraceFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TraceFormatError';
  }
}

/** The request's model is what was asked for; every later event's is what answered. */
function modelKey(type: string): string {
  return type === 'llm.request.started' ? ATTR_GEN_AI_REQUEST_MODEL : ATTR_GEN_AI_RESPONSE_MODEL;
}

export function recordAttributes(event: StudioEvent): Attributes {
  const attributes: Attributes = {
    [STUDIO_EVENT_ID]: event.id,
    [STUDIO_EVENT_TYPE]: event.type,
    [STUDIO_STARTED_AT]: event.startedAt,
  };
  const put = (key: string, value: string | number | null): void => {
    if (value !== null) {
      attributes[key] = value;
    }
  };
  put(STUDIO_PARENT_EVENT_ID, event.parentEventId);
  put(STUDIO_MESSAGE_ID, event.messageId);
  put(ATTR_GEN_AI_CONVERSATION_ID, event.sessionId);
  put(STUDIO_RUN_ID, event.runId);
  put(STUDIO_ENDED_AT, event.endedAt);
  put(STUDIO_DURATION, event.durationMs);
  put(modelKey(event.type), event.model);
  put(STUDIO_COST, event.costMicroUsd);
  const { tokens } = event;
  put(STUDIO_UNCACHED_INPUT, tokens.input);
  put(ATTR_GEN_AI_USAGE_INPUT_TOKENS, promptTokens(event));
  put(ATTR_GEN_AI_USAGE_OUTPUT_TOKENS, tokens.output);
  put(ATTR_GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS, tokens.cacheRead);
  put(ATTR_GEN_AI_USAGE_CACHE_CREATION_INPUT_TOKENS, tokens.cacheWrite);
  put(ATTR_GEN_AI_USAGE_REASONING_OUTPUT_TOKENS, tokens.reasoning);
  if (!isEmptyObject(event.payload)) {
    attributes[STUDIO_PAYLOAD] = JSON.stringify(redactSecrets(event.payload));
  }
  return attributes;
}

/**
 * The whole prompt, as the conventions count `gen_ai.usage.input_tokens`: what the provider reported
 * (`payload.promptTokens`), else the billed input plus the cached tokens.
 */
function promptTokens(event: StudioEvent): number | null {
  const reported = member(event.payload, 'promptTokens');
  if (typeof reported === 'number' && Number.isSafeInteger(reported) && reported >= 0) {
    return reported;
  }
  const { input, cacheRead, cacheWrite } = event.tokens;
  return input === null ? null : input + (cacheRead ?? 0) + (cacheWrite ?? 0);
}

/** True when these attributes hold one of our records (rather than a span's own GenAI description). */
export function isRecord(attributes: RecordAttributes): boolean {
  return attributes.has(STUDIO_EVENT_ID);
}

/** The event written by `recordAttributes`; `where` names the span for errors (`span "chat gpt-4o"`). */
export function readRecord(attributes: RecordAttributes, where: string): StudioEvent {
  const text = (key: string, pattern?: RegExp): string | null => {
    const value = attributes.get(key);
    if (value === undefined) {
      return null;
    }
    if (typeof value !== 'string' || (pattern !== undefined && !pattern.test(value))) {
      throw new TraceFormatError(`${where}: ${key} is not valid (${JSON.stringify(value)}).`);
    }
    return value;
  };
  const count = (key: string): number | null => {
    const value = attributes.get(key);
    if (value === undefined) {
      return null;
    }
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
      throw new TraceFormatError(`${where}: ${key} must be a whole number, not ${JSON.stringify(value)}.`);
    }
    return value;
  };
  const id = text(STUDIO_EVENT_ID, eventIdPattern);
  const type = text(STUDIO_EVENT_TYPE, eventTypePattern);
  const startedAt = count(STUDIO_STARTED_AT);
  if (id === null || type === null || startedAt === null) {
    throw new TraceFormatError(`${where}: an AI Studio event needs ${STUDIO_EVENT_ID}, ${STUDIO_EVENT_TYPE} and ${STUDIO_STARTED_AT}.`);
  }
  const tokens: TokenCounts = {
    input: count(STUDIO_UNCACHED_INPUT),
    output: count(ATTR_GEN_AI_USAGE_OUTPUT_TOKENS),
    cacheRead: count(ATTR_GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS),
    cacheWrite: count(ATTR_GEN_AI_USAGE_CACHE_CREATION_INPUT_TOKENS),
    reasoning: count(ATTR_GEN_AI_USAGE_REASONING_OUTPUT_TOKENS),
  };
  return {
    id,
    sessionId: text(ATTR_GEN_AI_CONVERSATION_ID),
    runId: text(STUDIO_RUN_ID),
    parentEventId: text(STUDIO_PARENT_EVENT_ID, eventIdPattern),
    messageId: text(STUDIO_MESSAGE_ID),
    type: type as EventType,
    startedAt,
    endedAt: count(STUDIO_ENDED_AT),
    durationMs: count(STUDIO_DURATION),
    tokens,
    costMicroUsd: count(STUDIO_COST),
    model: text(modelKey(type)),
    payload: readPayload(attributes.get(STUDIO_PAYLOAD), where),
  };
}

function readPayload(value: JsonValue | undefined, where: string): JsonValue {
  if (value === undefined) {
    return {};
  }
  if (typeof value !== 'string') {
    throw new TraceFormatError(`${where}: ${STUDIO_PAYLOAD} must be JSON text.`);
  }
  try {
    return JSON.parse(value) as JsonValue;
  } catch {
    throw new TraceFormatError(`${where}: ${STUDIO_PAYLOAD} is not valid JSON.`);
  }
}

/** A payload's own member (never one inherited from Object.prototype, like `constructor`). */
export function member(value: JsonValue, key: string): JsonValue | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value) || !Object.hasOwn(value, key)) {
    return undefined;
  }
  return (value as Readonly<Record<string, JsonValue>>)[key];
}

function isEmptyObject(value: JsonValue): boolean {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && Object.keys(value).length === 0;
}
