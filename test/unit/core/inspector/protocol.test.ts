import * as assert from 'node:assert/strict';
import { InspectorController } from '../../../../src/core/inspector/inspectorController';
import { MemoryInspectorSource } from '../../../../src/core/inspector/memorySource';
import { EventsRepository } from '../../../../src/db/repositories/events';
import { SessionsRepository } from '../../../../src/db/repositories/sessions';
import { createDispatcher } from '../../../../src/protocol/dispatcher';
import { inspectorRequests } from '../../../../src/protocol/inspector';
import { openMemoryStore } from '../../db/support/memoryStore';
import { seedClock, seedSession } from './seedEvents';

/** Every message from the Inspector's webview is untrusted: bounded by the schema before any handler runs. */

describe('inspector protocol', () => {
  let dispatch: (raw: unknown) => Promise<unknown>;
  const errors: string[] = [];

  before(async () => {
    const store = await openMemoryStore();
    const session = await new SessionsRepository(store, seedClock).create();
    await seedSession(store, { sessionId: session.id, events: 50 });
    const source = new MemoryInspectorSource('T', new EventsRepository(store, seedClock).list({ sessionId: session.id }));
    const controller = new InspectorController(source, { kind: 'imported' });
    dispatch = createDispatcher('Inspector (test)', inspectorRequests, controller.handlers, { error: (m) => errors.push(m), trace: () => undefined });
    store.close();
  });

  const request = (method: string, params: unknown) => dispatch({ kind: 'request', id: 1, method, params });
  const codeOf = (outcome: unknown) => (outcome as { message?: { error?: { code: string } } }).message?.error?.code;
  const filter = { text: '', types: [] };

  it('answers valid requests', async () => {
    const outcome = (await request('inspector/rows', { filter, start: 0, count: 10 })) as { message: { kind: string; result: { rows: unknown[] } } };
    assert.equal(outcome.message.kind, 'response');
    assert.equal(outcome.message.result.rows.length, 10);
  });

  for (const [what, method, params] of [
    ['a page too large', 'inspector/rows', { filter, start: 0, count: 100_000 }],
    ['a negative start', 'inspector/rows', { filter, start: -1, count: 10 }],
    ['a fractional start', 'inspector/rows', { filter, start: 1.5, count: 10 }],
    ['a huge filter text', 'inspector/query', { filter: { text: 'x'.repeat(10_000), types: [] } }],
    ['a malformed event type', 'inspector/query', { filter: { text: '', types: ['<script>'] } }],
    ['too many types', 'inspector/query', { filter: { text: '', types: Array.from({ length: 51 }, (_, i) => `a.t${i}`) } }],
    ['an extra member', 'inspector/query', { filter: { ...filter, sql: 'DROP TABLE events' } }],
    ['a path as an event id', 'inspector/detail', { eventId: '../../etc/passwd' }],
    ['a 10 MB event id', 'inspector/detail', { eventId: 'a'.repeat(10_000_000) }],
    ['too many selection ranges', 'inspector/totals', { filter, selection: { ranges: Array.from({ length: 501 }, () => ({ start: 0, end: 1 })), turns: [], ids: [] } }],
    ['a string as an index', 'inspector/totals', { filter, selection: { ranges: [{ start: '0', end: 1 }], turns: [], ids: [] } }],
  ] as const) {
    it(`refuses ${what}`, async () => {
      assert.equal(codeOf(await request(method, params)), 'invalid_request');
    });
  }

  it('refuses methods it does not have, prototype names included', async () => {
    for (const method of ['inspector/replay', '__proto__', 'constructor', 'toString']) {
      assert.equal(codeOf(await request(method, {})), 'unknown_method', method);
    }
  });
});
