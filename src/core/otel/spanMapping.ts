import { SpanKind, SpanStatusCode, type Attributes } from '@opentelemetry/api';
import { ATTR_ERROR_TYPE } from '@opentelemetry/semantic-conventions';
import {
  ATTR_GEN_AI_AGENT_ID,
  ATTR_GEN_AI_AGENT_NAME,
  ATTR_GEN_AI_AGENT_VERSION,
  ATTR_GEN_AI_CONVERSATION_ID,
  ATTR_GEN_AI_OPERATION_NAME,
  ATTR_GEN_AI_PROVIDER_NAME,
  ATTR_GEN_AI_REQUEST_MODEL,
  GEN_AI_OPERATION_NAME_VALUE_INVOKE_AGENT,
} from '@opentelemetry/semantic-conventions/incubating';
import type { StudioEvent } from '../../db/repositories/events';
import { member, recordAttributes } from './eventRecord';
import { chatDescription, failureStatus, providerName } from './genAiDescription';
import { eventSpanIdOf, traceIdOf, turnSpanIdOf } from './otelIds';
import { eventEnd, type SpanDraft } from './spanDraft';
import { STUDIO_EVENT_ID, STUDIO_RUN_ID } from './studioAttributes';
import { exportedRecord, toolGroups, toolSpan } from './toolSpans';
import type { TraceContent } from './traceContent';
import { groupTurns, roleOf, type Turn } from './turns';

/**
 * Events -> spans on the OpenTelemetry GenAI conventions:
 * - one trace per turn, rooted at `invoke_agent {agent}` (INTERNAL: the agent runs in this process), from the
 *   turn's first event to its last; `message.user`, `message.assistant`, `route.decision`, `run.*` and any other
 *   one-moment event are span events on it;
 * - `chat {model}` (CLIENT) per model call, from `llm.request.started` to its `llm.response.completed` or
 *   `llm.error` (status ERROR with `error.type`), with token usage, finish reason and time to first chunk;
 * - `execute_tool {name}` per tool call, from the agent loop's `tool.call.*` events (toolSpans.ts): its arguments
 *   and result only with content on; a turn with tools (many model calls) stays one trace;
 * - a replay is a trace of its own, a `chat` span linked to the span of the call it replays.
 * Every event is a record (eventRecord.ts) on exactly one span or span event, so the trace re-imports exactly.
 */

export interface MappingOptions {
  /** The agent's name for `invoke_agent {name}`; without one the span is just `invoke_agent`. */
  agentName?(agentId: string): string | undefined;
  /** Message content in chat spans: OPT-IN (see traceContent.ts). */
  content?: TraceContent;
}

interface Placement {
  traceId: string;
  spanId: string;
}

export function mapEventsToSpans(events: readonly StudioEvent[], options: MappingOptions = {}): SpanDraft[] {
  const { turns, calls } = groupTurns(events);
  const spans: SpanDraft[] = [];
  const placed = new Map<string, Placement>();
  for (const turn of turns) {
    spans.push(...turnSpans(turn, options, placed));
  }
  for (const call of calls) {
    const traceId = traceIdOf(call.id);
    const spanId = eventSpanIdOf(call.id);
    placed.set(call.id, { traceId, spanId });
    const draft = callSpan(traceId, spanId, null, undefined, call, options);
    const original = call.parentEventId === null ? undefined : placed.get(call.parentEventId);
    if (original !== undefined) {
      draft.links.push({ ...original, attributes: {} });
    }
    spans.push(draft);
  }
  return spans;
}

function turnSpans(turn: Turn, options: MappingOptions, placed: Map<string, Placement>): SpanDraft[] {
  const traceId = traceIdOf(turn.anchor.id);
  const rootId = turnSpanIdOf(turn.anchor.id);
  const children: SpanDraft[] = [];
  const points: StudioEvent[] = [];
  const claimed = new Set<string>();
  // A request's outcome is the first completion that names it: indexed once, so a long run stays linear.
  const outcomes = new Map<string, StudioEvent>();
  for (const event of turn.events) {
    if (roleOf(event.type) === 'completion' && event.parentEventId !== null && !outcomes.has(event.parentEventId)) {
      outcomes.set(event.parentEventId, event);
    }
  }
  for (const request of turn.events.filter((event) => roleOf(event.type) === 'request')) {
    const outcome = outcomes.get(request.id);
    if (outcome !== undefined) {
      claimed.add(outcome.id);
    }
    children.push(callSpan(traceId, eventSpanIdOf(request.id), rootId, request, outcome, options));
  }
  for (const event of turn.events) {
    const role = roleOf(event.type);
    if (role === 'completion' && !claimed.has(event.id)) {
      // Its request is not in this export (a partial list): the call is still a span.
      children.push(callSpan(traceId, eventSpanIdOf(event.id), rootId, undefined, event, options));
    } else if (role === 'point') {
      points.push(event);
    }
  }
  for (const group of toolGroups(turn.events.filter((event) => roleOf(event.type) === 'tool'))) {
    children.push(toolSpan(traceId, rootId, group, options.content));
  }
  for (const span of children) {
    for (const id of recordIds(span)) {
      placed.set(id, { traceId, spanId: span.spanId });
    }
  }
  return [rootSpan(turn, traceId, rootId, points, children, options), ...children];
}

function rootSpan(turn: Turn, traceId: string, spanId: string, points: readonly StudioEvent[], children: readonly SpanDraft[], options: MappingOptions): SpanDraft {
  const request = turn.events.find((event) => roleOf(event.type) === 'request');
  const agentId = stringMember(request, 'agentId');
  const agentName = agentId === undefined ? undefined : options.agentName?.(agentId);
  const attributes: Attributes = { [ATTR_GEN_AI_OPERATION_NAME]: GEN_AI_OPERATION_NAME_VALUE_INVOKE_AGENT };
  const provider = stringMember(request, 'provider');
  const put = (key: string, value: string | null | undefined): void => {
    if (value !== undefined && value !== null) {
      attributes[key] = value;
    }
  };
  put(ATTR_GEN_AI_PROVIDER_NAME, provider === undefined ? undefined : providerName(provider));
  put(ATTR_GEN_AI_AGENT_ID, agentId);
  put(ATTR_GEN_AI_AGENT_NAME, agentName);
  put(ATTR_GEN_AI_AGENT_VERSION, stringMember(request, 'agentVersionId'));
  put(ATTR_GEN_AI_REQUEST_MODEL, request?.model);
  put(ATTR_GEN_AI_CONVERSATION_ID, turn.anchor.sessionId);
  put(STUDIO_RUN_ID, turn.anchor.runId);
  // The turn failed when its last call or tool did: an earlier failure that was recovered from is not the turn's.
  const lastChild = children.reduce<SpanDraft | undefined>((last, span) => (last === undefined || span.endMs >= last.endMs ? span : last), undefined);
  const failed = lastChild?.status.code === SpanStatusCode.ERROR;
  const errorType = lastChild?.attributes[ATTR_ERROR_TYPE];
  if (failed && typeof errorType === 'string') {
    attributes[ATTR_ERROR_TYPE] = errorType;
  }
  return {
    traceId,
    spanId,
    parentSpanId: null,
    name: agentName === undefined ? 'invoke_agent' : `invoke_agent ${agentName}`,
    kind: SpanKind.INTERNAL,
    startMs: earliestStart(turn.events),
    endMs: latestEnd(turn.events),
    attributes,
    events: points.map((event) => ({ name: event.type, timeMs: event.startedAt, attributes: exportedRecord(event, options.content) })),
    links: [],
    status: failed && lastChild !== undefined ? lastChild.status : { code: SpanStatusCode.UNSET },
  };
}

/**
 * A model call. The span's own attributes hold the record of how the call ended (or of its request while it
 * has not), so usage and cost sit where viewers sum them; the request's record is a span event at its start.
 */
function callSpan(traceId: string, spanId: string, parentSpanId: string | null, request: StudioEvent | undefined, outcome: StudioEvent | undefined, options: MappingOptions): SpanDraft {
  const own = outcome ?? request;
  if (own === undefined) {
    throw new Error('A model call span needs its request or its outcome');
  }
  const parts = [request, outcome].filter((event): event is StudioEvent => event !== undefined);
  const model = request?.model ?? outcome?.model ?? null;
  return {
    traceId,
    spanId,
    parentSpanId,
    name: model === null ? 'chat' : `chat ${model}`,
    kind: SpanKind.CLIENT,
    startMs: earliestStart(parts),
    endMs: latestEnd(parts),
    attributes: { ...chatDescription(request, outcome, options.content), ...recordAttributes(own) },
    events: request !== undefined && own !== request ? [{ name: request.type, timeMs: request.startedAt, attributes: recordAttributes(request) }] : [],
    links: [],
    status: failureStatus(outcome),
  };
}

/** The event ids a span carries (its own record and its span events'), to find it from a replay. */
function recordIds(span: SpanDraft): string[] {
  return [span.attributes, ...span.events.map((event) => event.attributes)]
    .map((attributes) => attributes[STUDIO_EVENT_ID])
    .filter((id): id is string => typeof id === 'string');
}

/** Loops, not Math.min(...): a long run's turn can hold more events than a call may take arguments. */
function earliestStart(events: readonly StudioEvent[]): number {
  return events.reduce((earliest, event) => Math.min(earliest, event.startedAt), Infinity);
}

/** The last end known; an end the recovery wrote at the next start (eventEnd null) ends nothing. */
function latestEnd(events: readonly StudioEvent[]): number {
  const end = events.reduce((latest, event) => {
    const at = eventEnd(event);
    return at === null ? latest : Math.max(latest, at);
  }, -Infinity);
  return end === -Infinity ? earliestStart(events) : end;
}

function stringMember(event: StudioEvent | undefined, key: string): string | undefined {
  const value = event === undefined ? undefined : member(event.payload, key);
  return typeof value === 'string' ? value : undefined;
}
