import type http from 'node:http';
import {
  FakeProviderServer,
  sendJson,
  startNdjson,
  startSse,
  writeNdjson,
  writeSse,
  type Exchange,
  type ProtocolHandler,
} from '../test/fakes/providers/fakeServer';

/**
 * The "long answer" of the provider benchmark: ANSWER_TOKENS tokens, one per event, in each provider's own wire
 * format (the shapes of test/fakes/providers/*Protocol.ts, which serve only a five-chunk answer), written as fast
 * as the socket takes them, with the usage and the final event each provider really sends. One server answers
 * every provider on its own routes, so every run of the benchmark talks to the same loopback server:
 *   POST /v1/chat/completions                          OpenAI
 *   POST /openai/deployments/{d}/chat/completions      Azure OpenAI (needs api-version)
 *   POST /compat/v1/chat/completions                   an OpenAI-compatible server (llama.cpp / LM Studio style)
 *   POST /v1/messages                                  Anthropic
 *   POST /{version}/models/{model}:streamGenerateContent?alt=sse   Gemini
 *   POST /api/chat                                     Ollama
 */

export const ANSWER_TOKENS = 2000;
export const BENCH_MODEL = 'bench-long';
export const BENCH_DEPLOYMENT = 'bench-deployment';
export const BENCH_AZURE_API_VERSION = '2024-10-21';
export const BENCH_PROMPT = 'Write a long story about a lighthouse keeper.';
/** Prompt tokens the fake reports; any fixed number will do, the usage only has to be on the wire. */
const PROMPT_TOKENS = 12;

/** Word-sized tokens of a few characters, as a tokenizer gives for English prose. */
const WORDS = [
  'The', ' keeper', ' climbed', ' the', ' stairs', ' of', ' the', ' old', ' light', 'house', ',', ' counting', ' each', ' step',
  ' as', ' he', ' had', ' done', ' for', ' thirty', ' years', '.', ' Outside', ',', ' the', ' sea', ' was', ' calm', ' and', ' grey',
  ';', ' a', ' gull', ' cried', ' once', ' and', ' fell', ' silent', '.', '\n\n',
];

export const ANSWER_PIECES: readonly string[] = Array.from({ length: ANSWER_TOKENS }, (_, i) => WORDS[i % WORDS.length]!);
export const ANSWER_TEXT = ANSWER_PIECES.join('');

export const longAnswerProtocol: ProtocolHandler = async (exchange) => {
  const { req, res, url } = exchange;
  if (req.method !== 'POST') {
    return false;
  }
  const path = url.pathname;
  if (path === '/v1/chat/completions') {
    await openAiAnswer(exchange, 'openai');
    return true;
  }
  if (path === '/compat/v1/chat/completions') {
    await openAiAnswer(exchange, 'compatible');
    return true;
  }
  if (/^\/openai\/deployments\/[^/]+\/chat\/completions$/.test(path)) {
    if (!url.searchParams.get('api-version')) {
      sendJson(res, 404, { error: { code: '404', message: 'Resource not found' } });
      return true;
    }
    await openAiAnswer(exchange, 'azure');
    return true;
  }
  if (path === '/v1/messages') {
    await anthropicAnswer(exchange);
    return true;
  }
  if (/^\/v[^/]+\/models\/[^/:]+:streamGenerateContent$/.test(path) && url.searchParams.get('alt') === 'sse') {
    await geminiAnswer(res);
    return true;
  }
  if (path === '/api/chat') {
    await ollamaAnswer(exchange);
    return true;
  }
  return false;
};

/** Starts the one server of a benchmark run. Loopback only (FakeProviderServer binds 127.0.0.1). */
export function startLongAnswerServer(): Promise<FakeProviderServer> {
  return FakeProviderServer.start(longAnswerProtocol);
}

/**
 * Waits for the socket when its buffer is full: "as fast as possible" means as fast as the client reads, not an
 * unbounded buffer in the server (which would make the first token wait behind 2,000 synchronous writes).
 */
function drained(res: http.ServerResponse): Promise<boolean> | boolean {
  if (!res.writableNeedDrain) {
    return !res.destroyed;
  }
  return new Promise((resolve) => {
    // Both listeners go once either fires: a long answer waits for drain hundreds of times.
    const done = () => {
      res.off('drain', done);
      res.off('close', done);
      resolve(!res.destroyed);
    };
    res.on('drain', done);
    res.on('close', done);
  });
}

const CREATED = 1_735_000_000;
/** What Azure attaches to every choice when its default content filter is on. */
const AZURE_FILTER_RESULTS = {
  hate: { filtered: false, severity: 'safe' },
  self_harm: { filtered: false, severity: 'safe' },
  sexual: { filtered: false, severity: 'safe' },
  violence: { filtered: false, severity: 'safe' },
};

async function openAiAnswer(exchange: Exchange, flavour: 'openai' | 'azure' | 'compatible'): Promise<void> {
  const { res } = exchange;
  const body = (exchange.body ?? {}) as { model?: string; stream_options?: { include_usage?: boolean } };
  const model = body.model || BENCH_MODEL;
  // llama.cpp and LM Studio send a smaller envelope than OpenAI (no fingerprint, no service tier).
  const envelope =
    flavour === 'compatible'
      ? { id: 'chatcmpl-bench', object: 'chat.completion.chunk', created: CREATED, model }
      : { id: 'chatcmpl-bench', object: 'chat.completion.chunk', created: CREATED, model, system_fingerprint: 'fp_bench', service_tier: 'default' };
  const filters = flavour === 'azure' ? { content_filter_results: AZURE_FILTER_RESULTS } : {};
  const send = (delta: Record<string, unknown>, finish: string | null) =>
    writeSse(res, { ...envelope, choices: [{ index: 0, delta, logprobs: null, finish_reason: finish, ...filters }], usage: null });
  startSse(res);
  if (flavour === 'azure') {
    writeSse(res, { choices: [], created: 0, id: '', model: '', object: '', prompt_filter_results: [{ prompt_index: 0, content_filter_results: AZURE_FILTER_RESULTS }] });
  }
  send({ role: 'assistant', content: '', refusal: null }, null);
  for (const piece of ANSWER_PIECES) {
    send({ content: piece }, null);
    if (!(await drained(res))) {
      return;
    }
  }
  send({}, 'stop');
  if (body.stream_options?.include_usage) {
    writeSse(res, {
      ...envelope,
      choices: [],
      usage: {
        prompt_tokens: PROMPT_TOKENS,
        completion_tokens: ANSWER_TOKENS,
        total_tokens: PROMPT_TOKENS + ANSWER_TOKENS,
        prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 },
        completion_tokens_details: { reasoning_tokens: 0, audio_tokens: 0, accepted_prediction_tokens: 0, rejected_prediction_tokens: 0 },
      },
    });
  }
  writeSse(res, '[DONE]');
  res.end();
}

async function anthropicAnswer(exchange: Exchange): Promise<void> {
  const { res } = exchange;
  const model = (exchange.body as { model?: string } | undefined)?.model ?? BENCH_MODEL;
  const send = (event: { type: string } & Record<string, unknown>) => writeSse(res, event, event.type);
  res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', connection: 'keep-alive', 'request-id': 'req_bench' });
  res.flushHeaders();
  const usage = { input_tokens: PROMPT_TOKENS, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 };
  send({
    type: 'message_start',
    message: {
      id: 'msg_bench',
      type: 'message',
      role: 'assistant',
      model,
      content: [],
      stop_reason: null,
      stop_sequence: null,
      usage: { ...usage, cache_creation: null, output_tokens: 1, service_tier: 'standard' },
    },
  });
  send({ type: 'content_block_start', index: 0, content_block: { type: 'text', text: '', citations: null } });
  send({ type: 'ping' });
  for (const piece of ANSWER_PIECES) {
    send({ type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: piece } });
    if (!(await drained(res))) {
      return;
    }
  }
  send({ type: 'content_block_stop', index: 0 });
  send({
    type: 'message_delta',
    delta: { stop_reason: 'end_turn', stop_sequence: null },
    usage: { ...usage, output_tokens: ANSWER_TOKENS, server_tool_use: null },
  });
  send({ type: 'message_stop' });
  res.end();
}

async function geminiAnswer(res: http.ServerResponse): Promise<void> {
  startSse(res);
  // Every event carries the usage so far; the last one the finishReason and the totals.
  const running = { promptTokenCount: PROMPT_TOKENS, totalTokenCount: PROMPT_TOKENS };
  for (const [index, text] of ANSWER_PIECES.entries()) {
    const last = index === ANSWER_PIECES.length - 1;
    writeSse(res, {
      candidates: [{ content: { parts: [{ text }], role: 'model' }, index: 0, ...(last ? { finishReason: 'STOP' } : {}) }],
      usageMetadata: last
        ? {
            promptTokenCount: PROMPT_TOKENS,
            candidatesTokenCount: ANSWER_TOKENS,
            totalTokenCount: PROMPT_TOKENS + ANSWER_TOKENS,
            promptTokensDetails: [{ modality: 'TEXT', tokenCount: PROMPT_TOKENS }],
          }
        : running,
      modelVersion: BENCH_MODEL,
      responseId: 'bench-response',
    });
    if (!(await drained(res))) {
      return;
    }
  }
  res.end();
}

async function ollamaAnswer(exchange: Exchange): Promise<void> {
  const { res } = exchange;
  const model = (exchange.body as { model?: string } | undefined)?.model ?? BENCH_MODEL;
  startNdjson(res);
  for (const content of ANSWER_PIECES) {
    writeNdjson(res, { model, created_at: new Date().toISOString(), message: { role: 'assistant', content }, done: false });
    if (!(await drained(res))) {
      return;
    }
  }
  writeNdjson(res, {
    model,
    created_at: new Date().toISOString(),
    message: { role: 'assistant', content: '' },
    done: true,
    done_reason: 'stop',
    total_duration: 1_234_567_890,
    load_duration: 12_345_678,
    prompt_eval_count: PROMPT_TOKENS,
    prompt_eval_duration: 23_456_789,
    eval_count: ANSWER_TOKENS,
    eval_duration: 345_678_901,
  });
  res.end();
}
