import path from 'node:path';
import type { SqlJsStatic } from 'sql.js';
import { loadSqlJs } from '../../../../src/db/sqlJs';

/** The sql.js engine and the built checkpoint worker, as the db tests find them; the engine is loaded once. */

export const repoRoot = path.resolve(__dirname, '../../../../..');
export const wasmPath = path.join(repoRoot, 'node_modules', 'sql.js', 'dist', 'sql-wasm.wasm');
export const workerPath = path.join(repoRoot, 'out', 'src', 'db', 'checkpointWorker.js');

let engine: Promise<SqlJsStatic> | undefined;

export function sqlJs(): Promise<SqlJsStatic> {
  engine ??= loadSqlJs(wasmPath);
  return engine;
}
