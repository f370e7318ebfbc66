import * as assert from 'node:assert/strict';
import { AgentsRepository } from '../../../../src/db/repositories/agents';
import { messageText } from '../../../../src/db/repositories/messageWrites';
import { MessagesRepository, type ContentPart } from '../../../../src/db/repositories/messages';
import { NotFoundError } from '../../../../src/db/repositories/rows';
import { SessionsRepository, type Session } from '../../../../src/db/repositories/sessions';
import { SettingsRepository } from '../../../../src/db/repositories/settings';
import { dumpDatabase, ManualClock, openMemoryStore, prepareConnection, replay, sqlJs, type MemoryStore } from '../support/memoryStore';

const text = (value: string): ContentPart[] => [{ type: 'text', text: value }];

describe('messages, sessions and settings: what the chat loop adds (paths, fork copies, agent, title, leases)', () => {
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
    session = await sessions.create({ title: '' });
  });
  afterEach(() => store.close());

  it('copyPath copies root..leaf into another session with new ids, times and contents kept, siblings left out', async () => {
    const root = await messages.append(session.id, null, { role: 'user', content: text('hello') });
    clock.advance(10);
    const reply = await messages.append(session.id, root.id, { role: 'assistant', content: text('hi'), model: 'm1', error: { kind: 'x' } });
    clock.advance(10);
    await messages.branch(reply.id, { role: 'assistant', content: text('another hi') });
    const streaming = await messages.append(session.id, reply.id, { role: 'assistant', content: text('half'), status: 'streaming' });
    clock.advance(10);

    const target = await sessions.create();
    const copies = await messages.copyPath(streaming.id, target.id);
    assert.deepEqual(copies.map((message) => messageText(message.content)), ['hello', 'hi', 'half']);
    assert.equal(copies[0]?.parentId, null);
    assert.equal(copies[1]?.parentId, copies[0]?.id);
    assert.equal(copies[2]?.parentId, copies[1]?.id);
    assert.ok(copies.every((copy) => copy.sessionId === target.id && ![root.id, reply.id, streaming.id].includes(copy.id)));
    assert.equal(copies[1]?.createdAt, reply.createdAt);
    assert.equal(copies[1]?.model, 'm1');
    assert.deepEqual(copies[1]?.error, { kind: 'x' });
    assert.equal(copies[2]?.status, 'incomplete', 'nothing will finish a copied streaming reply');
    assert.equal(sessions.get(target.id)?.headMessageId, copies[2]?.id);
    assert.equal(messages.listBySession(session.id).length, 4, 'the source is unchanged');
    assert.deepEqual(messages.path(copies[2].id).map((message) => message.id), copies.map((copy) => copy.id));
    await assert.rejects(messages.copyPath(root.id, 'missing'), NotFoundError);
    await assert.rejects(messages.copyPath('missing', target.id), NotFoundError);
  });

  it('copyPath replays to the same database (ids and times are parameters)', async () => {
    const root = await messages.append(session.id, null, { role: 'user', content: text('hello') });
    const target = await sessions.create();
    await messages.copyPath(root.id, target.id);
    const SQL = await sqlJs();
    const replica = prepareConnection(new SQL.Database());
    replay(replica, store.journal);
    assert.equal(dumpDatabase(replica), dumpDatabase(store.db));
    replica.close();
  });

  it('lists messages by status across sessions', async () => {
    const other = await sessions.create();
    const a = await messages.append(session.id, null, { role: 'assistant', content: [], status: 'streaming' });
    await messages.append(session.id, null, { role: 'assistant', content: [] });
    const b = await messages.append(other.id, null, { role: 'assistant', content: [], status: 'streaming' });
    assert.deepEqual(messages.listWithStatus('streaming').map((message) => message.id), [a.id, b.id]);
  });

  it('sets the session agent without counting it as activity; null clears it', async () => {
    const agents = new AgentsRepository(store, clock);
    const agent = await agents.create({ name: 'A', provider: 'openai', model: 'gpt' });
    clock.advance(1_000);
    const updated = await sessions.setAgent(session.id, agent.id);
    assert.equal(updated.agentId, agent.id);
    assert.equal(updated.updatedAt, session.updatedAt);
    assert.equal((await sessions.setAgent(session.id, null)).agentId, null);
    await assert.rejects(sessions.setAgent(session.id, 'missing'), NotFoundError);
    await assert.rejects(sessions.setAgent('missing', agent.id), NotFoundError);
  });

  it('names a session only while it is untitled', async () => {
    assert.equal(await sessions.nameIfUntitled(session.id, '  First question  '), true);
    assert.equal(sessions.get(session.id)?.title, 'First question');
    assert.equal(await sessions.nameIfUntitled(session.id, 'Second'), false);
    await sessions.rename(session.id, 'Mine');
    assert.equal(await sessions.nameIfUntitled(session.id, 'Generated'), false);
    assert.equal(sessions.get(session.id)?.title, 'Mine');
    const blank = await sessions.create();
    assert.equal(await sessions.nameIfUntitled(blank.id, '   '), false);
  });

  it('reads a setting inside a transaction', async () => {
    const settings = new SettingsRepository(store, clock);
    await settings.set('lease', { windowId: 'w', heartbeatAt: 5 });
    const seen = await store.write((sql) => [settings.within(sql).get('lease'), settings.within(sql).get('none')]);
    assert.deepEqual(seen, [{ windowId: 'w', heartbeatAt: 5 }, undefined]);
  });
});
