import * as assert from 'node:assert/strict';
import { inspect } from 'node:util';
import { createAnthropicAdapter } from '../../../src/llm/adapters/anthropic';
import { DEFAULT_MAX_TOKENS } from '../../../src/llm/adapters/anthropicMapping';
import { defaultWatchdogs, type EndpointConfig } from '../../../src/llm/endpoints';
import { streamChat } from '../../../src/llm/streamChat';
import { collectAnswer } from '../../../src/llm/collect';
import type { ChatRequest, Chunk, ProviderAdapter } from '../../../src/llm/types';
import { anthropicProtocol, sendError } from '../../fakes/providers/anthropicProtocol';
import {
  FAKE_ANSWER_CHUNKS,
  FAKE_MODELS,
  FAKE_USAGE,
  FakeProviderServer,
  modelFor,
  SENTINEL_KEY,
  writeSse,
  type ProtocolHandler,
  type RecordedRequest,
  type Scenario,
} from '../../fakes/providers/fakeServer';
import { assertProviderError, describeProviderConformance } from './conformance';

const config = (origin: string): EndpointConfig => ({
  id: 'anthropic',
  kind: 'anthropic',
  label: 'Anthropic',
  baseUrl: origin,
  watchdogs: defaultWatchdogs('anthropic'),
});

interface SentBody {
  model?: string;
  system?: string;
  temperature?: number;
  max_tokens?: number;
  stop_sequences?: string[];
  tools?: { name: string; description?: string; input_schema?: unknown }[];
  messages?: { role: string; content: string | { type: string; text?: string }[] }[];
}

const isChatRequest = (r: RecordedRequest) => r.method === 'POST' && r.url.startsWith('/v1/messages');

describeProviderConformance({
  name: 'Anthropic',
  handler: anthropicProtocol,
  adapter: (origin, apiKey) => createAnthropicAdapter(config(origin), apiKey),
  readRequest(request) {
    const body = request.body as SentBody;
    const userText = (body.messages ?? [])
      .filter((m) => m.role === 'user')
      .flatMap((m) => (typeof m.content === 'string' ? [m.content] : m.content.flatMap((b) => (b.type === 'text' && b.text ? [b.text] : []))))
      .join('');
    return {
      model: body.model,
      system: body.system,
      temperature: body.temperature,
      maxTokens: body.max_tokens,
      stop: body.stop_sequences,
      toolNames: (body.tools ?? []).map((t) => t.name),
      userText,
    };
  },
  isChatRequest,
  // Anthropic reports thinking tokens (output_tokens_details) and both cache figures.
  expectedUsage: { ...FAKE_USAGE },
  streamsReasoning: true,
  droppedParameters: {
    temperature: 'API version 2026-10-21 (what SDK 1.x sends) answers any sampling parameter with a 400',
  },
});

describe('Anthropic: what a user would notice', function () {
  this.timeout(10_000);
  let server: FakeProviderServer;
  let adapter: ProviderAdapter;

  before(async () => {
    server = await FakeProviderServer.start(anthropicProtocol);
    adapter = createAnthropicAdapter(config(server.origin), SENTINEL_KEY);
  });
  beforeEach(() => server.reset());
  after(() => server.close());

  const request = (scenario: Scenario, extra: Partial<ChatRequest> = {}): ChatRequest => ({
    model: modelFor(scenario),
    messages: [{ role: 'user', content: [{ type: 'text', text: 'Say hello.' }] }],
    ...extra,
  });
  const chatRequests = () => server.requests.filter(isChatRequest);

  it('sends the key as a Bearer token with anthropic-version 2026-10-21, as SDK 1.x does', async () => {
    await drain(adapter.stream(request('ok'), new AbortController().signal));
    const sent = chatRequests()[0]!;
    assert.equal(sent.url, '/v1/messages');
    assert.equal(sent.headers.authorization, `Bearer ${SENTINEL_KEY}`);
    assert.equal(sent.headers['anthropic-version'], '2026-10-21');
    // SDK 1.x moved the key from x-api-key to Authorization; a proxy that reads only x-api-key will say 401.
    assert.equal(sent.headers['x-api-key'], undefined);
    assert.equal(sent.headers['x-stainless-retry-count'], '0');
  });

  it(`asks for ${DEFAULT_MAX_TOKENS} tokens when the request sets no limit, and never sends temperature`, async () => {
    await drain(adapter.stream(request('ok', { temperature: 0.7 }), new AbortController().signal));
    const body = chatRequests()[0]!.body as SentBody & Record<string, unknown>;
    assert.equal(body.max_tokens, DEFAULT_MAX_TOKENS);
    assert.equal('temperature' in body, false);
    assert.equal('system' in body, false);
    assert.equal(body.stream, true);
  });

  it('sends a tool round trip as tool_use and tool_result blocks, parallel results in one user turn', async () => {
    const tools = [{ name: 'get_weather', description: 'Weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } }];
    await drain(
      adapter.stream(
        request('ok', {
          tools,
          messages: [
            { role: 'user', content: [{ type: 'text', text: 'Weather in Paris and Rome?' }] },
            {
              role: 'assistant',
              content: [
                { type: 'text', text: 'Checking.' },
                { type: 'tool_call', id: 'toolu_1', name: 'get_weather', arguments: '{"city":"Paris"}' },
                { type: 'tool_call', id: 'toolu_2', name: 'get_weather', arguments: '{"city":"Rome"}' },
              ],
            },
            { role: 'tool', content: [{ type: 'tool_result', callId: 'toolu_1', name: 'get_weather', content: 'Sunny' }] },
            { role: 'tool', content: [{ type: 'tool_result', callId: 'toolu_2', name: 'get_weather', content: 'No such city', isError: true }] },
          ],
        }),
        new AbortController().signal,
      ),
    );
    const body = chatRequests()[0]!.body as { messages: unknown; tools: unknown };
    assert.deepEqual(body.messages, [
      { role: 'user', content: [{ type: 'text', text: 'Weather in Paris and Rome?' }] },
      {
        role: 'assistant',
        content: [
          { type: 'text', text: 'Checking.' },
          { type: 'tool_use', id: 'toolu_1', name: 'get_weather', input: { city: 'Paris' } },
          { type: 'tool_use', id: 'toolu_2', name: 'get_weather', input: { city: 'Rome' } },
        ],
      },
      {
        role: 'user',
        content: [
          { type: 'tool_result', tool_use_id: 'toolu_1', content: 'Sunny' },
          { type: 'tool_result', tool_use_id: 'toolu_2', content: 'No such city', is_error: true },
        ],
      },
    ]);
    assert.deepEqual(body.tools, [{ name: 'get_weather', description: 'Weather', input_schema: tools[0]!.parameters }]);
  });

  it('makes exactly one HTTP request on a 429: the SDK does not retry behind our back', async () => {
    const err = await drain(adapter.stream(request('rate-limit'), new AbortController().signal)).then(
      () => assert.fail('a 429 passed as success'),
      (e: unknown) => e,
    );
    const error = assertProviderError(err, 'rate_limit');
    assert.equal(error.retryAfterMs, 0);
    assert.equal(error.status, 429);
    assert.equal(server.hits('rate-limit'), 1);
    assert.equal(chatRequests().length, 1);
  });

  it('reports a spend limit (429 with an error code) as an exhausted quota', async () => {
    const err = await drain(adapter.stream(request('quota'), new AbortController().signal)).catch((e: unknown) => e);
    const error = assertProviderError(err, 'rate_limit');
    assert.equal(error.quotaExhausted, true);
    assert.equal(error.retryable, false);
  });

  it('ends with an error, not quietly, when Stop aborts the SDK stream mid-answer', async () => {
    const controller = new AbortController();
    const seen: Chunk[] = [];
    const err = await (async () => {
      for await (const chunk of adapter.stream(request('slow'), controller.signal)) {
        seen.push(chunk);
        controller.abort();
      }
    })().then(
      () => assert.fail('the stream ended as if complete'),
      (e: unknown) => e,
    );
    assertProviderError(err, 'cancelled');
    assert.deepEqual(seen, [{ type: 'text', text: FAKE_ANSWER_CHUNKS[0] }]);
  });

  it('lists models across pages with their display names', async () => {
    const models = await adapter.listModels(new AbortController().signal);
    assert.deepEqual(
      models.map((m) => m.id),
      FAKE_MODELS,
    );
    assert.equal(models[0]!.label, 'Fake ok');
    assert.ok(server.requests.filter((r) => r.url.startsWith('/v1/models')).length >= FAKE_MODELS.length, 'one page per model');
  });

  it('asks for a key instead of searching the environment when none is set', async () => {
    const keyless = createAnthropicAdapter(config(server.origin), undefined);
    const err = await keyless.test(new AbortController().signal).catch((e: unknown) => e);
    const error = assertProviderError(err, 'auth');
    assert.match(error.message, /Set API Key/);
    assert.equal(server.requests.length, 0);
  });

  it('says the endpoint is unreachable when nothing listens there', async () => {
    const closed = await FakeProviderServer.start(anthropicProtocol);
    const origin = closed.origin;
    await closed.close();
    const err = await createAnthropicAdapter(config(origin), SENTINEL_KEY)
      .listModels(new AbortController().signal)
      .catch((e: unknown) => e);
    const error = assertProviderError(err, 'network');
    assert.match(error.message, /ECONNREFUSED/);
    assert.ok(!inspect(error, { depth: Infinity, showHidden: true }).includes(SENTINEL_KEY));
  });
});

describe('Anthropic: faults the shared scenarios do not cover', function () {
  this.timeout(10_000);

  /** A one-off server answering every chat request with `respond`. */
  async function withServer(respond: ProtocolHandler, run: (adapter: ProviderAdapter, server: FakeProviderServer) => Promise<void>) {
    const server = await FakeProviderServer.start(respond);
    try {
      await run(createAnthropicAdapter(config(server.origin), SENTINEL_KEY), server);
    } finally {
      await server.close();
    }
  }

  const ask = (adapter: ProviderAdapter) =>
    collectAnswer(
      streamChat(adapter, { model: 'claude-test', messages: [{ role: 'user', content: [{ type: 'text', text: 'Hi' }] }] }, { watchdogs: { firstByteMs: 2000, idleMs: 2000 }, retry: { baseDelayMs: 1 } }),
    );

  it('treats an overloaded_error event in the middle of a stream as overloaded, keeping the partial text', async () => {
    await withServer(
      ({ res }) => {
        res.writeHead(200, { 'content-type': 'text/event-stream', 'request-id': 'req_1' });
        writeSse(res, { type: 'message_start', message: { id: 'msg_1', type: 'message', role: 'assistant', content: [], model: 'claude-test', stop_reason: null, stop_sequence: null, usage: { input_tokens: 3, output_tokens: 1 } } }, 'message_start');
        writeSse(res, { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } }, 'content_block_start');
        writeSse(res, { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'Hel' } }, 'content_block_delta');
        writeSse(res, { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } }, 'error');
        res.end();
        return true;
      },
      async (adapter, server) => {
        const answer = await ask(adapter);
        assert.equal(answer.error?.kind, 'overloaded', answer.error?.message);
        assert.equal(answer.status, 'incomplete');
        assert.equal(answer.text, 'Hel');
        assert.equal(server.requests.length, 1, 'an answer already started is never silently restarted');
      },
    );
  });

  it('reports "credit balance is too low" (a 400) as an exhausted quota, not a bad request', async () => {
    await withServer(
      ({ res }) => {
        sendError(res, 400, 'invalid_request_error', 'Your credit balance is too low to access the Anthropic API. Please go to Plans & Billing to upgrade or purchase credits.');
        return true;
      },
      async (adapter, server) => {
        const answer = await ask(adapter);
        assert.equal(answer.error?.kind, 'rate_limit', answer.error?.message);
        assert.equal(answer.error.quotaExhausted, true);
        assert.equal(answer.error.status, 400);
        assert.match(answer.error.message, /credit balance/);
        assert.equal(server.requests.length, 1);
      },
    );
  });

  it('reports a billing_error (402) as an exhausted quota', async () => {
    await withServer(
      ({ res }) => {
        sendError(res, 402, 'billing_error', 'This organization cannot be billed for the request.', { errorCode: 'linked_organization_billing_unavailable' });
        return true;
      },
      async (adapter) => {
        const answer = await ask(adapter);
        assert.equal(answer.error?.kind, 'rate_limit', answer.error?.message);
        assert.equal(answer.error.quotaExhausted, true);
      },
    );
  });

  it('reports a 400 for a sampling parameter as a bad request with the API\'s words', async () => {
    await withServer(
      ({ res }) => {
        sendError(res, 400, 'invalid_request_error', 'temperature: Extra inputs are not permitted');
        return true;
      },
      async (adapter) => {
        const answer = await ask(adapter);
        assert.equal(answer.error?.kind, 'bad_request', answer.error?.message);
        assert.match(answer.error.message, /Extra inputs are not permitted/);
      },
    );
  });
});

async function drain(stream: AsyncIterable<Chunk>): Promise<Chunk[]> {
  const chunks: Chunk[] = [];
  for await (const chunk of stream) {
    chunks.push(chunk);
  }
  return chunks;
}
