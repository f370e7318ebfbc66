import Database from 'better-sqlite3';
import type { Row, SqlParams, SqlWriter } from '../src/db/sql';

/**
 * The benchmark's native peer: a SQLite file opened through better-sqlite3 as a native app would keep it
 * (WAL, synchronous=FULL, so every commit is fsynced to the WAL before it returns), behind the same SqlWriter
 * surface the repositories use on sql.js. So migrate() and the benchmark's workload run on it unchanged, and the
 * peer commits exactly the statements our store commits.
 *
 * No SQL functions are registered: the only one the product defines (the BM25 ranking of search.ts) is used by
 * search queries, never by the schema's triggers, and the peer is only written to.
 */

/** Like SqlJsExecutor's cache: statements compiled once per SQL text; the benchmark's set is a few dozen. */
const CACHED_STATEMENTS = 256;

export class NativeExecutor implements SqlWriter {
  private readonly statements = new Map<string, Database.Statement>();

  constructor(readonly db: Database.Database) {}

  all<T extends object = Row>(sql: string, params: SqlParams = []): T[] {
    const statement = this.prepared(sql);
    if (!statement.reader) {
      // sql.js runs a statement that returns no rows when asked for its rows; repositories may rely on that.
      statement.run(params);
      return [];
    }
    return statement.all(params) as T[];
  }

  get<T extends object = Row>(sql: string, params: SqlParams = []): T | undefined {
    return this.all<T>(sql, params)[0];
  }

  run(sql: string, params: SqlParams = []): { changes: number } {
    let statement: Database.Statement;
    try {
      statement = this.prepared(sql);
    } catch (err) {
      // As on sql.js, text without parameters may hold several statements (migrations); prepare() takes one.
      if (params.length > 0 || !(err instanceof RangeError) || !err.message.includes('more than one statement')) {
        throw err;
      }
      this.db.exec(sql);
      return { changes: (this.db.prepare('SELECT changes() AS n').get() as { n: number }).n };
    }
    return { changes: statement.run(params).changes };
  }

  /** Runs `fn` as one transaction (BEGIN … COMMIT; ROLLBACK if it throws). */
  transaction<T>(fn: (sql: SqlWriter) => T): T {
    return this.db.transaction(() => fn(this))();
  }

  close(): void {
    this.statements.clear();
    this.db.close();
  }

  private prepared(sql: string): Database.Statement {
    let statement = this.statements.get(sql);
    if (statement === undefined) {
      if (this.statements.size >= CACHED_STATEMENTS) {
        this.statements.clear();
      }
      statement = this.db.prepare(sql);
      this.statements.set(sql, statement);
    }
    return statement;
  }
}

/**
 * Opens (creating it if needed) a native SQLite file with the settings the peer is measured with, and the
 * per-connection settings our store sets on every sql.js connection (replay.ts configureConnection).
 */
export function openNativeStore(file: string): NativeExecutor {
  const db = new Database(file);
  try {
    if (db.pragma('journal_mode = WAL', { simple: true }) !== 'wal') {
      throw new Error(`${file}: SQLite refused WAL mode`);
    }
    db.pragma('synchronous = FULL');
    db.pragma('foreign_keys = ON');
    return new NativeExecutor(db);
  } catch (err) {
    db.close();
    throw err;
  }
}
