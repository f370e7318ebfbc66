import * as assert from 'node:assert/strict';
import { createGeminiAdapter } from '../../../src/llm/adapters/gemini';
import { toFinishReason, toUsage } from '../../../src/llm/adapters/geminiMapping';
import { ReplyAssembler } from '../../../src/llm/assemble';
import { collectAnswer } from '../../../src/llm/collect';
import { defaultWatchdogs, type EndpointConfig } from '../../../src/llm/endpoints';
import type { ChatMessage, ChatRequest, Chunk, ContentPart, ProviderAdapter } from '../../../src/llm/types';
import { geminiProtocol } from '../../fakes/providers/geminiProtocol';
import { FAKE_ANSWER, FAKE_TOOL, FakeProviderServer, modelFor, SENTINEL_KEY, sendJson, type RecordedRequest } from '../../fakes/providers/fakeServer';
import { assertProviderError, describeProviderConformance } from './conformance';

interface GeminiPart {
  text?: string;
  thought?: boolean;
  thoughtSignature?: string;
  functionCall?: { id?: string; name: string; args: Record<string, unknown> };
  functionResponse?: { id?: string; name: string; response: Record<string, unknown> };
}

interface GeminiBody {
  contents?: { role: string; parts: GeminiPart[] }[];
  systemInstruction?: { parts?: { text?: string }[] };
  generationConfig?: { temperature?: number; maxOutputTokens?: number; stopSequences?: string[]; thinkingConfig?: { includeThoughts?: boolean } };
  tools?: { functionDeclarations?: { name: string; parametersJsonSchema?: unknown }[] }[];
}

const endpoint = (baseUrl: string): EndpointConfig => ({ id: 'gemini', kind: 'gemini', label: 'Gemini', baseUrl, watchdogs: defaultWatchdogs('gemini') });
const isChatRequest = (request: RecordedRequest) => request.method === 'POST' && request.url.includes(':streamGenerateContent');
const HELLO: ChatMessage[] = [{ role: 'user', content: [{ type: 'text', text: 'Say hello.' }] }];
const bodyOf = (request: RecordedRequest | undefined) => (request?.body ?? {}) as GeminiBody;

describeProviderConformance({
  name: 'Gemini',
  handler: geminiProtocol,
  adapter: (origin, apiKey) => createGeminiAdapter(endpoint(origin), apiKey),
  isChatRequest,
  readRequest(request) {
    const body = bodyOf(request);
    const config = body.generationConfig ?? {};
    const texts = (role: string) => (body.contents ?? []).filter((c) => c.role === role).flatMap((c) => c.parts.map((p) => p.text ?? ''));
    return {
      model: /\/models\/([^/:]+):/.exec(request.url)?.[1],
      system: body.systemInstruction?.parts?.map((p) => p.text ?? '').join(''),
      temperature: config.temperature,
      maxTokens: config.maxOutputTokens,
      stop: config.stopSequences,
      toolNames: (body.tools ?? []).flatMap((t) => (t.functionDeclarations ?? []).map((d) => d.name)),
      userText: texts('user').join(''),
    };
  },
  // Gemini reports no cache writes; its output tokens include the thoughts, as it bills them.
  expectedUsage: { inputTokens: 42, outputTokens: 12, cacheReadTokens: 5, reasoningTokens: 7 },
  streamsReasoning: true,
});

describe('Gemini adapter: what only Gemini does', function () {
  this.timeout(10_000);
  let server: FakeProviderServer;
  let adapter: ProviderAdapter;

  before(async () => {
    server = await FakeProviderServer.start(geminiProtocol);
    adapter = createGeminiAdapter(endpoint(server.origin), SENTINEL_KEY);
  });
  beforeEach(() => server.reset());
  after(() => server.close());

  const ask = (model: string, messages: ChatMessage[] = HELLO, extra: Partial<ChatRequest> = {}) =>
    drain(adapter.stream({ model, messages, ...extra }, new AbortController().signal));

  it('sends the key in the x-goog-api-key header, never in the URL, to the v1beta streaming route', async () => {
    await ask(modelFor('ok'));
    const [sent] = server.requests;
    assert.ok(sent);
    assert.equal(sent.url, '/v1beta/models/fake-ok:streamGenerateContent?alt=sse');
    assert.equal(sent.headers['x-goog-api-key'], SENTINEL_KEY);
    assert.ok(!sent.url.includes(SENTINEL_KEY.slice(3, 20)), 'the key is not in the URL');
    assert.equal(sent.headers.authorization, undefined);
    assert.deepEqual(bodyOf(sent).generationConfig?.thinkingConfig, { includeThoughts: true });
    assert.ok(!('automaticContinuation' in (bodyOf(sent).generationConfig ?? {})), 'an SDK option, never sent');
  });

  it('sends an assistant tool call and its result as functionCall and functionResponse parts', async () => {
    const history: ChatMessage[] = [
      { role: 'user', content: [{ type: 'text', text: 'Weather in Paris?' }] },
      {
        role: 'assistant',
        content: [
          { type: 'text', text: 'Let me check.' },
          { type: 'tool_call', id: 'call_1', name: 'get_weather', arguments: '{"city":"Paris"}' },
          { type: 'tool_call', id: 'call_2', name: 'get_weather', arguments: '{"city":"Lyon"}' },
        ],
      },
      {
        role: 'tool',
        content: [
          { type: 'tool_result', callId: 'call_1', name: 'get_weather', content: 'Sunny, 21 C' },
          { type: 'tool_result', callId: 'call_2', name: 'get_weather', content: 'station offline', isError: true },
        ],
      },
      { role: 'user', content: [{ type: 'text', text: 'Thanks.' }] },
    ];
    await ask(modelFor('ok'), history);
    assert.deepEqual(bodyOf(server.requests[0]).contents, [
      { role: 'user', parts: [{ text: 'Weather in Paris?' }] },
      {
        role: 'model',
        parts: [
          { text: 'Let me check.' },
          // A call we hold no signature for gets Google's placeholder, on the first call of the step only.
          { functionCall: { id: 'call_1', name: 'get_weather', args: { city: 'Paris' } }, thoughtSignature: 'skip_thought_signature_validator' },
          { functionCall: { id: 'call_2', name: 'get_weather', args: { city: 'Lyon' } } },
        ],
      },
      {
        // Tool results and the next user text share Gemini's one user turn.
        role: 'user',
        parts: [
          // Plain text is wrapped; a JSON object would go as that object.
          { functionResponse: { id: 'call_1', name: 'get_weather', response: { result: 'Sunny, 21 C' } } },
          { functionResponse: { id: 'call_2', name: 'get_weather', response: { error: 'station offline' } } },
          { text: 'Thanks.' },
        ],
      },
    ]);
  });

  it('sends back the thought signature Gemini attached to a call it made, carried in the stored part', async () => {
    const tools = [{ name: FAKE_TOOL.name, description: 'Weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } }];
    const first = await ask(modelFor('tool'), undefined, { tools });
    assert.deepEqual(bodyOf(server.requests[0]).tools, [{ functionDeclarations: [{ name: FAKE_TOOL.name, description: 'Weather', parametersJsonSchema: tools[0]!.parameters }] }]);
    const reply = new ReplyAssembler();
    first.forEach((chunk) => reply.add(chunk));
    // Through JSON, as the store keeps it: nothing of the signature lives in the adapter any more.
    const stored = JSON.parse(JSON.stringify(reply.parts('gemini'))) as ContentPart[];
    const call = stored.find((part) => part.type === 'tool_call');
    assert.ok(call?.type === 'tool_call');
    assert.equal(call.signature, 'c2lnbmF0dXJlLW9mLXRoZS10b29sLWNhbGw=');
    const fresh = createGeminiAdapter(endpoint(server.origin), SENTINEL_KEY);
    await drain(
      fresh.stream(
        {
          model: modelFor('ok'),
          messages: [
            { role: 'user', content: [{ type: 'text', text: 'Weather?' }] },
            { role: 'assistant', content: stored },
            { role: 'tool', content: [{ type: 'tool_result', callId: call.id, name: call.name, content: '{"sky":"clear"}' }] },
          ],
        },
        new AbortController().signal,
      ),
    );
    const [model, results] = bodyOf(server.requests[1]).contents?.slice(1) ?? [];
    assert.equal(model?.parts[0]?.thoughtSignature, 'c2lnbmF0dXJlLW9mLXRoZS10b29sLWNhbGw=');
    assert.equal(model?.parts[0]?.functionCall?.id, call.id);
    assert.deepEqual(results?.parts[0]?.functionResponse?.response, { sky: 'clear' }, 'a JSON object result goes as that object');
  });

  it("sends another provider's signature and reasoning nowhere: the placeholder instead, and no thought", async () => {
    await ask(modelFor('ok'), [
      { role: 'user', content: [{ type: 'text', text: 'Weather?' }] },
      {
        role: 'assistant',
        content: [
          { type: 'reasoning', text: 'Claude thinking', signature: 'claude-sig', origin: 'anthropic' },
          { type: 'tool_call', id: 'toolu_1', name: 'get_weather', arguments: '{}', signature: 'not-gemini', origin: 'anthropic' },
        ],
      },
      { role: 'tool', content: [{ type: 'tool_result', callId: 'toolu_1', name: 'get_weather', content: 'Sunny' }] },
    ]);
    assert.deepEqual(bodyOf(server.requests[0]).contents?.[1]?.parts, [
      { functionCall: { id: 'toolu_1', name: 'get_weather', args: {} }, thoughtSignature: 'skip_thought_signature_validator' },
    ]);
  });

  it('reports the 400 "API key not valid" Gemini sends for a bad key as auth', async () => {
    const err = await failure(ask(modelFor('auth')));
    const error = assertProviderError(err, 'auth');
    assert.equal(error.status, 400);
    assert.match(error.message, /Set API Key/);
    assert.match(error.message, /API key not valid/);
  });

  it('reports a prompt blocked by promptFeedback as content_filter', async () => {
    const error = assertProviderError(await failure(ask(modelFor('content-filter'))), 'content_filter');
    assert.match(error.message, /SAFETY/);
    assert.equal(error.retryable, false);
  });

  it('reads the wait from RetryInfo and tells a per-minute limit from an exhausted daily quota', async () => {
    const limited = assertProviderError(await failure(ask(modelFor('rate-limit-long'))), 'rate_limit');
    assert.equal(limited.retryAfterMs, 30_000);
    assert.equal(limited.quotaExhausted, false, 'every Gemini 429 says "quota"; a per-minute one is worth waiting for');
    const quota = assertProviderError(await failure(ask(modelFor('quota'))), 'rate_limit');
    assert.equal(quota.quotaExhausted, true);
    assert.equal(server.hits('rate-limit-long') + server.hits('quota'), 2, 'the SDK retries nothing itself');
  });

  it('asks a model without thinking again without thought summaries, and remembers it', async () => {
    const picky = await FakeProviderServer.start(async (exchange, scenarioOf) => {
      const body = exchange.body as GeminiBody;
      if (exchange.req.method === 'POST' && body.generationConfig?.thinkingConfig) {
        sendJson(exchange.res, 400, { error: { code: 400, message: 'Thinking is not enabled for models/fake-ok', status: 'INVALID_ARGUMENT' } });
        return true;
      }
      return geminiProtocol(exchange, scenarioOf);
    });
    try {
      const plain = createGeminiAdapter(endpoint(picky.origin), SENTINEL_KEY);
      const messages: ChatMessage[] = [{ role: 'user', content: [{ type: 'text', text: 'Hi' }] }];
      const answer = await collectAnswer(plain.stream({ model: modelFor('ok'), messages }, new AbortController().signal));
      assert.equal(answer.text, FAKE_ANSWER, answer.error?.message);
      assert.equal(picky.requests.length, 2);
      await drain(plain.stream({ model: modelFor('ok'), messages }, new AbortController().signal));
      assert.equal(picky.requests.length, 3, 'the second answer needs one request');
    } finally {
      await picky.close();
    }
  });

  it('lists only chat models, by id without the models/ prefix, across pages', async () => {
    const models = await adapter.listModels(new AbortController().signal);
    assert.deepEqual(models, [
      { id: 'fake-ok', label: 'Fake fake-ok' },
      { id: 'fake-tool', label: 'Fake fake-tool' },
    ]);
    assert.deepEqual(
      server.requests.map((r) => r.url),
      ['/v1beta/models?pageSize=1000', '/v1beta/models?pageSize=1000&pageToken=1', '/v1beta/models?pageSize=1000&pageToken=2'],
    );
  });

  it('accepts a base URL copied with its API version', async () => {
    const versioned = createGeminiAdapter(endpoint(`${server.origin}/v1beta/`), SENTINEL_KEY);
    await drain(versioned.stream({ model: modelFor('ok'), messages: HELLO }, new AbortController().signal));
    assert.equal(server.requests[0]?.url, '/v1beta/models/fake-ok:streamGenerateContent?alt=sse');
  });

  it('refuses to run without a key rather than using one from the environment', async () => {
    const keyless = createGeminiAdapter(endpoint(server.origin), undefined);
    assertProviderError(await failure(drain(keyless.stream({ model: modelFor('ok'), messages: HELLO }, new AbortController().signal))), 'auth');
    assertProviderError(await failure(keyless.test(new AbortController().signal)), 'auth');
    assert.equal(server.requests.length, 0);
  });

  it('reports a request the SDK refuses to send as bad_request, not as a network failure to retry', async () => {
    assertProviderError(await failure(drain(adapter.stream({ model: modelFor('ok'), messages: [] }, new AbortController().signal))), 'bad_request');
    assert.equal(server.requests.length, 0);
  });

  it('reports a refused connection as network, with the cause', async () => {
    const closed = await FakeProviderServer.start(geminiProtocol);
    const origin = closed.origin;
    await closed.close();
    const offline = createGeminiAdapter(endpoint(origin), SENTINEL_KEY);
    const error = assertProviderError(await failure(drain(offline.stream({ model: modelFor('ok'), messages: HELLO }, new AbortController().signal))), 'network');
    assert.match(error.message, /ECONNREFUSED/);
  });
});

describe('Gemini mapping', () => {
  it('maps finish reasons, a STOP after function calls included', () => {
    assert.equal(toFinishReason('STOP', false), 'stop');
    assert.equal(toFinishReason('STOP', true), 'tool_calls');
    assert.equal(toFinishReason('MAX_TOKENS', false), 'length');
    for (const filtered of ['SAFETY', 'RECITATION', 'BLOCKLIST', 'PROHIBITED_CONTENT', 'SPII']) {
      assert.equal(toFinishReason(filtered, false), 'content_filter');
    }
    assert.equal(toFinishReason('MALFORMED_FUNCTION_CALL', true), 'other');
  });

  it('counts thoughts as output, as Gemini bills them, and omits what it did not report', () => {
    assert.deepEqual(toUsage({ promptTokenCount: 10, candidatesTokenCount: 3, thoughtsTokenCount: 4 }), {
      inputTokens: 10,
      outputTokens: 7,
      reasoningTokens: 4,
    });
    assert.deepEqual(toUsage({ promptTokenCount: 10, candidatesTokenCount: 3 }), { inputTokens: 10, outputTokens: 3 });
  });
});

async function drain(stream: AsyncIterable<Chunk>): Promise<Chunk[]> {
  const chunks: Chunk[] = [];
  for await (const chunk of stream) {
    chunks.push(chunk);
  }
  return chunks;
}

function failure(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => assert.fail('expected a failure'),
    (err: unknown) => err,
  );
}
