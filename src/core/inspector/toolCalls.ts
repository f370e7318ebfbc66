import type { StudioEvent } from '../../db/repositories/events';
import type { JsonValue } from '../../db/repositories/rows';
import type { InspectorToolCall, InspectorToolState } from '../../protocol/inspector';
import { redactText } from './redact';

/**
 * A tool call as the event log has it, and as the Inspector and the trace export show it. The agent loop records
 * each call as a few events on the step's `tool` message (src/core/agent/toolCall.ts): `tool.call.requested`
 * (arguments, summary, the policy's verdict), then `tool.call.approved` (by the policy, the person or the session,
 * with the wait) or `tool.call.denied`, then `tool.call.completed` or `tool.call.failed` (run time, result size,
 * exit code; `interrupted` after a crash). They share the message id and the model's call id, which is how they
 * are put back together here; nothing else links them.
 *
 * The end of a call (`completed` / `failed`) is recorded when it ends, with the run time measured on a monotonic
 * clock as its duration: its start is when it ended, and the run lies BEFORE it. Other writers (an imported
 * trace, older logs) give such an event its own start and end instead; both read right here.
 */

export const TOOL_REQUESTED = 'tool.call.requested';
export const TOOL_APPROVED = 'tool.call.approved';
export const TOOL_DENIED = 'tool.call.denied';
export const TOOL_COMPLETED = 'tool.call.completed';
export const TOOL_FAILED = 'tool.call.failed';

/** The events that end a call: exactly one per call, so counting them counts calls. */
export const TOOL_OUTCOME_TYPES: readonly string[] = [TOOL_COMPLETED, TOOL_FAILED, TOOL_DENIED];
/** The events that end a call that ran (or tried to): their duration is the run time. */
export const TOOL_END_TYPES: readonly string[] = [TOOL_COMPLETED, TOOL_FAILED];
/** The events that end an approval: their `waitMs` is the time a person took. */
export const TOOL_DECISION_TYPES: readonly string[] = [TOOL_APPROVED, TOOL_DENIED];

export function isToolCallType(type: string): boolean {
  return type.startsWith('tool.call.');
}

/** A member of a JSON object, own only (a payload's `constructor` is not Object's). */
export function member(value: JsonValue | undefined, key: string): JsonValue | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && Object.hasOwn(value, key) ? (value as Record<string, JsonValue>)[key] : undefined;
}

function text(value: JsonValue | undefined, key: string): string | undefined {
  const found = member(value, key);
  return typeof found === 'string' ? found : undefined;
}

function count(value: JsonValue | undefined, key: string): number | undefined {
  const found = member(value, key);
  return typeof found === 'number' && Number.isFinite(found) && found >= 0 ? found : undefined;
}

/** The model's id for the call: ours say `callId`; other tools' traces `toolCallId`. */
export function callIdOf(event: Pick<StudioEvent, 'payload'>): string | undefined {
  return text(event.payload, 'callId') ?? text(event.payload, 'toolCallId');
}

export function toolNameOf(event: Pick<StudioEvent, 'payload'>): string | undefined {
  return text(event.payload, 'tool') ?? text(event.payload, 'toolName') ?? text(event.payload, 'name');
}

/**
 * Which call a tool event belongs to: its message and the model's call id. Undefined for an event that stands
 * alone (no message, or no call id): it is a call of its own.
 */
export function callKeyOf(event: Pick<StudioEvent, 'type' | 'messageId' | 'payload'>): string | undefined {
  if (!isToolCallType(event.type) || event.messageId === null) {
    return undefined;
  }
  const callId = callIdOf(event);
  return callId === undefined ? undefined : `${event.messageId}\u0000${callId}`;
}

/** A call that was running when its window died ("interrupted, outcome unknown"). */
export function isInterrupted(event: Pick<StudioEvent, 'type' | 'payload'>): boolean {
  return event.type === TOOL_FAILED && member(event.payload, 'interrupted') === true;
}

/**
 * An end written by the next start's recovery (src/core/agent/toolRecovery.ts) for a call its window left behind:
 * interrupted while it ran, or never started. It is recorded when the window opens again, maybe days later, so
 * its time says nothing about the call and is no end of it or of its turn.
 */
export function isRecoveredEnd(event: Pick<StudioEvent, 'type' | 'payload'>): boolean {
  return isInterrupted(event) || (event.type === TOOL_DENIED && member(event.payload, 'by') === 'window');
}

/**
 * Where an event's time ends on a timeline: its end, or start + duration, or its start; a tool call's end
 * recorded at its end ends where it starts; an end the recovery wrote is no end (null: it counts for none).
 * Keep in step with `END_SQL` (toolFigures.ts).
 */
export function timelineEnd(event: Pick<StudioEvent, 'type' | 'startedAt' | 'endedAt' | 'durationMs' | 'payload'>): number | null {
  if (event.endedAt !== null) {
    return event.endedAt;
  }
  if (isRecoveredEnd(event)) {
    return null;
  }
  if (TOOL_END_TYPES.includes(event.type)) {
    return event.startedAt;
  }
  return event.durationMs === null ? event.startedAt : event.startedAt + event.durationMs;
}

/** When the work an event stands for began: a call's end minus its run time; otherwise its start. */
function workStart(event: StudioEvent): number {
  if (TOOL_END_TYPES.includes(event.type) && event.endedAt === null && event.durationMs !== null) {
    return Math.max(0, event.startedAt - event.durationMs);
  }
  return event.startedAt;
}

/** A whole call, from the events of one call key (or one lone event), in list order. */
export interface ToolCallFacts {
  callId: string | null;
  name: string;
  summary: string | null;
  state: InspectorToolState;
  verdict: string | null;
  decidedBy: string | null;
  waitMs: number | null;
  runMs: number | null;
  exitCode: number | null;
  timedOut: boolean;
  files: number | null;
  /** The call's first event: its row stands for the whole call. */
  headId: string;
  /** First start to last end (wall clock): the head row's bar. */
  startedAt: number;
  endedAt: number | null;
  /** Why it failed or was denied, short. */
  error: string | null;
  /** The ids of its events, in order. */
  eventIds: readonly string[];
}

const MAX_ERROR = 300;

export function toolCallFacts(events: readonly StudioEvent[]): ToolCallFacts {
  const first = events[0];
  if (first === undefined) {
    throw new Error('A tool call needs at least one event');
  }
  const find = (types: readonly string[]) => events.find((event) => types.includes(event.type));
  const requested = find([TOOL_REQUESTED]);
  const decision = find(TOOL_DECISION_TYPES);
  const end = find(TOOL_END_TYPES);
  const denied = find([TOOL_DENIED]);
  const name = events.map(toolNameOf).find((found) => found !== undefined) ?? 'tool';
  const callId = events.map(callIdOf).find((found) => found !== undefined) ?? null;
  const details = end === undefined ? undefined : member(end.payload, 'details');
  const interrupted = end !== undefined && member(end.payload, 'interrupted') === true;
  const failed = end !== undefined && (end.type === TOOL_FAILED || member(end.payload, 'isError') === true);
  let state: InspectorToolState;
  if (denied !== undefined) {
    state = 'denied';
  } else if (end !== undefined) {
    state = interrupted ? 'interrupted' : failed ? 'failed' : 'completed';
  } else if (decision !== undefined) {
    state = 'running';
  } else {
    state = text(requested?.payload, 'verdict') === 'ask' ? 'awaiting_approval' : 'pending';
  }
  const files = member(details, 'files');
  const exitCode = member(details, 'exitCode');
  const by = text(decision?.payload, 'by');
  const starts = events.filter((event) => !isRecoveredEnd(event)).map(workStart);
  const ends = events.map(timelineEnd).filter((at): at is number => at !== null);
  const finished = state !== 'running' && state !== 'pending' && state !== 'awaiting_approval';
  return {
    callId,
    name,
    summary: text(requested?.payload, 'summary') ?? null,
    state,
    verdict: text(requested?.payload, 'verdict') ?? null,
    decidedBy: by ?? null,
    // The policy decides at once; a window that closed before anyone answered measured nothing.
    waitMs: count(decision?.payload, 'waitMs') ?? (by === 'policy' ? 0 : null),
    runMs: end === undefined ? null : (end.durationMs ?? (end.endedAt === null ? null : Math.max(0, end.endedAt - end.startedAt))),
    exitCode: typeof exitCode === 'number' && Number.isInteger(exitCode) ? exitCode : null,
    timedOut: member(details, 'timedOut') === true,
    files: Array.isArray(files) ? files.length : null,
    headId: first.id,
    startedAt: starts.length === 0 ? first.startedAt : Math.min(...starts),
    // A call its window left behind shows what is known: up to when it started running (or was asked for).
    endedAt: finished && ends.length > 0 ? Math.max(...ends) : null,
    error: errorOf(state, denied ?? end),
    eventIds: events.map((event) => event.id),
  };
}

function errorOf(state: InspectorToolState, event: StudioEvent | undefined): string | null {
  if (event === undefined || (state !== 'failed' && state !== 'denied' && state !== 'interrupted')) {
    return null;
  }
  if (state === 'interrupted') {
    return 'Interrupted: the window closed while it ran; outcome unknown, not run again.';
  }
  const why = text(event.payload, 'reason') ?? text(event.payload, 'error') ?? text(event.payload, 'message') ?? text(event.payload, 'kind');
  return why === undefined || why === '' ? null : why.slice(0, MAX_ERROR);
}

/** The row view of a call, for the row of `event` (its head, or one of its steps). */
export function rowToolCall(event: StudioEvent, facts: ToolCallFacts): InspectorToolCall {
  return {
    callId: facts.callId,
    name: facts.name,
    // A summary quotes the command line or URL it runs: redacted like the detail pane.
    summary: facts.summary === null ? null : redactText(facts.summary),
    head: event.id === facts.headId,
    step: event.type.startsWith('tool.call.') ? event.type.slice('tool.call.'.length) : event.type,
    state: facts.state,
    verdict: facts.verdict,
    decidedBy: facts.decidedBy,
    waitMs: facts.waitMs,
    runMs: facts.runMs,
    exitCode: facts.exitCode,
    timedOut: facts.timedOut,
    files: facts.files,
  };
}

/** The stretch of time a row's bar covers: the whole call for its head, its own step otherwise. */
export function toolRowSpan(event: StudioEvent, facts: ToolCallFacts): { start: number; durationMs: number | null } {
  if (event.id === facts.headId) {
    return { start: facts.startedAt, durationMs: facts.endedAt === null ? null : Math.max(0, facts.endedAt - facts.startedAt) };
  }
  if (TOOL_DECISION_TYPES.includes(event.type)) {
    // The wait ends when the decision is recorded.
    const wait = count(event.payload, 'waitMs') ?? 0;
    return { start: Math.max(facts.startedAt, event.startedAt - wait), durationMs: wait };
  }
  if (TOOL_END_TYPES.includes(event.type)) {
    const start = workStart(event);
    const end = timelineEnd(event);
    return { start, durationMs: end === null ? null : Math.max(0, end - start) };
  }
  return { start: event.startedAt, durationMs: event.durationMs };
}

/** Groups tool events into calls: by call key, a lone event being a call of its own. Keeps list order. */
export function groupToolCalls(events: readonly StudioEvent[]): StudioEvent[][] {
  const groups: StudioEvent[][] = [];
  const byKey = new Map<string, StudioEvent[]>();
  for (const event of events) {
    if (!isToolCallType(event.type)) {
      continue;
    }
    const key = callKeyOf(event);
    let group = key === undefined ? undefined : byKey.get(key);
    if (group === undefined) {
      group = [];
      groups.push(group);
      if (key !== undefined) {
        byKey.set(key, group);
      }
    }
    group.push(event);
  }
  return groups;
}

/**
 * The whole call of each tool event among `events` (a page of rows): the other events of a call are read with
 * `ofMessage`, once per tool message; an event that stands alone is its own call.
 */
export function callsOfEvents(events: readonly StudioEvent[], ofMessage: (messageId: string) => StudioEvent[]): Map<string, ToolCallFacts> {
  const facts = new Map<string, ToolCallFacts>();
  const messages = new Set<string>();
  for (const event of events) {
    if (!isToolCallType(event.type)) {
      continue;
    }
    if (callKeyOf(event) === undefined || event.messageId === null) {
      facts.set(event.id, toolCallFacts([event]));
    } else {
      messages.add(event.messageId);
    }
  }
  for (const messageId of messages) {
    for (const call of groupToolCalls(ofMessage(messageId))) {
      const whole = toolCallFacts(call);
      for (const event of call) {
        facts.set(event.id, whole);
      }
    }
  }
  return facts;
}

/** The events of the call `event` belongs to, in list order (just the event when it stands alone). */
export function callEventsOf(event: StudioEvent, ofMessage: (messageId: string) => StudioEvent[]): StudioEvent[] | undefined {
  if (!isToolCallType(event.type)) {
    return undefined;
  }
  const key = callKeyOf(event);
  if (key === undefined || event.messageId === null) {
    return [event];
  }
  return ofMessage(event.messageId).filter((other) => callKeyOf(other) === key);
}
