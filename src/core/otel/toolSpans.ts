import { SpanKind, SpanStatusCode, type Attributes } from '@opentelemetry/api';
import { ATTR_ERROR_TYPE } from '@opentelemetry/semantic-conventions';
import {
  ATTR_GEN_AI_OPERATION_NAME,
  ATTR_GEN_AI_TOOL_CALL_ARGUMENTS,
  ATTR_GEN_AI_TOOL_CALL_ID,
  ATTR_GEN_AI_TOOL_CALL_RESULT,
  ATTR_GEN_AI_TOOL_NAME,
  ATTR_GEN_AI_TOOL_TYPE,
  GEN_AI_OPERATION_NAME_VALUE_EXECUTE_TOOL,
} from '@opentelemetry/semantic-conventions/incubating';
import type { StudioEvent } from '../../db/repositories/events';
import type { JsonValue } from '../../db/repositories/rows';
import { callIdOf, callKeyOf, member, timelineEnd, toolCallFacts, toolNameOf, TOOL_OUTCOME_TYPES, type ToolCallFacts } from '../inspector/toolCalls';
import { recordAttributes } from './eventRecord';
import { failureStatus, isFailure } from './genAiDescription';
import { eventSpanIdOf } from './otelIds';
import type { SpanDraft } from './spanDraft';
import { STUDIO_TOOL_DECIDED_BY, STUDIO_TOOL_EXIT_CODE, STUDIO_TOOL_RUN_MS, STUDIO_TOOL_STATE, STUDIO_TOOL_VERDICT, STUDIO_TOOL_WAIT_MS } from './studioAttributes';
import type { TraceContent } from './traceContent';

/**
 * Tool calls as `execute_tool {tool}` spans (INTERNAL: the tool runs in this process), children of their turn's
 * `invoke_agent`, from the agent loop's events (src/core/agent/toolCall.ts): the span starts when the call was
 * requested and ends when it completed, failed or was denied; its record is that outcome, the other events are
 * its span events. Attributes follow the GenAI conventions (`gen_ai.tool.name`, `.call.id`, `.type`,
 * `error.type`) and add ours (verdict, who decided, the approval wait, the run time, the exit code).
 *
 * What the call was about is CONTENT, opt-in like messages: its arguments, paths, command lines, output, the
 * person's reason. Without a content source those members are left out of the tool events' records (so such a
 * trace re-imports without them); with one, the arguments and the result go on the span as the conventions'
 * `gen_ai.tool.call.arguments` / `gen_ai.tool.call.result` and the records are whole.
 */

/** Payload members of `tool.*` events that say what a call was about: content (see above). */
const CONTENT_MEMBERS = new Set(['arguments', 'summary', 'command', 'subcommands', 'reads', 'writes', 'url', 'edit', 'reasons', 'reason', 'error', 'path', 'original', 'sha256', 'output']);
/** Deeper than any payload the loop writes; past it a value is dropped rather than walked. */
const MAX_DEPTH = 32;

export function withoutToolContent(event: StudioEvent): StudioEvent {
  if (!event.type.startsWith('tool.')) {
    return event;
  }
  return { ...event, payload: strip(event.payload, 0) };
}

function strip(value: JsonValue, depth: number): JsonValue {
  if (depth > MAX_DEPTH) {
    return null;
  }
  if (Array.isArray(value)) {
    return (value as readonly JsonValue[]).map((item) => strip(item, depth + 1));
  }
  if (typeof value !== 'object' || value === null) {
    return value;
  }
  const kept: Record<string, JsonValue> = {};
  for (const [key, item] of Object.entries(value)) {
    if (!CONTENT_MEMBERS.has(key)) {
      Object.defineProperty(kept, key, { value: strip(item, depth + 1), enumerable: true, writable: true, configurable: true });
    }
  }
  return kept;
}

/** A record of an event as this export may carry it: whole with content on, without a tool call's content off. */
export function exportedRecord(event: StudioEvent, content: TraceContent | undefined): Attributes {
  return recordAttributes(content === undefined ? withoutToolContent(event) : event);
}

/**
 * Tool events grouped into calls: the agent loop's by message and call id; others (another tool's trace, older
 * logs) by parentEventId chains, else by the payload's toolCallId. Keeps their order.
 */
export function toolGroups(events: readonly StudioEvent[]): StudioEvent[][] {
  const groups: StudioEvent[][] = [];
  const byEvent = new Map<string, StudioEvent[]>();
  const byKey = new Map<string, StudioEvent[]>();
  const byBareId = new Map<string, StudioEvent[]>();
  for (const event of events) {
    const key = callKeyOf(event);
    const bareId = callIdOf(event);
    // A bare call id is trusted only without a message: ids like `call_0` repeat from one step to the next.
    let group =
      (event.parentEventId === null ? undefined : byEvent.get(event.parentEventId)) ??
      (key === undefined ? undefined : byKey.get(key)) ??
      (event.messageId === null && bareId !== undefined ? byBareId.get(bareId) : undefined);
    if (group === undefined) {
      group = [];
      groups.push(group);
    }
    group.push(event);
    byEvent.set(event.id, group);
    if (key !== undefined && !byKey.has(key)) {
      byKey.set(key, group);
    }
    if (bareId !== undefined && !byBareId.has(bareId)) {
      byBareId.set(bareId, group);
    }
  }
  return groups;
}

export function toolSpan(traceId: string, parentSpanId: string, group: readonly StudioEvent[], content: TraceContent | undefined): SpanDraft {
  const outcomes = group.filter((event) => TOOL_OUTCOME_TYPES.includes(event.type));
  const own = outcomes[outcomes.length - 1] ?? group[group.length - 1];
  const first = group[0];
  if (own === undefined || first === undefined) {
    throw new Error('A tool span needs at least one event');
  }
  const facts = toolCallFacts(group);
  const named = group.some((event) => toolNameOf(event) !== undefined);
  const startMs = facts.startedAt;
  const endMs = Math.max(startMs, facts.endedAt ?? latestKnownEnd(group, startMs));
  return {
    traceId,
    spanId: eventSpanIdOf(first.id),
    parentSpanId,
    name: named ? `execute_tool ${facts.name}` : 'execute_tool',
    kind: SpanKind.INTERNAL,
    startMs,
    endMs,
    attributes: { ...toolAttributes(group, facts, named, own, content), ...exportedRecord(own, content) },
    events: group.filter((event) => event !== own).map((event) => ({ name: event.type, timeMs: event.startedAt, attributes: exportedRecord(event, content) })),
    links: [],
    status: facts.state === 'interrupted' ? { code: SpanStatusCode.ERROR } : failureStatus(own),
  };
}

function toolAttributes(group: readonly StudioEvent[], facts: ToolCallFacts, named: boolean, own: StudioEvent, content: TraceContent | undefined): Attributes {
  const attributes: Attributes = { [ATTR_GEN_AI_OPERATION_NAME]: GEN_AI_OPERATION_NAME_VALUE_EXECUTE_TOOL, [ATTR_GEN_AI_TOOL_TYPE]: 'function' };
  const put = (key: string, value: string | number | null | undefined): void => {
    if (value !== null && value !== undefined) {
      attributes[key] = value;
    }
  };
  if (named) {
    put(ATTR_GEN_AI_TOOL_NAME, facts.name);
  }
  put(ATTR_GEN_AI_TOOL_CALL_ID, facts.callId);
  if (facts.state === 'interrupted' || isFailure(own)) {
    const details = member(own.payload, 'details');
    attributes[ATTR_ERROR_TYPE] =
      stringMember(own, 'kind') ?? (facts.state === 'interrupted' ? 'interrupted' : member(details, 'timedOut') === true ? 'timeout' : '_OTHER');
  }
  put(STUDIO_TOOL_STATE, facts.state);
  put(STUDIO_TOOL_VERDICT, facts.verdict);
  put(STUDIO_TOOL_DECIDED_BY, facts.decidedBy);
  put(STUDIO_TOOL_WAIT_MS, facts.waitMs);
  put(STUDIO_TOOL_RUN_MS, facts.runMs);
  put(STUDIO_TOOL_EXIT_CODE, facts.exitCode);
  if (content !== undefined) {
    const requested = group.find((event) => event.type === 'tool.call.requested');
    put(ATTR_GEN_AI_TOOL_CALL_ARGUMENTS, requested === undefined ? undefined : stringMember(requested, 'arguments'));
    put(ATTR_GEN_AI_TOOL_CALL_RESULT, resultOf(content, own.messageId, facts.callId));
  }
  return attributes;
}

/** The result the model was sent for the call, from its tool message (content on only). */
function resultOf(content: TraceContent, messageId: string | null, callId: string | null): string | undefined {
  if (messageId === null || callId === null) {
    return undefined;
  }
  const part = content.output(messageId)?.content.find((candidate) => candidate.type === 'tool_result' && candidate.callId === callId);
  if (part?.type !== 'tool_result') {
    return undefined;
  }
  return typeof part.output === 'string' ? part.output : JSON.stringify(part.output);
}

/** A call without a known end (still running, or its window died): its span ends at the last thing known of it. */
function latestKnownEnd(group: readonly StudioEvent[], startMs: number): number {
  return group.reduce((latest, event) => {
    const end = timelineEnd(event);
    return end === null ? latest : Math.max(latest, end);
  }, startMs);
}

function stringMember(event: StudioEvent, key: string): string | undefined {
  const value = member(event.payload, key);
  return typeof value === 'string' ? value : undefined;
}
