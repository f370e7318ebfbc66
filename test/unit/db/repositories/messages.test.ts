import * as assert from 'node:assert/strict';
import { messageText } from '../../../../src/db/repositories/messageWrites';
import { MessagesRepository, type ContentPart } from '../../../../src/db/repositories/messages';
import { NotFoundError } from '../../../../src/db/repositories/rows';
import { SessionsRepository, type Session } from '../../../../src/db/repositories/sessions';
import { searchStore } from '../../../../src/db/textIndexer';
import { ManualClock, openMemoryStore, type MemoryStore } from '../support/memoryStore';

const text = (value: string): ContentPart[] => [{ type: 'text', text: value }];
const texts = (list: { content: ContentPart[] }[]) => list.map((message) => messageText(message.content));

describe('messages repository', () => {
  let store: MemoryStore;
  let clock: ManualClock;
  let sessions: SessionsRepository;
  let messages: MessagesRepository;
  let session: Session;
  beforeEach(async () => {
    store = await openMemoryStore();
    clock = new ManualClock();
    sessions = new SessionsRepository(store, clock);
    messages = new MessagesRepository(store, clock);
    session = await sessions.create({ title: 'tree' });
  });
  afterEach(() => store.close());

  /** user → assistant → user 'edit me' → assistant; returns the messages in that order. */
  async function conversation() {
    const root = await messages.append(session.id, null, { role: 'user', content: text('hello') });
    clock.advance();
    const reply = await messages.append(session.id, root.id, {
      role: 'assistant',
      content: text('hi'),
      model: 'gpt-5',
    });
    clock.advance();
    const question = await messages.append(session.id, reply.id, { role: 'user', content: text('edit me') });
    clock.advance();
    const answer = await messages.append(session.id, question.id, { role: 'assistant', content: text('first answer') });
    clock.advance();
    return [root, reply, question, answer] as const;
  }

  it('appends replies, each becoming the head, and walks the path from the root', async () => {
    const [root, reply, , answer] = await conversation();
    assert.equal(root.parentId, null);
    assert.equal(reply.parentId, root.id);
    assert.equal(reply.status, 'complete');
    assert.equal(reply.model, 'gpt-5');
    assert.equal(sessions.get(session.id)?.headMessageId, answer.id);
    assert.deepEqual(texts(messages.path(answer.id)), ['hello', 'hi', 'edit me', 'first answer']);
    assert.deepEqual(texts(messages.path(root.id)), ['hello']);
  });

  it('branches: an edit is a sibling, and both branches stay whole', async () => {
    const [root, reply, question, answer] = await conversation();
    const edited = await messages.branch(question.id, { role: 'user', content: text('edited') });
    clock.advance();
    const second = await messages.append(session.id, edited.id, { role: 'assistant', content: text('second answer') });
    assert.equal(edited.parentId, reply.id);
    assert.deepEqual(texts(messages.children(reply.id)), ['edit me', 'edited']);
    assert.deepEqual(texts(messages.siblings(question.id)), ['edit me', 'edited']);
    assert.deepEqual(texts(messages.path(answer.id)), ['hello', 'hi', 'edit me', 'first answer']);
    assert.deepEqual(texts(messages.path(second.id)), ['hello', 'hi', 'edited', 'second answer']);
    assert.equal(sessions.get(session.id)?.headMessageId, second.id);
    assert.equal(messages.latestLeaf(root.id).id, second.id, 'the newest line of replies');
    assert.equal(messages.latestLeaf(question.id).id, answer.id);
    assert.equal(messages.listBySession(session.id).length, 6);

    const newRoot = await messages.branch(root.id, { role: 'user', content: text('start over') });
    assert.equal(newRoot.parentId, null);
    assert.deepEqual(texts(messages.siblings(root.id)), ['hello', 'start over']);
  });

  it('updates a streaming message in place, and search follows its text', async () => {
    const [, , question] = await conversation();
    const streaming = await messages.append(session.id, question.id, {
      role: 'assistant',
      content: [],
      status: 'streaming',
    });
    assert.equal(streaming.status, 'streaming');
    clock.advance(40);
    const partial = await messages.update(streaming.id, { content: text('the quick brown') });
    assert.equal(partial.updatedAt, clock.time);
    assert.equal(partial.createdAt, streaming.createdAt);
    assert.equal((await searchStore(store, 'brown')).length, 1);
    await messages.update(streaming.id, { content: text('the quick red fox') });
    const final = await messages.update(streaming.id, { status: 'cancelled' });
    assert.equal(final.status, 'cancelled');
    assert.deepEqual(final.content, text('the quick red fox'));
    assert.deepEqual(
      (await searchStore(store, 'brown')),
      [],
      'the old text left the index',
    );
    assert.equal((await searchStore(store, 'fox'))[0]?.id, streaming.id);

    const failed = await messages.update(streaming.id, {
      status: 'error',
      error: { kind: 'rate_limit', retryAfterMs: 1000 },
    });
    assert.deepEqual(failed.error, { kind: 'rate_limit', retryAfterMs: 1000 });
    for (const status of ['incomplete', 'complete'] as const) {
      assert.equal((await messages.update(streaming.id, { status })).status, status);
    }
  });

  it('keeps tool calls, tool results and blob references, and records the blobs', async () => {
    const hash = 'a'.repeat(64);
    const content: ContentPart[] = [
      { type: 'text', text: 'Reading the file.' },
      { type: 'tool_call', id: 'call_1', name: 'read_file', arguments: { path: 'README.md' } },
      { type: 'tool_result', callId: 'call_1', output: { type: 'blob', hash, mimeType: 'text/plain', size: 120_000 } },
    ];
    const message = await messages.append(session.id, null, { role: 'assistant', content });
    assert.deepEqual(messages.get(message.id)?.content, content);
    const refs = () => store.read((sql) => sql.all('SELECT hash, owner_table, owner_id FROM blob_refs'));
    assert.deepEqual(refs(), [{ hash, owner_table: 'messages', owner_id: message.id }]);
    await messages.update(message.id, { content: text('no blobs now') });
    assert.deepEqual(refs(), []);
    await messages.update(message.id, {
      content: [{ type: 'blob', hash: 'b'.repeat(64), mimeType: 'image/png', size: 9 }],
    });
    await messages.deleteSubtree(message.id);
    assert.deepEqual(refs(), []);
  });

  it('deletes a subtree, moving the head up when it was inside', async () => {
    const [root, reply, question, answer] = await conversation();
    const edited = await messages.branch(question.id, { role: 'user', content: text('edited') });
    await sessions.setHead(session.id, answer.id);
    assert.equal(await messages.deleteSubtree(question.id), 2);
    assert.equal(sessions.get(session.id)?.headMessageId, reply.id);
    assert.deepEqual(texts(messages.children(reply.id)), ['edited']);
    await sessions.setHead(session.id, edited.id);
    assert.equal(await messages.deleteSubtree(root.id), 3);
    assert.equal(sessions.get(session.id)?.headMessageId, null);
    assert.deepEqual(messages.listBySession(session.id), []);
  });

  it('rejects a parent from another session, unknown ids and bad values', async () => {
    const other = await sessions.create();
    const foreign = await messages.append(other.id, null, { role: 'user', content: text('elsewhere') });
    await assert.rejects(
      messages.append(session.id, foreign.id, { role: 'assistant', content: text('x') }),
      /Parent message .* belongs to session .*, not/,
    );
    await assert.rejects(messages.append(session.id, 'missing', { role: 'user', content: text('x') }), NotFoundError);
    await assert.rejects(
      messages.append('missing', null, { role: 'user', content: text('x') }),
      /No session with id "missing"/,
    );
    await assert.rejects(
      messages.append(session.id, null, { role: 'robot' as 'user', content: text('x') }),
      /Unknown message role "robot"/,
    );
    await assert.rejects(
      messages.update(foreign.id, { status: 'done' as 'complete' }),
      /Unknown message status "done"/,
    );
    await assert.rejects(messages.update('missing', { status: 'complete' }), NotFoundError);
    await assert.rejects(messages.branch('missing', { role: 'user', content: text('x') }), NotFoundError);
    assert.throws(() => messages.path('missing'), NotFoundError);
    assert.throws(() => messages.children('missing'), NotFoundError);
    assert.equal(messages.listBySession(session.id).length, 0);
  });

  it('extracts searchable text from text parts and string tool results, not from reasoning', () => {
    assert.equal(
      messageText([
        { type: 'reasoning', text: 'thinking' },
        { type: 'text', text: 'answer' },
        { type: 'tool_result', callId: 'c', output: 'grep output' },
        { type: 'tool_result', callId: 'd', output: { rows: 3 } },
      ]),
      'answer\ngrep output',
    );
  });
});
