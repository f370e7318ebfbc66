import * as assert from 'node:assert/strict';
import { InspectorController } from '../../../../src/core/inspector/inspectorController';
import { MemoryInspectorSource } from '../../../../src/core/inspector/memorySource';
import { StoreInspectorSource } from '../../../../src/core/inspector/storeSource';
import { describeCost } from '../../../../src/core/inspector/totals';
import { EventsRepository, type StudioEvent } from '../../../../src/db/repositories/events';
import { MessagesRepository } from '../../../../src/db/repositories/messages';
import { SessionsRepository, type Session } from '../../../../src/db/repositories/sessions';
import type { StorePort } from '../../../../src/db/repositories/storePort';
import type { InspectorFilter, InspectorRow, InspectorSelection } from '../../../../src/protocol/inspector';
import { openMemoryStore, type MemoryStore } from '../../db/support/memoryStore';
import { SEED_START, seedClock, seedSession } from './seedEvents';

/**
 * The Inspector's timeline model over a real sql.js store: rows, turns, totals (unknown cost stays unknown),
 * filters, paging, selection, live appends, and the same answers from the in-memory source an imported trace uses.
 */

const ALL: InspectorFilter = { text: '', types: [] };
const noSelection: InspectorSelection = { ranges: [], turns: [], ids: [] };

describe('inspector timeline model', () => {
  let store: MemoryStore;
  let session: Session;
  let events: StudioEvent[];
  let source: StoreInspectorSource;

  beforeEach(async () => {
    store = await openMemoryStore();
    session = await new SessionsRepository(store, seedClock).create({ title: 'Model' });
    // 30 turns: each has a question, a request, a response or an error, a reply; every 5th a tool call.
    events = await seedSession(store, { sessionId: session.id, events: 120 });
    source = new StoreInspectorSource({ store, scope: { sessionId: session.id }, title: 'Model' });
  });
  afterEach(() => {
    source.dispose();
    store.close();
  });

  it('turns every event into a row: label, turn, offsets, duration, time to first token, tokens, cost, status', () => {
    const rows = source.rows(ALL, 0, 5);
    assert.deepEqual(
      rows.map((r) => [r.index, r.type, r.label, r.turn, r.turnHead, r.status]),
      [
        [0, 'message.user', 'User message', 1, true, 'ok'],
        [1, 'llm.request.started', 'chat gpt-4o', 1, false, 'ok'],
        [2, 'llm.response.completed', 'chat gpt-4o', 1, false, 'ok'],
        [3, 'message.assistant', 'Assistant message', 1, false, 'ok'],
        [4, 'message.user', 'User message', 2, true, 'ok'],
      ],
    );
    const call = rows[2]!;
    const recorded = events[2]!;
    assert.equal(call.offsetMs, 0);
    assert.equal(call.durationMs, recorded.durationMs);
    assert.equal(call.ttftMs, (recorded.payload as { timeToFirstTokenMs: number }).timeToFirstTokenMs);
    assert.deepEqual(call.tokens, recorded.tokens);
    assert.equal(call.promptTokens, 1010);
    assert.equal(call.costMicroUsd, recorded.costMicroUsd);
    assert.equal(call.parentEventId, rows[1]!.id);
    // The turn's bar scale: first start to the reply's end.
    assert.equal(call.turnSpanMs, recorded.durationMs);
    assert.equal(rows[3]!.turnOffsetMs, recorded.durationMs);
    assert.equal(rows[4]!.offsetMs, events[4]!.startedAt - SEED_START);
  });

  it('marks failed, stopped and unpriced calls as such, with the error text', () => {
    const rows = source.rows(ALL, 0, source.count(ALL));
    const failed = rows.find((r) => r.type === 'llm.error' && r.status === 'error')!;
    assert.equal(failed.label, 'chat gpt-4o failed');
    assert.equal(failed.error, 'rate_limit: Rate limited: try again in 20 s.');
    const stopped = rows.find((r) => r.type === 'llm.error' && r.status === 'cancelled');
    assert.equal(stopped?.turn, 22);
    const tool = rows.find((r) => r.type === 'tool.call.completed' && r.turn === 10)!;
    assert.equal(tool.label, 'execute_tool read_file');
    assert.equal(tool.status, 'error');
    const unpriced = rows.find((r) => r.type === 'llm.response.completed' && r.turn === 7)!;
    assert.equal(unpriced.costMicroUsd, null);
  });

  it('says a request is running until its response is recorded, and where the list changed after', async () => {
    const repo = new EventsRepository(store, seedClock);
    const at = SEED_START + 10_000_000;
    await repo.append({ type: 'message.user', sessionId: session.id, startedAt: at });
    const request = await repo.append({ type: 'llm.request.started', sessionId: session.id, startedAt: at, model: 'gpt-4o', payload: {} });
    assert.ok(source.check());
    const count = source.count(ALL);
    assert.equal(source.rows(ALL, count - 1, 1)[0]!.status, 'running');
    assert.equal(source.check(), undefined, 'nothing new');
    await repo.append({
      type: 'llm.response.completed',
      sessionId: session.id,
      parentEventId: request.id,
      startedAt: at,
      endedAt: at + 900,
      model: 'gpt-4o',
      tokens: { input: 10, output: 5 },
      costMicroUsd: 42,
      payload: { timeToFirstTokenMs: 300 },
    });
    const change = source.check()!;
    // The response sorts right after its request; the request's row changed too (now answered).
    assert.equal(change.fromIndex(ALL), count - 1);
    assert.equal(change.fromIndex({ text: '', types: ['llm.response.completed'] }), source.count({ text: '', types: ['llm.response.completed'] }) - 1);
    const [requestRow, responseRow] = source.rows(ALL, count - 1, 2);
    assert.equal(requestRow!.status, 'ok');
    assert.equal(responseRow!.turnSpanMs, 900);
    assert.equal(source.total(), count + 1);
  });

  it('sums the whole session exactly, keeping unknown cost apart from the known', () => {
    const totals = source.totals(ALL);
    const calls = events.filter((e) => e.type === 'llm.response.completed' || e.type === 'llm.error');
    assert.equal(totals.events, events.length);
    assert.equal(totals.calls, calls.length);
    assert.equal(totals.toolCalls, events.filter((e) => e.type === 'tool.call.completed').length);
    const toolErrors = events.filter((e) => e.type === 'tool.call.completed' && (e.payload as { isError?: boolean }).isError === true).length;
    assert.ok(toolErrors > 0);
    assert.equal(totals.errors, events.filter((e) => e.type === 'llm.error').length + toolErrors);
    assert.equal(totals.tokens.input, events.reduce((sum, e) => sum + (e.tokens.input ?? 0), 0));
    assert.equal(totals.tokens.cacheRead, events.reduce((sum, e) => sum + (e.tokens.cacheRead ?? 0), 0));
    assert.equal(totals.tokens.reasoning, events.reduce((sum, e) => sum + (e.tokens.reasoning ?? 0), 0));
    assert.equal(totals.costMicroUsd, events.reduce((sum, e) => sum + (e.costMicroUsd ?? 0), 0));
    assert.equal(totals.unknownCostCalls, calls.filter((e) => e.costMicroUsd === null).length);
    assert.ok(totals.unknownCostCalls > 0);
    assert.equal(totals.startedAt, SEED_START);
    assert.equal(totals.wallMs, Math.max(...events.map((e) => e.endedAt ?? e.startedAt)) - SEED_START);
    assert.match(describeCost(totals), /^\$\d.* \+ \d+ unknown$/);
  });

  it('never shows unpriced calls as $0: all unknown reads "cost unknown"', () => {
    const unpriced = source.totals({ text: '', types: ['llm.error'] });
    assert.equal(unpriced.costMicroUsd, 0);
    assert.equal(unpriced.unknownCostCalls, unpriced.calls);
    assert.equal(describeCost(unpriced), 'cost unknown');
    const none = source.totals({ text: '', types: ['message.user'] });
    assert.equal(none.calls, 0);
  });

  it('filters by type and by text on the host: a new row set and its own count and totals', () => {
    const errors = { text: '', types: ['llm.error'] };
    assert.equal(source.count(errors), events.filter((e) => e.type === 'llm.error').length);
    assert.ok(source.rows(errors, 0, 100).every((r) => r.type === 'llm.error'));
    assert.deepEqual(
      source.rows(errors, 0, 100).map((r) => r.index),
      [...Array(source.count(errors)).keys()],
    );
    const claude = { text: 'CLAUDE', types: [] };
    const claudeRows = source.rows(claude, 0, 500);
    assert.ok(claudeRows.length > 0 && claudeRows.every((r) => r.model === 'claude-sonnet-4-5'));
    assert.equal(source.count(claude), claudeRows.length);
    const rateLimits = { text: 'rate limited', types: ['llm.error'] };
    assert.ok(source.rows(rateLimits, 0, 100).every((r) => r.status === 'error'));
    assert.equal(source.totals(rateLimits).events, source.count(rateLimits));
    assert.equal(source.count({ text: 'no such text anywhere', types: [] }), 0);
    // LIKE wildcards are plain text here.
    assert.equal(source.count({ text: '%', types: [] }), 0);
  });

  it('pages through the list in order without gaps or overlaps', () => {
    const all = store.read((sql) => sql.all<{ id: string }>('SELECT id FROM events WHERE session_id = ? ORDER BY started_at, seq', [session.id])).map((r) => r.id);
    const paged: string[] = [];
    for (let start = 0; start < all.length; start += 7) {
      paged.push(...source.rows(ALL, start, 7).map((r) => r.id));
    }
    assert.deepEqual(paged, all);
    assert.deepEqual(source.rows(ALL, all.length, 10), []);
  });

  it('totals a selection: index ranges, whole turns and ids, each row once', () => {
    const rows = source.rows(ALL, 0, source.count(ALL));
    const sumOf = (picked: InspectorRow[]) => picked.reduce((sum, r) => sum + (r.tokens.output ?? 0), 0);
    const ranges = source.totals(ALL, { ...noSelection, ranges: [{ start: 2, end: 10 }, { start: 5, end: 12 }] });
    assert.equal(ranges.events, 10);
    assert.equal(ranges.tokens.output, sumOf(rows.slice(2, 12)));
    const turn = source.totals(ALL, { ...noSelection, turns: [5] });
    assert.equal(turn.events, rows.filter((r) => r.turn === 5).length);
    assert.equal(turn.toolCalls, 1);
    const both = source.totals(ALL, { ranges: [{ start: 0, end: 2 }], turns: [1], ids: [rows[0]!.id, rows[40]!.id] });
    assert.equal(both.events, rows.filter((r) => r.turn === 1).length + 1);
    // Under a filter, indexes are the filtered list's.
    const calls = { text: '', types: ['llm.response.completed'] };
    const filtered = source.totals(calls, { ...noSelection, ranges: [{ start: 0, end: 3 }] });
    assert.equal(filtered.calls, 3);
  });

  it('reads only the rows of a page, not the session', async () => {
    const big = await openMemoryStore();
    try {
      const bigSession = await new SessionsRepository(big, seedClock).create();
      await seedSession(big, { sessionId: bigSession.id, events: 5000 });
      let rowsRead = 0;
      const counting: StorePort = {
        read: (fn) =>
          big.read((sql) =>
            fn({
              all: (text, params) => {
                const result = sql.all(text, params);
                rowsRead += result.length;
                return result as never;
              },
              get: (text, params) => sql.get(text, params),
            }),
          ),
        write: (fn) => big.write(fn),
        maintain: (fn) => big.maintain(fn),
      };
      const paged = new StoreInspectorSource({ store: counting, scope: { sessionId: bigSession.id }, title: 'Big' });
      assert.ok(rowsRead <= 5, `opening read ${rowsRead} rows`);
      rowsRead = 0;
      const page = paged.rows(ALL, 3000, 100);
      assert.equal(page.length, 100);
      assert.equal(page[0]!.index, 3000);
      // Its rows, its requests' responses, and the key of each question before it (to number the turns).
      assert.ok(rowsRead <= 100 + 30 + 3100 / 4 + 10, `the first page read ${rowsRead} rows`);
      rowsRead = 0;
      const next = paged.rows(ALL, 3100, 100);
      assert.equal(next[0]!.index, 3100);
      assert.ok(rowsRead <= 160, `the next page read ${rowsRead} rows`);
      assert.equal(next[0]!.turn, page.at(-1)!.turn + (next[0]!.turnHead ? 1 : 0));
    } finally {
      big.close();
    }
  });

  it('locates an event by its id or by its message (the chat reply’s Inspect button), under a filter', async () => {
    const messages = new MessagesRepository(store, seedClock);
    const reply = await messages.append(session.id, null, { role: 'assistant', content: [{ type: 'text', text: 'hi' }] });
    const repo = new EventsRepository(store, seedClock);
    const at = SEED_START + 20_000_000;
    const request = await repo.append({ type: 'llm.request.started', sessionId: session.id, messageId: reply.id, startedAt: at, model: 'gpt-4o' });
    const response = await repo.append({ type: 'llm.response.completed', sessionId: session.id, messageId: reply.id, parentEventId: request.id, startedAt: at, endedAt: at + 5, model: 'gpt-4o' });
    source.check();
    const count = source.count(ALL);
    assert.deepEqual(source.locate(ALL, request.id), { eventId: request.id, index: count - 2 });
    assert.deepEqual(source.locate(ALL, reply.id), { eventId: response.id, index: count - 1 });
    const responses = { text: '', types: ['llm.response.completed'] };
    assert.deepEqual(source.locate(responses, reply.id), { eventId: response.id, index: source.count(responses) - 1 });
    assert.equal(source.locate(responses, request.id), undefined, 'filtered out');
    assert.equal(source.locate(ALL, '01JZZZZZZZZZZZZZZZZZZZZZZZ'), undefined);
    const detail = new StoreInspectorSource({ store, scope: { sessionId: session.id }, title: 'x', messages }).detail(response.id)!;
    assert.deepEqual(
      detail.sections.map((s) => s.name),
      ['Request', 'Response', 'Message'],
    );
    assert.match(detail.sections[2]!.json, /"text": "hi"/);
  });

  it('answers exactly like the in-memory source an imported trace uses', () => {
    const stored = new EventsRepository(store, seedClock).list({ sessionId: session.id });
    const memory = new MemoryInspectorSource('Imported', stored);
    const filters: InspectorFilter[] = [ALL, { text: '', types: ['llm.error', 'tool.call.completed'] }, { text: 'gpt', types: [] }, { text: 'READ_FILE', types: [] }];
    for (const filter of filters) {
      assert.equal(memory.count(filter), source.count(filter), JSON.stringify(filter));
      assert.deepEqual(memory.rows(filter, 0, 1000), source.rows(filter, 0, 1000), JSON.stringify(filter));
      assert.deepEqual(memory.totals(filter), source.totals(filter), JSON.stringify(filter));
      const selection = { ranges: [{ start: 1, end: 4 }], turns: [2, 3], ids: [] };
      assert.deepEqual(memory.totals(filter, selection), source.totals(filter, selection), JSON.stringify(filter));
    }
    assert.deepEqual(memory.types(), source.types());
    assert.equal(memory.live, false);
  });

  it('tells its listener about appends, at most once per throttle window', async () => {
    const listeners = new Set<(tables: readonly string[]) => void>();
    const live = new StoreInspectorSource({
      store,
      scope: { sessionId: session.id },
      title: 'Live',
      throttleMs: 30,
      changes: (listener) => {
        listeners.add(listener);
        return { dispose: () => listeners.delete(listener) };
      },
    });
    const heard: number[] = [];
    const done = new Promise<void>((resolve) => {
      live.onDidAppend((change) => {
        heard.push(change.fromIndex(ALL));
        resolve();
      });
    });
    const repo = new EventsRepository(store, seedClock);
    const before = live.count(ALL);
    for (let i = 0; i < 5; i++) {
      await repo.append({ type: 'message.user', sessionId: session.id, startedAt: SEED_START + 30_000_000 + i });
      listeners.forEach((listener) => listener(['events']));
    }
    listeners.forEach((listener) => listener(['sessions']));
    await done;
    assert.deepEqual(heard, [before]);
    assert.equal(live.count(ALL), before + 5);
    assert.equal(live.totals(ALL).events, before + 5);
    live.dispose();
    assert.equal(listeners.size, 0);
  });

  it('keeps its sums in step with appends instead of summing again', async () => {
    const text = { text: 'rate', types: [] };
    const before = { all: source.totals(ALL), text: source.totals(text), types: source.types() };
    const repo = new EventsRepository(store, seedClock);
    await repo.append({ type: 'llm.error', sessionId: session.id, startedAt: SEED_START + 40_000_000, model: 'gpt-4o', payload: { kind: 'rate_limit', message: 'Rate limited again' } });
    source.check();
    const after = source.totals(ALL);
    assert.equal(after.events, before.all.events + 1);
    assert.equal(after.errors, before.all.errors + 1);
    assert.equal(after.unknownCostCalls, before.all.unknownCostCalls + 1);
    assert.equal(source.totals(text).events, before.text.events + 1);
    const fresh = new StoreInspectorSource({ store, scope: { sessionId: session.id }, title: 'fresh' });
    assert.deepEqual(source.totals(ALL), fresh.totals(ALL));
    assert.deepEqual(source.totals(text), fresh.totals(text));
    assert.deepEqual(source.types(), fresh.types());
  });
});

describe('inspector controller', () => {
  let store: MemoryStore;
  let session: Session;
  beforeEach(async () => {
    store = await openMemoryStore();
    session = await new SessionsRepository(store, seedClock).create();
    await seedSession(store, { sessionId: session.id, events: 400 });
  });
  afterEach(() => store.close());

  it('sends counts and the first page, never every event; totals follow, summed in steps', async () => {
    const source = new StoreInspectorSource({ store, scope: { sessionId: session.id }, title: 'C' });
    const controller = new InspectorController(source, { kind: 'session', sessionId: session.id });
    const snapshot = controller.snapshot();
    assert.equal(snapshot.total, source.total());
    assert.equal(snapshot.view.count, source.total());
    assert.equal(snapshot.view.head.start, 0);
    assert.equal(snapshot.view.head.rows.length, 100);
    assert.deepEqual(snapshot.view.tail.rows, [], 'the end of a long list comes when the panel goes there');
    assert.equal(snapshot.totals, null, 'a store source sums on demand: the first paint does not wait for it');
    assert.equal(controller.figuresPending, true);
    const figures = await controller.figures();
    assert.equal(figures.method, 'inspector/changed');
    if (figures.method === 'inspector/changed') {
      assert.equal(figures.params.totals?.events, source.total());
      assert.equal(figures.params.from, source.total(), 'no row changed');
    }
    assert.notEqual(controller.snapshot().totals, null);
  });

  it('sums a long session in steps, counting what is appended meanwhile exactly once', async () => {
    const source = new StoreInspectorSource({ store, scope: { sessionId: session.id }, title: 'C', chunkSize: 37 });
    const repo = new EventsRepository(store, seedClock);
    const preparing = source.prepareTotals();
    assert.equal(source.totalsReady(), false);
    // Between two steps: an append (at the end) and one that sorts early (a response to an old request).
    await new Promise((resolve) => setTimeout(resolve, 0));
    await repo.append({ type: 'llm.response.completed', sessionId: session.id, startedAt: SEED_START + 1, endedAt: SEED_START + 2, model: 'gpt-4o', tokens: { output: 7 }, costMicroUsd: 70 });
    await repo.append({ type: 'message.user', sessionId: session.id, startedAt: SEED_START + 60_000_000 });
    const change = source.check();
    assert.ok(change);
    const during = new InspectorController(source, { kind: 'session', sessionId: session.id }).changed(change);
    if (during.method === 'inspector/changed') {
      assert.equal(during.params.totals, null, 'the rows change; the sums follow');
      assert.equal(during.params.count, source.total());
    }
    await preparing;
    assert.equal(source.totalsReady(), true);
    const fresh = new StoreInspectorSource({ store, scope: { sessionId: session.id }, title: 'fresh' });
    assert.deepEqual(source.totals(ALL), fresh.totals(ALL));
    assert.deepEqual(source.types(), fresh.types());
  });

  it('remembers the filter for the next snapshot, and focuses an event (dropping a filter that hides it)', async () => {
    const source = new StoreInspectorSource({ store, scope: { sessionId: session.id }, title: 'C' });
    const request = source.rows({ text: '', types: ['llm.request.started'] }, 3, 1)[0]!;
    const controller = new InspectorController(source, { kind: 'session', sessionId: session.id }, request.id);
    const first = controller.snapshot();
    assert.deepEqual(first.focus, { eventId: request.id, index: source.locate(ALL, request.id)!.index });
    const errors = { text: '', types: ['llm.error'] };
    const view = await controller.handlers['inspector/query']({ filter: errors });
    assert.equal(view.count, source.count(errors));
    assert.deepEqual(controller.snapshot().view.filter, errors);
    assert.equal(controller.snapshot().focus, null);
    const focus = controller.focusOn(request.id);
    assert.equal(focus?.method, 'inspector/focus');
    if (focus?.method === 'inspector/focus') {
      assert.deepEqual(focus.params.filter, ALL);
    }
    assert.deepEqual(controller.currentFilter, ALL);
  });

  it('answers rows, detail, totals and locate for a panel', async () => {
    const source = new MemoryInspectorSource('Trace', new EventsRepository(store, seedClock).list({ sessionId: session.id }));
    const controller = new InspectorController(source, { kind: 'imported' });
    const snapshot = controller.snapshot();
    assert.notEqual(snapshot.totals, null, 'an in-memory source has its totals at hand');
    assert.equal(snapshot.live, false);
    const page = await controller.handlers['inspector/rows']({ filter: ALL, start: 200, count: 50 });
    assert.equal(page.rows[0]!.index, 200);
    assert.equal(page.count, source.total());
    const detail = await controller.handlers['inspector/detail']({ eventId: page.rows[0]!.id });
    assert.equal(detail?.eventId, page.rows[0]!.id);
    assert.equal(await controller.handlers['inspector/detail']({ eventId: 'missing' }), null);
    const totals = await controller.handlers['inspector/totals']({ filter: ALL, selection: { ranges: [{ start: 0, end: 4 }], turns: [], ids: [] } });
    assert.equal(totals.events, 4);
    assert.deepEqual(await controller.handlers['inspector/locate']({ filter: ALL, eventId: page.rows[0]!.id }), { index: 200 });
  });
});
