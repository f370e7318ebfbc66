import * as assert from 'node:assert/strict';
import { inspect } from 'node:util';
import { collectAnswer, type CollectedAnswer } from '../../../src/llm/collect';
import type { Watchdogs } from '../../../src/llm/endpoints';
import { ProviderError } from '../../../src/llm/errors';
import { streamChat } from '../../../src/llm/streamChat';
import type { ChatRequest, ProviderAdapter, Usage } from '../../../src/llm/types';
import {
  FAKE_ANSWER,
  FAKE_MODELS,
  FAKE_PARTIAL,
  FAKE_REASONING,
  FAKE_TOOL,
  FakeProviderServer,
  modelFor,
  REJECTED_KEY,
  SENTINEL_KEY,
  type ProtocolHandler,
  type RecordedRequest,
  type Scenario,
} from '../../fakes/providers/fakeServer';

/**
 * The fault matrix every provider adapter must pass, driven through the real SDK against a loopback server that
 * speaks the provider's wire protocol. Each provider's test file calls `describeProviderConformance` with its
 * fixture, then adds the checks only that provider needs.
 */

export interface NormalizedRequest {
  model: string | undefined;
  system: string | undefined;
  temperature: number | undefined;
  maxTokens: number | undefined;
  stop: string[] | undefined;
  toolNames: string[];
  /** All user text of the request, joined. */
  userText: string;
}

export interface ConformanceFixture {
  name: string;
  handler: ProtocolHandler;
  adapter(origin: string, apiKey: string | undefined): ProviderAdapter;
  /** Reads what the SDK sent, in the provider's own request format. */
  readRequest(request: RecordedRequest): NormalizedRequest;
  /** Whether a request is the chat call (not a model listing), to find it among the recorded requests. */
  isChatRequest(request: RecordedRequest): boolean;
  /** Usage as the adapter reports the fake's figures (providers report different subsets). */
  expectedUsage: Usage;
  streamsReasoning: boolean;
  /** Scenarios the provider's protocol cannot express, with the reason; they get no test. */
  unsupported?: Partial<Record<Scenario, string>>;
  /** Request parameters the provider's API rejects, so the adapter must leave them out, with the reason. */
  droppedParameters?: Partial<Record<'temperature', string>>;
}

const fastWatchdogs: Watchdogs = { firstByteMs: 400, idleMs: 400 };

export function describeProviderConformance(fixture: ConformanceFixture): void {
  describe(`${fixture.name}: the fault matrix through the real SDK`, function () {
    this.timeout(10_000);
    let server: FakeProviderServer;
    let adapter: ProviderAdapter;

    before(async () => {
      server = await FakeProviderServer.start(fixture.handler);
      adapter = fixture.adapter(server.origin, SENTINEL_KEY);
    });
    beforeEach(() => server.reset());
    after(() => server.close());

    const request = (scenario: Scenario, extra: Partial<ChatRequest> = {}): ChatRequest => ({
      model: modelFor(scenario),
      system: 'You are terse.',
      messages: [{ role: 'user', content: [{ type: 'text', text: 'Say hello.' }] }],
      temperature: 0.3,
      maxTokens: 256,
      stop: ['END'],
      ...extra,
    });

    const ask = (scenario: Scenario, options: { signal?: AbortSignal; watchdogs?: Watchdogs; extra?: Partial<ChatRequest> } = {}) =>
      collectAnswer(
        streamChat(adapter, request(scenario, options.extra), {
          watchdogs: options.watchdogs ?? fastWatchdogs,
          retry: { baseDelayMs: 1 },
          ...(options.signal ? { signal: options.signal } : {}),
        }),
      );

    const supports = (scenario: Scenario) => fixture.unsupported?.[scenario] === undefined;

    const assertNoKey = (value: unknown) => {
      const seen = inspect(value, { depth: Infinity, showHidden: true });
      assert.ok(!seen.includes(SENTINEL_KEY), `the key leaked into: ${seen.slice(0, 400)}`);
      assert.ok(!seen.includes(SENTINEL_KEY.slice(3, 20)), 'a fragment of the key leaked');
    };

    const expectFailure = (answer: CollectedAnswer, kind: ProviderError['kind']) => {
      assert.ok(answer.error, `expected a ${kind} error, got status ${answer.status} with "${answer.text}"`);
      assert.equal(answer.error.kind, kind, answer.error.message);
      assertNoKey(answer);
      return answer.error;
    };

    it('streams the answer with usage and the final event, sending the request parameters', async () => {
      const answer = await ask('ok');
      assert.equal(answer.status, 'complete', answer.error?.message);
      assert.equal(answer.text, FAKE_ANSWER);
      assert.equal(answer.finishReason, 'stop');
      assert.deepEqual(answer.usage, fixture.expectedUsage);
      const sent = fixture.readRequest(chatRequests()[0]!);
      assert.deepEqual(sent, {
        model: modelFor('ok'),
        system: 'You are terse.',
        temperature: fixture.droppedParameters?.temperature === undefined ? 0.3 : undefined,
        maxTokens: 256,
        stop: ['END'],
        toolNames: [],
        userText: 'Say hello.',
      });
      assert.equal(server.hits('ok'), 1);
    });

    if (fixture.streamsReasoning) {
      it('streams reasoning apart from the answer', async () => {
        const answer = await ask('reasoning');
        assert.equal(answer.status, 'complete', answer.error?.message);
        assert.equal(answer.reasoning, FAKE_REASONING);
        assert.equal(answer.text, FAKE_ANSWER);
      });
    }

    it('sends tools as JSON schema and returns the call the model made', async () => {
      const tools = [
        {
          name: FAKE_TOOL.name,
          description: 'Current weather for a city',
          parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
        },
      ];
      const answer = await ask('tool', { extra: { tools } });
      assert.equal(answer.status, 'complete', answer.error?.message);
      assert.equal(answer.finishReason, 'tool_calls');
      assert.equal(answer.toolCalls.length, 1);
      assert.equal(answer.toolCalls[0]!.name, FAKE_TOOL.name);
      assert.deepEqual(JSON.parse(answer.toolCalls[0]!.arguments), FAKE_TOOL.arguments);
      assert.ok(answer.toolCalls[0]!.id.length > 0, 'a tool call has an id to answer it by');
      assert.deepEqual(fixture.readRequest(chatRequests()[0]!).toolNames, [FAKE_TOOL.name]);
    });

    if (supports('auth')) {
      it('reports a rejected key as auth, once, with the key nowhere in the error', async () => {
        const error = expectFailure(await ask('auth'), 'auth');
        assert.equal(server.hits('auth'), 1, 'auth errors are never retried');
        assert.match(error.message, /Set API Key/);
      });
    }

    if (supports('rate-limit')) {
      it('waits out a 429 with retry-after and then answers', async () => {
        const answer = await ask('rate-limit');
        assert.equal(answer.status, 'complete', answer.error?.message);
        assert.equal(answer.text, FAKE_ANSWER);
        assert.equal(server.hits('rate-limit'), 2);
      });
    }

    if (supports('quota')) {
      it('does not retry a 429 that says the quota is exhausted', async () => {
        const error = expectFailure(await ask('quota'), 'rate_limit');
        assert.equal(error.quotaExhausted, true);
        assert.equal(server.hits('quota'), 1);
      });
    }

    if (supports('overloaded')) {
      it('retries an overloaded provider and then answers', async () => {
        const answer = await ask('overloaded');
        assert.equal(answer.status, 'complete', answer.error?.message);
        assert.equal(server.hits('overloaded'), 2);
      });
    }

    if (supports('content-filter')) {
      it('reports a content filter refusal as content_filter, not retried', async () => {
        expectFailure(await ask('content-filter'), 'content_filter');
        assert.equal(server.hits('content-filter'), 1);
      });
    }

    if (supports('context-length')) {
      it('reports a prompt over the context window as context_length', async () => {
        expectFailure(await ask('context-length'), 'context_length');
        assert.equal(server.hits('context-length'), 1);
      });
    }

    it('keeps the text that arrived before a socket reset, as incomplete', async () => {
      const answer = await ask('reset');
      expectFailure(answer, 'network');
      assert.equal(answer.status, 'incomplete');
      assert.equal(answer.text, FAKE_PARTIAL);
      assert.equal(server.hits('reset'), 1, 'an answer already started is never silently restarted');
    });

    it('treats a clean end without the final event as incomplete, never success', async () => {
      const answer = await ask('no-final');
      expectFailure(answer, 'incomplete');
      assert.equal(answer.status, 'incomplete');
      assert.equal(answer.text, FAKE_PARTIAL);
    });

    it('gives up on a stream that goes silent after its headers, by the first-byte watchdog', async () => {
      const started = performance.now();
      const answer = await ask('silence', { watchdogs: { firstByteMs: 300, idleMs: 300 }, extra: {} });
      const elapsed = performance.now() - started;
      expectFailure(answer, 'timeout');
      assert.equal(answer.status, 'error');
      // Timeouts are retried (3 attempts of 300 ms), and nothing more.
      assert.ok(elapsed < 3_000, `took ${elapsed} ms`);
      assert.equal(server.hits('silence'), 3);
    });

    it('stops at once during a 30 s retry-after wait', async () => {
      const controller = new AbortController();
      const started = performance.now();
      const pending = ask('rate-limit-long', { signal: controller.signal, extra: {} });
      await waitFor(() => server.hits('rate-limit-long') === 1);
      await new Promise((resolve) => setTimeout(resolve, 100));
      const pressed = performance.now();
      controller.abort();
      const answer = await pending;
      const afterStop = performance.now() - pressed;
      expectFailure(answer, 'cancelled');
      assert.equal(answer.status, 'cancelled');
      assert.ok(afterStop < 1_000, `Stop took ${afterStop} ms`);
      assert.ok(performance.now() - started < 5_000);
      assert.equal(server.hits('rate-limit-long'), 1);
    });

    it('stops in the middle of a stream and keeps the partial answer as cancelled', async () => {
      const controller = new AbortController();
      let pressed = 0;
      const answer = await collectAnswer(
        streamChat(adapter, request('slow'), { watchdogs: fastWatchdogs, signal: controller.signal }),
        (chunk) => {
          if (chunk.type === 'text' && pressed === 0) {
            pressed = performance.now();
            controller.abort();
          }
        },
      );
      const afterStop = performance.now() - pressed;
      expectFailure(answer, 'cancelled');
      assert.equal(answer.status, 'cancelled');
      assert.ok(answer.text.length > 0 && FAKE_ANSWER.startsWith(answer.text));
      assert.ok(afterStop < 1_000, `Stop took ${afterStop} ms`);
    });

    it('lists the models the endpoint serves', async () => {
      const models = await adapter.listModels(new AbortController().signal);
      const ids = models.map((m) => m.id);
      for (const expected of FAKE_MODELS) {
        assert.ok(ids.includes(expected), `${expected} missing from ${ids.join(', ')}`);
      }
      assertNoKey(models);
    });

    it('tests the connection with a cheap call and reports latency', async () => {
      const result = await adapter.test(new AbortController().signal);
      assert.equal(result.ok, true);
      assert.ok(result.latencyMs >= 0);
      assert.ok(result.detail.length > 0);
      assertNoKey(result);
    });

    if (supports('auth')) {
      it('reports a rejected key from the connection test as auth, without the key', async () => {
        const rejected = fixture.adapter(server.origin, REJECTED_KEY);
        const err = await rejected.test(new AbortController().signal).then(
          () => assert.fail('the test passed with a rejected key'),
          (e: unknown) => e,
        );
        assertProviderError(err, 'auth');
        const seen = inspect(err, { depth: Infinity, showHidden: true });
        assert.ok(!seen.includes(REJECTED_KEY), `the key leaked into: ${seen.slice(0, 400)}`);
      });
    }

    function chatRequests(): RecordedRequest[] {
      return server.requests.filter((r) => fixture.isChatRequest(r));
    }
  });
}

/** Polls a condition the fake server makes true; the waits are bounded by the test timeout. */
export async function waitFor(condition: () => boolean): Promise<void> {
  while (!condition()) {
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

export function assertProviderError(err: unknown, kind: ProviderError['kind']): ProviderError {
  assert.ok(err instanceof ProviderError, `expected ProviderError, got ${inspect(err)}`);
  assert.equal(err.kind, kind, err.message);
  return err;
}
