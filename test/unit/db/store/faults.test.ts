import * as assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { FaultyFs } from '../../../fakes/faultyFs';
import { addItem, itemIds, openStore, tempStoreDir } from './fixture';

/** Disk errors while writing: a clear error, nothing already committed lost, and writing works again after. */
describe('disk faults while writing', function () {
  this.timeout(30_000);
  let dir: string;
  let fs: FaultyFs;
  beforeEach(() => {
    dir = tempStoreDir();
    fs = new FaultyFs();
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const journalFaults: [string, 'write' | 'sync', string, RegExp][] = [
    ['a full disk on write', 'write', 'ENOSPC', /disk is full/],
    ['a full disk on fsync', 'sync', 'ENOSPC', /disk is full/],
    ['a permission error on write', 'write', 'EACCES', /not allowed to write/],
    ['an EPERM on fsync', 'sync', 'EPERM', /not allowed to write/],
  ];
  for (const [name, op, code, message] of journalFaults) {
    it(`survives ${name}: the failed write is gone, earlier ones stay, later ones work`, async () => {
      const store = await openStore(dir, { fs });
      await addItem(store, 'before');
      fs.failNext(op, code, { match: /journal-/ });
      await assert.rejects(addItem(store, 'failed'), (err: Error) => message.test(err.message) && /intact/.test(err.message));
      assert.deepEqual(itemIds(store), ['before'], 'the failed transaction is rolled back in memory');
      await addItem(store, 'after');
      await store.close();
      const reopened = await openStore(dir);
      assert.deepEqual(itemIds(reopened), ['after', 'before']);
      assert.deepEqual(reopened.notices, [], 'no torn record was left behind');
      await reopened.close();
    });
  }

  it('survives a failing rename of a new snapshot: the journal still holds everything, and a later checkpoint works', async () => {
    const store = await openStore(dir, { fs });
    await addItem(store, 'a');
    fs.failNext('rename', 'EPERM', { match: /snapshot-/ });
    await assert.rejects(store.checkpoint(), /snapshot.*not allowed to write/s);
    await addItem(store, 'b');
    await store.checkpoint();
    await addItem(store, 'c');
    await store.close();
    const reopened = await openStore(dir);
    assert.deepEqual(itemIds(reopened), ['a', 'b', 'c']);
    await reopened.close();
  });

  it('fails to open with a clear error when the folder cannot be written, and opens once it can', async () => {
    fs.failNext('open', 'EACCES', { match: /journal-/ });
    await assert.rejects(openStore(dir, { fs }), /EACCES/);
    const store = await openStore(dir, { fs });
    await addItem(store, 'a');
    assert.deepEqual(itemIds(store), ['a']);
    await store.close();
  });
});
