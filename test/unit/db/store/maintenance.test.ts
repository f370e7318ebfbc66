import * as assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import path from 'node:path';
import { nodeFs } from '../../../../src/db/fsPort';
import { sizeReport } from '../../../../src/db/maintenance';
import { addItem, itemIds, openStore, tempStoreDir } from './fixture';
import { startWriter } from './processes';

describe('store maintenance', function () {
  this.timeout(30_000);
  let dir: string;
  let backups: string;
  beforeEach(() => {
    dir = tempStoreDir();
    backups = tempStoreDir();
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
    rmSync(backups, { recursive: true, force: true });
  });

  it('reports what the snapshots and journals occupy', async () => {
    const store = await openStore(dir);
    await addItem(store, 'a', 'w', 1, 'x'.repeat(10_000));
    await store.checkpoint();
    const report = await sizeReport(nodeFs, dir);
    assert.ok(report.snapshotBytes > 10_000, JSON.stringify(report));
    assert.ok(report.journalBytes > 0);
    assert.equal(report.totalBytes, report.snapshotBytes + report.journalBytes + report.blobBytes + report.corruptBytes);
    await store.close();
  });

  it('exports a backup and restores it over commits made since, by this and another window', async () => {
    const store = await openStore(dir);
    await addItem(store, 'kept');
    const backup = path.join(backups, 'ai-studio-backup.sqlite');
    await store.exportTo(backup);
    await addItem(store, 'after-backup');
    const other = startWriter([dir, 'other', 'commit', '2']);
    assert.equal(await other.exited, 0, other.output());
    await store.restoreFrom(backup);
    assert.deepEqual(itemIds(store), ['kept']);
    await addItem(store, 'after-restore');
    await store.close();
    const reopened = await openStore(dir);
    assert.deepEqual(itemIds(reopened), ['after-restore', 'kept']);
    await reopened.close();
  });

  it('refuses to restore a file that is not a store backup, and changes nothing', async () => {
    const store = await openStore(dir);
    await addItem(store, 'a');
    await assert.rejects(store.restoreFrom(path.join(dir, 'journal-000001.log')), /not a SQLite database/);
    assert.deepEqual(itemIds(store), ['a']);
    await store.close();
  });
});
