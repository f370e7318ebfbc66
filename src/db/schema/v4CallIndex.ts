import type { SqlWriter } from '../sql';
import type { Migration } from './migrations';

/**
 * Schema version 4: an index of the events that end a model call, by time. Today's spend (the status bar, on
 * every recorded call) otherwise scans the whole events table: 14 ms at 100,000 events, 0.4 ms with it. Partial,
 * so it costs nothing for the other events. SQLite uses a partial index only when the query repeats its WHERE
 * clause, so costs.ts builds its call filter from the same list (CALL_END_TYPES, which a test holds equal to
 * this one); adding a type there needs a new migration that recreates this index. A migration never changes once
 * released, so the list is written out here rather than imported.
 */
export const INDEXED_CALL_TYPES = ['llm.response.completed', 'llm.error', 'llm.replay.completed', 'llm.replay.error'] as const;

export const v4CallIndex: Migration = {
  version: 4,
  name: 'call index',
  up(sql: SqlWriter): void {
    const types = INDEXED_CALL_TYPES.map((type) => `'${type}'`).join(', ');
    sql.run(`CREATE INDEX events_calls_by_time ON events (started_at) WHERE type IN (${types})`);
  },
};
