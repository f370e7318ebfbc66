import * as assert from 'node:assert/strict';
import { AgentsRepository } from '../../../../src/db/repositories/agents';
import { EventsRepository } from '../../../../src/db/repositories/events';
import { MessagesRepository } from '../../../../src/db/repositories/messages';
import { NotFoundError } from '../../../../src/db/repositories/rows';
import { RunsRepository } from '../../../../src/db/repositories/runs';
import { SessionsRepository } from '../../../../src/db/repositories/sessions';
import { searchStore } from '../../../../src/db/textIndexer';
import { ManualClock, openMemoryStore, type MemoryStore } from '../support/memoryStore';

const text = (value: string) => [{ type: 'text' as const, text: value }];

describe('sessions repository', () => {
  let store: MemoryStore;
  let clock: ManualClock;
  let sessions: SessionsRepository;
  let messages: MessagesRepository;
  beforeEach(async () => {
    store = await openMemoryStore();
    clock = new ManualClock();
    sessions = new SessionsRepository(store, clock);
    messages = new MessagesRepository(store, clock);
  });
  afterEach(() => store.close());

  it('creates, renames and gets a session', async () => {
    const session = await sessions.create({ title: ' Plans ' });
    assert.deepEqual(session, {
      id: session.id,
      agentId: null,
      title: 'Plans',
      headMessageId: null,
      createdAt: clock.time,
      updatedAt: clock.time,
      archivedAt: null,
    });
    clock.advance(5);
    const renamed = await sessions.rename(session.id, 'Roadmap');
    assert.equal(renamed.title, 'Roadmap');
    assert.equal(renamed.updatedAt, session.updatedAt, 'renaming is not activity');
    assert.deepEqual(sessions.get(session.id), renamed);
  });

  it('lists the most recently active first, archived ones only on request', async () => {
    const first = await sessions.create({ title: 'first' });
    clock.advance(10);
    const second = await sessions.create({ title: 'second' });
    clock.advance(10);
    const third = await sessions.create({ title: 'third' });
    assert.deepEqual(
      sessions.list().map((session) => session.title),
      ['third', 'second', 'first'],
    );
    clock.advance(10);
    await messages.append(first.id, null, { role: 'user', content: text('bump') });
    assert.deepEqual(
      sessions.list().map((session) => session.title),
      ['first', 'third', 'second'],
    );
    assert.deepEqual(
      sessions.list({ limit: 1 }).map((session) => session.id),
      [first.id],
    );
    await sessions.archive(third.id);
    assert.deepEqual(
      sessions.list().map((session) => session.id),
      [first.id, second.id],
    );
    assert.equal(sessions.list({ includeArchived: true }).length, 3);
    await sessions.unarchive(third.id);
    assert.equal(sessions.list().length, 3);
  });

  it('belongs to an agent, and lists by agent', async () => {
    const agents = new AgentsRepository(store, clock);
    const agent = await agents.create({ name: 'A', provider: 'openai', model: 'gpt-5' });
    const session = await sessions.create({ agentId: agent.id });
    await sessions.create();
    assert.deepEqual(
      sessions.list({ agentId: agent.id }).map((row) => row.id),
      [session.id],
    );
    await assert.rejects(sessions.create({ agentId: 'missing' }), NotFoundError);
  });

  it("leaves a run's session out of the chat sessions on request (the Runs view lists it)", async () => {
    const agents = new AgentsRepository(store, clock);
    const runs = new RunsRepository(store, clock);
    const agent = await agents.create({ name: 'A', provider: 'openai', model: 'gpt-5' });
    const chat = await sessions.create({ agentId: agent.id, title: 'chat' });
    const worked = await sessions.create({ agentId: agent.id, title: 'run' });
    const run = await runs.create({ agentId: agent.id, task: 'fix it', items: ['x'] });
    await runs.updateItem(runs.listItems(run.id)[0]!.id, { sessionId: worked.id });
    assert.deepEqual(sessions.list({ excludeRunSessions: true }).map((s) => s.title), ['chat']);
    assert.deepEqual(new Set(sessions.list().map((s) => s.id)), new Set([chat.id, worked.id]));
  });

  it('moves the head only to a message of its own', async () => {
    const a = await sessions.create();
    const b = await sessions.create();
    const root = await messages.append(a.id, null, { role: 'user', content: text('one') });
    const other = await messages.append(b.id, null, { role: 'user', content: text('two') });
    await messages.append(a.id, root.id, { role: 'assistant', content: text('reply') });
    assert.equal((await sessions.setHead(a.id, root.id)).headMessageId, root.id);
    await assert.rejects(sessions.setHead(a.id, other.id), /belongs to session .*, not/);
    await assert.rejects(sessions.setHead(a.id, 'missing'), NotFoundError);
    await assert.rejects(sessions.setHead('missing', root.id), NotFoundError);
  });

  it('deletes a session with its messages, events and search entries; run items keep the rest', async () => {
    const agents = new AgentsRepository(store, clock);
    const events = new EventsRepository(store, clock);
    const runs = new RunsRepository(store, clock);
    const agent = await agents.create({ name: 'A', provider: 'openai', model: 'gpt-5' });
    const session = await sessions.create({ agentId: agent.id });
    const keep = await sessions.create();
    const message = await messages.append(session.id, null, { role: 'user', content: text('zebra crossing') });
    await messages.append(keep.id, null, { role: 'user', content: text('zebra stripes') });
    await events.append({
      type: 'message.user',
      sessionId: session.id,
      messageId: message.id,
      payload: { note: 'zebra' },
    });
    const run = await runs.create({ agentId: agent.id, task: 'batch', items: ['x'] });
    const [item] = runs.listItems(run.id);
    await runs.updateItem(item!.id, { sessionId: session.id, output: 'done' });

    await sessions.delete(session.id);
    assert.equal(sessions.get(session.id), undefined);
    assert.equal(messages.get(message.id), undefined);
    assert.deepEqual(events.list({ sessionId: session.id }), []);
    assert.deepEqual(
      (await searchStore(store, 'zebra')).map((hit) => hit.sessionId),
      [keep.id],
      'the index forgot the deleted rows',
    );
    assert.deepEqual([runs.listItems(run.id)[0]?.sessionId, runs.listItems(run.id)[0]?.output], [null, 'done']);
    await assert.rejects(sessions.delete(session.id), NotFoundError);
  });

  it('deletes a session whose conversation is thousands of messages deep', async () => {
    const session = await sessions.create();
    let parent: string | null = null;
    await store.write((sql) => {
      // Raw inserts keep this fast; the cascade, not the repository, is under test.
      for (let i = 0; i < 3000; i += 1) {
        const id = `m${String(i).padStart(5, '0')}`;
        sql.run(
          `INSERT INTO messages (id, session_id, parent_id, role, content, text, status, created_at, updated_at)
           VALUES (?, ?, ?, 'user', '[]', ?, 'complete', ?, ?)`,
          [id, session.id, parent, `line ${i}`, clock.time, clock.time],
        );
        parent = id;
      }
    });
    await sessions.delete(session.id);
    assert.equal(
      store.read((sql) => sql.get<{ n: number }>('SELECT count(*) AS n FROM messages')?.n),
      0,
    );
  });
});
