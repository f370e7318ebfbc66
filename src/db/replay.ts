import { crc32 } from 'node:zlib';
import type { Database, SqlJsStatic } from 'sql.js';
import type { JournalRecord } from './journal';
import { SqlJsExecutor } from './sql';

/** Shared by the store and the checkpoint worker, so both rebuild exactly the same database from the files. */

const SQLITE_HEADER = 'SQLite format 3\0';

/** The checksum file's content for these snapshot bytes. */
export function snapshotChecksum(bytes: Uint8Array): string {
  return `${crc32(bytes)}\n`;
}

/**
 * Opens snapshot bytes, refusing anything that is not a readable SQLite database. `checksum` is the content of
 * the snapshot's checksum file, when there is one: matching bytes are what the store wrote and skip the scan.
 */
export function openSnapshot(SQL: SqlJsStatic, bytes: Uint8Array, checksum?: string): Database {
  if (bytes.length < 100 || Buffer.from(bytes.subarray(0, 16)).toString('latin1') !== SQLITE_HEADER) {
    throw new Error('not a SQLite database (bad header)');
  }
  if (checksum !== undefined && checksum !== snapshotChecksum(bytes)) {
    throw new Error('the snapshot does not match its checksum');
  }
  const db = new SQL.Database(bytes);
  try {
    const check = checksum === undefined ? db.exec('pragma quick_check(1)')[0]?.values[0]?.[0] : 'ok';
    db.exec('select count(*) from sqlite_master');
    if (check !== 'ok') {
      throw new Error(`integrity check failed: ${String(check)}`);
    }
    return db;
  } catch (err) {
    db.close();
    throw err;
  }
}

/** Applies one journaled transaction atomically. */
export function applyRecord(db: Database, record: JournalRecord): void {
  if (record.t !== 'tx') {
    return;
  }
  const executor = new SqlJsExecutor(db);
  db.run('BEGIN');
  try {
    for (const [sql, params] of record.statements) {
      executor.run(sql, params);
    }
    db.run('COMMIT');
  } catch (err) {
    db.run('ROLLBACK');
    throw new Error(`replaying a journaled transaction failed: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
}

/** Per-connection settings that SQLite does not keep in the file. */
export function configureConnection(db: Database): void {
  db.run('pragma foreign_keys = on');
}
