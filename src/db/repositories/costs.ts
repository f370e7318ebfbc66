import type { SqlValue } from '../sql';
import type { StorePort } from './storePort';

/**
 * What model calls cost, rolled up per session, agent, model and day: each roll-up is one SQL aggregate over the
 * events table.
 *
 * What counts as a call: every model call ends in exactly one event that carries its tokens and cost: the chat
 * loop's `llm.response.completed` (it finished) or `llm.error` (it failed or was stopped; a stopped stream was
 * billed for what it produced), and a replay's `llm.replay.completed` / `llm.replay.error` (a replay is a real,
 * billed call). `llm.request.started` opens a call and carries no cost, so counting it too would count each call
 * twice. A new kind of call is counted by adding its ending type to CALL_END_TYPES, deliberately not by matching
 * `llm.*`: a future `llm.*` event that is not the end of a call must not be summed as one. (The Inspector's
 * CALL_TYPES in eventPages.ts is this set.)
 *
 * Unknown is not zero: `cost_micro_usd` is NULL when the model had no price. Those calls are counted apart
 * (`unknownCostCalls`) and add nothing to `costMicroUsd`, which is therefore the known part of the spend.
 *
 * Days are the caller's: a local day is [start, end) in epoch ms (23 or 25 hours long across a DST change), so
 * the repository knows nothing of time zones. A call belongs to the day its request started.
 */

export const CALL_END_TYPES = ['llm.response.completed', 'llm.error', 'llm.replay.completed', 'llm.replay.error'] as const;

/** [start, end) in epoch milliseconds. */
export interface TimeRange {
  start: number;
  end: number;
}

export interface SpendTotals {
  /** Calls that ended (completed or failed). */
  calls: number;
  /** Of those, the ones that failed or were stopped (`llm.error`, `llm.replay.error`). */
  errors: number;
  /** Input tokens billed at the input price (cached tokens are counted in the cache columns). */
  tokensIn: number;
  tokensOut: number;
  tokensCacheRead: number;
  tokensCacheWrite: number;
  tokensReasoning: number;
  /** The sum of the known costs, in micro-dollars (1e-6 USD). */
  costMicroUsd: number;
  /** Calls whose cost is unknown (no price for the model): not in costMicroUsd, and not $0 either. */
  unknownCostCalls: number;
}

export interface SessionSpend extends SpendTotals {
  sessionId: string;
  title: string;
  /** When the newest counted call started. */
  lastCallAt: number;
}

export interface AgentSpend extends SpendTotals {
  /** null: calls made without an agent. */
  agentId: string | null;
  /** null when there is no agent or it has been deleted. */
  agentName: string | null;
}

export interface ModelSpend extends SpendTotals {
  /** The endpoint of the call (`anthropic`, `openai-compatible:lmstudio`, ...), when the request recorded it. */
  provider: string | null;
  model: string | null;
}

export interface DaySpend extends SpendTotals {
  start: number;
  end: number;
}

// Literal, not bound: SQLite uses a partial index only when the query repeats its WHERE term as written.
const isCall = `type IN (${CALL_END_TYPES.map((type) => `'${type}'`).join(', ')})`;

const sums = (e: string) =>
  `count(*) AS calls, total(${e}.type GLOB '*.error') AS errors, total(${e}.tokens_in) AS tokensIn, ` +
  `total(${e}.tokens_out) AS tokensOut, total(${e}.tokens_cache_read) AS tokensCacheRead, ` +
  `total(${e}.tokens_cache_write) AS tokensCacheWrite, total(${e}.tokens_reasoning) AS tokensReasoning, ` +
  `total(${e}.cost_micro_usd) AS costMicroUsd, count(*) - count(${e}.cost_micro_usd) AS unknownCostCalls`;

/** Empty totals: nothing was called. */
export function noSpend(): SpendTotals {
  return { calls: 0, errors: 0, tokensIn: 0, tokensOut: 0, tokensCacheRead: 0, tokensCacheWrite: 0, tokensReasoning: 0, costMicroUsd: 0, unknownCostCalls: 0 };
}

export class CostsRepository {
  constructor(private readonly store: Pick<StorePort, 'read'>) {}

  /** Everything called in [start, end): the status bar's "today". */
  spendBetween(range: TimeRange): SpendTotals {
    return this.store.read((sql) => {
      const row = sql.get<SpendTotals>(`SELECT ${sums('e')} FROM events e WHERE e.${isCall} AND e.started_at >= ? AND e.started_at < ?`, rangeParams(range));
      return totalsOf(row ?? noSpend());
    });
  }

  /**
   * One session's calls, in one aggregate (a run's steps and what they cost). `replays: false` leaves out the
   * Replays someone made in it: they are not steps of its turns.
   */
  forSession(sessionId: string, options: { replays?: boolean } = {}): SpendTotals {
    const types = options.replays === false ? `type IN ('llm.response.completed', 'llm.error')` : isCall;
    return this.store.read((sql) => totalsOf(sql.get<SpendTotals>(`SELECT ${sums('e')} FROM events e WHERE e.session_id = ? AND e.${types}`, [sessionId]) ?? noSpend()));
  }

  /**
   * The calls of every session of a run's items (a batch's steps and cost), like forSession without Replays,
   * in one aggregate through the items' session index.
   */
  forRunItems(runId: string): SpendTotals {
    return this.store.read((sql) =>
      totalsOf(
        sql.get<SpendTotals>(
          `SELECT ${sums('e')} FROM events e
           WHERE e.session_id IN (SELECT session_id FROM run_items WHERE run_id = ? AND session_id IS NOT NULL)
             AND e.type IN ('llm.response.completed', 'llm.error')`,
          [runId],
        ) ?? noSpend(),
      ),
    );
  }

  /**
   * One row per range, in the order given, zeros where nothing was called: pass local days (or hours, weeks).
   * One pass over the calls of the whole span. Ranges are not expected to overlap (days do not).
   */
  byDay(days: readonly TimeRange[]): DaySpend[] {
    days.forEach(checkRange);
    const rows = new Map<number, SpendTotals>();
    this.store.read((sql) => {
      // Bounded batches: SQLite limits the number of bound parameters (a year of days is 1,095 of them).
      for (let first = 0; first < days.length; first += 300) {
        const batch = days.slice(first, first + 300);
        // A CASE over the ranges places each call (measured at 100k events: 2-3x faster than a lookup per call
        // in a VALUES table, and unlike a join of days to events it needs no index on the time).
        const placed = batch.map(() => 'WHEN e.started_at >= ? AND e.started_at < ? THEN ?').join(' ');
        const params: SqlValue[] = batch.flatMap((day, index) => [day.start, day.end, first + index]);
        const span = [Math.min(...batch.map((day) => day.start)), Math.max(...batch.map((day) => day.end))];
        const found = sql.all<SpendTotals & { i: number }>(
          `SELECT i, ${sums('c')} FROM (
             SELECT e.*, CASE ${placed} END AS i FROM events e WHERE e.${isCall} AND e.started_at >= ? AND e.started_at < ?
           ) c WHERE i IS NOT NULL GROUP BY i`,
          [...params, ...span],
        );
        for (const row of found) {
          rows.set(row.i, totalsOf(row));
        }
      }
    });
    return days.map((day, index) => ({ ...(rows.get(index) ?? noSpend()), start: day.start, end: day.end }));
  }

  /**
   * Sessions by what they cost (known cost, then unknown-cost calls, then calls), most first. Calls of a run
   * outside any session count everywhere else but not here.
   */
  bySession(range?: TimeRange, options: { limit?: number } = {}): SessionSpend[] {
    const [where, params] = rangeCondition('e', range);
    return this.store.read((sql) =>
      sql
        .all<SessionSpend>(
          `SELECT e.session_id AS sessionId, s.title AS title, max(e.started_at) AS lastCallAt, ${sums('e')}
           FROM events e JOIN sessions s ON s.id = e.session_id
           WHERE e.${isCall}${where}
           GROUP BY e.session_id
           ORDER BY costMicroUsd DESC, unknownCostCalls DESC, calls DESC, lastCallAt DESC
           LIMIT ?`,
          [...params, options.limit ?? -1],
        )
        .map((row) => ({ ...totalsOf(row), sessionId: row.sessionId, title: row.title, lastCallAt: row.lastCallAt })),
    );
  }

  /**
   * Agents by what they cost. The agent is the one the call's request recorded (its `llm.request.started`
   * payload), else the agent of the version that wrote the reply, else the run's agent: deleting a message or an
   * agent later does not move its spend elsewhere (a deleted agent keeps its id, with no name).
   */
  byAgent(range?: TimeRange): AgentSpend[] {
    const [where, params] = rangeCondition('e', range);
    return this.store.read((sql) =>
      sql
        .all<AgentSpend>(
          `WITH calls AS (
             SELECT e.*, coalesce(json_extract(req.payload, '$.agentId'), av.agent_id, r.agent_id) AS agent_id
             FROM events e
             LEFT JOIN events req ON req.id = e.parent_event_id
             LEFT JOIN messages m ON m.id = e.message_id
             LEFT JOIN agent_versions av ON av.id = m.agent_version_id
             LEFT JOIN runs r ON r.id = e.run_id
             WHERE e.${isCall}${where}
           )
           SELECT c.agent_id AS agentId, a.name AS agentName, ${sums('c')}
           FROM calls c LEFT JOIN agents a ON a.id = c.agent_id
           GROUP BY c.agent_id
           ORDER BY costMicroUsd DESC, unknownCostCalls DESC, calls DESC`,
          params,
        )
        .map((row) => ({ ...totalsOf(row), agentId: row.agentId, agentName: row.agentName })),
    );
  }

  /**
   * (provider, model) pairs by what they cost. The provider is the one the call's end recorded (a replay may use
   * another endpoint than the call it replays), else the one its request recorded.
   */
  byModel(range?: TimeRange): ModelSpend[] {
    const [where, params] = rangeCondition('e', range);
    return this.store.read((sql) =>
      sql
        .all<ModelSpend>(
          `WITH calls AS (
             SELECT e.*, coalesce(json_extract(e.payload, '$.provider'), json_extract(req.payload, '$.provider')) AS provider
             FROM events e LEFT JOIN events req ON req.id = e.parent_event_id
             WHERE e.${isCall}${where}
           )
           SELECT provider, model, ${sums('calls')}
           FROM calls
           GROUP BY provider, model
           ORDER BY costMicroUsd DESC, unknownCostCalls DESC, calls DESC`,
          params,
        )
        .map((row) => ({ ...totalsOf(row), provider: textOrNull(row.provider), model: row.model })),
    );
  }
}

/** a + b, member by member. */
export function addTotals(a: SpendTotals, b: SpendTotals): SpendTotals {
  return {
    calls: a.calls + b.calls,
    errors: a.errors + b.errors,
    tokensIn: a.tokensIn + b.tokensIn,
    tokensOut: a.tokensOut + b.tokensOut,
    tokensCacheRead: a.tokensCacheRead + b.tokensCacheRead,
    tokensCacheWrite: a.tokensCacheWrite + b.tokensCacheWrite,
    tokensReasoning: a.tokensReasoning + b.tokensReasoning,
    costMicroUsd: a.costMicroUsd + b.costMicroUsd,
    unknownCostCalls: a.unknownCostCalls + b.unknownCostCalls,
  };
}

/** Only the totals' own members, as plain numbers (a row also carries its grouping columns). */
function totalsOf(row: SpendTotals): SpendTotals {
  return addTotals(noSpend(), row);
}

function textOrNull(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}

function checkRange(range: TimeRange): void {
  if (!Number.isFinite(range.start) || !Number.isFinite(range.end) || range.end < range.start) {
    throw new Error(`A time range must be [start, end) in epoch ms with end >= start, got [${range.start}, ${range.end})`);
  }
}

function rangeParams(range: TimeRange): [number, number] {
  checkRange(range);
  return [range.start, range.end];
}

function rangeCondition(alias: string, range: TimeRange | undefined): [string, SqlValue[]] {
  if (range === undefined) {
    return ['', []];
  }
  return [` AND ${alias}.started_at >= ? AND ${alias}.started_at < ?`, rangeParams(range)];
}

