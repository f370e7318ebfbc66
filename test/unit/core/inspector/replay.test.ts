import * as assert from 'node:assert/strict';
import { textOf } from '../../../../src/core/chat/chatRequest';
import { ReplayService } from '../../../../src/core/inspector/replayService';
import { parseReplayRequest, rebuildRequest, toChatRequest } from '../../../../src/core/inspector/replayRequest';
import type { ReplayRequest } from '../../../../src/core/inspector/replaySchema';
import { REPLAY_LIMITS, replayRequestSchema } from '../../../../src/core/inspector/replaySchema';
import { ReplayError, type ReplayErrorCode } from '../../../../src/core/inspector/replayTypes';
import type { StudioEvent } from '../../../../src/db/repositories/events';
import { toChatParams } from '../../../../src/llm/adapters/openaiMapping';
import { FAKE_ANSWER, FAKE_REASONING, FakeProviderServer, SENTINEL_KEY, SLOW_CHUNK_MS } from '../../../fakes/providers/fakeServer';
import { openAiProtocol } from '../../../fakes/providers/openaiProtocol';
import { chatBodies, NO_KEY_PROVIDER, openHarness, sentMessages, silentLog, SYSTEM_PROMPT, type Harness } from '../chat/chatHarness';

describe('replay: rebuild a recorded call, run it again with changes, compare, continue as a branch', function () {
  this.timeout(10_000);
  let server: FakeProviderServer;
  let h: Harness;
  let replay: ReplayService;
  before(async () => {
    server = await FakeProviderServer.start(openAiProtocol);
  });
  beforeEach(async () => {
    server.reset();
    h = await openHarness(server);
    replay = new ReplayService({ repos: h.repos, providers: h.providers, clock: h.clock, log: silentLog });
  });
  afterEach(async () => {
    replay.dispose();
    await h.service.shutdown();
    h.store.close();
  });
  after(() => server.close());

  const eventsOf = (type: string): StudioEvent[] => h.repos.events.list({ sessionId: h.session.id }).filter((event) => event.type === type);
  /** One chat turn to the end; returns the reply and its call's two events. */
  async function turn(text: string, parentId: string | null) {
    const { userId, assistantId } = await h.service.send(h.session.id, { parentId, text });
    await h.service.whenIdle(h.session.id);
    const started = eventsOf('llm.request.started').find((event) => event.messageId === assistantId);
    const outcome = h.repos.events.list({ sessionId: h.session.id }).find((event) => event.parentEventId === started?.id && event.type.startsWith('llm.'));
    assert.ok(started && outcome, 'the call recorded its request and its outcome');
    return { userId, assistantId, started, outcome };
  }
  /** Two turns; the second call carries history. */
  async function twoTurns() {
    const first = await turn('Say hello.', null);
    const second = await turn('And again, shorter.', first.assistantId);
    return { first, second };
  }
  async function rejects(promise: Promise<unknown> | (() => unknown), code: ReplayErrorCode, message?: RegExp): Promise<void> {
    await assert.rejects(
      () => (typeof promise === 'function' ? Promise.resolve().then(promise) : promise),
      (err: unknown) => {
        assert.ok(err instanceof ReplayError, `a ReplayError, got ${String(err)}`);
        assert.equal(err.code, code, err.message);
        if (message) {
          assert.match(err.message, message);
        }
        return true;
      },
    );
  }
  const asJson = (value: unknown): unknown => JSON.parse(JSON.stringify(value));
  const payloadOf = (event: StudioEvent) => event.payload as Record<string, unknown>;

  describe('rebuildRequest', () => {
    it('rebuilds exactly what the provider was sent, from the request event or its outcome', async () => {
      const { second } = await twoTurns();
      const bodies = chatBodies(server);
      assert.equal(bodies.length, 2);
      const request = rebuildRequest(h.repos, second.started.id);
      assert.deepEqual(rebuildRequest(h.repos, second.outcome.id), request, 'the outcome event rebuilds the same request');
      assert.equal(request.sourceEventId, second.started.id);
      assert.equal(request.sessionId, h.session.id);
      assert.equal(request.provider, 'fake-openai');
      assert.equal(request.model, 'fake-ok');
      assert.equal(request.systemPrompt, SYSTEM_PROMPT);
      assert.deepEqual(request.parameters, { temperature: 0.3, maxTokens: 256, stop: ['END'] });
      assert.deepEqual(
        request.messages.map((message) => `${message.role}: ${message.content.map((part) => (part.type === 'text' ? part.text : '')).join('')}`),
        ['user: Say hello.', `assistant: ${FAKE_ANSWER}`, 'user: And again, shorter.'],
      );
      // The body the OpenAI adapter makes of the rebuilt request is, field for field, the body the fake received.
      assert.deepEqual(asJson(toChatParams(toChatRequest(request), 'openai', request.model)), bodies[1]);
      assert.deepEqual(asJson(request), request, 'JSON-safe');
      assert.deepEqual(parseReplayRequest(asJson(request)), request, 'and accepted back from a panel as it is');
    });

    it('replayed unchanged, the provider receives the very same body again', async () => {
      const { second } = await twoTurns();
      const original = chatBodies(server)[1];
      server.reset();
      const comparison = await replay.run(rebuildRequest(h.repos, second.outcome.id));
      assert.deepEqual(chatBodies(server), [original]);
      assert.deepEqual(comparison.changes, []);
    });

    it('refuses clearly what it cannot rebuild', async () => {
      const { first } = await twoTurns();
      const userEvent = eventsOf('message.user')[0]!;
      await rejects(() => rebuildRequest(h.repos, userEvent.id), 'not_a_call', /message\.user event is not a model call/);
      await rejects(() => rebuildRequest(h.repos, 'no-such-event'), 'not_found', /no event no-such-event/);
      await h.repos.messages.deleteSubtree(first.assistantId);
      await rejects(() => rebuildRequest(h.repos, first.started.id), 'deleted', /reply of this call was deleted/);
    });

    it('refuses a call whose agent version was deleted: its system prompt is gone', async () => {
      const { first } = await twoTurns();
      await h.repos.agents.delete(h.agent.id);
      await rejects(() => rebuildRequest(h.repos, first.outcome.id), 'deleted', /agent version that made this call was deleted/);
    });
  });

  describe('run', () => {
    it('replays with another model: one event linked to the original, with tokens, cost and the changes', async () => {
      // Priced as a cloud endpoint without a price for fake-ok: the original's cost is unknown.
      h.providers.pricedAs = { baseUrl: 'https://api.openai.com/v1' };
      const { second } = await twoTurns();
      h.providers.priceOverrides = [{ model: 'fake-reasoning', input: 1, output: 2 }];
      server.reset();
      const request = { ...rebuildRequest(h.repos, second.started.id), model: 'fake-reasoning' };
      const comparison = await replay.run(request);

      assert.deepEqual(chatBodies(server).map((body) => body.model), ['fake-reasoning'], 'the fake got the new model');
      const [event, ...more] = eventsOf('llm.replay.completed');
      assert.ok(event);
      assert.equal(more.length, 0);
      assert.equal(eventsOf('llm.replay.error').length, 0);
      assert.equal(event.parentEventId, second.started.id);
      assert.equal(event.sessionId, h.session.id);
      assert.equal(event.messageId, second.assistantId);
      assert.equal(event.model, 'fake-reasoning');
      assert.deepEqual(event.tokens, { input: 34, output: 12, cacheRead: 5, cacheWrite: 3, reasoning: 7 });
      assert.equal(event.costMicroUsd, 66);
      const payload = payloadOf(event);
      assert.equal(payload.text, FAKE_ANSWER);
      assert.equal(payload.status, 'complete');
      assert.equal(payload.provider, 'fake-openai');
      assert.equal(payload.finishReason, 'stop');
      assert.equal(payload.promptTokens, 42);
      assert.equal(payload.priceSource, 'override');
      assert.equal(payload.sourceEventId, second.started.id);
      assert.deepEqual(payload.changes, [{ field: 'model', from: 'fake-ok', to: 'fake-reasoning' }]);
      assert.equal(payload.conversationEdited, false);
      assert.deepEqual(payload.request, { provider: 'fake-openai', model: 'fake-reasoning', parameters: request.parameters });
      assert.ok(!JSON.stringify(h.repos.events.list({ sessionId: h.session.id })).includes(SENTINEL_KEY), 'no key in any event');

      assert.equal(comparison.replayEventId, event.id);
      assert.equal(comparison.sourceEventId, second.started.id);
      const { original, replay: replayed } = comparison;
      assert.equal(original.eventId, second.outcome.id);
      assert.equal(original.text, textOf(h.repos.messages.get(second.assistantId)!.content));
      assert.equal(original.model, 'fake-ok');
      assert.equal(original.provider, 'fake-openai');
      assert.equal(original.status, 'complete');
      assert.equal(original.costMicroUsd, null, 'unknown stays unknown');
      assert.equal(original.tokensIn, 42);
      assert.equal(original.tokensOut, 12);
      assert.equal(replayed.eventId, event.id);
      assert.equal(replayed.model, 'fake-reasoning');
      assert.equal(replayed.text, FAKE_ANSWER);
      assert.equal(replayed.status, 'complete');
      assert.equal(replayed.tokensIn, 42);
      assert.equal(replayed.tokensOut, 12);
      assert.equal(replayed.reasoningTokens, 7);
      assert.equal(replayed.costMicroUsd, 66);
      assert.equal(replayed.finishReason, 'stop');
      assert.equal(replayed.error, null);
      for (const side of [original, replayed]) {
        assert.equal(typeof side.latencyMs, 'number');
        assert.equal(typeof side.timeToFirstTokenMs, 'number');
        assert.ok(side.latencyMs! >= side.timeToFirstTokenMs!, 'latency covers the time to first token');
      }
      assert.deepEqual(replay.comparison(event.id), comparison, 'the store gives a reopened panel the same comparison');
    });

    it('sends an edited system prompt, parameters and messages, and records what changed', async () => {
      const { second } = await twoTurns();
      const original = rebuildRequest(h.repos, second.started.id);
      server.reset();
      const edited: ReplayRequest = {
        ...original,
        systemPrompt: 'You are verbose.',
        parameters: { temperature: 0.9, maxTokens: 256 },
        messages: [...original.messages.slice(0, 2), { role: 'user', content: [{ type: 'text', text: 'Now in French.' }] }],
      };
      const comparison = await replay.run(edited);
      const [body] = chatBodies(server);
      assert.ok(body);
      assert.deepEqual(sentMessages(body), ['system: You are verbose.', 'user: Say hello.', `assistant: ${FAKE_ANSWER}`, 'user: Now in French.']);
      assert.equal(body.temperature, 0.9);
      assert.equal(body.stop, undefined);
      assert.deepEqual(comparison.changes, [
        { field: 'temperature', from: 0.3, to: 0.9 },
        { field: 'stop', from: ['END'], to: [] },
        { field: 'systemPrompt', fromLength: SYSTEM_PROMPT.length, toLength: 'You are verbose.'.length },
        { field: 'messages', fromCount: 3, toCount: 3, edited: [2] },
      ]);
      const event = eventsOf('llm.replay.completed')[0]!;
      const payload = payloadOf(event);
      assert.equal(payload.conversationEdited, true);
      // Rebuilding the replay gives the edited request, still linked to the original call.
      assert.deepEqual(rebuildRequest(h.repos, event.id), edited);
      assert.deepEqual(rebuildRequest(h.repos, second.started.id), original, 'the session itself is untouched');
    });

    it('records a replay to an endpoint without a key as llm.replay.error, and asks nothing of the server', async () => {
      const { first } = await twoTurns();
      server.reset();
      const comparison = await replay.run({ ...rebuildRequest(h.repos, first.started.id), provider: NO_KEY_PROVIDER });
      assert.equal(chatBodies(server).length, 0);
      const [event] = eventsOf('llm.replay.error');
      assert.ok(event);
      assert.equal(eventsOf('llm.replay.completed').length, 0);
      assert.equal(event.parentEventId, first.started.id);
      assert.equal(event.costMicroUsd, null);
      assert.equal(event.tokens.output, null);
      const payload = payloadOf(event);
      assert.equal(payload.kind, 'auth');
      assert.equal(payload.status, 'error');
      assert.match(String(payload.message), /API key/);
      assert.deepEqual(payload.changes, [{ field: 'provider', from: 'fake-openai', to: NO_KEY_PROVIDER }]);
      assert.equal(comparison.replay.status, 'error');
      assert.deepEqual(comparison.replay.error?.kind, 'auth');
      assert.equal(comparison.replay.costMicroUsd, null);
      assert.equal(comparison.original.status, 'complete');
    });

    it('records a provider error (context too long) as llm.replay.error with its HTTP status', async () => {
      const { first } = await twoTurns();
      const comparison = await replay.run({ ...rebuildRequest(h.repos, first.started.id), model: 'fake-context-length' });
      const [event] = eventsOf('llm.replay.error');
      assert.ok(event);
      const payload = payloadOf(event);
      assert.equal(payload.kind, 'context_length');
      assert.equal(payload.httpStatus, 400);
      assert.equal(payload.text, '');
      assert.equal(comparison.replay.status, 'error');
      assert.equal(comparison.replay.error?.kind, 'context_length');
      assert.equal(server.hits('context-length'), 1, 'not retried: it would fail the same way');
    });

    it('stops at once when its signal is aborted, keeping the partial text as a cancelled replay', async () => {
      const { first } = await twoTurns();
      const controller = new AbortController();
      const started = performance.now();
      const running = replay.run({ ...rebuildRequest(h.repos, first.started.id), model: 'fake-slow' }, controller.signal);
      setTimeout(() => controller.abort(), SLOW_CHUNK_MS * 2.5);
      const comparison = await running;
      assert.ok(performance.now() - started < SLOW_CHUNK_MS * 5, 'ended before the answer would have');
      const [event] = eventsOf('llm.replay.error');
      assert.ok(event);
      const payload = payloadOf(event);
      assert.equal(payload.kind, 'cancelled');
      assert.equal(payload.status, 'cancelled');
      const partial = String(payload.text);
      assert.ok(partial.length > 0 && partial.length < FAKE_ANSWER.length && FAKE_ANSWER.startsWith(partial), `a partial answer: ${partial}`);
      assert.equal(comparison.replay.status, 'cancelled');
      assert.equal(comparison.replay.text, payload.text);
    });

    it('an already aborted signal and dispose() both end a replay as cancelled', async () => {
      const { first } = await twoTurns();
      const request = { ...rebuildRequest(h.repos, first.started.id), model: 'fake-slow' };
      const aborted = await replay.run(request, AbortSignal.abort());
      assert.equal(aborted.replay.status, 'cancelled');
      const running = replay.run(request);
      setTimeout(() => replay.dispose(), SLOW_CHUNK_MS);
      assert.equal((await running).replay.status, 'cancelled');
      assert.equal(eventsOf('llm.replay.error').length, 2);
      await rejects(replay.run(request), 'closed');
    });

    it('a session deleted while its replay runs leaves nowhere to record it: a clear error', async () => {
      const { first } = await twoTurns();
      const running = replay.run({ ...rebuildRequest(h.repos, first.started.id), model: 'fake-slow' });
      setTimeout(() => void h.repos.sessions.delete(h.session.id), SLOW_CHUNK_MS);
      await rejects(running, 'deleted', /session was deleted while the replay ran/);
    });

    it('refuses a bad or foreign request before calling anyone, and records nothing', async () => {
      const { first } = await twoTurns();
      server.reset();
      const request = rebuildRequest(h.repos, first.started.id);
      await rejects(replay.run({ ...request, model: '' }), 'invalid', /model/);
      const other = await h.repos.sessions.create({ agentId: h.agent.id });
      await rejects(replay.run({ ...request, sessionId: other.id }), 'invalid', /another session/);
      await rejects(replay.run({ ...request, sourceEventId: eventsOf('message.user')[0]!.id }), 'not_a_call');
      assert.equal(chatBodies(server).length, 0);
      assert.equal(eventsOf('llm.replay.completed').length + eventsOf('llm.replay.error').length, 0);
    });
  });

  describe('continueAsBranch', () => {
    it('adds the replay as a sibling of the original reply: a new branch, nothing deleted', async () => {
      const { second } = await twoTurns();
      const comparison = await replay.run({ ...rebuildRequest(h.repos, second.started.id), model: 'fake-reasoning' });
      const before = h.repos.messages.listBySession(h.session.id);
      const branchId = await replay.continueAsBranch(comparison.replayEventId);

      const branch = h.repos.messages.get(branchId)!;
      const original = h.repos.messages.get(second.assistantId)!;
      assert.equal(branch.parentId, original.parentId);
      assert.equal(branch.role, 'assistant');
      assert.equal(branch.status, 'complete');
      assert.equal(branch.model, 'fake-reasoning');
      assert.equal(branch.agentVersionId, original.agentVersionId, 'only the model changed: still the agent version');
      assert.equal(textOf(branch.content), FAKE_ANSWER);
      assert.equal(textOf(branch.content, 'reasoning'), FAKE_REASONING, 'with the reasoning the replay streamed');
      assert.deepEqual(
        h.repos.messages.siblings(second.assistantId).map((message) => message.id),
        [second.assistantId, branchId],
      );
      const after = h.repos.messages.listBySession(h.session.id);
      assert.deepEqual(after.filter((message) => message.id !== branchId), before, 'nothing else changed');

      const [event] = eventsOf('message.assistant').filter((e) => e.messageId === branchId);
      assert.ok(event);
      assert.equal(event.parentEventId, comparison.replayEventId);
      assert.equal(event.model, 'fake-reasoning');
      const payload = payloadOf(event);
      assert.equal(payload.origin, 'replay');
      assert.equal(payload.replayEventId, comparison.replayEventId);
      assert.equal(payload.sourceEventId, second.started.id);
      assert.deepEqual(payload.changed, ['model']);
      assert.equal(payload.conversationEdited, false);
      assert.equal(payload.note, undefined);

      // The chat shows it as a branch: the ‹ 2/2 › switcher's siblings and the path through it.
      await h.service.selectBranch(branchId);
      const snapshot = h.service.snapshot(h.session.id);
      assert.equal(snapshot.leafId, branchId);
      assert.deepEqual(
        snapshot.messages.map((message) => message.text),
        ['Say hello.', FAKE_ANSWER, 'And again, shorter.', FAKE_ANSWER],
      );
      assert.equal(snapshot.messages.at(-1)?.id, branchId);
      // Its footer shows the replay's call: that is where its tokens, cost and latency were spent.
      const replayed = h.repos.events.get(comparison.replayEventId)!;
      const footer = snapshot.messages.at(-1)?.footer;
      assert.ok(footer, 'the continued reply has a footer');
      assert.equal(footer.outputTokens, replayed.tokens.output);
      assert.equal(footer.latencyMs, replayed.durationMs);
      assert.ok((footer.outputTokens ?? 0) > 0 && (footer.latencyMs ?? -1) >= 0);
      assert.equal(footer.costUsd, replayed.costMicroUsd === null ? undefined : replayed.costMicroUsd / 1_000_000);
      assert.equal(await replay.continueAsBranch(comparison.replayEventId), branchId, 'continuing twice makes one branch');
      assert.equal(h.repos.messages.siblings(second.assistantId).length, 2);
    });

    it('says so in the branch when the replay answered an edited conversation', async () => {
      const { first } = await twoTurns();
      const original = rebuildRequest(h.repos, first.started.id);
      const comparison = await replay.run({ ...original, systemPrompt: 'Answer in French.' });
      const branchId = await replay.continueAsBranch(comparison.replayEventId);
      const branch = h.repos.messages.get(branchId)!;
      assert.equal(branch.agentVersionId, null, 'the agent version did not produce this reply');
      assert.equal(branch.parentId, h.repos.messages.get(first.assistantId)!.parentId);
      const event = eventsOf('message.assistant').find((e) => e.messageId === branchId)!;
      const payload = payloadOf(event);
      assert.equal(payload.conversationEdited, true);
      assert.deepEqual(payload.changed, ['systemPrompt']);
      assert.match(String(payload.note), /edited system prompt or conversation/);
    });

    it('refuses a replay that did not complete, and a replay whose original reply is gone', async () => {
      const { first, second } = await twoTurns();
      const failed = await replay.run({ ...rebuildRequest(h.repos, first.started.id), model: 'fake-context-length' });
      await rejects(replay.continueAsBranch(failed.replayEventId), 'not_completed', /ended error/);
      await rejects(replay.continueAsBranch(first.outcome.id), 'not_a_call', /not a replay/);
      const done = await replay.run(rebuildRequest(h.repos, second.started.id));
      await h.repos.messages.deleteSubtree(second.assistantId);
      await rejects(replay.continueAsBranch(done.replayEventId), 'deleted', /was deleted/);
      const comparison = replay.comparison(done.replayEventId);
      assert.equal(comparison.original.text, '', 'the original reply is gone, its figures are not');
      assert.equal(comparison.original.tokensOut, 12);
    });
  });

  describe('the edited request schema', () => {
    const valid = (): ReplayRequest => ({
      sourceEventId: 'e1',
      sessionId: 's1',
      provider: 'openai',
      model: 'gpt-4o',
      systemPrompt: '',
      parameters: { temperature: 0.5 },
      messages: [
        { role: 'user', content: [{ type: 'text', text: 'Hi' }] },
        { role: 'assistant', content: [{ type: 'tool_call', id: 'c1', name: 'get_weather', arguments: '{"city":"Paris"}' }] },
        { role: 'tool', content: [{ type: 'tool_result', callId: 'c1', name: 'get_weather', content: 'sunny', isError: false }] },
      ],
    });
    const reject = (value: unknown, what: string) => assert.equal(replayRequestSchema.safeParse(value).success, false, what);

    it('accepts a valid request, trimming names', () => {
      assert.deepEqual(replayRequestSchema.parse(valid()), valid());
      assert.equal(replayRequestSchema.parse({ ...valid(), model: '  gpt-4o ' }).model, 'gpt-4o');
    });

    it('rejects bad edits: empty or multi-line names, unknown roles and keys, out-of-range parameters, oversize text', () => {
      const base = valid();
      reject({ ...base, model: '' }, 'empty model');
      reject({ ...base, model: '   ' }, 'blank model');
      reject({ ...base, provider: '' }, 'empty provider');
      reject({ ...base, provider: 'openai\nx' }, 'control characters in the provider');
      reject({ ...base, messages: [] }, 'no messages');
      reject({ ...base, messages: [{ role: 'system', content: [{ type: 'text', text: 'x' }] }] }, 'system role in messages');
      reject({ ...base, messages: [{ role: 'user', content: [] }] }, 'a message without parts');
      reject({ ...base, messages: [{ role: 'user', content: [{ type: 'image', url: 'http://x' }] }] }, 'an unknown part type');
      reject({ ...base, messages: [{ role: 'assistant', content: [{ type: 'tool_call', name: 'f', arguments: '{}' }] }] }, 'a tool call without id');
      reject({ ...base, parameters: { temperature: 3 } }, 'temperature too high');
      reject({ ...base, parameters: { temperature: -0.1 } }, 'negative temperature');
      reject({ ...base, parameters: { maxTokens: 1.5 } }, 'fractional max tokens');
      reject({ ...base, parameters: { maxTokens: 0 } }, 'zero max tokens');
      reject({ ...base, parameters: { stop: Array.from({ length: REPLAY_LIMITS.stop + 1 }, () => 'x') } }, 'too many stops');
      reject({ ...base, parameters: { topK: 3 } }, 'an unknown parameter');
      reject({ ...base, apiKey: SENTINEL_KEY }, 'an unknown key');
      reject(JSON.parse(`{"__proto__":{"polluted":true},${JSON.stringify(base).slice(1)}`), '__proto__');
      reject({ ...base, systemPrompt: 'x'.repeat(REPLAY_LIMITS.systemPrompt + 1) }, 'a huge system prompt');
      reject({ ...base, messages: Array.from({ length: REPLAY_LIMITS.messages + 1 }, () => base.messages[0]) }, 'too many messages');
      const big = 'x'.repeat(REPLAY_LIMITS.partText);
      reject({ ...base, messages: Array.from({ length: 5 }, () => ({ role: 'user', content: [{ type: 'text', text: big }] })) }, 'too much text in all');
      reject({ ...base, messages: [{ role: 'user', content: [{ type: 'text', text: big + 'x' }] }] }, 'a huge part');
      reject(null, 'null');
      reject('request', 'a string');
      reject({ ...base, temperature: 0.5, parameters: undefined }, 'parameters missing');
      assert.equal(({} as Record<string, unknown>).polluted, undefined, 'no prototype pollution');
    });

    it('parseReplayRequest says what is wrong, as a ReplayError', async () => {
      await rejects(() => parseReplayRequest({ ...valid(), parameters: { temperature: 9 } }), 'invalid', /parameters\.temperature/);
    });
  });

  it('tool calls: rebuilt as the provider got them (an unanswered call left out), and a replay that calls a tool carries its call into the branch', async () => {
    await h.service.setAgent(h.session.id, h.agent.id, 'fake-tool');
    const first = await turn('Weather in Paris?', null);
    await h.service.setAgent(h.session.id, h.agent.id, null);
    const second = await turn('Thanks.', first.assistantId);
    const request = rebuildRequest(h.repos, second.started.id);
    // The agent has no tools, so the call was never answered: every provider refuses a history with such a call.
    assert.deepEqual(request.messages, [
      { role: 'user', content: [{ type: 'text', text: 'Weather in Paris?' }] },
      { role: 'user', content: [{ type: 'text', text: 'Thanks.' }] },
    ]);
    assert.deepEqual(asJson(toChatParams(toChatRequest(request), 'openai', request.model)), chatBodies(server)[1]);

    const comparison = await replay.run({ ...request, model: 'fake-tool' });
    assert.equal(comparison.replay.finishReason, 'tool_calls');
    const event = h.repos.events.get(comparison.replayEventId)!;
    assert.deepEqual(payloadOf(event).toolCalls, [{ id: 'call_fake_1', name: 'get_weather', arguments: '{"city":"Paris"}' }]);
    const branch = h.repos.messages.get(await replay.continueAsBranch(comparison.replayEventId))!;
    assert.deepEqual(branch.content, [{ type: 'tool_call', id: 'call_fake_1', name: 'get_weather', arguments: '{"city":"Paris"}' }]);
  });
});
