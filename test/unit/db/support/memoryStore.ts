import type { Database } from 'sql.js';
import type { Clock } from '../../../../src/core/ports';
import type { StorePort } from '../../../../src/db/repositories/storePort';
import { migrate } from '../../../../src/db/schema/migrations';
import { registerSearchFunctions } from '../../../../src/db/search';
import { configureConnection } from '../../../../src/db/replay';
import { recordingWriter, SqlJsExecutor, type SqlParams, type SqlReader, type SqlWriter } from '../../../../src/db/sql';
import { sqlJs } from './engine';

/**
 * The non-durable test double of the store: one in-memory sql.js Database, each write() one BEGIN/COMMIT (or
 * ROLLBACK when the callback throws). Like the real store, it records each committed transaction as the JSON of
 * its (sql, params) list, so tests can replay that journal elsewhere and compare.
 */

export { sqlJs } from './engine';

/** What every connection needs before use: the real store does the same for each Database it opens. */
export function prepareConnection(db: Database): Database {
  configureConnection(db);
  registerSearchFunctions(db);
  return db;
}

export interface Statement {
  sql: string;
  params: SqlParams;
}

export class MemoryStore implements StorePort {
  /** One JSON text per committed transaction: the list of statements it ran, in order. */
  readonly journal: string[] = [];
  readonly executor: SqlJsExecutor;
  private writing = false;

  constructor(readonly db: Database) {
    this.executor = new SqlJsExecutor(db);
  }

  read<T>(fn: (sql: SqlReader) => T): T {
    return fn(this.executor);
  }

  write<T>(fn: (sql: SqlWriter) => T): Promise<T> {
    if (this.writing) {
      return Promise.reject(new Error('write() called inside write()'));
    }
    const statements: Statement[] = [];
    const recorder = recordingWriter(this.executor, (sql, params) => statements.push({ sql, params }));
    this.writing = true;
    this.db.run('BEGIN');
    try {
      const result = fn(recorder);
      this.db.run('COMMIT');
      if (statements.length > 0) {
        this.journal.push(JSON.stringify(statements));
      }
      return Promise.resolve(result);
    } catch (error) {
      rollback(this.db);
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    } finally {
      this.writing = false;
    }
  }

  /** Like the real store: a transaction that is not journaled (physical upkeep such as indexing). */
  maintain<T>(fn: (sql: SqlWriter) => T): Promise<T> {
    if (this.writing) {
      return Promise.reject(new Error('maintain() called inside write()'));
    }
    this.db.run('BEGIN');
    try {
      const result = fn(this.executor);
      this.db.run('COMMIT');
      return Promise.resolve(result);
    } catch (error) {
      rollback(this.db);
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
  }

  close(): void {
    this.db.close();
  }
}

function rollback(db: Database): void {
  try {
    db.run('ROLLBACK');
  } catch {
    // SQLite already ended the transaction (some errors roll back by themselves).
  }
}

/** A fresh store on an empty Database; migrated to the latest schema unless told otherwise. */
export async function openMemoryStore(options: { migrate?: boolean } = {}): Promise<MemoryStore> {
  const SQL = await sqlJs();
  const store = new MemoryStore(prepareConnection(new SQL.Database()));
  if (options.migrate !== false) {
    await store.write((sql) => migrate(sql));
  }
  return store;
}

/** Applies journal records to `db` the way the durable store replays them: one transaction per record. */
export function replay(db: Database, journal: readonly string[]): void {
  const executor = new SqlJsExecutor(db);
  for (const record of journal) {
    db.run('BEGIN');
    for (const { sql, params } of JSON.parse(record) as Statement[]) {
      executor.run(sql, params);
    }
    db.run('COMMIT');
  }
}

/** Every row of every table (FTS shadow tables included), as text: two equal dumps mean equal databases. */
export function dumpDatabase(db: Database): string {
  const executor = new SqlJsExecutor(db);
  const tables = executor.all<{ name: string }>(
    "SELECT name FROM pragma_table_list WHERE schema = 'main' AND type IN ('table', 'shadow') AND name NOT LIKE 'sqlite_%' ORDER BY name",
  );
  const parts = [`user_version ${JSON.stringify(executor.get('PRAGMA user_version'))}`];
  parts.push(JSON.stringify(executor.all('SELECT type, name, tbl_name, sql FROM sqlite_schema ORDER BY type, name')));
  for (const { name } of tables) {
    // Implicit rowids are left out: nothing refers to them, and VACUUM may renumber them. Keys that matter (the
    // messages' and events' seq, which FTS docids point at) are INTEGER PRIMARY KEY columns, so `*` has them.
    const rows = executor
      .all(`SELECT * FROM "${name}"`)
      .map((row) => JSON.stringify(Object.values(row).map(plain)))
      .sort();
    parts.push(`${name}: ${JSON.stringify(rows)}`);
  }
  return parts.join('\n');
}

/** FTS shadow tables hold blobs, which sql.js returns as Uint8Array. */
function plain(value: unknown): unknown {
  return value instanceof Uint8Array ? `x'${Buffer.from(value).toString('hex')}'` : value;
}

/** A clock the test moves by hand. */
export class ManualClock implements Clock {
  constructor(public time = Date.UTC(2025, 0, 1)) {}

  now(): number {
    return this.time;
  }

  advance(ms = 1): number {
    this.time += ms;
    return this.time;
  }
}
