import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { loadSqlJs, probeCapabilities } from '../../../src/db/sqlJs';

const repoRoot = path.resolve(__dirname, '../../../..');
const sqlJsDir = path.join(repoRoot, 'node_modules', 'sql.js');

describe('sql.js engine', () => {
  it('is at least 1.15.2 (older versions silently roll back a transaction exported inside it)', () => {
    const { version } = JSON.parse(readFileSync(path.join(sqlJsDir, 'package.json'), 'utf8')) as { version: string };
    const [major, minor, patch] = version.split('.').map(Number) as [number, number, number];
    assert.ok(major > 1 || (major === 1 && (minor > 15 || (minor === 15 && patch >= 2))), `sql.js ${version}`);
  });

  it('has the FTS4 full-text search and JSON1 functions the store is designed around', async () => {
    const SQL = await loadSqlJs(path.join(sqlJsDir, 'dist', 'sql-wasm.wasm'));
    const caps = probeCapabilities(SQL);
    assert.equal(caps.fts4, true);
    assert.equal(caps.json1, true);
    assert.match(caps.sqliteVersion, /^3\.\d+\.\d+$/);
  });

  it('reports a missing wasm file with its path', async () => {
    await assert.rejects(loadSqlJs('/nonexistent/sql-wasm.wasm'), /\/nonexistent\/sql-wasm\.wasm/);
  });
});
