import { readFile } from 'node:fs/promises';
import initSqlJs, { type SqlJsStatic } from 'sql.js';

/**
 * Loading the sql.js engine. The wasm binary is read by us and handed over, rather than letting sql.js locate
 * it, because the extension bundle and the tests keep it in different folders.
 */

export async function loadSqlJs(wasmPath: string): Promise<SqlJsStatic> {
  const wasmBinary = await readFile(wasmPath);
  // sql.js types `wasmBinary` as ArrayBuffer, but Emscripten accepts any typed array view of the bytes.
  return initSqlJs({ wasmBinary: wasmBinary as unknown as ArrayBuffer });
}

export interface EngineCapabilities {
  sqliteVersion: string;
  fts4: boolean;
  json1: boolean;
}

/** Checks, in a throwaway in-memory database, the features the store is designed around. */
export function probeCapabilities(SQL: SqlJsStatic): EngineCapabilities {
  const db = new SQL.Database();
  try {
    const sqliteVersion = String(db.exec('select sqlite_version()')[0]?.values[0]?.[0] ?? 'unknown');
    const fts4 = succeeds(() => {
      db.run("create virtual table probe_fts using fts4(body); insert into probe_fts values ('branching chats')");
      return db.exec("select count(*) from probe_fts where probe_fts match 'branch*'")[0]?.values[0]?.[0] === 1;
    });
    const json1 = succeeds(() => db.exec(`select json_extract('{"a":[1,2]}', '$.a[1]')`)[0]?.values[0]?.[0] === 2);
    return { sqliteVersion, fts4, json1 };
  } finally {
    db.close();
  }
}

function succeeds(check: () => boolean): boolean {
  try {
    return check();
  } catch {
    return false;
  }
}
