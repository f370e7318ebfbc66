import * as assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { itemIds, openStore, tempStoreDir } from './fixture';
import { startWriter } from './processes';

/**
 * The writer is SIGKILLed at a random moment while it commits and checkpoints (a small checkpoint threshold makes
 * it rotate journals and build snapshots all the time). Every time, the store must open, pass SQLite's integrity
 * check, and hold every commit the writer reported as returned, group-committed ones ('withNext') included.
 */
describe('SIGKILL of a writer during commits and checkpoints', function () {
  this.timeout(180_000);
  const runs = 50;

  it(`never loses a returned commit and always reopens intact (${runs} kills)`, async () => {
    const dir = tempStoreDir();
    try {
      let expected: string[] = [];
      let notices = 0;
      for (let run = 0; run < runs; run++) {
        // Every other run group-commits half its writes: a SIGKILL must not lose those either (they were appended).
        const writer = startWriter([dir, `run${String(run).padStart(2, '0')}`, run % 2 === 0 ? 'commit' : 'group', '100000', '8192']);
        await writer.waitFor('opened');
        // Kill somewhere within the next ~150 ms of commits (several checkpoints' worth).
        await new Promise((resolve) => setTimeout(resolve, Math.random() * 150));
        writer.child.kill('SIGKILL');
        await writer.exited;
        expected = expected.concat(writer.committed);

        const store = await openStore(dir);
        notices += store.notices.length;
        const integrity = store.read((sql) => sql.get<{ integrity_check: string }>('pragma integrity_check'));
        assert.equal(integrity?.integrity_check, 'ok');
        const present = new Set(itemIds(store));
        const lost = expected.filter((id) => !present.has(id));
        assert.deepEqual(lost, [], `run ${run}: ${lost.length} returned commits lost`);
        await store.close();
      }
      assert.ok(expected.length > runs, `only ${expected.length} commits were made`);
      assert.equal(notices, 0, 'a crash is an expected event: recovery must not report damage');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
