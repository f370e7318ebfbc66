import type { SqlReader, SqlWriter } from './sql';

/**
 * Indexes the rows the triggers queued in `fts_pending` (see schema/v2DeferredIndex.ts). Run inside a
 * transaction, so a row leaves the queue exactly when it enters the index. Rows whose text became empty, or
 * that were deleted, leave the queue without being indexed.
 */
export function indexPendingText(sql: SqlWriter, limit = Number.MAX_SAFE_INTEGER): number {
  let indexed = 0;
  for (const table of ['messages', 'events'] as const) {
    const budget = limit - indexed;
    if (budget <= 0) {
      break;
    }
    const batch = `SELECT docid FROM fts_pending WHERE tbl = '${table}' ORDER BY docid LIMIT ?`;
    const count = sql.get<{ n: number }>(`SELECT count(*) AS n FROM (${batch})`, [budget])?.n ?? 0;
    if (count === 0) {
      continue;
    }
    sql.run(
      `INSERT INTO ${table}_fts (docid, text)
       SELECT t.seq, t.text FROM ${table} AS t WHERE t.seq IN (${batch}) AND t.text <> ''`,
      [budget],
    );
    sql.run(`DELETE FROM fts_pending WHERE tbl = '${table}' AND docid IN (${batch})`, [budget]);
    indexed += count;
  }
  return indexed;
}

export function pendingTextCount(sql: SqlReader): number {
  if (!sql.get(`SELECT 1 AS present FROM sqlite_master WHERE type = 'table' AND name = 'fts_pending'`)) {
    return 0;
  }
  return sql.get<{ n: number }>('SELECT count(*) AS n FROM fts_pending')?.n ?? 0;
}
