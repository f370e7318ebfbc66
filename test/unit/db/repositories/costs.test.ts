import * as assert from 'node:assert/strict';
import { AgentsRepository, type Agent } from '../../../../src/db/repositories/agents';
import { CALL_END_TYPES, CostsRepository, noSpend, type SpendTotals } from '../../../../src/db/repositories/costs';
import { INDEXED_CALL_TYPES } from '../../../../src/db/schema/v4CallIndex';
import { EventsRepository } from '../../../../src/db/repositories/events';
import { MessagesRepository } from '../../../../src/db/repositories/messages';
import { SessionsRepository, type Session } from '../../../../src/db/repositories/sessions';
import { ManualClock, openMemoryStore, type MemoryStore } from '../support/memoryStore';

/**
 * Cost roll-ups over a real sql.js store, with calls written the way the chat loop writes them: the reply
 * message with its agent version, `llm.request.started` with provider and agent, then one ending event with
 * tokens and cost (NULL when the model had no price).
 */

const HOUR = 3_600_000;

interface CallSpec {
  session: Session;
  agent?: Agent;
  provider?: string;
  model?: string;
  at: number;
  /** Micro-dollars; null = unknown price. */
  cost: number | null;
  tokens?: { input?: number; output?: number; cacheRead?: number; cacheWrite?: number; reasoning?: number };
  failed?: boolean;
  /** Leave out the request event (an older or foreign recorder). */
  noRequest?: boolean;
}

describe('costs repository', () => {
  let store: MemoryStore;
  let clock: ManualClock;
  let costs: CostsRepository;
  let events: EventsRepository;
  let messages: MessagesRepository;
  let sessions: SessionsRepository;
  let agents: AgentsRepository;

  beforeEach(async () => {
    store = await openMemoryStore();
    clock = new ManualClock(Date.UTC(2025, 2, 10, 12));
    costs = new CostsRepository(store);
    events = new EventsRepository(store, clock);
    messages = new MessagesRepository(store, clock);
    sessions = new SessionsRepository(store, clock);
    agents = new AgentsRepository(store, clock);
  });
  afterEach(() => store.close());

  async function call(spec: CallSpec): Promise<void> {
    const { session, agent, at } = spec;
    const model = spec.model ?? agent?.currentVersion.model ?? 'model-x';
    const reply = await messages.append(session.id, null, {
      role: 'assistant',
      content: [{ type: 'text', text: 'hi' }],
      status: spec.failed ? 'error' : 'complete',
      agentVersionId: agent?.currentVersion.id ?? null,
      model,
    });
    const request = spec.noRequest
      ? undefined
      : await events.append({
          type: 'llm.request.started',
          sessionId: session.id,
          messageId: reply.id,
          startedAt: at,
          model,
          payload: {
            provider: spec.provider ?? agent?.currentVersion.provider ?? 'openai',
            ...(agent ? { agentId: agent.id, agentVersionId: agent.currentVersion.id } : {}),
          },
          text: '',
        });
    await events.append({
      type: spec.failed ? 'llm.error' : 'llm.response.completed',
      sessionId: session.id,
      messageId: reply.id,
      parentEventId: request?.id ?? null,
      startedAt: at,
      endedAt: at + 1000,
      model,
      tokens: spec.tokens ?? { input: 100, output: 10 },
      costMicroUsd: spec.cost,
      payload: {},
      text: '',
    });
    // Events around a call that carry no cost of their own must never be counted as calls.
    await events.append({ type: 'message.assistant', sessionId: session.id, messageId: reply.id, startedAt: at + 1000, model, text: '' });
  }

  const totals = (partial: Partial<SpendTotals>): SpendTotals => ({ ...noSpend(), ...partial });

  it("sums one session's calls, its own steps apart from the Replays made in it", async () => {
    const session = await sessions.create({ title: 'run' });
    const other = await sessions.create({ title: 'other' });
    await call({ session, at: clock.now(), cost: 1200 });
    await call({ session, at: clock.now(), cost: null, failed: true });
    await call({ session: other, at: clock.now(), cost: 999 });
    await events.append({ type: 'llm.replay.completed', sessionId: session.id, costMicroUsd: 300, payload: {} });
    const all = costs.forSession(session.id);
    assert.deepEqual([all.calls, all.errors, all.costMicroUsd, all.unknownCostCalls], [3, 1, 1500, 1]);
    const steps = costs.forSession(session.id, { replays: false });
    assert.deepEqual([steps.calls, steps.errors, steps.costMicroUsd, steps.unknownCostCalls], [2, 1, 1200, 1]);
  });

  it('sums the calls in [start, end): known cost apart from calls of unknown cost, tokens by kind', async () => {
    const session = await sessions.create({ title: 'one' });
    const t0 = Date.UTC(2025, 2, 10);
    await call({ session, at: t0, cost: 1500, tokens: { input: 100, output: 20, cacheRead: 300, cacheWrite: 40, reasoning: 5 } });
    await call({ session, at: t0 + HOUR, cost: null, tokens: { input: 7, output: 3 } });
    await call({ session, at: t0 + 2 * HOUR, cost: 0 });
    await call({ session, at: t0 + 3 * HOUR, cost: 250, failed: true, tokens: { input: 50 } });
    await call({ session, at: t0 + 24 * HOUR, cost: 1_000_000 });
    await call({ session, at: t0 - 1, cost: 1_000_000 });

    assert.deepEqual(
      costs.spendBetween({ start: t0, end: t0 + 24 * HOUR }),
      totals({ calls: 4, errors: 1, tokensIn: 257, tokensOut: 33, tokensCacheRead: 300, tokensCacheWrite: 40, tokensReasoning: 5, costMicroUsd: 1750, unknownCostCalls: 1 }),
      'the end is excluded, the start included; a known $0 is known, NULL is unknown',
    );
    assert.deepEqual(costs.spendBetween({ start: t0 + HOUR, end: t0 + HOUR + 1 }), totals({ calls: 1, tokensIn: 7, tokensOut: 3, unknownCostCalls: 1 }));
    assert.deepEqual(costs.spendBetween({ start: t0 + 5 * HOUR, end: t0 + 6 * HOUR }), noSpend());
    assert.throws(() => costs.spendBetween({ start: 10, end: 5 }), /end >= start/);
  });

  it('rolls up per session, most expensive first, with the newest call and a limit', async () => {
    const cheap = await sessions.create({ title: 'cheap' });
    const dear = await sessions.create({ title: 'dear' });
    const unknown = await sessions.create({ title: 'unknown' });
    await sessions.create({ title: 'no calls' });
    const t0 = clock.time;
    await call({ session: cheap, at: t0, cost: 10 });
    await call({ session: dear, at: t0 + 1, cost: 900 });
    await call({ session: dear, at: t0 + 5, cost: null });
    await call({ session: unknown, at: t0 + 2, cost: null });
    await call({ session: cheap, at: t0 + 3, cost: 15 });

    const rows = costs.bySession();
    assert.deepEqual(
      rows.map((row) => [row.title, row.calls, row.costMicroUsd, row.unknownCostCalls, row.lastCallAt]),
      [
        ['dear', 2, 900, 1, t0 + 5],
        ['cheap', 2, 25, 0, t0 + 3],
        ['unknown', 1, 0, 1, t0 + 2],
      ],
      'sessions without calls are left out; unknown-only sessions come after any known cost',
    );
    assert.equal(rows[0]!.sessionId, dear.id);
    assert.deepEqual(costs.bySession(undefined, { limit: 1 }).map((row) => row.title), ['dear']);
    assert.deepEqual(costs.bySession({ start: t0 + 2, end: t0 + 4 }).map((row) => [row.title, row.calls]), [['cheap', 1], ['unknown', 1]]);
  });

  it('rolls up per agent from the request event, falls back to the reply\'s agent version, and keeps deleted agents apart', async () => {
    const writer = await agents.create({ name: 'Writer', provider: 'anthropic', model: 'claude-x' });
    const coder = await agents.create({ name: 'Coder', provider: 'openai', model: 'gpt-x' });
    const gone = await agents.create({ name: 'Gone', provider: 'openai', model: 'gpt-x' });
    const session = await sessions.create({ agentId: writer.id });
    const t0 = clock.time;
    await call({ session, agent: writer, at: t0, cost: 100 });
    await call({ session, agent: writer, at: t0 + 1, cost: null });
    await call({ session, agent: coder, at: t0 + 2, cost: 300, noRequest: true });
    await call({ session, agent: gone, at: t0 + 3, cost: 50 });
    await call({ session, at: t0 + 4, cost: 7 });
    await agents.delete(gone.id);

    const rows = costs.byAgent();
    assert.deepEqual(
      rows.map((row) => [row.agentId, row.agentName, row.calls, row.costMicroUsd, row.unknownCostCalls]),
      [
        [coder.id, 'Coder', 1, 300, 0],
        [writer.id, 'Writer', 2, 100, 1],
        [gone.id, null, 1, 50, 0],
        [null, null, 1, 7, 0],
      ],
    );
    assert.deepEqual(costs.byAgent({ start: t0 + 1, end: t0 + 2 }).map((row) => [row.agentName, row.calls]), [['Writer', 1]]);
  });

  it('rolls up per provider and model', async () => {
    const session = await sessions.create();
    const t0 = clock.time;
    await call({ session, provider: 'openai', model: 'gpt-4o', at: t0, cost: 100, tokens: { input: 10, output: 1 } });
    await call({ session, provider: 'azure-openai', model: 'gpt-4o', at: t0 + 1, cost: 200, tokens: { input: 20, output: 2 } });
    await call({ session, provider: 'openai', model: 'gpt-4o', at: t0 + 2, cost: 300, tokens: { input: 30, output: 3 } });
    await call({ session, provider: 'ollama', model: 'llama3', at: t0 + 3, cost: null });
    await call({ session, model: 'legacy', at: t0 + 4, cost: 1, noRequest: true });

    assert.deepEqual(
      costs.byModel().map((row) => [row.provider, row.model, row.calls, row.tokensIn, row.tokensOut, row.costMicroUsd, row.unknownCostCalls]),
      [
        ['openai', 'gpt-4o', 2, 40, 4, 400, 0],
        ['azure-openai', 'gpt-4o', 1, 20, 2, 200, 0],
        [null, 'legacy', 1, 100, 10, 1, 0],
        ['ollama', 'llama3', 1, 100, 10, 0, 1],
      ],
    );
  });

  it('counts replays as calls, on the endpoint and model they ran, for the agent whose call they replayed', async () => {
    const agent = await agents.create({ name: 'Writer', provider: 'openai', model: 'gpt-4o' });
    const session = await sessions.create({ agentId: agent.id });
    const t0 = clock.time;
    await call({ session, agent, at: t0, cost: 100 });
    const request = events.list({ sessionId: session.id }, { types: ['llm.request.started'] })[0]!;
    const replay = (type: string, cost: number | null, model: string) =>
      events.append({
        // The replay types are not in the EventType union (the column is free text).
        type: type as 'llm.error',
        sessionId: session.id,
        messageId: request.messageId,
        parentEventId: request.id,
        startedAt: t0 + 10,
        model,
        tokens: { input: 5, output: 5 },
        costMicroUsd: cost,
        payload: { provider: 'anthropic', sourceEventId: request.id },
        text: '',
      });
    await replay('llm.replay.completed', 40, 'claude-x');
    await replay('llm.replay.error', null, 'claude-y');

    assert.deepEqual(costs.spendBetween({ start: t0, end: t0 + 11 }), totals({ calls: 3, errors: 1, tokensIn: 110, tokensOut: 20, costMicroUsd: 140, unknownCostCalls: 1 }));
    assert.deepEqual(
      costs.byModel().map((row) => [row.provider, row.model, row.calls]),
      [
        ['openai', 'gpt-4o', 1],
        ['anthropic', 'claude-x', 1],
        ['anthropic', 'claude-y', 1],
      ],
    );
    assert.deepEqual(costs.byAgent().map((row) => [row.agentName, row.calls, row.costMicroUsd, row.unknownCostCalls]), [['Writer', 3, 140, 1]]);
  });

  it('rolls up per day over the ranges given: 23- and 25-hour days, boundaries, empty days, order kept', async () => {
    const session = await sessions.create();
    // Local days around a DST change as a caller in New York would pass them (UTC-5 then UTC-4): 9 March 2025
    // is 23 hours long.
    const days = [
      { start: Date.UTC(2025, 2, 8, 5), end: Date.UTC(2025, 2, 9, 5) },
      { start: Date.UTC(2025, 2, 9, 5), end: Date.UTC(2025, 2, 10, 4) },
      { start: Date.UTC(2025, 2, 10, 4), end: Date.UTC(2025, 2, 11, 4) },
      { start: Date.UTC(2025, 2, 11, 4), end: Date.UTC(2025, 2, 12, 4) },
    ];
    await call({ session, at: days[0]!.start, cost: 1 });
    await call({ session, at: days[1]!.start - 1, cost: 2 });
    await call({ session, at: days[1]!.start, cost: 4 });
    await call({ session, at: days[1]!.end - 1, cost: null });
    await call({ session, at: days[2]!.start, cost: 8 });
    await call({ session, at: days[3]!.end, cost: 1000 });
    await call({ session, at: days[0]!.start - 1, cost: 1000 });

    const rows = costs.byDay(days);
    assert.deepEqual(
      rows.map((row) => [row.start, row.calls, row.costMicroUsd, row.unknownCostCalls]),
      [
        [days[0]!.start, 2, 3, 0],
        [days[1]!.start, 2, 4, 1],
        [days[2]!.start, 1, 8, 0],
        [days[3]!.start, 0, 0, 0],
      ],
    );
    assert.deepEqual(
      costs.byDay([...days].reverse()).map((row) => row.costMicroUsd),
      [0, 8, 4, 3],
      'one row per range, in the order given',
    );
    for (const [index, day] of days.entries()) {
      const { start, end, ...sums } = rows[index]!;
      assert.deepEqual(sums, costs.spendBetween(day), `day ${index} agrees with spendBetween`);
      assert.equal(end, day.end);
      assert.equal(start, day.start);
    }
    assert.deepEqual(costs.byDay([]), []);
  });

  it('uses the partial index of call events for today\'s spend (the status bar asks on every call)', () => {
    assert.deepEqual([...CALL_END_TYPES], [...INDEXED_CALL_TYPES], 'a new call type needs a migration that recreates the index');
    const plan = store.read((sql) =>
      sql.all<{ detail: string }>(
        `EXPLAIN QUERY PLAN SELECT count(*) FROM events WHERE type IN (${CALL_END_TYPES.map((t) => `'${t}'`).join(', ')}) AND started_at >= 0 AND started_at < 1`,
      ),
    );
    assert.ok(plan.some((row) => row.detail.includes('events_calls_by_time')), JSON.stringify(plan));
  });

  it('takes more ranges than SQLite binds in one statement', async () => {
    const session = await sessions.create();
    const start = Date.UTC(2024, 0, 1);
    const days = Array.from({ length: 400 }, (_, i) => ({ start: start + i * 24 * HOUR, end: start + (i + 1) * 24 * HOUR }));
    await call({ session, at: days[0]!.start, cost: 1 });
    await call({ session, at: days[399]!.start + HOUR, cost: 2 });
    const rows = costs.byDay(days);
    assert.equal(rows.length, 400);
    assert.deepEqual([rows[0]!.costMicroUsd, rows[399]!.costMicroUsd, rows.reduce((sum, row) => sum + row.calls, 0)], [1, 2, 2]);
  });

  it('answers each roll-up over 100,000 events quickly', async function () {
    this.timeout(60_000);
    const seeded = await seedLoad(store, sessions, 100_000);
    const today = { start: seeded.end - 24 * HOUR, end: seeded.end };
    const month = { start: seeded.end - 30 * 24 * HOUR, end: seeded.end };
    const days = Array.from({ length: 30 }, (_, i) => ({ start: month.start + i * 24 * HOUR, end: month.start + (i + 1) * 24 * HOUR }));
    const timings: Record<string, number> = {};
    const time = <T>(name: string, fn: () => T): T => {
      fn(); // warm: the first statement compiles the query plan
      const started = performance.now();
      const result = fn();
      timings[name] = Math.round((performance.now() - started) * 10) / 10;
      return result;
    };
    const all = time('spendBetween(all)', () => costs.spendBetween({ start: 0, end: seeded.end }));
    assert.equal(all.calls, seeded.calls);
    time('spendBetween(today)', () => costs.spendBetween(today));
    time('byDay(30 days)', () => costs.byDay(days));
    time('bySession(30 days, top 10)', () => costs.bySession(month, { limit: 10 }));
    time('byAgent(30 days)', () => costs.byAgent(month));
    time('byModel(30 days)', () => costs.byModel(month));
    time('byModel(all)', () => costs.byModel());
    if (process.env.COST_TIMINGS) {
      console.log(`    ${seeded.events} events, ${seeded.calls} calls: ${JSON.stringify(timings)}`);
    }
    for (const [name, ms] of Object.entries(timings)) {
      assert.ok(ms < 2000, `${name} took ${ms} ms`);
    }
  });
});

/**
 * A large history written straight in SQL (recursive CTEs, a few statements): 50 sessions, 2 agents, and per
 * call a request, an ending event (one in ten failed, one in eight without a price) and a message event, spread
 * over 60 days. Returns how many events and calls, and the end of the span.
 */
async function seedLoad(store: MemoryStore, sessions: SessionsRepository, total: number): Promise<{ events: number; calls: number; end: number }> {
  const ids: string[] = [];
  for (let i = 0; i < 50; i++) {
    ids.push((await sessions.create({ title: `s${i}` })).id);
  }
  const agentsRepo = new AgentsRepository(store, new ManualClock());
  const agentIds = [
    (await agentsRepo.create({ name: 'A', provider: 'openai', model: 'gpt-x' })).id,
    (await agentsRepo.create({ name: 'B', provider: 'anthropic', model: 'claude-x' })).id,
  ];
  const calls = Math.floor(total / 3);
  const end = Date.UTC(2025, 5, 1);
  const span = 60 * 24 * HOUR;
  await store.write((sql) => {
    const sessionList = ids.map((id) => `'${id}'`).join(', ');
    sql.run(`CREATE TEMP TABLE load_sessions (i INTEGER PRIMARY KEY, id TEXT)`);
    sql.run(`INSERT INTO load_sessions (i, id) SELECT key, value FROM json_each(json_array(${sessionList}))`);
    sql.run(
      `WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < ?)
       INSERT INTO events (id, session_id, type, started_at, model, payload, text)
       SELECT 'req' || i, (SELECT id FROM load_sessions WHERE load_sessions.i = n.i % 50), 'llm.request.started',
         CAST(? + (i * ?) / ? AS INTEGER), CASE i % 3 WHEN 0 THEN 'gpt-x' WHEN 1 THEN 'claude-x' ELSE 'local' END,
         json_object('provider', CASE i % 3 WHEN 0 THEN 'openai' WHEN 1 THEN 'anthropic' ELSE 'ollama' END,
           'agentId', CASE i % 2 WHEN 0 THEN ? ELSE ? END), ''
       FROM n`,
      [calls - 1, end - span, span, calls, agentIds[0]!, agentIds[1]!],
    );
    sql.run(
      `INSERT INTO events (id, session_id, parent_event_id, type, started_at, ended_at, tokens_in, tokens_out, tokens_cache_read,
         cost_micro_usd, model, payload, text)
       SELECT 'end' || substr(id, 4), session_id, id, CASE WHEN seq % 10 = 0 THEN 'llm.error' ELSE 'llm.response.completed' END,
         started_at, started_at + 900, 1000 + seq % 500, 200 + seq % 50, seq % 7 * 100,
         CASE WHEN seq % 8 = 0 THEN NULL ELSE 500 + seq % 1000 END, model, '{}', ''
       FROM events WHERE type = 'llm.request.started'`,
    );
    sql.run(
      `INSERT INTO events (id, session_id, type, started_at, model, payload, text)
       SELECT 'msg' || substr(id, 4), session_id, 'message.assistant', started_at + 900, model, '{}', ''
       FROM events WHERE type = 'llm.request.started'`,
    );
    sql.run('DROP TABLE load_sessions');
  });
  const events = store.read((sql) => sql.get<{ n: number }>('SELECT count(*) AS n FROM events')!.n);
  return { events, calls, end };
}
