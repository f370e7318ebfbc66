import * as assert from 'node:assert/strict';
import { MessagesRepository, type ContentPart } from '../../../../src/db/repositories/messages';
import { SessionsRepository } from '../../../../src/db/repositories/sessions';
import { migrate } from '../../../../src/db/schema/migrations';
import { v1Initial } from '../../../../src/db/schema/v1Initial';
import { search } from '../../../../src/db/search';
import { indexPendingText, pendingTextCount } from '../../../../src/db/textIndex';
import { searchStore } from '../../../../src/db/textIndexer';
import { ManualClock, openMemoryStore, type MemoryStore } from '../support/memoryStore';

const text = (value: string): ContentPart[] => [{ type: 'text', text: value }];

/** FTS4's own check of an index against its content (the view of indexed rows); throws when they disagree. */
function assertIndexesConsistent(store: MemoryStore): void {
  for (const fts of ['messages_fts', 'events_fts']) {
    store.db.run(`INSERT INTO ${fts} (${fts}) VALUES ('integrity-check')`);
  }
}

describe('full-text indexing outside the commit (schema v2)', () => {
  let store: MemoryStore;
  let messages: MessagesRepository;
  let sessionId: string;

  beforeEach(async () => {
    store = await openMemoryStore({ migrate: false });
    const clock = new ManualClock();
    messages = new MessagesRepository(store, clock);
    await store.write((sql) => migrate(sql, [v1Initial]));
    sessionId = (await new SessionsRepository(store, clock).create({ title: 'upgrade' })).id;
  });
  afterEach(() => store.close());

  it('upgrades a v1 store whose rows are already indexed, and keeps it consistent through edits and deletes', async () => {
    const old = await messages.append(sessionId, null, { role: 'user', content: text('indexed under version one') });
    const spare = await messages.append(sessionId, old.id, { role: 'assistant', content: text('a spare reply about walruses') });
    await store.write((sql) => migrate(sql));
    assert.equal(store.read(pendingTextCount), 2, 'the upgrade queues existing rows rather than re-indexing in the commit');
    assertIndexesConsistent(store);
    assert.equal((await searchStore(store, 'walruses')).length, 1);
    assert.equal(store.read(pendingTextCount), 0);

    // Editing an indexed row un-indexes its old text now and queues the new one.
    await messages.update(old.id, { content: text('rewritten after the upgrade') });
    assert.equal(store.read(pendingTextCount), 1);
    assert.deepEqual(store.read((sql) => search(sql, 'version')), [], 'the old text left the index at once');
    assertIndexesConsistent(store);
    assert.equal((await searchStore(store, 'rewritten'))[0]?.id, old.id);
    assert.equal(store.read(pendingTextCount), 0);
    assertIndexesConsistent(store);

    // Deleting a queued row drops it from the queue; deleting an indexed row un-indexes it.
    const queued = await messages.append(sessionId, spare.id, { role: 'user', content: text('queued then deleted') });
    await messages.deleteSubtree(queued.id);
    assert.equal(store.read(pendingTextCount), 0);
    await messages.deleteSubtree(spare.id);
    assert.deepEqual(await searchStore(store, 'walruses'), []);
    assertIndexesConsistent(store);
    assert.equal(store.read(pendingTextCount), 0);
  });

  it('queues rows in the commit and indexes them in bounded batches, never twice', async () => {
    await store.write((sql) => migrate(sql));
    let parent: string | null = null;
    for (let i = 0; i < 7; i++) {
      parent = (await messages.append(sessionId, parent, { role: 'user', content: text(`message number ${i} about otters`) })).id;
    }
    assert.equal(store.read(pendingTextCount), 7);
    assert.deepEqual(store.read((sql) => search(sql, 'otters')), [], 'the commit itself indexed nothing');
    assertIndexesConsistent(store);
    assert.equal(
      store.read((sql) => sql.get<{ quick_check: string }>('PRAGMA quick_check')?.quick_check),
      'ok',
      'a store with queued rows passes the check the store runs on files without a checksum',
    );
    assert.equal(await store.maintain((sql) => indexPendingText(sql, 3)), 3);
    assertIndexesConsistent(store);
    assert.equal(store.read((sql) => search(sql, 'otters')).length, 3);
    assert.equal(store.read(pendingTextCount), 4);
    assert.equal((await searchStore(store, 'otters')).length, 7);
    assert.equal(await store.maintain((sql) => indexPendingText(sql)), 0);
    assertIndexesConsistent(store);
  });
});
