import * as assert from 'node:assert/strict';
import net from 'node:net';
import { createOllamaAdapter } from '../../../src/llm/adapters/ollama';
import { chunksOf, newStreamState, toOllamaMessages } from '../../../src/llm/adapters/ollamaMapping';
import { collectAnswer } from '../../../src/llm/collect';
import type { EndpointConfig } from '../../../src/llm/endpoints';
import { streamChat } from '../../../src/llm/streamChat';
import type { ChatRequest, Chunk, ProviderAdapter } from '../../../src/llm/types';
import {
  FAKE_ANSWER,
  FakeProviderServer,
  modelFor,
  sendJson,
  SENTINEL_KEY,
  startNdjson,
  writeNdjson,
  type RecordedRequest,
} from '../../fakes/providers/fakeServer';
import { FAKE_OLLAMA_VERSION, ollamaProtocol } from '../../fakes/providers/ollamaProtocol';
import { assertProviderError, describeProviderConformance } from './conformance';

interface OllamaBody {
  model?: string;
  messages?: { role: string; content: string; tool_calls?: unknown; tool_name?: string }[];
  tools?: { type: string; function: { name: string } }[];
  options?: { temperature?: number; num_predict?: number; stop?: string[] };
  stream?: boolean;
  truncate?: boolean;
  shift?: boolean;
}

const endpoint = (baseUrl: string): EndpointConfig => ({
  id: 'ollama',
  kind: 'ollama',
  label: 'Ollama',
  baseUrl,
  watchdogs: { firstByteMs: 2_000, idleMs: 2_000 },
});

const bodyOf = (request: RecordedRequest) => request.body as OllamaBody;
const isChat = (request: RecordedRequest) => request.method === 'POST' && request.url === '/api/chat';

describeProviderConformance({
  name: 'Ollama',
  handler: ollamaProtocol,
  adapter: (origin, apiKey) => createOllamaAdapter(endpoint(origin), apiKey),
  readRequest(request) {
    const body = bodyOf(request);
    const messages = body.messages ?? [];
    return {
      model: body.model,
      system: messages.find((m) => m.role === 'system')?.content,
      temperature: body.options?.temperature,
      maxTokens: body.options?.num_predict,
      stop: body.options?.stop,
      toolNames: (body.tools ?? []).map((t) => t.function.name),
      userText: messages
        .filter((m) => m.role === 'user')
        .map((m) => m.content)
        .join(''),
    };
  },
  isChatRequest: isChat,
  // Ollama reports prompt_eval_count and eval_count only: no cache or reasoning figures.
  expectedUsage: { inputTokens: 42, outputTokens: 12 },
  streamsReasoning: true,
  unsupported: {
    'content-filter': 'Ollama has no content filter: a model that declines answers in plain text with done_reason "stop".',
  },
});

describe('Ollama: what the user notices', function () {
  this.timeout(10_000);
  let server: FakeProviderServer;
  let adapter: ProviderAdapter;

  before(async () => {
    server = await FakeProviderServer.start(ollamaProtocol);
    adapter = createOllamaAdapter(endpoint(server.origin), undefined);
  });
  beforeEach(() => server.reset());
  after(() => server.close());

  const ask = (request: ChatRequest, signal?: AbortSignal, onChunk?: (chunk: Chunk) => void, through = adapter) =>
    collectAnswer(streamChat(through, request, { watchdogs: { firstByteMs: 2_000, idleMs: 2_000 }, ...(signal ? { signal } : {}) }), onChunk);

  const hello = (model: string): ChatRequest => ({ model, messages: [{ role: 'user', content: [{ type: 'text', text: 'Say hello.' }] }] });

  it('a Stop on one chat does not end another streaming at the same time', async () => {
    const stopFirst = new AbortController();
    const [first, second] = await Promise.all([
      ask(hello(modelFor('slow')), stopFirst.signal, (chunk) => {
        if (chunk.type === 'text') {
          stopFirst.abort();
        }
      }),
      ask(hello(modelFor('slow'))),
    ]);
    assert.equal(first.status, 'cancelled');
    assert.equal(second.status, 'complete', second.error?.message);
    assert.equal(second.text, FAKE_ANSWER);
  });

  it('says to start Ollama when nothing listens on its port', async () => {
    const port = await closedPort();
    const offline = createOllamaAdapter(endpoint(`http://127.0.0.1:${port}`), undefined);
    const streamError = await firstChunk(offline, hello('llama3.2')).then(
      () => assert.fail('streamed from a closed port'),
      (e: unknown) => e,
    );
    const error = assertProviderError(streamError, 'network');
    assert.match(error.message, /Is Ollama running\? Start it with `ollama serve`/);
    assert.match(error.message, new RegExp(`127\\.0\\.0\\.1:${port}`));
    const testError = await offline.test(new AbortController().signal).then(
      () => assert.fail('the connection test passed against a closed port'),
      (e: unknown) => e,
    );
    assert.match(assertProviderError(testError, 'network').message, /ollama serve/);
  });

  it('sends the system prompt as a first system message and the settings as options', async () => {
    const answer = await ask({ ...hello(modelFor('ok')), system: 'You are terse.', temperature: 0.3, maxTokens: 256, stop: ['END'] });
    assert.equal(answer.status, 'complete', answer.error?.message);
    const body = bodyOf(server.requests.find(isChat)!);
    assert.deepEqual(body.messages, [
      { role: 'system', content: 'You are terse.' },
      { role: 'user', content: 'Say hello.' },
    ]);
    assert.deepEqual(body.options, { temperature: 0.3, num_predict: 256, stop: ['END'] });
    assert.equal(body.stream, true);
    // Refuse rather than silently cut the prompt or shift it out of the window.
    assert.equal(body.truncate, false);
    assert.equal(body.shift, false);
  });

  it('sends the history with tool calls as tool_calls and tool results as role tool', async () => {
    const answer = await ask({
      model: modelFor('ok'),
      messages: [
        { role: 'user', content: [{ type: 'text', text: 'Weather in Paris?' }] },
        {
          role: 'assistant',
          content: [
            { type: 'text', text: 'Let me look.' },
            { type: 'tool_call', id: 'call_1', name: 'get_weather', arguments: '{"city":"Paris"}' },
          ],
        },
        { role: 'tool', content: [{ type: 'tool_result', callId: 'call_1', name: 'get_weather', content: '18°C, sunny' }] },
      ],
    });
    assert.equal(answer.status, 'complete', answer.error?.message);
    assert.deepEqual(bodyOf(server.requests.find(isChat)!).messages, [
      { role: 'user', content: 'Weather in Paris?' },
      { role: 'assistant', content: 'Let me look.', tool_calls: [{ function: { name: 'get_weather', arguments: { city: 'Paris' } } }] },
      { role: 'tool', content: '18°C, sunny', tool_name: 'get_weather' },
    ]);
  });

  it('marks a failed tool result as an error in its content', () => {
    const messages = toOllamaMessages(undefined, [
      { role: 'tool', content: [{ type: 'tool_result', callId: 'c', name: 'read_file', content: 'ENOENT', isError: true }] },
    ]);
    assert.deepEqual(messages, [{ role: 'tool', content: 'Error: ENOENT', tool_name: 'read_file' }]);
  });

  it('suggests `ollama pull` for a model the server does not have', async () => {
    const answer = await ask(hello('llama3.2:3b'));
    assert.equal(answer.error?.kind, 'bad_request', answer.error?.message);
    assert.equal(answer.error.status, 404);
    assert.match(answer.error.message, /ollama pull llama3\.2:3b/);
  });

  it('sends the key as a bearer token only when there is one', async () => {
    const keyed = createOllamaAdapter(endpoint(server.origin), SENTINEL_KEY);
    await ask(hello(modelFor('ok')), undefined, undefined, keyed);
    await ask(hello(modelFor('ok')));
    const [withKey, withoutKey] = server.requests.filter(isChat);
    assert.equal(withKey!.headers.authorization, `Bearer ${SENTINEL_KEY}`);
    assert.equal(withoutKey!.headers.authorization, undefined);
  });

  it('reports the server version and the installed models from the connection test', async () => {
    const result = await adapter.test(new AbortController().signal);
    assert.equal(result.detail, `Ollama ${FAKE_OLLAMA_VERSION}, 2 models installed.`);
    assert.deepEqual(
      server.requests.map((r) => `${r.method} ${r.url}`).sort(),
      ['GET /api/tags', 'GET /api/version'],
    );
  });

  it('reads an ollama.com usage limit as a quota waiting will not fix', async () => {
    const quota = await ask(hello(modelFor('quota')));
    assert.equal(quota.error?.kind, 'rate_limit');
    assert.equal(quota.error.quotaExhausted, true);
    assert.equal(server.hits('quota'), 1);
  });
});

describe('Ollama: errors only some versions send', function () {
  this.timeout(10_000);
  let server: FakeProviderServer;
  let adapter: ProviderAdapter;

  before(async () => {
    // Ollama 0.34+ relays llama-server's own JSON error as the text of its `error` field.
    const overflow = JSON.stringify({
      error: { code: 400, message: 'request (2622 tokens) exceeds the available context size (512 tokens), try increasing it', type: 'exceed_context_size_error', n_prompt_tokens: 2622, n_ctx: 512 },
    });
    server = await FakeProviderServer.start(async (exchange, scenarioOf) => {
      const model = (exchange.body as OllamaBody | undefined)?.model;
      if (model === 'overflow') {
        sendJson(exchange.res, 400, { error: overflow });
        return true;
      }
      if (model === 'crash') {
        // After the 200 headers Ollama can only report a failure as an `error` line.
        startNdjson(exchange.res);
        writeNdjson(exchange.res, { model, created_at: new Date().toISOString(), message: { role: 'assistant', content: 'Hello ' }, done: false });
        writeNdjson(exchange.res, { error: 'an error was encountered while running the model: unexpected EOF' });
        exchange.res.end();
        return true;
      }
      return ollamaProtocol(exchange, scenarioOf);
    });
    adapter = createOllamaAdapter(endpoint(server.origin), undefined);
  });
  after(() => server.close());

  const ask = (model: string) =>
    collectAnswer(streamChat(adapter, { model, messages: [{ role: 'user', content: [{ type: 'text', text: 'Hi' }] }] }, { watchdogs: { firstByteMs: 2_000, idleMs: 2_000 } }));

  it('reads llama-server\'s "exceeds the available context size" as context_length, with its message', async () => {
    const answer = await ask('overflow');
    assert.equal(answer.error?.kind, 'context_length', answer.error?.message);
    assert.match(answer.error.message, /request \(2622 tokens\) exceeds the available context size \(512 tokens\)/);
  });

  it('keeps the text before an error line in the stream, as incomplete', async () => {
    const answer = await ask('crash');
    assert.equal(answer.status, 'incomplete');
    assert.equal(answer.text, 'Hello ');
    assert.equal(answer.error?.kind, 'network');
    assert.match(answer.error.message, /unexpected EOF/);
  });
});

describe('Ollama: stream objects to chunks', () => {
  const part = (message: Record<string, unknown>, done: Record<string, unknown> = { done: false }) =>
    ({ model: 'm', created_at: new Date(), message: { role: 'assistant', content: '', ...message }, ...done }) as unknown as Parameters<typeof chunksOf>[0];

  it('keeps the id a recent server gives a tool call and makes one up otherwise', () => {
    const state = newStreamState();
    const chunks = [
      ...chunksOf(part({ tool_calls: [{ id: 'call_abc', function: { name: 'a', arguments: { x: 1 } } }, { function: { name: 'b', arguments: {} } }] }), state),
      ...chunksOf(part({}, { done: true, done_reason: 'stop', prompt_eval_count: 3, eval_count: 4 }), state),
    ];
    assert.deepEqual(chunks[0], { type: 'tool_call', id: 'call_abc', name: 'a', arguments: '{"x":1}' });
    assert.ok(chunks[1]?.type === 'tool_call' && chunks[1].id.length > 0 && chunks[1].id !== 'call_abc');
    assert.deepEqual(chunks.slice(2), [
      { type: 'usage', usage: { inputTokens: 3, outputTokens: 4 } },
      { type: 'finish', reason: 'tool_calls' },
    ]);
  });

  it('maps done_reason "length" to length and emits nothing final before done', () => {
    const state = newStreamState();
    assert.deepEqual([...chunksOf(part({ content: 'Hi' }), state)], [{ type: 'text', text: 'Hi' }]);
    const final = [...chunksOf(part({}, { done: true, done_reason: 'length', eval_count: 9 }), state)];
    assert.deepEqual(final, [
      { type: 'usage', usage: { inputTokens: 0, outputTokens: 9 } },
      { type: 'finish', reason: 'length' },
    ]);
  });
});

/** A port on 127.0.0.1 that nothing listens on: bound once, then closed. */
async function closedPort(): Promise<number> {
  const probe = net.createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const port = (probe.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

async function firstChunk(adapter: ProviderAdapter, request: ChatRequest): Promise<IteratorResult<Chunk>> {
  return adapter.stream(request, new AbortController().signal)[Symbol.asyncIterator]().next();
}
