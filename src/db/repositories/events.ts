import type { Clock } from '../../core/ports';
import { createIdFactory } from '../ids';
import type { SqlReader, SqlValue, SqlWriter } from '../sql';
import { checkCount, checkTime, fromJson, nowMs, required, toJson, type JsonValue } from './rows';
import type { StorePort } from './storePort';

/**
 * The typed event log the Inspector shows. The type is free text in the schema (a new event type needs no
 * migration); this union is where the known ones are listed.
 */
export type EventType =
  | 'message.user'
  | 'message.assistant'
  | 'llm.request.started'
  | 'llm.response.completed'
  | 'llm.error'
  /** A call re-run from the Inspector with changes, linked to the original request (see core/inspector/replay*). */
  | 'llm.replay.completed'
  | 'llm.replay.error'
  | 'tool.call.requested'
  | 'tool.call.approved'
  | 'tool.call.denied'
  | 'tool.call.completed'
  | 'tool.call.failed'
  /** A file's content before a turn first changed it (undo), and what the agent wrote (to spot later edits). */
  | 'tool.file.original'
  | 'tool.file.written'
  | 'tool.undo'
  | 'route.decision'
  | `run.${string}`;

export interface TokenCounts {
  input: number | null;
  output: number | null;
  cacheRead: number | null;
  cacheWrite: number | null;
  reasoning: number | null;
}

export interface StudioEvent {
  id: string;
  sessionId: string | null;
  runId: string | null;
  parentEventId: string | null;
  messageId: string | null;
  type: EventType;
  startedAt: number;
  endedAt: number | null;
  durationMs: number | null;
  tokens: TokenCounts;
  /** Cost in micro-dollars (1e-6 USD), integer: sums stay exact. */
  costMicroUsd: number | null;
  model: string | null;
  payload: JsonValue;
}

export interface NewEvent {
  type: EventType;
  /** At least one of sessionId and runId. */
  sessionId?: string | null;
  runId?: string | null;
  parentEventId?: string | null;
  messageId?: string | null;
  /** Defaults to now. */
  startedAt?: number;
  endedAt?: number | null;
  /** Defaults to endedAt - startedAt; pass a measured (monotonic-clock) duration when there is one. */
  durationMs?: number | null;
  tokens?: Partial<TokenCounts>;
  costMicroUsd?: number | null;
  model?: string | null;
  payload?: JsonValue;
  /** What full-text search sees. Defaults to the payload's string values; '' keeps the event out of search. */
  text?: string;
}

export type EventScope = { sessionId: string; runId?: undefined } | { runId: string; sessionId?: undefined };

export interface UsageTotals {
  events: number;
  tokensIn: number;
  tokensOut: number;
  tokensCacheRead: number;
  tokensCacheWrite: number;
  tokensReasoning: number;
  costMicroUsd: number;
}

/** An events row as SQLite returns it; shared with the Inspector's paged queries (eventPages.ts). */
export interface EventRow {
  id: string;
  session_id: string | null;
  run_id: string | null;
  parent_event_id: string | null;
  message_id: string | null;
  type: EventType;
  started_at: number;
  ended_at: number | null;
  duration_ms: number | null;
  tokens_in: number | null;
  tokens_out: number | null;
  tokens_cache_read: number | null;
  tokens_cache_write: number | null;
  tokens_reasoning: number | null;
  cost_micro_usd: number | null;
  model: string | null;
  payload: string;
}

export const eventColumns =
  'id, session_id, run_id, parent_event_id, message_id, type, started_at, ended_at, duration_ms, tokens_in, tokens_out, ' +
  'tokens_cache_read, tokens_cache_write, tokens_reasoning, cost_micro_usd, model, payload';
const eventColumnList = eventColumns.split(', ') as (keyof EventRow)[];
const typePattern = /^[a-z][a-z0-9_]*(\.[a-z0-9_]+)+$/;

export class EventsRepository {
  constructor(
    private readonly store: StorePort,
    private readonly clock: Clock,
    private readonly newId: () => string = createIdFactory(clock),
  ) {}

  /** The same writes, synchronous, inside a transaction the caller holds (a message and its events, one commit). */
  within(sql: SqlWriter): EventWrites {
    return new EventWrites(sql, this.clock, this.newId);
  }

  append(input: NewEvent): Promise<StudioEvent> {
    return this.store.write((sql) => this.within(sql).append(input));
  }

  get(id: string): StudioEvent | undefined {
    return this.store.read((sql) => selectEvent(sql, id));
  }

  /**
   * A session's or a run's events in the order they started (ties: the order they were recorded); `since`: only
   * those that started then or later (one turn of a long session, through the (session_id, started_at) index).
   */
  list(scope: EventScope, options: { types?: readonly EventType[]; limit?: number; since?: number } = {}): StudioEvent[] {
    const [where, params] = scopeCondition(scope);
    const types = options.types ?? [];
    const typeFilter = types.length > 0 ? ` AND type IN (${types.map(() => '?').join(', ')})` : '';
    const sinceFilter = options.since === undefined ? '' : ' AND started_at >= ?';
    return this.store.read((sql) =>
      sql
        .all<EventRow>(`SELECT ${eventColumns} FROM events WHERE ${where}${typeFilter}${sinceFilter} ORDER BY started_at, seq LIMIT ?`, [
          ...params,
          ...types,
          ...(options.since === undefined ? [] : [options.since]),
          options.limit ?? -1,
        ])
        .map(toEvent),
    );
  }

  /** The events of these messages with these types, in the order they started: a page of replies' footers. */
  listForMessages(messageIds: readonly string[], types: readonly EventType[]): StudioEvent[] {
    const events: StudioEvent[] = [];
    const typeList = types.map(() => '?').join(', ');
    this.store.read((sql) => {
      // Bounded batches: SQLite limits the number of bound parameters.
      for (let start = 0; start < messageIds.length; start += 500) {
        const batch = messageIds.slice(start, start + 500);
        const rows = sql.all<EventRow>(
          `SELECT ${eventColumns} FROM events WHERE message_id IN (${batch.map(() => '?').join(', ')}) AND type IN (${typeList}) ORDER BY started_at, seq`,
          [...batch, ...types],
        );
        events.push(...rows.map(toEvent));
      }
    });
    return events.sort((a, b) => a.startedAt - b.startedAt);
  }

  /** Token and cost sums over a session's or a run's events (missing counts add nothing). */
  usage(scope: EventScope): UsageTotals {
    const [where, params] = scopeCondition(scope);
    return this.store.read((sql) => {
      const row = sql.get<UsageTotals>(
        `SELECT count(*) AS events, total(tokens_in) AS tokensIn, total(tokens_out) AS tokensOut,
           total(tokens_cache_read) AS tokensCacheRead, total(tokens_cache_write) AS tokensCacheWrite,
           total(tokens_reasoning) AS tokensReasoning, total(cost_micro_usd) AS costMicroUsd
         FROM events WHERE ${where}`,
        params,
      );
      return required(row, 'usage for', JSON.stringify(scope));
    });
  }
}

export class EventWrites {
  constructor(
    private readonly sql: SqlWriter,
    private readonly clock: Clock,
    private readonly newId: () => string,
  ) {}

  append(input: NewEvent): StudioEvent {
    const sql = this.sql;
    const sessionId = input.sessionId ?? null;
    const runId = input.runId ?? null;
    if (sessionId === null && runId === null) {
      throw new Error(`Event ${input.type} needs a sessionId or a runId`);
    }
    if (!typePattern.test(input.type)) {
      throw new Error(
        `Malformed event type ${JSON.stringify(input.type)} (expected dotted lower case, like llm.error)`,
      );
    }
    checkReferences(sql, input, sessionId, runId);
    const payload = input.payload ?? {};
    const tokens = input.tokens ?? {};
    const id = this.newId();
    const startedAt = input.startedAt === undefined ? nowMs(this.clock) : checkTime(input.startedAt, 'startedAt');
    const endedAt = input.endedAt === undefined || input.endedAt === null ? null : checkTime(input.endedAt, 'endedAt');
    if (endedAt !== null && endedAt < startedAt) {
      throw new Error(`Event ${input.type} ends (${endedAt}) before it starts (${startedAt})`);
    }
    const durationMs = input.durationMs ?? (endedAt === null ? null : endedAt - startedAt);
    const counted = (value: number | null | undefined, what: string): number | null =>
      value === undefined || value === null ? null : checkCount(value, what);
    const row: EventRow = {
      id,
      session_id: sessionId,
      run_id: runId,
      parent_event_id: input.parentEventId ?? null,
      message_id: input.messageId ?? null,
      type: input.type,
      started_at: startedAt,
      ended_at: endedAt,
      duration_ms: counted(durationMs === null ? null : Math.round(durationMs), 'durationMs'),
      tokens_in: counted(tokens.input, 'tokens.input'),
      tokens_out: counted(tokens.output, 'tokens.output'),
      tokens_cache_read: counted(tokens.cacheRead, 'tokens.cacheRead'),
      tokens_cache_write: counted(tokens.cacheWrite, 'tokens.cacheWrite'),
      tokens_reasoning: counted(tokens.reasoning, 'tokens.reasoning'),
      cost_micro_usd: counted(input.costMicroUsd, 'costMicroUsd'),
      model: input.model ?? null,
      payload: toJson(payload, 'payload'),
    };
    sql.run(`INSERT INTO events (${eventColumns}, text) VALUES (${eventColumns.replace(/[a-z_]+/g, '?')}, ?)`, [
      ...eventColumnList.map((column) => row[column]),
      input.text ?? eventText(payload),
    ]);
    // The event as written, not read back: a turn appends several per commit.
    return toEvent(row);
  }
}

function checkReferences(sql: SqlReader, input: NewEvent, sessionId: string | null, runId: string | null): void {
  if (sessionId !== null) {
    required(sql.get('SELECT 1 AS found FROM sessions WHERE id = ?', [sessionId]), 'session', sessionId);
  }
  if (runId !== null) {
    required(sql.get('SELECT 1 AS found FROM runs WHERE id = ?', [runId]), 'run', runId);
  }
  if (input.parentEventId) {
    const parent = required(
      sql.get<{ sessionId: string | null; runId: string | null }>('SELECT session_id AS sessionId, run_id AS runId FROM events WHERE id = ?', [input.parentEventId]),
      'event',
      input.parentEventId,
    );
    const shared = (sessionId !== null && parent.sessionId === sessionId) || (runId !== null && parent.runId === runId);
    if (!shared) {
      throw new Error(`Parent event ${input.parentEventId} belongs to another session or run`);
    }
  }
  if (input.messageId) {
    const message = required(
      sql.get<{ session_id: string }>('SELECT session_id FROM messages WHERE id = ?', [input.messageId]),
      'message',
      input.messageId,
    );
    if (message.session_id !== sessionId) {
      throw new Error(`Message ${input.messageId} belongs to session ${message.session_id}, not ${String(sessionId)}`);
    }
  }
}

/** The string values of a payload (not its keys), one per line: what search sees of an event by default. */
export function eventText(payload: JsonValue): string {
  const texts: string[] = [];
  const visit = (value: JsonValue): void => {
    if (typeof value === 'string') {
      texts.push(value);
    } else if (Array.isArray(value)) {
      (value as readonly JsonValue[]).forEach(visit);
    } else if (typeof value === 'object' && value !== null) {
      Object.values(value).forEach(visit);
    }
  };
  visit(payload);
  return texts.join('\n');
}

export function scopeCondition(scope: EventScope): [string, SqlValue[]] {
  if (scope.sessionId !== undefined) {
    return ['session_id = ?', [scope.sessionId]];
  }
  return ['run_id = ?', [scope.runId]];
}

function selectEvent(sql: SqlReader, id: string): StudioEvent | undefined {
  const row = sql.get<EventRow>(`SELECT ${eventColumns} FROM events WHERE id = ?`, [id]);
  return row && toEvent(row);
}

export function toEvent(row: EventRow): StudioEvent {
  return {
    id: row.id,
    sessionId: row.session_id,
    runId: row.run_id,
    parentEventId: row.parent_event_id,
    messageId: row.message_id,
    type: row.type,
    startedAt: row.started_at,
    endedAt: row.ended_at,
    durationMs: row.duration_ms,
    tokens: {
      input: row.tokens_in,
      output: row.tokens_out,
      cacheRead: row.tokens_cache_read,
      cacheWrite: row.tokens_cache_write,
      reasoning: row.tokens_reasoning,
    },
    costMicroUsd: row.cost_micro_usd,
    model: row.model,
    payload: fromJson(row.payload),
  };
}
