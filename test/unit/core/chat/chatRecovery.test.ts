import * as assert from 'node:assert/strict';
import { ChatService } from '../../../../src/core/chat/chatService';
import { leaseKey, readLease } from '../../../../src/core/chat/streamLeases';
import { textOf } from '../../../../src/core/chat/chatRequest';
import { systemClock } from '../../../../src/core/ports';
import type { Message } from '../../../../src/db/repositories/messages';
import { FakeProviderServer } from '../../../fakes/providers/fakeServer';
import { openAiProtocol } from '../../../fakes/providers/openaiProtocol';
import { FakeProviders, nextChange, openHarness, silentLog, sleep, type Harness } from './chatHarness';

describe('chat loop: replies left streaming by a closed window', function () {
  this.timeout(10_000);
  let server: FakeProviderServer;
  let h: Harness;
  before(async () => {
    server = await FakeProviderServer.start(openAiProtocol);
  });
  beforeEach(() => server.reset());
  afterEach(async () => {
    await h.service.shutdown();
    h.store.close();
  });
  after(() => server.close());

  /** A user message and a reply some window left 'streaming' with `text`, with the given lease (or none). */
  async function abandoned(text: string, lease?: { windowId: string; ageMs: number }): Promise<Message> {
    const { messages, settings } = h.repos;
    const user = await messages.append(h.session.id, null, { role: 'user', content: [{ type: 'text', text: 'q' }] });
    const reply = await messages.append(h.session.id, user.id, {
      role: 'assistant',
      content: [{ type: 'text', text }],
      status: 'streaming',
      model: 'fake-ok',
    });
    if (lease) {
      await settings.set(leaseKey(reply.id), { windowId: lease.windowId, sessionId: h.session.id, heartbeatAt: h.clock.now() - lease.ageMs });
    }
    return reply;
  }

  it('marks only stale or unowned streaming replies incomplete, keeping their text', async () => {
    h = await openHarness(server, { windowId: 'window-new' });
    const stale = await abandoned('stale text', { windowId: 'window-crashed', ageMs: 60_000 });
    const live = await abandoned('live text', { windowId: 'window-other', ageMs: 5_000 });
    const unleased = await abandoned('no lease');
    const ownOld = await abandoned('own old lease', { windowId: 'window-new', ageMs: 1_000 });
    const finished = await h.repos.messages.append(h.session.id, null, { role: 'assistant', content: [], status: 'complete' });
    await h.repos.settings.set(leaseKey(finished.id), { windowId: 'window-other', sessionId: h.session.id, heartbeatAt: h.clock.now() });

    assert.equal(await h.service.markInterrupted(), 3);
    const status = (message: Message) => h.repos.messages.get(message.id)?.status;
    assert.equal(status(stale), 'incomplete');
    assert.equal(status(unleased), 'incomplete');
    assert.equal(status(ownOld), 'incomplete');
    assert.equal(status(live), 'streaming', 'another window is still streaming it');
    assert.equal(textOf(h.repos.messages.get(stale.id)!.content), 'stale text');
    const view = h.service.snapshot(h.session.id, stale.id).messages.find((message) => message.id === stale.id);
    assert.equal(view?.error?.kind, 'interrupted');
    assert.deepEqual(view?.error?.actions, ['retry']);
    const errors = h.repos.events.list({ sessionId: h.session.id }, { types: ['llm.error'] });
    assert.deepEqual(errors.map((event) => event.messageId).sort(), [stale.id, unleased.id, ownOld.id].sort());
    assert.deepEqual(h.repos.settings.keys('chat.streamLease.'), [leaseKey(live.id)], 'only the live lease is left');
    assert.ok(h.changes.some((change) => change.event.method === 'chat/message' && change.event.params.id === stale.id));

    h.clock.advance(60_000);
    assert.equal(await h.service.markInterrupted(), 1, 'once its heartbeat stops, the other window\'s reply is stale too');
  });

  it('leaves a reply another window is streaming right now alone, and its own live reply too', async () => {
    h = await openHarness(server, { model: 'fake-slow', windowId: 'window-a' });
    const { assistantId } = await h.service.send(h.session.id, { parentId: null, text: 'hi' });
    await nextChange(h, (change) => change.event.method === 'chat/delta');
    const otherWindow = new ChatService({
      store: h.store,
      clock: h.clock,
      log: silentLog,
      providers: new FakeProviders(server),
      windowId: 'window-b',
    });
    assert.equal(await otherWindow.markInterrupted(), 0);
    assert.equal(await h.service.markInterrupted(), 0);
    assert.equal(h.repos.messages.get(assistantId)?.status, 'streaming');
    await h.service.stop(h.session.id);
    assert.equal(h.repos.messages.get(assistantId)?.status, 'cancelled');
    await otherWindow.shutdown();
  });

  it('renews the lease while the provider is silent, so a slow local model is not taken for a crash', async () => {
    h = await openHarness(server, { model: 'fake-silence', clock: systemClock, timing: { heartbeatMs: 50 } });
    const { assistantId } = await h.service.send(h.session.id, { parentId: null, text: 'hi' });
    const first = readLease(h.repos.settings.get(leaseKey(assistantId)));
    assert.equal(first?.windowId, 'window-test');
    await sleep(300);
    const renewed = readLease(h.repos.settings.get(leaseKey(assistantId)));
    assert.ok(first && renewed && renewed.heartbeatAt > first.heartbeatAt, 'the heartbeat moved on');
    await h.service.stop(h.session.id);
    assert.equal(h.repos.settings.get(leaseKey(assistantId)), undefined);
  });

  it('shutdown ends a live reply as interrupted (incomplete), not as stopped by the person', async () => {
    h = await openHarness(server, { model: 'fake-slow' });
    const { assistantId } = await h.service.send(h.session.id, { parentId: null, text: 'hi' });
    await nextChange(h, (change) => change.event.method === 'chat/delta');
    await h.service.shutdown();
    const message = h.repos.messages.get(assistantId);
    assert.equal(message?.status, 'incomplete');
    assert.equal((message?.error as { kind?: string } | null)?.kind, 'interrupted');
    await assert.rejects(h.service.send(h.session.id, { parentId: null, text: 'again' }), /shutting down/);
  });
});
