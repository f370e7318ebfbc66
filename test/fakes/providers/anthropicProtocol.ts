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
  writeSse,
  type Exchange,
  type ProtocolHandler,
  type Scenario,
} from './fakeServer';
import { serveAnthropicScript } from './anthropicScript';
import { scriptNameOf } from './fakeScripts';

/**
 * Anthropic's Messages API on loopback: POST /v1/messages as named server-sent events (message_start,
 * content_block_start/delta/stop, ping, message_delta, message_stop, error) and GET /v1/models, with the error
 * bodies, status codes and headers (request-id, retry-after) the real service sends.
 */

/** A named SSE event: Anthropic repeats the event name as the payload's `type`. */
type SseEvent = { type: string } & Record<string, unknown>;

let requestCounter = 0;
const requestId = () => `req_011CFake${String(++requestCounter).padStart(8, '0')}`;

/** Anthropic's usage splits the prompt: input_tokens is only the part neither read from nor written to the cache. */
export const FAKE_ANTHROPIC_USAGE = {
  input_tokens: FAKE_USAGE.inputTokens - FAKE_USAGE.cacheReadTokens - FAKE_USAGE.cacheWriteTokens,
  cache_read_input_tokens: FAKE_USAGE.cacheReadTokens,
  cache_creation_input_tokens: FAKE_USAGE.cacheWriteTokens,
};

export const anthropicProtocol: ProtocolHandler = async (exchange, scenarioOf) => {
  const { req, url } = exchange;
  if (req.method === 'POST' && url.pathname === '/v1/messages') {
    const model = (exchange.body as { model?: string } | undefined)?.model;
    const script = scriptNameOf(model);
    if (script !== undefined) {
      await serveAnthropicScript(exchange, script);
      return true;
    }
    const scenario = scenarioOf(model);
    if (!scenario) {
      sendError(exchange.res, 404, 'not_found_error', `model: ${model ?? '(none)'}`);
      return true;
    }
    await serveMessages(exchange, scenario, model ?? '');
    return true;
  }
  if (req.method === 'GET' && url.pathname === '/v1/models') {
    serveModels(exchange);
    return true;
  }
  return false;
};

/** Anthropic's error envelope, with the request-id header every response carries. */
export function sendError(res: http.ServerResponse, status: number, type: string, message: string, extra: { headers?: Record<string, string>; errorCode?: string } = {}): void {
  const error = { type, message, ...(extra.errorCode ? { details: { error_code: extra.errorCode } } : {}) };
  const id = requestId();
  sendJson(res, status, { type: 'error', error, request_id: id }, { 'request-id': id, ...extra.headers });
}

async function serveMessages(exchange: Exchange, scenario: Scenario, model: string): Promise<void> {
  const { res, hit } = exchange;
  switch (scenario) {
    case 'auth':
      // The real API does not echo the key; the scenario does, to prove the adapter redacts it.
      sendError(res, 401, 'authentication_error', `invalid x-api-key: ${presentedKey(exchange.req)}`);
      return;
    case 'rate-limit':
      if (hit === 1) {
        sendError(res, 429, 'rate_limit_error', 'This request would exceed the rate limit for your organization of 50 requests per minute.', { headers: { 'retry-after': '0' } });
        return;
      }
      break;
    case 'rate-limit-long':
      sendError(res, 429, 'rate_limit_error', 'This request would exceed the rate limit for your organization of 50 requests per minute.', { headers: { 'retry-after': '30' } });
      return;
    case 'quota':
      sendError(res, 429, 'rate_limit_error', 'This organization has reached its monthly API usage threshold. You will regain access on 2026-12-01 at 00:00 UTC.', {
        errorCode: 'enforced_spend_limit_reached',
      });
      return;
    case 'overloaded':
      if (hit === 1) {
        sendError(res, 529, 'overloaded_error', 'Overloaded');
        return;
      }
      break;
    case 'context-length':
      sendError(res, 400, 'invalid_request_error', 'prompt is too long: 212345 tokens > 200000 maximum');
      return;
    default:
      break;
  }
  startStream(res);
  if (scenario === 'silence') {
    return; // Headers only, forever: the server's close() destroys the socket.
  }
  const send = (event: SseEvent) => {
    if (!res.destroyed && !res.writableEnded) {
      writeSse(res, event, event.type);
    }
  };
  send(messageStart(model));
  if (scenario === 'content-filter') {
    // Anthropic has no 400 for this: its streaming classifiers end the answer with stop_reason "refusal".
    send(messageDelta('refusal', { type: 'refusal', category: 'general_harms', explanation: 'This request was flagged by a safety classifier.' }));
    send({ type: 'message_stop' });
    res.end();
    return;
  }
  if (scenario === 'tool') {
    sendToolUse(send);
    send(messageDelta('tool_use'));
    send({ type: 'message_stop' });
    res.end();
    return;
  }
  let index = 0;
  if (scenario === 'reasoning') {
    send({ type: 'content_block_start', index, content_block: { type: 'thinking', thinking: '', signature: '' } });
    const half = Math.floor(FAKE_REASONING.length / 2);
    for (const piece of [FAKE_REASONING.slice(0, half), FAKE_REASONING.slice(half)]) {
      send({ type: 'content_block_delta', index, delta: { type: 'thinking_delta', thinking: piece } });
    }
    send({ type: 'content_block_delta', index, delta: { type: 'signature_delta', signature: 'EqQBCkYIBxgCKkDfakeSignature' } });
    send({ type: 'content_block_stop', index });
    index += 1;
  }
  send({ type: 'content_block_start', index, content_block: { type: 'text', text: '', citations: null } });
  send({ type: 'ping' });
  const partial = scenario === 'reset' || scenario === 'no-final';
  for (const piece of partial ? FAKE_ANSWER_CHUNKS.slice(0, 2) : FAKE_ANSWER_CHUNKS) {
    if (scenario === 'slow') {
      await delay(fakeTiming.slowChunkMs);
    }
    send({ type: 'content_block_delta', index, delta: { type: 'text_delta', text: piece } });
  }
  if (scenario === 'reset') {
    await delay(20); // Lets the sent events reach the client before the socket dies.
    destroyConnection(res);
    return;
  }
  if (scenario === 'no-final') {
    res.end();
    return;
  }
  send({ type: 'content_block_stop', index });
  send(messageDelta('end_turn'));
  send({ type: 'message_stop' });
  res.end();
}

function startStream(res: http.ServerResponse): void {
  res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', connection: 'keep-alive', 'request-id': requestId() });
  res.flushHeaders();
}

function messageStart(model: string) {
  return {
    type: 'message_start',
    message: {
      id: `msg_01Fake${requestCounter}`,
      type: 'message',
      role: 'assistant',
      model,
      content: [],
      container: null,
      diagnostics: null,
      stop_reason: null,
      stop_details: null,
      stop_sequence: null,
      usage: { ...FAKE_ANTHROPIC_USAGE, cache_creation: null, inference_geo: null, output_tokens: 1, output_tokens_details: null, server_tool_use: null, service_tier: 'standard', speed: null },
    },
  };
}

/** message_delta's usage is cumulative: it repeats the prompt figures and brings the final output count. */
function messageDelta(stopReason: string, stopDetails: unknown = null) {
  return {
    type: 'message_delta',
    delta: { stop_reason: stopReason, stop_sequence: null, stop_details: stopDetails, container: null },
    usage: {
      ...FAKE_ANTHROPIC_USAGE,
      output_tokens: FAKE_USAGE.outputTokens,
      output_tokens_details: { thinking_tokens: FAKE_USAGE.reasoningTokens },
      server_tool_use: null,
    },
  };
}

function sendToolUse(send: (event: SseEvent) => void): void {
  send({ type: 'content_block_start', index: 0, content_block: { type: 'tool_use', id: 'toolu_01FakeWeather', name: FAKE_TOOL.name, input: {}, caller: { type: 'direct' } } });
  const json = JSON.stringify(FAKE_TOOL.arguments);
  for (const piece of ['', json.slice(0, 8), json.slice(8)]) {
    send({ type: 'content_block_delta', index: 0, delta: { type: 'input_json_delta', partial_json: piece } });
  }
  send({ type: 'content_block_stop', index: 0 });
}

/** One model per page, as a server may send fewer than `limit`: the client has to follow has_more/last_id. */
function serveModels({ res, url }: Exchange): void {
  const afterId = url.searchParams.get('after_id');
  const start = afterId === null ? 0 : FAKE_MODELS.indexOf(afterId) + 1;
  const page = FAKE_MODELS.slice(start, start + 1).map((id) => ({
    type: 'model',
    id,
    display_name: `Fake ${id.replace(/^fake-/, '')}`,
    created_at: '2026-10-21T00:00:00Z',
    capabilities: null,
    deprecated_at: null,
    lifecycle: 'active',
    line: null,
    max_input_tokens: 200_000,
    max_tokens: 64_000,
    retires_at: null,
  }));
  sendJson(
    res,
    200,
    { data: page, has_more: start + page.length < FAKE_MODELS.length, first_id: page[0]?.id ?? null, last_id: page[page.length - 1]?.id ?? null },
    { 'request-id': requestId() },
  );
}

function presentedKey(req: http.IncomingMessage): string {
  return String(req.headers['x-api-key'] ?? req.headers.authorization ?? '').replace(/^Bearer\s+/i, '');
}
