import * as assert from 'node:assert/strict';
import { createOpenAiAdapter } from '../../../src/llm/adapters/openai';
import { ChatChunkAssembler } from '../../../src/llm/adapters/openaiMapping';
import { defaultWatchdogs, type EndpointConfig, type ProviderKind } from '../../../src/llm/endpoints';
import type { ChatRequest, Chunk, ProviderAdapter } from '../../../src/llm/types';
import { FAKE_ANSWER, FAKE_USAGE, FakeProviderServer, modelFor, SENTINEL_KEY, type RecordedRequest } from '../../fakes/providers/fakeServer';
import { isOpenAiChatRequest, openAiProtocol, readOpenAiRequest } from '../../fakes/providers/openaiProtocol';
import { assertProviderError, describeProviderConformance, type ConformanceFixture } from './conformance';

const AZURE_API_VERSION = '2024-10-21';
/** Named after a scenario so the connection test's completion (whose body model is the deployment) gets an answer. */
const AZURE_DEPLOYMENT = modelFor('ok');

function configFor(kind: ProviderKind, origin: string): EndpointConfig {
  const base = { id: kind, kind, watchdogs: defaultWatchdogs(kind) };
  switch (kind) {
    case 'azure-openai':
      return { ...base, label: 'Azure OpenAI', azure: { endpoint: origin, deployment: AZURE_DEPLOYMENT, apiVersion: AZURE_API_VERSION } };
    case 'openai-compatible':
      return { ...base, id: 'openai-compatible:lmstudio', label: 'LM Studio', baseUrl: `${origin}/v1` };
    default:
      return { ...base, label: 'OpenAI', baseUrl: `${origin}/v1` };
  }
}

const fixtureFor = (kind: ProviderKind, name: string): ConformanceFixture => ({
  name,
  handler: openAiProtocol,
  adapter: (origin, apiKey) =>
    // The compatible server runs without a key (the usual LM Studio setup); a key the test means to be rejected
    // is still passed, so the redaction of a rejected key is checked there too.
    createOpenAiAdapter(configFor(kind, origin), kind === 'openai-compatible' && apiKey === SENTINEL_KEY ? undefined : apiKey),
  readRequest: readOpenAiRequest,
  isChatRequest: isOpenAiChatRequest,
  expectedUsage: FAKE_USAGE,
  streamsReasoning: true,
});

describeProviderConformance(fixtureFor('openai', 'openai'));
describeProviderConformance(fixtureFor('openai-compatible', 'openai-compatible (no key)'));
describeProviderConformance(fixtureFor('azure-openai', 'azure-openai'));

describe('openai adapter: what the SDK sends', function () {
  this.timeout(10_000);
  let server: FakeProviderServer;
  before(async () => {
    server = await FakeProviderServer.start(openAiProtocol);
  });
  beforeEach(() => server.reset());
  after(() => server.close());

  const ask = (model: string, extra: Partial<ChatRequest> = {}): ChatRequest => ({
    model,
    messages: [{ role: 'user', content: [{ type: 'text', text: 'Say hello.' }] }],
    maxTokens: 64,
    ...extra,
  });

  async function drain(adapter: ProviderAdapter, request: ChatRequest): Promise<{ chunks: Chunk[]; error?: unknown }> {
    const chunks: Chunk[] = [];
    try {
      for await (const chunk of adapter.stream(request, new AbortController().signal)) {
        chunks.push(chunk);
      }
      return { chunks };
    } catch (error) {
      return { chunks, error };
    }
  }

  const chatRequest = (): RecordedRequest => {
    const found = server.requests.find(isOpenAiChatRequest);
    assert.ok(found, 'no chat request reached the fake');
    return found;
  };

  it('Azure: sends the key in api-key, the deployment in the path and the api-version query', async () => {
    const adapter = createOpenAiAdapter(configFor('azure-openai', server.origin), SENTINEL_KEY);
    const { chunks, error } = await drain(adapter, ask(modelFor('ok')));
    assert.equal(error, undefined);
    assert.equal(chunks.filter((c) => c.type === 'text').map((c) => (c.type === 'text' ? c.text : '')).join(''), FAKE_ANSWER);
    const sent = chatRequest();
    const url = new URL(sent.url, server.origin);
    assert.equal(url.pathname, `/openai/deployments/${AZURE_DEPLOYMENT}/chat/completions`);
    assert.equal(url.searchParams.get('api-version'), AZURE_API_VERSION);
    assert.equal(sent.headers['api-key'], SENTINEL_KEY);
    assert.equal(sent.headers.authorization, undefined, 'Azure keys go in api-key, not a bearer token');
    assert.equal((sent.body as { max_completion_tokens?: number }).max_completion_tokens, 64);
  });

  it('Azure: lists the deployment first, then the resource models', async () => {
    const adapter = createOpenAiAdapter(configFor('azure-openai', server.origin), SENTINEL_KEY);
    const models = await adapter.listModels(new AbortController().signal);
    assert.equal(models[0]?.id, AZURE_DEPLOYMENT);
    const listing = server.requests.find((r) => r.method === 'GET');
    assert.ok(listing?.url.startsWith(`/openai/models?api-version=${AZURE_API_VERSION}`), listing?.url);
  });

  it('makes exactly one HTTP request on a 429: the SDK retries are off, streamChat owns them', async () => {
    const adapter = createOpenAiAdapter(configFor('openai', server.origin), SENTINEL_KEY);
    const started = performance.now();
    const { error } = await drain(adapter, ask(modelFor('rate-limit-long')));
    const failure = assertProviderError(error, 'rate_limit');
    assert.equal(failure.retryAfterMs, 30_000);
    assert.equal(server.requests.length, 1);
    assert.ok(performance.now() - started < 2_000);
  });

  it('sends max_tokens to compatible servers and a placeholder key when none is set', async () => {
    const adapter = createOpenAiAdapter(configFor('openai-compatible', server.origin), undefined);
    const { error } = await drain(adapter, ask(modelFor('ok')));
    assert.equal(error, undefined);
    const body = chatRequest().body as { max_tokens?: number; max_completion_tokens?: number; stream_options?: unknown };
    assert.equal(body.max_tokens, 64);
    assert.equal(body.max_completion_tokens, undefined);
    assert.deepEqual(body.stream_options, { include_usage: true });
    assert.equal(chatRequest().headers.authorization, 'Bearer not-needed');
  });

  it('maps a history with a tool call and its result to assistant.tool_calls and a tool message', async () => {
    const adapter = createOpenAiAdapter(configFor('openai', server.origin), SENTINEL_KEY);
    const request = ask(modelFor('ok'), {
      system: 'Be brief.',
      messages: [
        { role: 'user', content: [{ type: 'text', text: 'Weather in Paris?' }] },
        {
          role: 'assistant',
          content: [
            { type: 'text', text: 'Let me check.' },
            { type: 'tool_call', id: 'call_1', name: 'get_weather', arguments: '{"city":"Paris"}' },
          ],
        },
        {
          role: 'tool',
          content: [
            { type: 'tool_result', callId: 'call_1', name: 'get_weather', content: '18 °C, cloudy' },
            { type: 'text', text: 'And tomorrow?' },
          ],
        },
        { role: 'user', content: [{ type: 'tool_result', callId: 'call_2', name: 'get_weather', content: 'no data', isError: true }] },
      ],
    });
    await drain(adapter, request);
    assert.deepEqual((chatRequest().body as { messages: unknown }).messages, [
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: 'Weather in Paris?' },
      {
        role: 'assistant',
        content: 'Let me check.',
        tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }],
      },
      { role: 'tool', tool_call_id: 'call_1', content: '18 °C, cloudy' },
      { role: 'user', content: 'And tomorrow?' },
      { role: 'tool', tool_call_id: 'call_2', content: 'Error: no data' },
    ]);
  });

  it('reports an unreachable server as network, saying why', async () => {
    const closed = await FakeProviderServer.start(openAiProtocol);
    const origin = closed.origin;
    await closed.close();
    const adapter = createOpenAiAdapter(configFor('openai-compatible', origin), undefined);
    const { error } = await drain(adapter, ask(modelFor('ok')));
    const failure = assertProviderError(error, 'network');
    assert.match(failure.message, /connection refused/);
  });

  it('asks for a key instead of reading OPENAI_API_KEY when none is set', async () => {
    const adapter = createOpenAiAdapter(configFor('openai', server.origin), undefined);
    const err = await adapter.test(new AbortController().signal).then(
      () => assert.fail('passed without a key'),
      (e: unknown) => e,
    );
    assert.match(assertProviderError(err, 'auth').message, /Set API Key/);
    assert.equal(server.requests.length, 0);
  });
});

describe('openai adapter: folding the chunk stream', () => {
  const envelope = { id: 'c', object: 'chat.completion.chunk' as const, created: 0, model: 'm' };
  const choice = (delta: Record<string, unknown>, finish: string | null = null) =>
    ({ ...envelope, choices: [{ index: 0, delta, finish_reason: finish }] }) as never;
  const usageChunk = { ...envelope, choices: [], usage: { prompt_tokens: 3, completion_tokens: 2, total_tokens: 5 } } as never;

  it('yields usage then finish after the stream, and only if finish_reason came', () => {
    const folded = new ChatChunkAssembler();
    assert.deepEqual(folded.accept(choice({ content: 'Hi' })), [{ type: 'text', text: 'Hi' }]);
    assert.deepEqual(folded.end(), [], 'no finish_reason: no finish');
    folded.accept(choice({}, 'length'));
    folded.accept(usageChunk);
    assert.deepEqual(folded.end(), [
      { type: 'usage', usage: { inputTokens: 3, outputTokens: 2 } },
      { type: 'finish', reason: 'length' },
    ]);
  });

  it('assembles tool calls by index, fills a missing id, and calls a "stop" with tool calls tool_calls', () => {
    const folded = new ChatChunkAssembler();
    folded.accept(choice({ tool_calls: [{ index: 1, function: { name: 'b', arguments: '{"x"' } }] }));
    folded.accept(choice({ tool_calls: [{ index: 0, id: 'call_a', function: { name: 'a', arguments: '{}' } }] }));
    const out = folded.accept(choice({ tool_calls: [{ index: 1, function: { arguments: ':1}' } }] }, 'stop'));
    assert.equal(out.length, 2);
    assert.deepEqual(out[0], { type: 'tool_call', id: 'call_a', name: 'a', arguments: '{}' });
    assert.ok(out[1]?.type === 'tool_call' && out[1].id.startsWith('call_') && out[1].arguments === '{"x":1}');
    assert.deepEqual(folded.end(), [{ type: 'finish', reason: 'tool_calls' }]);
  });

  it('streams reasoning_content and reasoning as reasoning, and a content filter stop as content_filter', () => {
    const folded = new ChatChunkAssembler();
    assert.deepEqual(folded.accept(choice({ reasoning_content: 'hm' })), [{ type: 'reasoning', text: 'hm' }]);
    assert.deepEqual(folded.accept(choice({ reasoning: 'ok' })), [{ type: 'reasoning', text: 'ok' }]);
    folded.accept(choice({}, 'content_filter'));
    assert.deepEqual(folded.end(), [{ type: 'finish', reason: 'content_filter' }]);
  });

  it('ends a refusal as content_filter, with its text shown', () => {
    const folded = new ChatChunkAssembler();
    assert.deepEqual(folded.accept(choice({ refusal: 'I cannot help with that.' })), [{ type: 'text', text: 'I cannot help with that.' }]);
    folded.accept(choice({}, 'stop'));
    assert.deepEqual(folded.end(), [{ type: 'finish', reason: 'content_filter' }]);
  });
});
