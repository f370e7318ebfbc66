import * as assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { addItem, itemIds, openStore, tempStoreDir } from './fixture';
import { startWriter } from './processes';

describe('one store, many windows (child processes)', function () {
  this.timeout(60_000);
  let dir: string;
  beforeEach(() => {
    dir = tempStoreDir();
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('keeps every row of two processes committing interleaved transactions, with checkpoints between', async () => {
    const first = startWriter([dir, 'alpha', 'commit', '300', '16384']);
    const second = startWriter([dir, 'beta', 'commit', '300', '16384']);
    assert.equal(await first.exited, 0, first.output());
    assert.equal(await second.exited, 0, second.output());
    const store = await openStore(dir);
    const ids = itemIds(store);
    assert.equal(ids.length, 600);
    for (const id of [...first.committed, ...second.committed]) {
      assert.ok(ids.includes(id), `${id} lost`);
    }
    await store.close();
  });

  it("applies another window's commits before its own, and reports them as remote changes", async () => {
    const mine = await openStore(dir);
    const remoteTables: string[] = [];
    mine.onDidChange((change) => {
      if (change.origin === 'remote') {
        remoteTables.push(...change.tables);
      }
    });
    const other = startWriter([dir, 'other', 'commit', '5']);
    assert.equal(await other.exited, 0, other.output());
    await mine.catchUp();
    assert.equal(itemIds(mine).length, 5);
    assert.ok(remoteTables.includes('items'));
    await addItem(mine, 'zz-mine');
    assert.equal(itemIds(mine).length, 6);
    await mine.close();
  });

  it("sees another window's commits without writing, when the folder watcher hints", async () => {
    const mine = await openStore(dir, { watch: true });
    const seen = new Promise<void>((resolve) => {
      mine.onDidChange(() => {
        if (itemIds(mine).length === 3) {
          resolve();
        }
      });
    });
    const other = startWriter([dir, 'other', 'commit', '3']);
    assert.equal(await other.exited, 0, other.output());
    await seen;
    await mine.close();
  });

  it('takes over the lock of a holder that was killed, after the stale timeout', async () => {
    const holder = startWriter([dir, 'holder', 'hold-lock']);
    await holder.waitFor('locked');
    holder.child.kill('SIGKILL');
    await holder.exited;
    const started = Date.now();
    const store = await openStore(dir);
    await addItem(store, 'after-takeover');
    assert.deepEqual(itemIds(store), ['after-takeover']);
    // The lock was 2 s stale-timeout; taking it over must not wait for the 6 s give-up limit.
    assert.ok(Date.now() - started < 6000, `took ${Date.now() - started} ms`);
    await store.close();
  });
});
