import * as assert from 'node:assert/strict';
import { ChatRequestError } from '../../../../src/core/chat/chatTypes';
import { textOf } from '../../../../src/core/chat/chatRequest';
import type { StudioEvent } from '../../../../src/db/repositories/events';
import { FAKE_ANSWER, FAKE_PARTIAL, FakeProviderServer, SENTINEL_KEY } from '../../../fakes/providers/fakeServer';
import { openAiProtocol } from '../../../fakes/providers/openaiProtocol';
import { chatBodies, deltasOf, NO_KEY_PROVIDER, nextChange, openHarness, sentMessages, sleep, SYSTEM_PROMPT, type Harness } from './chatHarness';

describe('chat loop: one turn against the real OpenAI SDK and a loopback fake', function () {
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

  const eventsOf = (harness: Harness): StudioEvent[] => harness.repos.events.list({ sessionId: harness.session.id });
  const reply = (harness: Harness, id: string) => {
    const message = harness.repos.messages.get(id);
    assert.ok(message, `message ${id} exists`);
    return message;
  };
  const useModel = (harness: Harness, model: string) => harness.service.setAgent(harness.session.id, harness.agent.id, model);

  it('a normal turn: rows exist at once, the reply streams, then events with tokens and cost, and a title', async () => {
    h = await openHarness(server);
    h.providers.priceOverrides = [{ model: 'fake-ok', input: 1, output: 2 }];
    const { userId, assistantId } = await h.service.send(h.session.id, { parentId: null, text: '  Say hello, please.  ' });
    assert.equal(reply(h, userId).status, 'complete');
    const streaming = reply(h, assistantId);
    assert.equal(streaming.status, 'streaming');
    assert.equal(streaming.parentId, userId);
    assert.equal(streaming.model, 'fake-ok');
    assert.equal(streaming.agentVersionId, h.agent.currentVersion.id);
    assert.equal(h.service.isStreaming(h.session.id), true);

    await h.service.whenIdle(h.session.id);
    const done = reply(h, assistantId);
    assert.equal(done.status, 'complete');
    assert.equal(textOf(done.content), FAKE_ANSWER);
    assert.equal(done.error, null);
    assert.equal(h.service.isStreaming(h.session.id), false);

    const events = eventsOf(h);
    assert.deepEqual(
      events.map((event) => event.type),
      ['message.user', 'llm.request.started', 'llm.response.completed', 'message.assistant'],
    );
    const [userEvent, started, completed] = events as [StudioEvent, StudioEvent, StudioEvent];
    assert.equal(userEvent.messageId, userId);
    assert.equal(started.messageId, assistantId);
    assert.equal(started.model, 'fake-ok');
    assert.deepEqual(started.payload, {
      provider: 'fake-openai',
      agentId: h.agent.id,
      agentVersionId: h.agent.currentVersion.id,
      trigger: 'send',
      messageCount: 1,
      hasSystemPrompt: true,
      parameters: { temperature: 0.3, maxTokens: 256, stop: ['END'] },
    });
    assert.equal(completed.parentEventId, started.id);
    assert.equal(completed.messageId, assistantId);
    // FAKE_USAGE: 42 in (5 cache reads, 3 cache writes), 12 out (7 reasoning); billed input excludes the cache.
    assert.deepEqual(completed.tokens, { input: 34, output: 12, cacheRead: 5, cacheWrite: 3, reasoning: 7 });
    // 34×$1 + 5×$1 + 3×$1 + 5×$2 + 7×$2 per million tokens = 66 micro-dollars.
    assert.equal(completed.costMicroUsd, 66);
    const payload = completed.payload as Record<string, unknown>;
    assert.equal(payload.finishReason, 'stop');
    assert.equal(payload.promptTokens, 42);
    assert.equal(payload.priceSource, 'override');
    assert.equal(typeof payload.timeToFirstTokenMs, 'number');
    assert.ok(completed.durationMs !== null && completed.durationMs >= (payload.timeToFirstTokenMs as number));
    assert.ok(!JSON.stringify(events).includes(SENTINEL_KEY), 'the key is in no event');
    assert.ok(!JSON.stringify(started.payload).includes('Say hello'), 'the request event holds no prompt text');

    assert.equal(h.repos.sessions.get(h.session.id)?.title, 'Say hello, please.');
    assert.deepEqual(h.repos.settings.keys('chat.streamLease.'), [], 'the lease is released');

    const methods = h.changes.map((change) => change.event.method);
    assert.deepEqual(methods.slice(0, 4), ['chat/message', 'chat/message', 'chat/leaf', 'chat/streaming']);
    assert.equal(deltasOf(h, assistantId), FAKE_ANSWER, 'every chunk reached the listeners');
    const final = h.changes.filter((change) => change.event.method === 'chat/message').at(-1)?.event;
    assert.ok(final?.method === 'chat/message');
    assert.equal(final.params.status, 'complete');
    assert.deepEqual(final.params.footer, {
      inputTokens: 42,
      outputTokens: 12,
      costUsd: 0.000066,
      latencyMs: completed.durationMs,
      timeToFirstTokenMs: payload.timeToFirstTokenMs,
      finishReason: 'stop',
    });
    assert.deepEqual(h.changes.at(-1)?.event, { method: 'chat/streaming', params: { streamingId: null } });
    assert.ok(h.changes.some((change) => change.event.method === 'chat/session' && change.event.params.session.title === 'Say hello, please.'));
  });

  it('an unknown price stays unknown (null), never $0', async () => {
    h = await openHarness(server);
    // Not loopback and not in the shipped table: nothing says what fake-ok costs there.
    h.providers.pricedAs = { kind: 'openai-compatible', baseUrl: 'https://llm.example.test/v1' };
    const { assistantId } = await h.service.send(h.session.id, { parentId: null, text: 'hi' });
    await h.service.whenIdle(h.session.id);
    const completed = eventsOf(h).find((event) => event.type === 'llm.response.completed');
    assert.equal(completed?.costMicroUsd, null);
    const view = h.service.snapshot(h.session.id).messages.find((message) => message.id === assistantId);
    assert.equal(view?.footer?.costUsd, undefined);
    assert.equal(view?.footer?.outputTokens, 12);
  });

  it('sends the branch path with the system prompt and the agent parameters', async () => {
    h = await openHarness(server);
    const first = await h.service.send(h.session.id, { parentId: null, text: 'first question' });
    await h.service.whenIdle(h.session.id);
    await h.service.send(h.session.id, { parentId: first.assistantId, text: 'second question' });
    await h.service.whenIdle(h.session.id);
    const bodies = chatBodies(server);
    assert.equal(bodies.length, 2);
    const second = bodies[1]!;
    assert.deepEqual(sentMessages(second), [`system: ${SYSTEM_PROMPT}`, 'user: first question', `assistant: ${FAKE_ANSWER}`, 'user: second question']);
    assert.equal(second.model, 'fake-ok');
    assert.equal(second.temperature, 0.3);
    assert.equal(second.max_completion_tokens, 256);
    assert.deepEqual(second.stop, ['END']);
  });

  it('a reset mid-stream: incomplete, the partial text kept, llm.error, Retry offered', async () => {
    h = await openHarness(server);
    await useModel(h, 'fake-reset');
    const { assistantId } = await h.service.send(h.session.id, { parentId: null, text: 'hi' });
    await h.service.whenIdle(h.session.id);
    const message = reply(h, assistantId);
    assert.equal(message.status, 'incomplete');
    assert.equal(textOf(message.content), FAKE_PARTIAL);
    const view = h.service.snapshot(h.session.id).messages.find((m) => m.id === assistantId);
    assert.equal(view?.error?.kind, 'network');
    assert.deepEqual(view?.error?.actions, ['retry', 'openSettings']);
    const types = eventsOf(h).map((event) => event.type);
    assert.deepEqual(types, ['message.user', 'llm.request.started', 'llm.error', 'message.assistant']);
    const error = eventsOf(h).find((event) => event.type === 'llm.error');
    assert.equal((error?.payload as Record<string, unknown>).kind, 'network');
    assert.equal(h.repos.sessions.get(h.session.id)?.title, '', 'no title from a reply that did not complete');
  });

  it('a stream without its final event is incomplete, not complete', async () => {
    h = await openHarness(server);
    await useModel(h, 'fake-no-final');
    const { assistantId } = await h.service.send(h.session.id, { parentId: null, text: 'hi' });
    await h.service.whenIdle(h.session.id);
    const message = reply(h, assistantId);
    assert.equal(message.status, 'incomplete');
    assert.equal(textOf(message.content), FAKE_PARTIAL);
    assert.equal((message.error as { kind?: string } | null)?.kind, 'incomplete');
  });

  it('a rejected key: error with the Set Key action, and no key anywhere', async () => {
    h = await openHarness(server, { model: 'fake-auth' });
    const { assistantId } = await h.service.send(h.session.id, { parentId: null, text: 'hi' });
    await h.service.whenIdle(h.session.id);
    const message = reply(h, assistantId);
    assert.equal(message.status, 'error');
    const view = h.service.snapshot(h.session.id).messages.find((m) => m.id === assistantId);
    assert.equal(view?.error?.kind, 'auth');
    assert.deepEqual(view?.error?.actions, ['setKey']);
    const stored = JSON.stringify([h.repos.messages.listBySession(h.session.id), eventsOf(h), h.changes]);
    assert.ok(!stored.includes(SENTINEL_KEY), 'the key was redacted from everything stored and emitted');
    assert.deepEqual(
      eventsOf(h).map((event) => event.type),
      ['message.user', 'llm.request.started', 'llm.error'],
      'no message.assistant for a reply with nothing in it',
    );
  });

  it('no key set: the provider cannot be opened, the reply fails with Set Key and no request is made', async () => {
    h = await openHarness(server, { provider: NO_KEY_PROVIDER });
    const { assistantId } = await h.service.send(h.session.id, { parentId: null, text: 'hi' });
    await h.service.whenIdle(h.session.id);
    assert.equal(reply(h, assistantId).status, 'error');
    assert.deepEqual(h.service.snapshot(h.session.id).messages.find((m) => m.id === assistantId)?.error?.actions, ['setKey']);
    assert.equal(chatBodies(server).length, 0);
  });

  it('Stop mid-stream: cancelled within a second, the partial text kept', async () => {
    h = await openHarness(server, { model: 'fake-slow' });
    const { assistantId } = await h.service.send(h.session.id, { parentId: null, text: 'hi' });
    await nextChange(h, (change) => change.event.method === 'chat/delta');
    const pressed = performance.now();
    await h.service.stop(h.session.id);
    const elapsed = performance.now() - pressed;
    assert.ok(elapsed < 1_000, `Stop took ${Math.round(elapsed)} ms`);
    const message = reply(h, assistantId);
    assert.equal(message.status, 'cancelled');
    const text = textOf(message.content);
    assert.ok(text.length > 0 && text.length < FAKE_ANSWER.length && FAKE_ANSWER.startsWith(text), `partial text: ${text}`);
    assert.equal(message.error, null, 'Stop is not an error');
    const error = eventsOf(h).find((event) => event.type === 'llm.error');
    assert.equal((error?.payload as Record<string, unknown>).kind, 'cancelled');
    assert.equal(h.service.isStreaming(h.session.id), false);
  });

  it('Stop pressed while the turn is still being written still stops it', async () => {
    h = await openHarness(server, { model: 'fake-slow' });
    const sending = h.service.send(h.session.id, { parentId: null, text: 'hi' });
    const stopping = h.service.stop(h.session.id);
    const { assistantId } = await sending;
    await stopping;
    await h.service.whenIdle(h.session.id);
    assert.equal(reply(h, assistantId).status, 'cancelled');
  });

  it('a session deleted while its reply streams: the stream ends and nothing is left behind', async () => {
    h = await openHarness(server, { model: 'fake-slow' });
    await h.service.send(h.session.id, { parentId: null, text: 'hi' });
    await nextChange(h, (change) => change.event.method === 'chat/delta');
    await h.repos.sessions.delete(h.session.id);
    const deleted = performance.now();
    await h.service.whenIdle(h.session.id);
    assert.ok(performance.now() - deleted < 1_000, 'the stream ended soon after');
    assert.equal(h.service.isStreaming(h.session.id), false);
    assert.deepEqual(h.repos.settings.keys('chat.streamLease.'), [], 'no lease left behind');
  });

  it('names the provider a reply was asked of, for Set API Key and Open Settings', async () => {
    h = await openHarness(server, { provider: NO_KEY_PROVIDER });
    const { assistantId } = await h.service.send(h.session.id, { parentId: null, text: 'hi' });
    await h.service.whenIdle(h.session.id);
    assert.equal(h.service.providerFor(assistantId, { sessionId: h.session.id }), NO_KEY_PROVIDER);
  });

  it('saves the text while it streams: the store holds part of it before the end', async () => {
    h = await openHarness(server, { model: 'fake-slow' });
    const { assistantId } = await h.service.send(h.session.id, { parentId: null, text: 'hi' });
    let partial = '';
    const deadline = performance.now() + 3_000;
    while (performance.now() < deadline) {
      const message = reply(h, assistantId);
      partial = textOf(message.content);
      if (message.status === 'streaming' && partial.length > 0) {
        break;
      }
      await sleep(20);
    }
    assert.equal(reply(h, assistantId).status, 'streaming');
    assert.ok(partial.length > 0 && partial.length < FAKE_ANSWER.length && FAKE_ANSWER.startsWith(partial), `saved so far: ${partial}`);
    const snapshot = h.service.snapshot(h.session.id);
    assert.equal(snapshot.streamingId, assistantId);
    const live = snapshot.messages.find((message) => message.id === assistantId);
    assert.ok(live && live.text.startsWith(partial), 'a snapshot shows at least what was saved');
    await h.service.whenIdle(h.session.id);
    assert.equal(textOf(reply(h, assistantId).content), FAKE_ANSWER);
  });

  it('refuses a second send while the session is streaming, with a clear error', async () => {
    h = await openHarness(server, { model: 'fake-slow' });
    const first = await h.service.send(h.session.id, { parentId: null, text: 'one' });
    await assert.rejects(
      h.service.send(h.session.id, { parentId: first.assistantId, text: 'two' }),
      (err: unknown) => err instanceof ChatRequestError && /still streaming/.test(err.message),
    );
    await assert.rejects(h.service.retry(first.assistantId), ChatRequestError);
    await h.service.stop(h.session.id);
    assert.equal(h.repos.messages.listBySession(h.session.id).length, 2, 'the refused send wrote nothing');
  });

  it('refuses a session without an agent, and an empty message, before writing anything', async () => {
    h = await openHarness(server);
    const bare = await h.repos.sessions.create();
    await assert.rejects(h.service.send(bare.id, { parentId: null, text: 'hi' }), /no agent/);
    await assert.rejects(h.service.send(h.session.id, { parentId: null, text: '   ' }), /needs some text/);
    assert.equal(h.service.isStreaming(h.session.id), false);
    assert.equal(h.repos.messages.listBySession(h.session.id).length, 0);
  });
});
