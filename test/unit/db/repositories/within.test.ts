import * as assert from 'node:assert/strict';
import { EventsRepository } from '../../../../src/db/repositories/events';
import { MessagesRepository } from '../../../../src/db/repositories/messages';
import { SessionsRepository } from '../../../../src/db/repositories/sessions';
import { SettingsRepository } from '../../../../src/db/repositories/settings';
import { ManualClock, openMemoryStore, type MemoryStore } from '../support/memoryStore';

describe('several repository writes in one transaction (within)', () => {
  let store: MemoryStore;
  let clock: ManualClock;
  let sessions: SessionsRepository;
  let messages: MessagesRepository;
  let events: EventsRepository;
  beforeEach(async () => {
    store = await openMemoryStore();
    clock = new ManualClock();
    sessions = new SessionsRepository(store, clock);
    messages = new MessagesRepository(store, clock);
    events = new EventsRepository(store, clock);
  });
  afterEach(() => store.close());

  it('commits a message and its events as one journal record', async () => {
    const session = await sessions.create();
    const before = store.journal.length;
    const reply = await store.write((sql) => {
      const user = messages
        .within(sql)
        .append(session.id, null, { role: 'user', content: [{ type: 'text', text: 'hi' }] });
      events.within(sql).append({ type: 'message.user', sessionId: session.id, messageId: user.id });
      const answer = messages
        .within(sql)
        .append(session.id, user.id, { role: 'assistant', content: [{ type: 'text', text: 'hello' }] });
      events
        .within(sql)
        .append({
          type: 'llm.response.completed',
          sessionId: session.id,
          messageId: answer.id,
          tokens: { input: 3, output: 1 },
        });
      new SettingsRepository(store, clock).within(sql).set('ui.lastSession', session.id);
      return answer;
    });
    assert.equal(store.journal.length, before + 1);
    assert.deepEqual(
      messages.path(reply.id).map((message) => message.role),
      ['user', 'assistant'],
    );
    assert.equal(events.list({ sessionId: session.id }).length, 2);
  });

  it('keeps none of them when a later one fails', async () => {
    const session = await sessions.create();
    await assert.rejects(
      store.write((sql) => {
        messages.within(sql).append(session.id, null, { role: 'user', content: [{ type: 'text', text: 'lost' }] });
        events.within(sql).append({ type: 'message.user', sessionId: session.id, messageId: 'missing' });
      }),
      /No message with id "missing"/,
    );
    assert.deepEqual(messages.listBySession(session.id), []);
    assert.equal(sessions.get(session.id)?.headMessageId, null);
  });
});
