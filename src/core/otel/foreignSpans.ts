import { ATTR_ERROR_TYPE } from '@opentelemetry/semantic-conventions';
import {
  ATTR_GEN_AI_OPERATION_NAME,
  ATTR_GEN_AI_PROVIDER_NAME,
  ATTR_GEN_AI_REQUEST_MODEL,
  ATTR_GEN_AI_RESPONSE_FINISH_REASONS,
  ATTR_GEN_AI_RESPONSE_MODEL,
  ATTR_GEN_AI_RESPONSE_TIME_TO_FIRST_CHUNK,
  ATTR_GEN_AI_SYSTEM,
  ATTR_GEN_AI_TOOL_CALL_ID,
  ATTR_GEN_AI_TOOL_NAME,
  ATTR_GEN_AI_USAGE_CACHE_CREATION_INPUT_TOKENS,
  ATTR_GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS,
  ATTR_GEN_AI_USAGE_COMPLETION_TOKENS,
  ATTR_GEN_AI_USAGE_INPUT_TOKENS,
  ATTR_GEN_AI_USAGE_OUTPUT_TOKENS,
  ATTR_GEN_AI_USAGE_PROMPT_TOKENS,
  ATTR_GEN_AI_USAGE_REASONING_OUTPUT_TOKENS,
} from '@opentelemetry/semantic-conventions/incubating';
import type { StudioEvent, TokenCounts } from '../../db/repositories/events';
import type { JsonObject, JsonValue } from '../../db/repositories/rows';
import { redactSecrets } from './secretKeys';

/**
 * Another tool's spans (OpenLLMetry, Langfuse, Phoenix, an OpenTelemetry SDK's GenAI instrumentation) as events
 * the Inspector can show, read-only: a model call becomes an `llm.response.completed` (or `llm.error`) with its
 * model, tokens and timing, a tool call a `tool.call.completed`. Spans without GenAI attributes (HTTP, database,
 * the agent's own root) are left out. Ids are made from the span's ids, so importing a file twice gives the same
 * events; parents link to the nearest imported ancestor span.
 */

export interface ForeignSpan {
  traceId: string;
  spanId: string;
  parentSpanId: string | null;
  name: string;
  startNanos: bigint;
  endNanos: bigint;
  attributes: ReadonlyMap<string, JsonValue>;
  error: { failed: boolean; message?: string };
}

const callOperations = new Set(['chat', 'text_completion', 'generate_content', 'embeddings']);

type ForeignKind = 'call' | 'tool' | undefined;

function kindOf(span: ForeignSpan): ForeignKind {
  const operation = span.attributes.get(ATTR_GEN_AI_OPERATION_NAME);
  if (operation === 'execute_tool') {
    return 'tool';
  }
  if (typeof operation === 'string') {
    return callOperations.has(operation) ? 'call' : undefined;
  }
  // Older instrumentations (OpenLLMetry) describe the call without naming the operation.
  if (span.attributes.has(ATTR_GEN_AI_REQUEST_MODEL) || span.attributes.has(ATTR_GEN_AI_RESPONSE_MODEL)) {
    return 'call';
  }
  return span.attributes.has(ATTR_GEN_AI_TOOL_NAME) ? 'tool' : undefined;
}

export function foreignEventId(span: Pick<ForeignSpan, 'traceId' | 'spanId'>): string {
  return `otel:${span.traceId}:${span.spanId}`;
}

export function foreignEvents(spans: readonly ForeignSpan[]): StudioEvent[] {
  const bySpan = new Map(spans.map((span) => [`${span.traceId}:${span.spanId}`, span]));
  const kinds = new Map(spans.map((span) => [span, kindOf(span)]));
  /** The nearest ancestor that is imported too, so a tool call inside a model call points at it. */
  const importedParent = (span: ForeignSpan): string | null => {
    const seen = new Set<ForeignSpan>();
    let parent = span.parentSpanId === null ? undefined : bySpan.get(`${span.traceId}:${span.parentSpanId}`);
    while (parent !== undefined && !seen.has(parent)) {
      if (kinds.get(parent) !== undefined) {
        return foreignEventId(parent);
      }
      seen.add(parent);
      parent = parent.parentSpanId === null ? undefined : bySpan.get(`${parent.traceId}:${parent.parentSpanId}`);
    }
    return null;
  };
  const events: StudioEvent[] = [];
  for (const span of spans) {
    const kind = kinds.get(span);
    if (kind !== undefined) {
      events.push(kind === 'call' ? callEvent(span, importedParent(span)) : toolEvent(span, importedParent(span)));
    }
  }
  return events;
}

function callEvent(span: ForeignSpan, parentEventId: string | null): StudioEvent {
  const get = (key: string) => span.attributes.get(key);
  const prompt = count(get(ATTR_GEN_AI_USAGE_INPUT_TOKENS)) ?? count(get(ATTR_GEN_AI_USAGE_PROMPT_TOKENS));
  const cacheRead = count(get(ATTR_GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS));
  const cacheWrite = count(get(ATTR_GEN_AI_USAGE_CACHE_CREATION_INPUT_TOKENS));
  // The conventions count cached tokens in input_tokens; the log bills input without them, as the chat loop does.
  const tokens: TokenCounts = {
    input: prompt === null ? null : Math.max(0, prompt - (cacheRead ?? 0) - (cacheWrite ?? 0)),
    output: count(get(ATTR_GEN_AI_USAGE_OUTPUT_TOKENS)) ?? count(get(ATTR_GEN_AI_USAGE_COMPLETION_TOKENS)),
    cacheRead,
    cacheWrite,
    reasoning: count(get(ATTR_GEN_AI_USAGE_REASONING_OUTPUT_TOKENS)),
  };
  const finishReasons = get(ATTR_GEN_AI_RESPONSE_FINISH_REASONS);
  const finishReason = Array.isArray(finishReasons) ? (finishReasons as readonly JsonValue[])[0] : finishReasons;
  const firstChunk = get(ATTR_GEN_AI_RESPONSE_TIME_TO_FIRST_CHUNK);
  const failed = span.error.failed || span.attributes.has(ATTR_ERROR_TYPE);
  const payload = compact({
    ...origin(span),
    provider: text(get(ATTR_GEN_AI_PROVIDER_NAME)) ?? text(get(ATTR_GEN_AI_SYSTEM)),
    operation: text(get(ATTR_GEN_AI_OPERATION_NAME)),
    finishReason: text(finishReason),
    promptTokens: prompt ?? undefined,
    timeToFirstTokenMs: typeof firstChunk === 'number' ? Math.round(firstChunk * 1000) : undefined,
    ...(failed ? { kind: text(get(ATTR_ERROR_TYPE)) ?? 'error', message: span.error.message } : {}),
    attributes: attributesObject(span),
  });
  return {
    ...common(span, parentEventId),
    type: failed ? 'llm.error' : 'llm.response.completed',
    tokens,
    model: text(get(ATTR_GEN_AI_RESPONSE_MODEL)) ?? text(get(ATTR_GEN_AI_REQUEST_MODEL)) ?? null,
    payload,
  };
}

function toolEvent(span: ForeignSpan, parentEventId: string | null): StudioEvent {
  const failed = span.error.failed || span.attributes.has(ATTR_ERROR_TYPE);
  return {
    ...common(span, parentEventId),
    type: 'tool.call.completed',
    tokens: { input: null, output: null, cacheRead: null, cacheWrite: null, reasoning: null },
    model: null,
    payload: compact({
      ...origin(span),
      toolName: text(span.attributes.get(ATTR_GEN_AI_TOOL_NAME)),
      toolCallId: text(span.attributes.get(ATTR_GEN_AI_TOOL_CALL_ID)),
      ...(failed ? { isError: true, kind: text(span.attributes.get(ATTR_ERROR_TYPE)) ?? 'error', message: span.error.message } : {}),
      attributes: attributesObject(span),
    }),
  };
}

function common(span: ForeignSpan, parentEventId: string | null) {
  const startedAt = Number(span.startNanos / 1_000_000n);
  const endNanos = span.endNanos < span.startNanos ? span.startNanos : span.endNanos;
  return {
    id: foreignEventId(span),
    sessionId: null,
    runId: null,
    parentEventId,
    messageId: null,
    startedAt,
    endedAt: Number(endNanos / 1_000_000n),
    durationMs: Math.round(Number(endNanos - span.startNanos) / 1_000_000),
    costMicroUsd: null,
  };
}

/** Where the event came from, for the detail pane and to find the span again in the other tool. */
function origin(span: ForeignSpan) {
  return { source: 'otel', span: span.name, traceId: span.traceId, spanId: span.spanId };
}

/** Every attribute of the span, for the detail pane; secret-named ones redacted like ours. */
function attributesObject(span: ForeignSpan): JsonValue {
  return redactSecrets(Object.fromEntries(span.attributes));
}

function count(value: JsonValue | undefined): number | null {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 ? value : null;
}

function text(value: JsonValue | undefined): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/** Payload members that have a value (a JSON payload cannot hold undefined). */
function compact(values: Record<string, JsonValue | undefined>): JsonObject {
  return Object.fromEntries(Object.entries(values).filter(([, value]) => value !== undefined)) as JsonObject;
}
