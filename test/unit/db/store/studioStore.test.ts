import * as assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { systemClock } from '../../../../src/core/ports';
import { MessagesRepository } from '../../../../src/db/repositories/messages';
import { SessionsRepository } from '../../../../src/db/repositories/sessions';
import { latestSchemaVersion, readUserVersion } from '../../../../src/db/schema/migrations';
import { search } from '../../../../src/db/search';
import { pendingTextCount } from '../../../../src/db/textIndex';
import { searchStore } from '../../../../src/db/textIndexer';
import { openStudioStore } from '../../../../src/db/studioStore';
import { sqlEngine, tempStoreDir, wasmPath, workerPath } from './fixture';

/** The product's store (real schema, search functions, worker checkpoints) through open, replay and checkpoint. */
describe('the studio store', function () {
  this.timeout(30_000);
  let dir: string;
  beforeEach(() => {
    dir = tempStoreDir();
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const open = async () => openStudioStore({ dir, SQL: await sqlEngine(), wasmPath, workerPath, onError: (err) => assert.fail(err) });

  it('migrates a new store to the latest schema and finds messages again after journal replay and after a checkpoint', async () => {
    const store = await open();
    assert.equal(store.read(readUserVersion), latestSchemaVersion);
    const session = await new SessionsRepository(store, systemClock).create({ title: 'Branching' });
    const messages = new MessagesRepository(store, systemClock);
    const first = await messages.append(session.id, null, { role: 'user', content: [{ type: 'text', text: 'How do branches work?' }] });
    await messages.append(session.id, first.id, { role: 'assistant', content: [{ type: 'text', text: 'Every edit starts a new branch.' }] });
    await store.close();

    const replayed = await open();
    const hits = await searchStore(replayed, 'branch*');
    assert.equal(hits.length, 2, JSON.stringify(hits));
    await replayed.checkpoint();
    await replayed.close();

    const fromSnapshot = await open();
    // The checkpoint worker indexed the queue before writing the snapshot, so nothing waits for this window.
    assert.equal(fromSnapshot.read(pendingTextCount), 0);
    assert.deepEqual(
      fromSnapshot.read((sql) => search(sql, 'edit').map((hit) => hit.snippet)),
      ['Every edit starts a new branch.'],
    );
    await fromSnapshot.close();
  });

  it('indexes new text while the window is idle, without a search asking for it', async () => {
    const store = await open();
    const session = await new SessionsRepository(store, systemClock).create({ title: 'Idle' });
    await new MessagesRepository(store, systemClock).append(session.id, null, {
      role: 'user',
      content: [{ type: 'text', text: 'Index me when nothing else is happening.' }],
    });
    assert.equal(store.read(pendingTextCount), 1, 'the commit only queued the text');
    while (store.read(pendingTextCount) > 0) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    assert.equal(store.read((sql) => search(sql, 'happening')).length, 1);
    await store.close();
  });
});
