import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { CommandIds } from '../../src/commands/ids';
import type { TestApi } from '../../src/composition';
import { EventsRepository, type StudioEvent } from '../../src/db/repositories/events';
import { SessionsRepository, type Session } from '../../src/db/repositories/sessions';
import type { InspectorDetail, InspectorPage, InspectorTotals, InspectorView } from '../../src/protocol/inspector';
import { SEED_START, seedClock, seedSession } from '../unit/core/inspector/seedEvents';
import { activateStudio, waitForEvent } from './support';

/**
 * The Inspector in a real extension host: opened by its command on a session with seeded events (its real webview
 * loads and says ready), answering its requests as its webview's are answered (validated first), following events
 * appended to the store, focusing an event when opened again, opening an imported trace, and closing with its
 * session.
 */

const ALL = { text: '', types: [] };

describe('the Inspector panel in a real extension host', function () {
  this.timeout(90_000);
  let api: TestApi;
  let session: Session;
  let events: StudioEvent[];
  let key: string;
  const request = <T>(method: string, params: unknown) => api.sessions.inspector.request(key, method, params) as Promise<T>;

  before(async () => {
    api = await activateStudio();
    const store = await api.store;
    session = await new SessionsRepository(store, seedClock).create({ title: `Inspected ${Date.now().toString(36)}` });
    events = await seedSession(store, { sessionId: session.id, events: 600 });
    key = `session:${session.id}`;
  });

  after(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('opens from its command on a session: the real webview loads, says ready and gets its snapshot', async () => {
    const ready = waitForEvent(api.onPanelTraffic, (t) => t.panel === 'Inspector' && t.direction === 'fromPanel' && t.kind === 'ready', 'the Inspector webview to say ready');
    const snapshotSent = waitForEvent(api.onPanelTraffic, (t) => t.panel === 'Inspector' && t.direction === 'toPanel' && t.kind === 'snapshot', 'the snapshot to reach the webview');
    await vscode.commands.executeCommand(CommandIds.openInspector, { sessionId: session.id });
    await ready;
    await snapshotSent;
    assert.ok(api.sessions.inspector.openPanels().includes(key));
    const tab = vscode.window.tabGroups.all.flatMap((group) => group.tabs).find((t) => t.label === `Inspector: ${session.title}`);
    assert.ok(tab, 'a tab named after the session');
    const snapshot = api.sessions.inspector.snapshot(key);
    assert.equal(snapshot.total, events.length);
    assert.equal(snapshot.view.head.rows[0]!.type, 'message.user');
    assert.deepEqual(snapshot.scope, { kind: 'session', sessionId: session.id });
  });

  it('answers rows, detail, totals and locate; filters on the host', async () => {
    const page = await request<InspectorPage & { count: number }>('inspector/rows', { filter: ALL, start: 300, count: 100 });
    assert.equal(page.count, events.length);
    assert.deepEqual(
      page.rows.map((row) => row.index),
      Array.from({ length: 100 }, (_, i) => 300 + i),
    );
    const call = page.rows.find((row) => row.type === 'llm.response.completed')!;
    const detail = await request<InspectorDetail>('inspector/detail', { eventId: call.id });
    assert.deepEqual(
      detail.sections.map((s) => s.name),
      ['Request', 'Response'],
    );
    const totals = await request<InspectorTotals>('inspector/totals', { filter: ALL, selection: { ranges: [{ start: 0, end: 4 }], turns: [], ids: [] } });
    assert.equal(totals.events, 4);
    assert.equal(totals.calls, 1);
    assert.deepEqual(await request('inspector/locate', { filter: ALL, eventId: call.id }), { index: call.index });
    const errors = await request<InspectorView>('inspector/query', { filter: { text: '', types: ['llm.error'] } });
    assert.equal(errors.count, events.filter((e) => e.type === 'llm.error').length);
    assert.ok(errors.head.rows.every((row) => row.type === 'llm.error'));
    assert.equal(errors.totals?.costMicroUsd, 0);
    assert.equal(errors.totals?.unknownCostCalls, errors.count, 'unpriced calls are counted as unknown, not as $0');
    // The filter is the panel's now: a reload gets it back.
    assert.deepEqual(api.sessions.inspector.snapshot(key).view.filter, { text: '', types: ['llm.error'] });
    await request('inspector/query', { filter: ALL });
  });

  it('refuses malformed and hostile requests before any handler runs', async () => {
    await assert.rejects(request('inspector/rows', { filter: ALL, start: 0, count: 1_000_000 }), /invalid_request/);
    await assert.rejects(request('inspector/detail', { eventId: '../../secrets' }), /invalid_request/);
    await assert.rejects(request('inspector/query', { filter: { text: 'x'.repeat(5000), types: [] } }), /invalid_request/);
    await assert.rejects(request('__proto__', {}), /unknown_method/);
    assert.equal(await request('inspector/detail', { eventId: '01JZZZZZZZZZZZZZZZZZZZZZZZ' }), null);
  });

  it('follows events appended to the session: the panel is told the new count', async () => {
    const store = await api.store;
    const changed = waitForEvent(api.onPanelTraffic, (t) => t.panel === 'Inspector' && t.direction === 'toPanel' && t.kind === 'event', 'a live update to reach the Inspector');
    const repo = new EventsRepository(store, seedClock);
    const at = SEED_START + 90_000_000;
    // One transaction, as the chat loop writes a turn's start: one change notice.
    await store.write((sql) => {
      const writes = repo.within(sql);
      writes.append({ type: 'message.user', sessionId: session.id, startedAt: at });
      writes.append({ type: 'llm.request.started', sessionId: session.id, startedAt: at, model: 'gpt-4o', payload: {} });
    });
    await changed;
    // The update that arrives first may be an earlier one (the opening's totals, summed in the background): the
    // panel is told of our two events by a later one at the latest, within the live updates' pacing.
    let page: InspectorPage & { count: number };
    for (;;) {
      // Subscribed before asking, so an update between the answer and the wait is not missed.
      const next = waitForEvent(api.onPanelTraffic, (t) => t.panel === 'Inspector' && t.direction === 'toPanel' && t.kind === 'event', 'the live update with the appended events');
      next.catch(() => undefined);
      page = await request<InspectorPage & { count: number }>('inspector/rows', { filter: ALL, start: events.length, count: 10 });
      if (page.count === events.length + 2) {
        break;
      }
      await next;
    }
    assert.equal(page.count, events.length + 2);
    assert.deepEqual(
      page.rows.map((row) => [row.type, row.status]),
      [
        ['message.user', 'ok'],
        ['llm.request.started', 'running'],
      ],
    );
  });

  it('opened again on an event, reveals the same panel focused on it', async () => {
    const target = events[450]!;
    await vscode.commands.executeCommand(CommandIds.openInspector, { sessionId: session.id, eventId: target.id });
    assert.equal(api.sessions.inspector.openPanels().filter((k) => k === key).length, 1);
    assert.deepEqual(await request('inspector/locate', { filter: ALL, eventId: target.id }), { index: 450 });
  });

  it('opens an imported trace read-only in its own panel', async () => {
    const before = api.sessions.inspector.openPanels();
    const ready = waitForEvent(api.onPanelTraffic, (t) => t.panel === 'Inspector' && t.direction === 'fromPanel' && t.kind === 'ready', 'the imported trace’s webview to say ready');
    await vscode.commands.executeCommand(CommandIds.openInspector, { imported: { title: 'trace.json', events: events.slice(0, 40) } });
    await ready;
    const added = api.sessions.inspector.openPanels().filter((k) => !before.includes(k));
    assert.equal(added.length, 1);
    assert.match(added[0]!, /^imported:/);
    const snapshot = api.sessions.inspector.snapshot(added[0]!);
    assert.deepEqual([snapshot.title, snapshot.live, snapshot.total, snapshot.totals?.events], ['trace.json', false, 40, 40]);
  });

  it('closes with its session', async () => {
    const store = await api.store;
    const closed = new Promise<void>((resolve) => {
      const subscription = vscode.window.tabGroups.onDidChangeTabs(() => {
        if (!api.sessions.inspector.openPanels().includes(key)) {
          subscription.dispose();
          resolve();
        }
      });
    });
    await new SessionsRepository(store, seedClock).delete(session.id);
    await closed;
    assert.equal(api.sessions.inspector.openPanels().includes(key), false);
  });
});
