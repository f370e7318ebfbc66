import * as assert from 'node:assert/strict';
import {
  latestSchemaVersion,
  migrate,
  migrations,
  SchemaTooNewError,
  type Migration,
} from '../../../../src/db/schema/migrations';
import { SqlJsExecutor } from '../../../../src/db/sql';
import { openMemoryStore, prepareConnection, sqlJs, type MemoryStore } from '../support/memoryStore';

const userVersion = (store: MemoryStore): number =>
  store.read((sql) => sql.get<{ user_version: number }>('PRAGMA user_version')?.user_version ?? -1);
const objects = (store: MemoryStore, type: string): string[] =>
  store.read((sql) =>
    sql
      .all<{ name: string }>(
        "SELECT name FROM sqlite_schema WHERE type = ? AND name NOT LIKE 'sqlite_%' ORDER BY name",
        [type],
      )
      .map((row) => row.name),
  );

describe('schema migrations', () => {
  let store: MemoryStore;
  beforeEach(async () => {
    store = await openMemoryStore({ migrate: false });
  });
  afterEach(() => store.close());

  it('migrates an empty database to the latest version, creating every table, index and trigger', async () => {
    assert.equal(userVersion(store), 0);
    assert.deepEqual(await store.write((sql) => migrate(sql)), { from: 0, to: latestSchemaVersion });
    assert.equal(userVersion(store), latestSchemaVersion);
    assert.equal(latestSchemaVersion, migrations.length);
    const tables = objects(store, 'table').filter((name) => !/_fts_/.test(name));
    assert.deepEqual(tables, [
      'agent_versions',
      'agents',
      'blob_refs',
      'events',
      'events_fts',
      'fts_pending',
      'messages',
      'messages_fts',
      'prices',
      'run_items',
      'runs',
      'sessions',
      'settings',
    ]);
    assert.equal(objects(store, 'trigger').length, 16, 'five search and three blob triggers per indexed table');
    assert.ok(objects(store, 'index').includes('messages_by_parent'));
    assert.deepEqual(objects(store, 'view'), ['events_indexed', 'messages_indexed']);
  });

  it('makes the core tables STRICT', async () => {
    await store.write((sql) => migrate(sql));
    const strict = store.read((sql) =>
      sql
        .all<{ name: string }>('SELECT name FROM pragma_table_list WHERE strict = 1 ORDER BY name')
        .map((row) => row.name),
    );
    assert.deepEqual(strict, [
      'agent_versions',
      'agents',
      'blob_refs',
      'events',
      'fts_pending',
      'messages',
      'prices',
      'run_items',
      'runs',
      'sessions',
      'settings',
    ]);
  });

  it('does nothing the second time', async () => {
    await store.write((sql) => migrate(sql));
    const journalLength = store.journal.length;
    assert.deepEqual(await store.write((sql) => migrate(sql)), { from: latestSchemaVersion, to: latestSchemaVersion });
    assert.equal(store.journal.length, journalLength, 'no statement was written');
  });

  it('runs only the pending migrations, in order', async () => {
    const ran: number[] = [];
    const list: Migration[] = [1, 2, 3].map((version) => ({
      version,
      name: `step ${version}`,
      up: (sql) => {
        ran.push(version);
        sql.run(`CREATE TABLE t${version} (x INTEGER) STRICT`);
      },
    }));
    await store.write((sql) => migrate(sql, list.slice(0, 1)));
    assert.deepEqual(await store.write((sql) => migrate(sql, list)), { from: 1, to: 3 });
    assert.deepEqual(ran, [1, 2, 3]);
    assert.equal(userVersion(store), 3);
  });

  it('rolls back the DDL and user_version of a migration that throws halfway, and says which one', async () => {
    const failing: Migration = {
      version: latestSchemaVersion + 1,
      name: 'add notes',
      up: (sql) => {
        sql.run('CREATE TABLE notes (id TEXT NOT NULL PRIMARY KEY) STRICT');
        sql.run('ALTER TABLE sessions ADD COLUMN pinned INTEGER');
        throw new Error('disk says no');
      },
    };
    await assert.rejects(
      store.write((sql) => migrate(sql, [...migrations, failing])),
      new RegExp(`Migration ${latestSchemaVersion + 1} \\(add notes\\) failed: disk says no`),
    );
    assert.equal(userVersion(store), 0, 'not even version 1 stays: one transaction');
    assert.deepEqual(objects(store, 'table'), []);

    await store.write((sql) => migrate(sql));
    await assert.rejects(
      store.write((sql) => migrate(sql, [...migrations, failing])),
      /disk says no/,
    );
    assert.equal(userVersion(store), latestSchemaVersion);
    assert.ok(!objects(store, 'table').includes('notes'));
    const columns = store.read((sql) =>
      sql.all<{ name: string }>('SELECT name FROM pragma_table_info(?)', ['sessions']).map((row) => row.name),
    );
    assert.ok(!columns.includes('pinned'));
  });

  it('relies on PRAGMA user_version being transactional', async () => {
    await assert.rejects(
      store.write((sql) => {
        sql.run('PRAGMA user_version = 7');
        assert.equal(sql.get<{ user_version: number }>('PRAGMA user_version')?.user_version, 7);
        throw new Error('abort');
      }),
      /abort/,
    );
    assert.equal(userVersion(store), 0);
  });

  it('refuses a database written by a newer AI Studio, and leaves it untouched', async () => {
    await store.write((sql) => sql.run(`PRAGMA user_version = ${latestSchemaVersion + 1}`));
    const error = await store.write((sql) => migrate(sql)).catch((caught: unknown) => caught);
    assert.ok(error instanceof SchemaTooNewError);
    assert.match(error.message, /newer AI Studio/);
    assert.equal(error.databaseVersion, latestSchemaVersion + 1);
    assert.equal(userVersion(store), latestSchemaVersion + 1);
    assert.deepEqual(objects(store, 'table'), []);
  });

  it('insists on foreign keys being on, since cascades keep replicas equal', async () => {
    const SQL = await sqlJs();
    const db = new SQL.Database();
    try {
      assert.throws(() => migrate(new SqlJsExecutor(db)), /PRAGMA foreign_keys = ON/);
      prepareConnection(db);
      assert.deepEqual(migrate(new SqlJsExecutor(db)), { from: 0, to: latestSchemaVersion });
    } finally {
      db.close();
    }
  });

  it('rejects a migration list with gaps', async () => {
    const list: Migration[] = [{ version: 2, name: 'two', up: () => undefined }];
    await assert.rejects(
      store.write((sql) => migrate(sql, list)),
      /numbered 1, 2, 3/,
    );
  });
});
