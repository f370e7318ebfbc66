import * as assert from 'node:assert/strict';
import { existsSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { nodeFs, type FsPort } from '../../../../src/db/fsPort';
import type { StoreChange } from '../../../../src/db/store';
import { addItem, itemIds, openStore, tempStoreDir } from './fixture';

describe('durable store', () => {
  let dir: string;
  beforeEach(() => {
    dir = tempStoreDir();
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('keeps every committed transaction across a reopen', async () => {
    const store = await openStore(dir);
    await addItem(store, 'a');
    await addItem(store, 'b');
    await store.close();
    const reopened = await openStore(dir);
    assert.deepEqual(itemIds(reopened), ['a', 'b']);
    assert.deepEqual(reopened.notices, []);
    await reopened.close();
  });

  it('keeps nothing of a transaction that throws, in memory or on disk', async () => {
    const store = await openStore(dir);
    await assert.rejects(
      store.write((sql) => {
        sql.run("insert into items values ('x', 'w', 1, 'half')");
        throw new Error('changed my mind');
      }),
      /changed my mind/,
    );
    assert.deepEqual(itemIds(store), []);
    await store.close();
    const reopened = await openStore(dir);
    assert.deepEqual(itemIds(reopened), []);
    await reopened.close();
  });

  it('tells listeners which tables a local write changed', async () => {
    const store = await openStore(dir);
    const changes: StoreChange[] = [];
    store.onDidChange((change) => changes.push(change));
    await addItem(store, 'a');
    assert.deepEqual(changes, [{ tables: ['items'], origin: 'local' }]);
    await store.close();
  });

  it('checkpoints into a new snapshot on a worker, keeps writing meanwhile, and reopens from it', async () => {
    const store = await openStore(dir);
    for (let i = 0; i < 20; i++) {
      await addItem(store, `a${String(i).padStart(2, '0')}`);
    }
    const checkpoint = store.checkpoint();
    await addItem(store, 'during');
    await checkpoint;
    await addItem(store, 'after');
    await store.close();
    assert.ok(existsSync(path.join(dir, 'snapshot-000002.sqlite')), readdirSync(dir).join(', '));
    const reopened = await openStore(dir);
    assert.equal(itemIds(reopened).length, 22);
    await reopened.close();
  });

  it('keeps the newest three snapshots as backups and the journals they need', async () => {
    const store = await openStore(dir);
    for (let i = 0; i < 5; i++) {
      await addItem(store, `c${i}`);
      await store.checkpoint();
    }
    await store.close();
    const files = readdirSync(dir).filter((name) => /^(snapshot|journal)-/.test(name)).sort();
    assert.deepEqual(files, [
      'journal-000004.log',
      'journal-000005.log',
      'journal-000006.log',
      'snapshot-000004.sqlite',
      'snapshot-000004.sqlite.crc32',
      'snapshot-000005.sqlite',
      'snapshot-000005.sqlite.crc32',
      'snapshot-000006.sqlite',
      'snapshot-000006.sqlite.crc32',
    ]);
  });

  it('starts a checkpoint by itself when the journal grows past the threshold', async () => {
    const store = await openStore(dir, { checkpointBytes: 4096 });
    for (let i = 0; i < 40; i++) {
      await addItem(store, `big${i}`, 'w', i, 'x'.repeat(200));
    }
    await store.close();
    assert.ok(readdirSync(dir).some((name) => name.startsWith('snapshot-')), readdirSync(dir).join(', '));
    const reopened = await openStore(dir);
    assert.equal(itemIds(reopened).length, 40);
    await reopened.close();
  });

  it('takes back a transaction whose deferred constraint fails at COMMIT, leaving no record to replay', async () => {
    const store = await openStore(dir);
    await store.write((sql) => {
      sql.run('create table parents (id text primary key)');
      sql.run('create table children (id text primary key, parent text references parents (id) deferrable initially deferred)');
    });
    await assert.rejects(
      store.write((sql) => {
        sql.run("insert into children values ('orphan', 'missing')");
      }),
      /FOREIGN KEY constraint failed/,
    );
    await store.write((sql) => {
      sql.run("insert into parents values ('p')");
      sql.run("insert into children values ('c', 'p')");
    });
    await store.close();
    const reopened = await openStore(dir);
    assert.deepEqual(reopened.notices, []);
    assert.deepEqual(reopened.read((sql) => sql.all('select id from children')), [{ id: 'c' }]);
    await reopened.close();
  });

  it("group commit: a 'withNext' write is visible to another window at once and reaches the disk with the next durable write, or by itself soon after", async () => {
    let journalSyncs = 0;
    const counting: FsPort = {
      ...nodeFs,
      open: async (file, mode) => {
        const handle = await nodeFs.open(file, mode);
        return file.includes('journal') ? { ...handle, sync: () => ((journalSyncs += 1), handle.sync()) } : handle;
      },
    };
    const store = await openStore(dir, { fs: counting });
    const other = await openStore(dir);
    const before = journalSyncs;

    await store.write((sql) => sql.run("insert into items values ('a', 'w', 1, 'asked')"), { durability: 'withNext' });
    assert.equal(journalSyncs, before, 'no fsync of its own');
    await other.catchUp();
    assert.deepEqual(itemIds(other), ['a'], 'another window sees it at once');

    await addItem(store, 'b');
    assert.equal(journalSyncs, before + 1, 'one fsync for both');

    await store.write((sql) => sql.run("insert into items values ('c', 'w', 1, 'idle')"), { durability: 'withNext' });
    const deadline = Date.now() + 5_000;
    while (journalSyncs === before + 1 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    assert.equal(journalSyncs, before + 2, 'flushed by itself when nothing follows');

    await other.close();
    await store.close();
    const reopened = await openStore(dir);
    assert.deepEqual(itemIds(reopened), ['a', 'b', 'c']);
    await reopened.close();
  });
});
