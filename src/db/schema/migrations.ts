import type { SqlReader, SqlWriter } from '../sql';
import { v1Initial } from './v1Initial';
import { v2DeferredIndex } from './v2DeferredIndex';
import { v3MessageCopies } from './v3MessageCopies';
import { v4CallIndex } from './v4CallIndex';
import { v5BatchRuns } from './v5BatchRuns';

/**
 * Numbered schema migrations. `migrate` runs inside the store's write transaction, so a migration that throws
 * rolls back its DDL and the `user_version` bump together (both are transactional in SQLite) and leaves the
 * database exactly as it was. Like every other write, the statements are journaled and replayed, so `up` must be
 * deterministic: no random(), no datetime('now').
 */
export interface Migration {
  /** 1, 2, 3, ... with no gaps; stored in `PRAGMA user_version` once applied. */
  version: number;
  name: string;
  /** Runs one statement per `sql.run` call (sql.js executes only the first statement of a call). */
  up(sql: SqlWriter): void;
}

export const migrations: readonly Migration[] = [v1Initial, v2DeferredIndex, v3MessageCopies, v4CallIndex, v5BatchRuns];

export const latestSchemaVersion: number = migrations.length;

export class SchemaTooNewError extends Error {
  constructor(
    readonly databaseVersion: number,
    readonly knownVersion: number,
  ) {
    super(
      `The database has schema version ${databaseVersion}, but this version of AI Studio knows only up to ` +
        `${knownVersion}: a newer AI Studio wrote it. Update AI Studio; the database was left untouched.`,
    );
    this.name = 'SchemaTooNewError';
  }
}

/** Brings the schema up to the newest migration in `list`; returns the version before and after. */
export function migrate(sql: SqlWriter, list: readonly Migration[] = migrations): { from: number; to: number } {
  checkSequence(list);
  const from = readUserVersion(sql);
  const to = list.length;
  if (from > to) {
    // Never downgrade: an older build cannot know what the newer schema means.
    throw new SchemaTooNewError(from, to);
  }
  if (from < to && readForeignKeys(sql) !== 1) {
    throw new Error(
      'Foreign keys are off on this connection. Run "PRAGMA foreign_keys = ON" on every Database when it is ' +
        'opened (outside a transaction, where SQLite ignores it): the schema relies on cascades, including ' +
        'during journal replay.',
    );
  }
  for (const migration of list.slice(from)) {
    try {
      migration.up(sql);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw new Error(`Migration ${migration.version} (${migration.name}) failed: ${reason}`, { cause: error });
    }
    // PRAGMA takes no bound parameters; the version is a checked integer, so interpolating it is safe.
    sql.run(`PRAGMA user_version = ${migration.version}`);
  }
  return { from, to };
}

export function readUserVersion(sql: SqlReader): number {
  const row = sql.get<{ user_version: number }>('PRAGMA user_version');
  return row?.user_version ?? 0;
}

function readForeignKeys(sql: SqlReader): number {
  return sql.get<{ foreign_keys: number }>('PRAGMA foreign_keys')?.foreign_keys ?? 0;
}

function checkSequence(list: readonly Migration[]): void {
  list.forEach((migration, index) => {
    if (migration.version !== index + 1) {
      throw new Error(
        `Migrations must be numbered 1, 2, 3, ... in order; found version ${migration.version} at position ${index + 1}`,
      );
    }
  });
}
