import type { StudioEvent } from '../../db/repositories/events';
import { asciiLower, CALL_TYPES, isErrorType, TOOL_CALL_TYPE, type EventFilter } from '../../db/repositories/eventPages';
import type { JsonValue } from '../../db/repositories/rows';
import type { InspectorRow, InspectorRowKind, InspectorRowStatus, InspectorToolState } from '../../protocol/inspector';
import { redactText } from './redact';
import { isInterrupted, rowToolCall, timelineEnd, toolNameOf, toolRowSpan, type ToolCallFacts } from './toolCalls';

/**
 * One event as a row of the Inspector's timeline: its kind, a label in the OpenTelemetry GenAI style
 * (`chat gpt-4o`, `read_file · Read src/app.ts`), its status and the figures the row shows. Pure: the store-backed
 * and the in-memory sources build their rows here, so a session and an imported trace look the same.
 */

const callTypes = new Set(CALL_TYPES);
/** Longest error text a row carries; the detail pane has the whole payload. */
const MAX_ROW_ERROR = 300;

/** Where a row sits in its session and turn: computed by the source, which knows the turns. */
export interface RowPlacement {
  index: number;
  sessionStart: number;
  turn: number;
  turnStart: number;
  turnEnd: number;
  /** For a request: whether its response (or error) has been recorded. */
  answered: boolean;
  /** For a tool event: its whole call (its other events are read by the source). */
  call?: ToolCallFacts;
}

export function isCallEvent(event: Pick<StudioEvent, 'type'>): boolean {
  return callTypes.has(event.type);
}

/** What the store's sums count as an error (src/db/repositories/eventPages.ts; a unit test compares them). */
export function isErrorEvent(event: Pick<StudioEvent, 'type' | 'payload'>): boolean {
  return isErrorType(event.type) || (event.type === TOOL_CALL_TYPE && member(event.payload, 'isError') === true);
}

/** Keep in step with `haystackSql` in src/db/repositories/eventPages.ts: type, model and the payload's JSON. */
export function searchText(event: Pick<StudioEvent, 'type' | 'model' | 'payload'>): string {
  return asciiLower(`${event.type} ${event.model ?? ''} ${JSON.stringify(event.payload)}`);
}

export function matchesFilter(event: StudioEvent, filter: EventFilter): boolean {
  if (filter.types.length > 0 && !filter.types.includes(event.type)) {
    return false;
  }
  const text = asciiLower(filter.text.trim());
  return text === '' || searchText(event).includes(text);
}

/**
 * The end of an event as the timeline draws it: its end, or start + duration, or its start (a tool call's end is
 * recorded at its end; an end the recovery wrote is no end: null).
 */
export function eventEnd(event: Pick<StudioEvent, 'type' | 'startedAt' | 'endedAt' | 'durationMs' | 'payload'>): number | null {
  return timelineEnd(event);
}

export function kindOf(type: string): InspectorRowKind {
  if (type === 'message.user' || type === 'message.assistant' || type.startsWith('message.')) {
    return 'message';
  }
  if (type === 'llm.request.started') {
    return 'request';
  }
  if (type.startsWith('llm.')) {
    return 'llm';
  }
  if (type.startsWith('tool.')) {
    return 'tool';
  }
  if (type.startsWith('run.')) {
    return 'run';
  }
  if (type.startsWith('route.')) {
    return 'route';
  }
  return 'other';
}

export function labelOf(event: Pick<StudioEvent, 'type' | 'model' | 'payload'>): string {
  const model = event.model ?? stringMember(event.payload, 'model') ?? 'model';
  switch (event.type) {
    case 'message.user':
      return 'User message';
    case 'message.assistant': {
      const status = stringMember(event.payload, 'status');
      return status && status !== 'complete' ? `Assistant message (${status})` : 'Assistant message';
    }
    case 'llm.request.started':
      return `chat ${model}`;
    case 'llm.response.completed':
      return `chat ${model}`;
    case 'llm.error':
      return `chat ${model} failed`;
    case 'route.decision':
      return `route → ${model}`;
    default:
      break;
  }
  if (event.type.startsWith('llm.replay.')) {
    return `replay chat ${model}${event.type.endsWith('.error') ? ' failed' : ''}`;
  }
  if (event.type.startsWith('tool.call.')) {
    // A summary quotes the command line or the URL, secrets and all: redacted like the detail.
    return redactText(toolLabel(event));
  }
  if (event.type.startsWith('tool.file.') || event.type === 'tool.undo') {
    return fileLabel(event);
  }
  if (event.type.startsWith('run.')) {
    return `run ${event.type.slice('run.'.length)}`;
  }
  return event.type;
}

/**
 * A tool event's label. The agent loop's events (they carry the model's `callId`) read as the call and its steps:
 * `read_file · Read src/app.ts`, `read_file · approved by policy`, `run_command · failed`; another tool's trace
 * (a single event per call) reads in the OpenTelemetry style, `execute_tool get_weather`.
 */
function toolLabel(event: Pick<StudioEvent, 'type' | 'payload'>): string {
  const tool = toolNameOf(event) ?? 'tool';
  const phase = event.type.slice('tool.call.'.length);
  if (stringMember(event.payload, 'callId') === undefined) {
    return phase === 'completed' ? `execute_tool ${tool}` : `execute_tool ${tool} (${phase})`;
  }
  const by = stringMember(event.payload, 'by');
  switch (phase) {
    case 'requested': {
      const summary = stringMember(event.payload, 'summary');
      return summary === undefined || summary === '' ? `execute_tool ${tool}` : `${tool} · ${summary}`;
    }
    case 'approved':
      return `${tool} · approved${by ? ` by ${by}` : ''}`;
    case 'denied':
      return by === 'window' ? `${tool} · not run (window closed)` : `${tool} · denied${by ? ` by ${by}` : ''}`;
    case 'failed':
      return isInterrupted(event) ? `${tool} · interrupted, outcome unknown` : `${tool} · failed`;
    default:
      return `${tool} · ${phase}`;
  }
}

/** Undo's bookkeeping: which file's original was kept (a blob reference, never its text), what was written. */
function fileLabel(event: Pick<StudioEvent, 'type' | 'payload'>): string {
  const path = stringMember(event.payload, 'path') ?? '';
  const name = path.slice(Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\')) + 1);
  switch (event.type) {
    case 'tool.file.original':
      return member(event.payload, 'original') === null ? `new file ${name}` : `original of ${name} kept`;
    case 'tool.file.written':
      return member(event.payload, 'sha256') === null ? `${name} deleted` : `${name} written`;
    case 'tool.undo':
      return 'undo';
    default:
      return event.type;
  }
}

const TOOL_STATUS: Record<InspectorToolState, InspectorRowStatus> = {
  pending: 'running',
  awaiting_approval: 'running',
  running: 'running',
  completed: 'ok',
  failed: 'error',
  interrupted: 'error',
  denied: 'cancelled',
};

export function statusOf(event: Pick<StudioEvent, 'type' | 'payload'>, answered: boolean): InspectorRowStatus {
  if (event.type === 'tool.call.denied') {
    return 'cancelled';
  }
  if (event.type === 'llm.request.started') {
    return answered ? 'ok' : 'running';
  }
  const type: string = event.type;
  if (type === 'llm.error' || type === 'llm.replay.error') {
    return member(event.payload, 'kind') === 'cancelled' ? 'cancelled' : 'error';
  }
  if (event.type === 'message.assistant') {
    const status = stringMember(event.payload, 'status');
    return status === 'cancelled' ? 'cancelled' : status === 'error' || status === 'incomplete' ? 'error' : 'ok';
  }
  return isErrorEvent(event) ? 'error' : 'ok';
}

function errorOf(event: StudioEvent, status: InspectorRowStatus): string | null {
  if (status !== 'error' && status !== 'cancelled') {
    return null;
  }
  const message = stringMember(event.payload, 'message') ?? stringMember(event.payload, 'error') ?? stringMember(event.payload, 'status');
  const kind = stringMember(event.payload, 'kind');
  const text = [kind, message].filter((part) => part !== undefined && part !== '').join(': ');
  return text === '' ? null : text.slice(0, MAX_ROW_ERROR);
}

export function toRow(event: StudioEvent, place: RowPlacement): InspectorRow {
  const call = place.call;
  const head = call !== undefined && call.headId === event.id;
  const status = head ? TOOL_STATUS[call.state] : statusOf(event, place.answered);
  const ttft = numberMember(event.payload, 'timeToFirstTokenMs');
  const prompt = numberMember(event.payload, 'promptTokens');
  // A tool row's bar is its part of the call: the whole call for its head, the wait or the run for a step.
  const span = call === undefined ? { start: event.startedAt, durationMs: event.durationMs } : toolRowSpan(event, call);
  const row: InspectorRow = {
    index: place.index,
    id: event.id,
    type: event.type,
    kind: kindOf(event.type),
    label: labelOf(event),
    model: event.model,
    turn: place.turn,
    turnHead: event.type === 'message.user',
    startedAt: event.startedAt,
    offsetMs: Math.max(0, span.start - place.sessionStart),
    turnOffsetMs: Math.max(0, span.start - place.turnStart),
    turnSpanMs: Math.max(1, place.turnEnd - place.turnStart),
    durationMs: span.durationMs,
    ttftMs: ttft === undefined ? null : ttft,
    tokens: { ...event.tokens },
    promptTokens: prompt === undefined ? null : prompt,
    costMicroUsd: event.costMicroUsd,
    status,
    error: call === undefined ? errorOf(event, status) : redactNullable(head ? call.error : errorOf(event, status)),
    parentEventId: event.parentEventId,
    messageId: event.messageId,
  };
  if (call !== undefined) {
    row.tool = rowToolCall(event, call);
  }
  return row;
}

function redactNullable(text: string | null): string | null {
  return text === null ? null : redactText(text);
}

function member(value: JsonValue, key: string): JsonValue | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && Object.hasOwn(value, key) ? (value as Record<string, JsonValue>)[key] : undefined;
}

function stringMember(value: JsonValue, key: string): string | undefined {
  const found = member(value, key);
  return typeof found === 'string' ? found : undefined;
}

function numberMember(value: JsonValue, key: string): number | undefined {
  const found = member(value, key);
  return typeof found === 'number' && Number.isFinite(found) && found >= 0 ? found : undefined;
}
