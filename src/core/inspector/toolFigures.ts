import { addSums, asciiLower, emptySums, type EventFilter, type EventKey, type EventSums } from '../../db/repositories/eventPages';
import { scopeCondition, type EventScope } from '../../db/repositories/events';
import type { SqlValue } from '../../db/sql';
import type { StorePort } from '../../db/repositories/storePort';
import { TOOL_COMPLETED, TOOL_DECISION_TYPES, TOOL_DENIED, TOOL_END_TYPES, TOOL_FAILED, TOOL_OUTCOME_TYPES } from './toolCalls';

/**
 * The figures of a set of events that the store's sums (src/db/repositories/eventPages.ts) do not have: tool calls
 * (one per call: its completion, failure or denial), the time tools ran, the time people took to approve, and the
 * last end as the timeline draws it (a tool call's end is recorded at its end, with its run time as duration, so
 * "start + duration" would end it a run time too late; an end the next start's recovery wrote is no end at all).
 *
 * Each is one SQL aggregate over the same rows as the store's sums, under the same filter and bounds, so the two
 * together answer for exactly one set. The filter and range conditions below repeat eventPages.ts's on purpose
 * (that module is the store's and knows nothing of tools); a unit test checks that both select the same rows.
 */

/** The sums the Inspector keeps: the store's, with the tool figures and the timeline's end in place. */
export interface InspectorSums extends EventSums {
  toolMs: number;
  approvalWaitMs: number;
}

export interface ToolExtras {
  toolCalls: number;
  toolMs: number;
  approvalWaitMs: number;
  endedAt: number | null;
}

const list = (types: readonly string[]) => types.map((type) => `'${type}'`).join(', ');

/** Keep in step with `timelineEnd` in toolCalls.ts. */
export const END_SQL = `CASE
  WHEN ended_at IS NOT NULL THEN ended_at
  WHEN type = '${TOOL_FAILED}' AND json_extract(payload, '$.interrupted') = 1 THEN NULL
  WHEN type = '${TOOL_DENIED}' AND json_extract(payload, '$.by') = 'window' THEN NULL
  WHEN type IN ('${TOOL_COMPLETED}', '${TOOL_FAILED}') THEN started_at
  ELSE started_at + coalesce(duration_ms, 0) END`;

const WAIT_SQL = `CASE WHEN type IN (${list(TOOL_DECISION_TYPES)}) AND json_type(payload, '$.waitMs') IN ('integer', 'real')
  AND json_extract(payload, '$.waitMs') >= 0 THEN json_extract(payload, '$.waitMs') END`;

const extrasColumns = `total(type IN (${list(TOOL_OUTCOME_TYPES)})) AS toolCalls,
  total(CASE WHEN type IN (${list(TOOL_END_TYPES)}) THEN duration_ms END) AS toolMs,
  total(${WAIT_SQL}) AS approvalWaitMs,
  max(${END_SQL}) AS endedAt`;

interface ExtrasRow {
  type?: string;
  toolCalls: number;
  toolMs: number;
  approvalWaitMs: number;
  endedAt: number | null;
}

export function emptyExtras(): ToolExtras {
  return { toolCalls: 0, toolMs: 0, approvalWaitMs: 0, endedAt: null };
}

export function emptyInspectorSums(): InspectorSums {
  return { ...emptySums(), toolMs: 0, approvalWaitMs: 0 };
}

export function addInspectorSums(a: InspectorSums, b: InspectorSums): InspectorSums {
  return { ...addSums(a, b), toolMs: a.toolMs + b.toolMs, approvalWaitMs: a.approvalWaitMs + b.approvalWaitMs };
}

/** The store's sums with the tool figures and the timeline's end of the same set put in. */
export function withExtras(sums: EventSums, extras: ToolExtras): InspectorSums {
  return { ...sums, toolCalls: extras.toolCalls, endedAt: sums.events === 0 ? null : extras.endedAt, toolMs: extras.toolMs, approvalWaitMs: extras.approvalWaitMs };
}

function toExtras(row: ExtrasRow | undefined): ToolExtras {
  if (row === undefined) {
    return emptyExtras();
  }
  return { toolCalls: Math.round(row.toolCalls), toolMs: Math.round(row.toolMs), approvalWaitMs: Math.round(row.approvalWaitMs), endedAt: row.endedAt };
}

function addExtras(a: ToolExtras, b: ToolExtras): ToolExtras {
  const endedAt = a.endedAt === null ? b.endedAt : b.endedAt === null ? a.endedAt : Math.max(a.endedAt, b.endedAt);
  return { toolCalls: a.toolCalls + b.toolCalls, toolMs: a.toolMs + b.toolMs, approvalWaitMs: a.approvalWaitMs + b.approvalWaitMs, endedAt };
}

export interface SumsPart {
  windows?: readonly { offset: number; limit: number }[];
  from?: EventKey | null;
  to?: EventKey | null;
  afterSeq?: number;
  upToSeq?: number;
}

export class ToolFigures {
  constructor(
    private readonly store: StorePort,
    private readonly scope: EventScope,
  ) {}

  /** The extras of the filtered list, or of windows of it, or of a stretch (as EventPages.sums takes them). */
  sums(filter: EventFilter, part: SumsPart = {}): ToolExtras {
    const [where, params] = conditions(this.scope, filter);
    const [range, bounds] = rangeCondition(part);
    const all: SqlValue[] = [...params, ...bounds];
    return this.store.read((sql) => {
      if (part.windows === undefined) {
        return toExtras(sql.get<ExtrasRow>(`SELECT ${extrasColumns} FROM events WHERE ${where}${range}`, all));
      }
      return part.windows
        .filter((window) => window.limit > 0)
        .map((window) =>
          toExtras(
            sql.get<ExtrasRow>(`SELECT ${extrasColumns} FROM (SELECT * FROM events WHERE ${where}${range} ORDER BY started_at, seq LIMIT ? OFFSET ?)`, [
              ...all,
              window.limit,
              window.offset,
            ]),
          ),
        )
        .reduce(addExtras, emptyExtras());
    });
  }

  /**
   * The extras per tool event type (the session's totals and any type filter's), optionally of a stretch. Other
   * types have none, and their end is the store's (mergeByType), so only tool events are summed here.
   */
  byType(part: Omit<SumsPart, 'windows'> = {}): Map<string, ToolExtras> {
    const [where, params] = scopeCondition(this.scope);
    const [range, bounds] = rangeCondition({ ...part, afterSeq: part.afterSeq !== undefined && part.afterSeq > 0 ? part.afterSeq : undefined });
    const rows = this.store.read((sql) =>
      sql.all<ExtrasRow>(`SELECT type, ${extrasColumns} FROM events WHERE ${where}${range} AND type GLOB 'tool.*' GROUP BY type`, [...params, ...bounds]),
    );
    return new Map(rows.map((row) => [row.type ?? '', toExtras(row)]));
  }

  /** The tool messages that got a tool call event after `afterSeq` (live updates: whose call rows changed). */
  toolMessagesAfter(afterSeq: number): string[] {
    const [where, params] = scopeCondition(this.scope);
    return this.store
      .read((sql) =>
        sql.all<{ message_id: string }>(
          `SELECT DISTINCT message_id FROM events WHERE ${where} AND seq > ? AND type GLOB 'tool.call.*' AND message_id IS NOT NULL`,
          [...params, afterSeq],
        ),
      )
      .map((row) => row.message_id);
  }

  /** The last end, as the timeline draws it, among the scope's events in [from, to): a turn's end. */
  lastEnd(from: EventKey, to: EventKey | null): number | null {
    return this.sums({ text: '', types: [] }, { from, to }).endedAt;
  }
}

/** Per type: the store's sums with this module's extras of the same type (a type without: its own end). */
export function mergeByType(sums: ReadonlyMap<string, EventSums>, extras: ReadonlyMap<string, ToolExtras>): Map<string, InspectorSums> {
  return new Map([...sums].map(([type, part]) => [type, withExtras(part, extras.get(type) ?? { ...emptyExtras(), endedAt: part.endedAt })]));
}

// ---- eventPages.ts's conditions, repeated (see above) ----

function conditions(scope: EventScope, filter: EventFilter): [string, SqlValue[]] {
  const [where, params] = scopeCondition(scope);
  let clause = where;
  const all: SqlValue[] = [...params];
  if (filter.types.length > 0) {
    clause += ` AND type IN (${filter.types.map(() => '?').join(', ')})`;
    all.push(...filter.types);
  }
  const text = asciiLower(filter.text.trim());
  if (text !== '') {
    clause += ` AND instr(lower(type || ' ' || coalesce(model, '') || ' ' || payload), ?) > 0`;
    all.push(text);
  }
  return [clause, all];
}

function rangeCondition(part: SumsPart): [string, SqlValue[]] {
  let range = '';
  const bounds: SqlValue[] = [];
  if (part.from) {
    range += ' AND (started_at, seq) >= (?, ?)';
    bounds.push(part.from.startedAt, part.from.seq);
  }
  if (part.to) {
    range += ' AND (started_at, seq) < (?, ?)';
    bounds.push(part.to.startedAt, part.to.seq);
  }
  if (part.afterSeq !== undefined) {
    range += ' AND seq > ?';
    bounds.push(part.afterSeq);
  }
  if (part.upToSeq !== undefined) {
    range += ' AND seq <= ?';
    bounds.push(part.upToSeq);
  }
  return [range, bounds];
}
