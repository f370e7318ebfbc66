import type { Database, SqlValue as SqlJsValue } from 'sql.js';

/**
 * The SQL surface repositories see. Parameters are JSON-safe on purpose: every write is journaled as its
 * statements and parameters, and replayed from that journal by other windows and at recovery. Anything
 * non-deterministic (ids, timestamps, random values) is therefore computed in TypeScript and passed in as a
 * parameter, never produced by SQL functions such as random() or datetime('now').
 */
export type SqlValue = string | number | null;
export type SqlParams = readonly SqlValue[];
export type Row = Record<string, SqlValue>;

export interface SqlReader {
  all<T extends object = Row>(sql: string, params?: SqlParams): T[];
  get<T extends object = Row>(sql: string, params?: SqlParams): T | undefined;
}

export interface SqlWriter extends SqlReader {
  /** Executes one statement; returns how many rows it changed. */
  run(sql: string, params?: SqlParams): { changes: number };
}

/** Reads and writes one in-memory sql.js database directly, with no journaling. */
export class SqlJsExecutor implements SqlWriter {
  constructor(readonly db: Database) {}

  all<T extends object = Row>(sql: string, params: SqlParams = []): T[] {
    const statement = this.db.prepare(sql);
    try {
      statement.bind(params as SqlJsValue[]);
      const rows: T[] = [];
      while (statement.step()) {
        rows.push(statement.getAsObject() as T);
      }
      return rows;
    } finally {
      statement.free();
    }
  }

  get<T extends object = Row>(sql: string, params: SqlParams = []): T | undefined {
    return this.all<T>(sql, params)[0];
  }

  run(sql: string, params: SqlParams = []): { changes: number } {
    this.db.run(sql, params as SqlJsValue[]);
    return { changes: this.db.getRowsModified() };
  }
}

/**
 * A writer that runs every statement on `inner` and reports it (after it succeeded) to `record`: how a
 * transaction's statements are captured for the journal.
 */
export function recordingWriter(inner: SqlWriter, record: (sql: string, params: SqlValue[]) => void): SqlWriter {
  return {
    all: (sql, params) => inner.all(sql, params),
    get: (sql, params) => inner.get(sql, params),
    run: (sql: string, params: SqlParams = []) => {
      const outcome = inner.run(sql, params);
      record(sql, [...params]);
      return outcome;
    },
  };
}
