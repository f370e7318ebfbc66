import type { StudioEvent } from '../../db/repositories/events';
import { asciiLower, CALL_TYPES, isErrorType, TOOL_CALL_TYPE, type EventFilter } from '../../db/repositories/eventPages';
import type { JsonValue } from '../../db/repositories/rows';
import type { InspectorRow, InspectorRowKind, InspectorRowStatus } from '../../protocol/inspector';

/**
 * One event as a row of the Inspector's timeline: its kind, a label in the OpenTelemetry GenAI style
 * (`chat gpt-4o`, `execute_tool read_file`), its status and the figures the row shows. Pure: the store-backed
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

/** The end of an event as the timeline draws it: its end, or start + duration, or its start. */
export function eventEnd(event: Pick<StudioEvent, 'startedAt' | 'endedAt' | 'durationMs'>): number {
  return event.endedAt ?? (event.durationMs === null ? event.startedAt : event.startedAt + event.durationMs);
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
    const tool = stringMember(event.payload, 'name') ?? stringMember(event.payload, 'toolName') ?? stringMember(event.payload, 'tool') ?? 'tool';
    const phase = event.type.slice('tool.call.'.length);
    return phase === 'completed' ? `execute_tool ${tool}` : `execute_tool ${tool} (${phase})`;
  }
  if (event.type.startsWith('run.')) {
    return `run ${event.type.slice('run.'.length)}`;
  }
  return event.type;
}

export function statusOf(event: Pick<StudioEvent, 'type' | 'payload'>, answered: boolean): InspectorRowStatus {
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
  const status = statusOf(event, place.answered);
  const ttft = numberMember(event.payload, 'timeToFirstTokenMs');
  const prompt = numberMember(event.payload, 'promptTokens');
  return {
    index: place.index,
    id: event.id,
    type: event.type,
    kind: kindOf(event.type),
    label: labelOf(event),
    model: event.model,
    turn: place.turn,
    turnHead: event.type === 'message.user',
    startedAt: event.startedAt,
    offsetMs: Math.max(0, event.startedAt - place.sessionStart),
    turnOffsetMs: Math.max(0, event.startedAt - place.turnStart),
    turnSpanMs: Math.max(1, place.turnEnd - place.turnStart),
    durationMs: event.durationMs,
    ttftMs: ttft === undefined ? null : ttft,
    tokens: { ...event.tokens },
    promptTokens: prompt === undefined ? null : prompt,
    costMicroUsd: event.costMicroUsd,
    status,
    error: errorOf(event, status),
    parentEventId: event.parentEventId,
    messageId: event.messageId,
  };
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
