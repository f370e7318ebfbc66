import type http from 'node:http';
import {
  delay,
  destroyConnection,
  FAKE_ANSWER_CHUNKS,
  FAKE_MODELS,
  FAKE_REASONING,
  FAKE_TOOL,
  FAKE_USAGE,
  sendJson,
  fakeTiming,
  startNdjson,
  writeNdjson,
  type Exchange,
  type ProtocolHandler,
  type Scenario,
} from './fakeServer';
import { scriptNameOf } from './fakeScripts';
import { serveOllamaScript } from './ollamaScript';

/**
 * Ollama's native API as the server (and a proxy in front of it) sends it: POST /api/chat streams NDJSON
 * objects `{model, created_at, message, done: false}` and ends with one `done: true` object carrying done_reason
 * and the counts; errors are `{"error": "text"}` with a plain status; GET /api/tags and /api/version.
 */

export const FAKE_OLLAMA_VERSION = '0.12.6';

/** Ollama itself has no 401/429; these are what ollama.com or an authenticating proxy in front of it send. */
const ERRORS: Partial<Record<Scenario, { status: number; error: string; headers?: Record<string, string> }>> = {
  auth: { status: 401, error: 'unauthorized' },
  'rate-limit-long': { status: 429, error: 'too many requests', headers: { 'retry-after': '30' } },
  quota: { status: 429, error: 'you (fake-user) have reached your weekly usage limit, upgrade for higher limits: https://ollama.com/upgrade' },
  // Sent with truncate: false (Ollama 0.12.6+); without it Ollama silently drops the start of the prompt.
  'context-length': { status: 400, error: 'the input length exceeds the context length' },
};

/** Errors on the first hit only, then a normal answer. */
const FIRST_HIT_ERRORS: Partial<Record<Scenario, { status: number; error: string; headers?: Record<string, string> }>> = {
  'rate-limit': { status: 429, error: 'too many requests', headers: { 'retry-after': '0' } },
  // Ollama's own answer when OLLAMA_MAX_QUEUE is exceeded.
  overloaded: { status: 503, error: 'server busy, please try again.  maximum pending requests exceeded' },
};

export const ollamaProtocol: ProtocolHandler = async (exchange, scenarioOf) => {
  const { req, res, url } = exchange;
  if (req.method === 'GET' && url.pathname === '/api/tags') {
    sendJson(res, 200, { models: FAKE_MODELS.map(modelEntry) });
    return true;
  }
  if (req.method === 'GET' && url.pathname === '/api/version') {
    sendJson(res, 200, { version: FAKE_OLLAMA_VERSION });
    return true;
  }
  if (req.method === 'POST' && url.pathname === '/api/chat') {
    const body = (exchange.body ?? {}) as { model?: string };
    const script = scriptNameOf(body.model);
    if (script !== undefined) {
      await serveOllamaScript(exchange, script);
      return true;
    }
    const scenario = scenarioOf(body.model);
    await serveChat(exchange, body.model ?? '', scenario);
    return true;
  }
  return false;
};

async function serveChat(exchange: Exchange, model: string, scenario: Scenario | undefined): Promise<void> {
  const { res } = exchange;
  if (scenario === undefined) {
    sendError(res, 404, `model '${model}' not found`);
    return;
  }
  const failure = ERRORS[scenario] ?? (exchange.hit === 1 ? FIRST_HIT_ERRORS[scenario] : undefined);
  if (failure) {
    sendError(res, failure.status, failure.error, failure.headers);
    return;
  }
  const part = (message: Record<string, unknown>) => writeNdjson(res, { model, created_at: new Date().toISOString(), message: { role: 'assistant', content: '', ...message }, done: false });
  startNdjson(res);
  switch (scenario) {
    case 'silence':
      return; // Headers only; the server's close() destroys the socket.
    case 'reset':
    case 'no-final':
      for (const text of FAKE_ANSWER_CHUNKS.slice(0, 2)) {
        part({ content: text });
      }
      if (scenario === 'reset') {
        await delay(20); // Lets the two lines reach the client before the socket dies.
        destroyConnection(res);
      } else {
        res.end();
      }
      return;
    case 'tool':
      part({ tool_calls: [{ function: { name: FAKE_TOOL.name, arguments: FAKE_TOOL.arguments } }] });
      break;
    case 'reasoning':
      part({ thinking: FAKE_REASONING.slice(0, 9) });
      part({ thinking: FAKE_REASONING.slice(9) });
      await answer(res, part, 0);
      break;
    default:
      await answer(res, part, scenario === 'slow' ? fakeTiming.slowChunkMs : 0);
  }
  if (gone(res)) {
    return;
  }
  writeNdjson(res, {
    model,
    created_at: new Date().toISOString(),
    message: { role: 'assistant', content: '' },
    done: true,
    done_reason: 'stop',
    total_duration: 1_234_567_890,
    load_duration: 12_345_678,
    prompt_eval_count: FAKE_USAGE.inputTokens,
    prompt_eval_duration: 23_456_789,
    eval_count: FAKE_USAGE.outputTokens,
    eval_duration: 345_678_901,
  });
  res.end();
}

async function answer(res: http.ServerResponse, part: (message: Record<string, unknown>) => void, pauseMs: number): Promise<void> {
  for (const text of FAKE_ANSWER_CHUNKS) {
    if (gone(res)) {
      return; // The client stopped (Stop): nobody is listening.
    }
    part({ content: text });
    if (pauseMs > 0) {
      await delay(pauseMs);
    }
  }
}

function gone(res: http.ServerResponse): boolean {
  return res.destroyed || !res.socket || res.socket.destroyed;
}

function sendError(res: http.ServerResponse, status: number, error: string, headers: Record<string, string> = {}): void {
  // Ollama (gin) answers errors as JSON with a charset.
  sendJson(res, status, { error }, { 'content-type': 'application/json; charset=utf-8', ...headers });
}

function modelEntry(name: string) {
  return {
    name,
    model: name,
    modified_at: '2025-10-01T12:00:00.000000000Z',
    size: 2_019_393_189,
    digest: 'a80c4f17acd55265feec403c7aef86be0c25983ab279d83f3bcd3abbcb5b8b72',
    details: { parent_model: '', format: 'gguf', family: 'llama', families: ['llama'], parameter_size: '3.2B', quantization_level: 'Q4_K_M' },
  };
}
