import type {
  InspectorDetail,
  InspectorEvent,
  InspectorFilter,
  InspectorPage,
  InspectorRow,
  InspectorRowKind,
  InspectorRowStatus,
  InspectorScope,
  InspectorSnapshot,
  InspectorToolCall,
  InspectorToolState,
  InspectorTotals,
  InspectorTypeCount,
  InspectorView,
} from '../../../src/protocol/inspector';

/**
 * Runtime checks for what the host posts. The host is trusted, but a bug there (or a message from something else
 * that can post into the frame) must cost one dropped message, not a broken panel: every value is checked and
 * copied into a fresh object, so a getter, a `__proto__` key or a 10 MB label never reaches the renderer.
 */

type Unknown = Record<string, unknown>;

const KINDS = new Set<InspectorRowKind>(['message', 'request', 'llm', 'tool', 'run', 'route', 'other']);
const STATUSES = new Set<InspectorRowStatus>(['ok', 'error', 'cancelled', 'running']);
const TOOL_STATES = new Set<InspectorToolState>(['pending', 'awaiting_approval', 'running', 'completed', 'failed', 'denied', 'interrupted']);
const MAX_ID = 128;
const MAX_SHORT = 500;
/** More rows than any page the panel asks for: a longer list is not a page. */
const MAX_PAGE_ROWS = 1000;
/** A detail pane section's JSON: the host caps the whole detail at 1 MB. */
const MAX_JSON = 2 * 1024 * 1024;

function isRecord(value: unknown): value is Unknown {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function text(value: unknown, max = MAX_SHORT): string | undefined {
  return typeof value === 'string' ? value.slice(0, max) : undefined;
}

function id(value: unknown): string | undefined {
  return typeof value === 'string' && value.length > 0 && value.length <= MAX_ID ? value : undefined;
}

function nonNegative(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : undefined;
}

function nullableNumber(value: unknown): number | null {
  return nonNegative(value) ?? null;
}

function nullableId(value: unknown): string | null {
  return id(value) ?? null;
}

export function parseFilter(value: unknown): InspectorFilter | undefined {
  if (!isRecord(value) || typeof value.text !== 'string' || !Array.isArray(value.types)) {
    return undefined;
  }
  return { text: value.text.slice(0, 200), types: value.types.filter((type): type is string => typeof type === 'string' && type.length <= 100).slice(0, 50) };
}

export function parseTotals(value: unknown): InspectorTotals | undefined {
  if (!isRecord(value) || !isRecord(value.tokens)) {
    return undefined;
  }
  const tokens = value.tokens;
  const count = (v: unknown) => nonNegative(v) ?? 0;
  return {
    events: count(value.events),
    calls: count(value.calls),
    toolCalls: count(value.toolCalls),
    errors: count(value.errors),
    tokens: {
      input: count(tokens.input),
      output: count(tokens.output),
      cacheRead: count(tokens.cacheRead),
      cacheWrite: count(tokens.cacheWrite),
      reasoning: count(tokens.reasoning),
    },
    costMicroUsd: count(value.costMicroUsd),
    unknownCostCalls: count(value.unknownCostCalls),
    toolMs: count(value.toolMs),
    approvalWaitMs: count(value.approvalWaitMs),
    startedAt: nullableNumber(value.startedAt),
    endedAt: nullableNumber(value.endedAt),
    wallMs: nullableNumber(value.wallMs),
  };
}

function parseTypes(value: unknown): InspectorTypeCount[] | undefined {
  if (!Array.isArray(value)) {
    return undefined;
  }
  return value
    .slice(0, 200)
    .flatMap((entry) => (isRecord(entry) && typeof entry.type === 'string' && entry.type.length <= 100 ? [{ type: entry.type, count: nonNegative(entry.count) ?? 0 }] : []));
}

/** A tool row's call; undefined (the row shows as a plain event) when it is not well formed. */
function parseToolCall(value: unknown): InspectorToolCall | undefined {
  if (!isRecord(value) || !TOOL_STATES.has(value.state as InspectorToolState)) {
    return undefined;
  }
  const name = text(value.name, 200);
  const step = text(value.step, 40);
  if (name === undefined || step === undefined) {
    return undefined;
  }
  const exitCode = value.exitCode;
  return {
    callId: text(value.callId, MAX_ID) ?? null,
    name,
    summary: text(value.summary) ?? null,
    head: value.head === true,
    step,
    state: value.state as InspectorToolState,
    verdict: text(value.verdict, 20) ?? null,
    decidedBy: text(value.decidedBy, 20) ?? null,
    waitMs: nullableNumber(value.waitMs),
    runMs: nullableNumber(value.runMs),
    exitCode: typeof exitCode === 'number' && Number.isSafeInteger(exitCode) ? exitCode : null,
    timedOut: value.timedOut === true,
    files: nullableNumber(value.files),
  };
}

export function parseRow(value: unknown): InspectorRow | undefined {
  if (!isRecord(value) || !isRecord(value.tokens)) {
    return undefined;
  }
  const index = nonNegative(value.index);
  const rowId = id(value.id);
  const type = text(value.type, 100);
  if (index === undefined || rowId === undefined || type === undefined) {
    return undefined;
  }
  const tokens = value.tokens;
  const tool = value.tool === undefined ? undefined : parseToolCall(value.tool);
  const row: InspectorRow = {
    index,
    id: rowId,
    type,
    kind: KINDS.has(value.kind as InspectorRowKind) ? (value.kind as InspectorRowKind) : 'other',
    label: text(value.label) ?? type,
    model: text(value.model, 200) ?? null,
    turn: nonNegative(value.turn) ?? 0,
    turnHead: value.turnHead === true,
    startedAt: nonNegative(value.startedAt) ?? 0,
    offsetMs: nonNegative(value.offsetMs) ?? 0,
    turnOffsetMs: nonNegative(value.turnOffsetMs) ?? 0,
    turnSpanMs: Math.max(1, nonNegative(value.turnSpanMs) ?? 1),
    durationMs: nullableNumber(value.durationMs),
    ttftMs: nullableNumber(value.ttftMs),
    tokens: {
      input: nullableNumber(tokens.input),
      output: nullableNumber(tokens.output),
      cacheRead: nullableNumber(tokens.cacheRead),
      cacheWrite: nullableNumber(tokens.cacheWrite),
      reasoning: nullableNumber(tokens.reasoning),
    },
    promptTokens: nullableNumber(value.promptTokens),
    costMicroUsd: nullableNumber(value.costMicroUsd),
    status: STATUSES.has(value.status as InspectorRowStatus) ? (value.status as InspectorRowStatus) : 'ok',
    error: text(value.error) ?? null,
    parentEventId: nullableId(value.parentEventId),
    messageId: nullableId(value.messageId),
  };
  if (tool !== undefined) {
    row.tool = tool;
  }
  return row;
}

export function parsePage(value: unknown): (InspectorPage & { count?: number }) | undefined {
  if (!isRecord(value) || !Array.isArray(value.rows) || value.rows.length > MAX_PAGE_ROWS) {
    return undefined;
  }
  const start = nonNegative(value.start);
  if (start === undefined) {
    return undefined;
  }
  const rows = value.rows.map(parseRow);
  if (rows.some((row) => row === undefined)) {
    return undefined;
  }
  const count = nonNegative(value.count);
  return { start, rows: rows as InspectorRow[], ...(count === undefined ? {} : { count }) };
}

function parseView(value: unknown): InspectorView | undefined {
  if (!isRecord(value)) {
    return undefined;
  }
  const filter = parseFilter(value.filter);
  const count = nonNegative(value.count);
  const head = parsePage(value.head);
  const tail = parsePage(value.tail);
  if (!filter || count === undefined || !head || !tail) {
    return undefined;
  }
  return { filter, count, totals: value.totals === null ? null : (parseTotals(value.totals) ?? null), head, tail };
}

function parseScope(value: unknown): InspectorScope | undefined {
  if (!isRecord(value)) {
    return undefined;
  }
  if (value.kind === 'imported') {
    return { kind: 'imported' };
  }
  const sessionId = id(value.sessionId);
  return value.kind === 'session' && sessionId ? { kind: 'session', sessionId } : undefined;
}

export function parseSnapshot(value: unknown): InspectorSnapshot | undefined {
  if (!isRecord(value)) {
    return undefined;
  }
  const scope = parseScope(value.scope);
  const view = parseView(value.view);
  const total = nonNegative(value.total);
  if (!scope || !view || total === undefined) {
    return undefined;
  }
  const focus = isRecord(value.focus) && id(value.focus.eventId) && nonNegative(value.focus.index) !== undefined ? { eventId: value.focus.eventId as string, index: value.focus.index as number } : null;
  return {
    title: text(value.title, 300) ?? 'Inspector',
    scope,
    total,
    totals: value.totals === null ? null : (parseTotals(value.totals) ?? null),
    types: value.types === null ? null : (parseTypes(value.types) ?? null),
    view,
    live: value.live === true,
    focus,
  };
}

export function parseEvent(value: unknown): InspectorEvent | undefined {
  if (!isRecord(value) || !isRecord(value.params)) {
    return undefined;
  }
  const params = value.params;
  switch (value.method) {
    case 'inspector/changed': {
      // Totals and types are null while the host is still summing.
      const totals = params.totals === null ? null : parseTotals(params.totals);
      const filteredTotals = params.filteredTotals === null ? null : parseTotals(params.filteredTotals);
      const types = params.types === null ? null : parseTypes(params.types);
      const filter = parseFilter(params.filter);
      const total = nonNegative(params.total);
      const count = nonNegative(params.count);
      const from = nonNegative(params.from);
      if (totals === undefined || filteredTotals === undefined || types === undefined || !filter || total === undefined || count === undefined || from === undefined) {
        return undefined;
      }
      return { method: 'inspector/changed', params: { total, totals, types, filter, count, filteredTotals, from } };
    }
    case 'inspector/focus': {
      const eventId = id(params.eventId);
      const index = nonNegative(params.index);
      const filter = parseFilter(params.filter);
      return eventId && index !== undefined && filter ? { method: 'inspector/focus', params: { eventId, index, filter } } : undefined;
    }
    case 'inspector/title': {
      const title = text(params.title, 300);
      return title === undefined ? undefined : { method: 'inspector/title', params: { title } };
    }
    default:
      return undefined;
  }
}

export function parseDetail(value: unknown): InspectorDetail | null | undefined {
  if (value === null) {
    return null;
  }
  if (!isRecord(value) || !Array.isArray(value.sections)) {
    return undefined;
  }
  const eventId = id(value.eventId);
  if (!eventId) {
    return undefined;
  }
  return {
    eventId,
    label: text(value.label) ?? '',
    type: text(value.type, 100) ?? '',
    startedAt: nonNegative(value.startedAt) ?? 0,
    sections: value.sections.slice(0, 20).flatMap((section) =>
      isRecord(section) && typeof section.json === 'string'
        ? [{ name: text(section.name, 60) ?? 'Event', eventId: nullableId(section.eventId), json: section.json.slice(0, MAX_JSON) }]
        : [],
    ),
  };
}

export function parseLocate(value: unknown): { index: number } | null | undefined {
  if (value === null) {
    return null;
  }
  const index = isRecord(value) ? nonNegative(value.index) : undefined;
  return index === undefined ? undefined : { index };
}
