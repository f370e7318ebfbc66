import * as assert from 'node:assert/strict';
import { AgentsRepository } from '../../../../src/db/repositories/agents';
import { EventsRepository, eventText } from '../../../../src/db/repositories/events';
import { MessagesRepository } from '../../../../src/db/repositories/messages';
import { PricesRepository, costMicroUsd } from '../../../../src/db/repositories/prices';
import { NotFoundError } from '../../../../src/db/repositories/rows';
import { RunsRepository } from '../../../../src/db/repositories/runs';
import { SessionsRepository, type Session } from '../../../../src/db/repositories/sessions';
import { searchStore } from '../../../../src/db/textIndexer';
import { ManualClock, openMemoryStore, type MemoryStore } from '../support/memoryStore';

describe('events repository', () => {
  let store: MemoryStore;
  let clock: ManualClock;
  let events: EventsRepository;
  let session: Session;
  beforeEach(async () => {
    store = await openMemoryStore();
    clock = new ManualClock();
    events = new EventsRepository(store, clock);
    session = await new SessionsRepository(store, clock).create();
  });
  afterEach(() => store.close());

  it('records an LLM call with tokens, cost, model and latency', async () => {
    const prices = new PricesRepository(store, clock);
    const price = await prices.upsert({
      provider: 'anthropic',
      model: 'claude-sonnet-4-5',
      effectiveFrom: 0,
      inputPerMTok: 3,
      outputPerMTok: 15,
      cacheReadPerMTok: 0.3,
      cacheWritePerMTok: 3.75,
    });
    const tokens = { input: 1200, output: 350, cacheRead: 8000, cacheWrite: 0, reasoning: 120 };
    const cost = costMicroUsd(price, tokens);
    assert.equal(cost, 1200 * 3 + 350 * 15 + 8000 * 0.3);
    const started = await events.append({
      type: 'llm.request.started',
      sessionId: session.id,
      model: 'claude-sonnet-4-5',
      payload: {},
    });
    clock.advance(1500);
    const completed = await events.append({
      type: 'llm.response.completed',
      sessionId: session.id,
      parentEventId: started.id,
      startedAt: started.startedAt,
      endedAt: clock.time,
      tokens,
      costMicroUsd: cost,
      model: 'claude-sonnet-4-5',
      payload: { finishReason: 'stop', timeToFirstTokenMs: 420 },
    });
    assert.deepEqual(events.get(completed.id), completed);
    assert.equal(completed.durationMs, 1500);
    assert.deepEqual(completed.tokens, tokens);
    assert.equal(completed.costMicroUsd, 11_250);
    assert.deepEqual(completed.payload, { finishReason: 'stop', timeToFirstTokenMs: 420 });
    assert.equal(started.tokens.input, null, 'counts not given stay unknown, not zero');
    assert.deepEqual(events.usage({ sessionId: session.id }), {
      events: 2,
      tokensIn: 1200,
      tokensOut: 350,
      tokensCacheRead: 8000,
      tokensCacheWrite: 0,
      tokensReasoning: 120,
      costMicroUsd: 11_250,
    });
  });

  it('lists a session in start order, ties in recording order, optionally by type', async () => {
    const t0 = clock.time;
    const late = await events.append({ type: 'route.decision', sessionId: session.id, startedAt: t0 + 10 });
    const a = await events.append({ type: 'message.user', sessionId: session.id, startedAt: t0 });
    const b = await events.append({ type: 'llm.request.started', sessionId: session.id, startedAt: t0 });
    assert.deepEqual(
      events.list({ sessionId: session.id }).map((event) => event.id),
      [a.id, b.id, late.id],
    );
    assert.deepEqual(
      events.list({ sessionId: session.id }, { types: ['route.decision'] }).map((event) => event.id),
      [late.id],
    );
    assert.deepEqual(
      events.list({ sessionId: session.id }, { limit: 1 }).map((event) => event.id),
      [a.id],
    );
    assert.deepEqual(
      events.list({ sessionId: session.id }, { since: t0 + 1 }).map((event) => event.id),
      [late.id],
      'since: only the events that started then or later',
    );
    assert.deepEqual(
      events.list({ sessionId: session.id }, { since: t0 }).map((event) => event.id),
      [a.id, b.id, late.id],
    );
  });

  it('belongs to a run, or to a session inside a run; a deleted run takes its events along', async () => {
    const agent = await new AgentsRepository(store, clock).create({ name: 'A', provider: 'ollama', model: 'qwen3' });
    const runs = new RunsRepository(store, clock);
    const run = await runs.create({ agentId: agent.id, task: 'summarise' });
    const started = await events.append({ type: 'run.started', runId: run.id });
    const both = await events.append({
      type: 'tool.call.requested',
      runId: run.id,
      sessionId: session.id,
      parentEventId: started.id,
    });
    assert.deepEqual(
      events.list({ runId: run.id }).map((event) => event.id),
      [started.id, both.id],
    );
    assert.deepEqual(
      events.list({ sessionId: session.id }).map((event) => event.id),
      [both.id],
    );
    await runs.delete(run.id);
    assert.equal(events.get(started.id), undefined);
    assert.equal(events.get(both.id), undefined);
  });

  it('links to a message and forgets the link when the message goes', async () => {
    const messages = new MessagesRepository(store, clock);
    const message = await messages.append(session.id, null, { role: 'user', content: [{ type: 'text', text: 'hi' }] });
    const event = await events.append({ type: 'message.user', sessionId: session.id, messageId: message.id });
    assert.equal(event.messageId, message.id);
    await messages.deleteSubtree(message.id);
    assert.equal(events.get(event.id)?.messageId, null);
  });

  it('makes payload strings searchable, or what it is told to', async () => {
    const error = await events.append({
      type: 'llm.error',
      sessionId: session.id,
      payload: { kind: 'overloaded', detail: ['upstream', 'capacity'] },
    });
    await events.append({ type: 'llm.error', sessionId: session.id, payload: { kind: 'overloaded' }, text: '' });
    const hits = await searchStore(store, 'capacity');
    assert.deepEqual(
      hits.map((hit) => [hit.kind, hit.id, hit.label]),
      [['event', error.id, 'llm.error']],
    );
    assert.equal((await searchStore(store, 'overloaded')).length, 1, 'the event with empty text is not indexed');
    assert.equal(eventText({ a: 'x', b: [1, 'y', { c: 'z' }], d: null }), 'x\ny\nz');
  });

  it('rejects events without a home, bad references and bad numbers', async () => {
    const other = await new SessionsRepository(store, clock).create();
    const foreign = await events.append({ type: 'message.user', sessionId: other.id });
    await assert.rejects(events.append({ type: 'message.user' }), /needs a sessionId or a runId/);
    await assert.rejects(
      events.append({ type: 'Bad Type' as 'llm.error', sessionId: session.id }),
      /Malformed event type/,
    );
    await assert.rejects(events.append({ type: 'llm.error', sessionId: 'missing' }), NotFoundError);
    await assert.rejects(events.append({ type: 'run.started', runId: 'missing' }), /No run with id "missing"/);
    await assert.rejects(
      events.append({ type: 'llm.error', sessionId: session.id, parentEventId: foreign.id }),
      /another session or run/,
    );
    await assert.rejects(
      events.append({ type: 'llm.error', sessionId: session.id, tokens: { input: -1 } }),
      /tokens.input must be/,
    );
    await assert.rejects(
      events.append({ type: 'llm.error', sessionId: session.id, costMicroUsd: 0.5 }),
      /costMicroUsd must be/,
    );
    await assert.rejects(
      events.append({ type: 'llm.error', sessionId: session.id, startedAt: 10, endedAt: 5 }),
      /ends \(5\) before it starts \(10\)/,
    );
    assert.deepEqual(events.list({ sessionId: session.id }), []);
  });
});
