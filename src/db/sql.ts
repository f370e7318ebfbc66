import type { Database, SqlValue as SqlJsValue, Statement } from 'sql.js';

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

/** Prepared statements kept per SQL text: most statements run on every commit, and compiling them was a third of a commit's CPU. */
const CACHED_STATEMENTS = 256;

/** Reads and writes one in-memory sql.js database directly, with no journaling. */
export class SqlJsExecutor implements SqlWriter {
  private readonly statements = new Map<string, Statement>();

  constructor(readonly db: Database) {}

  all<T extends object = Row>(sql: string, params: SqlParams = []): T[] {
    const statement = this.prepared(sql, params);
    try {
      const rows: T[] = [];
      if (!statement.step()) {
        return rows;
      }
      const columns = statement.getColumnNames();
      do {
        const values = statement.get();
        const row: Record<string, SqlJsValue> = {};
        for (let i = 0; i < columns.length; i++) {
          row[columns[i]!] = values[i]!;
        }
        rows.push(row as T);
      } while (statement.step());
      return rows;
    } finally {
      // A statement left mid-result holds its read open; reset ends it and frees the bound values.
      statement.reset();
    }
  }

  get<T extends object = Row>(sql: string, params: SqlParams = []): T | undefined {
    return this.all<T>(sql, params)[0];
  }

  run(sql: string, params: SqlParams = []): { changes: number } {
    if (params.length === 0) {
      // Without parameters the text may hold several statements (migrations): sql.js runs them all.
      this.db.run(sql);
    } else {
      const statement = this.prepared(sql, params);
      try {
        statement.step();
      } finally {
        statement.reset();
      }
    }
    return { changes: this.db.getRowsModified() };
  }

  /** The statement for `sql`, bound to `params`; compiled once and kept (least recently used dropped). */
  private prepared(sql: string, params: SqlParams): Statement {
    let statement = this.statements.get(sql);
    if (statement !== undefined) {
      this.statements.delete(sql);
      try {
        statement.bind(params as SqlJsValue[]);
        this.statements.set(sql, statement);
        return statement;
      } catch (err) {
        // sql.js frees every statement when the database is closed or exported: compile it again.
        if (err !== 'Statement closed') {
          statement.free();
          throw err;
        }
      }
    }
    statement = this.db.prepare(sql);
    try {
      statement.bind(params as SqlJsValue[]);
    } catch (err) {
      statement.free();
      throw err;
    }
    this.statements.set(sql, statement);
    if (this.statements.size > CACHED_STATEMENTS) {
      const [oldest, dropped] = this.statements.entries().next().value as [string, Statement];
      this.statements.delete(oldest);
      dropped.free();
    }
    return statement;
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
