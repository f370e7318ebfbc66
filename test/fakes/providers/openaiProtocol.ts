import type http from 'node:http';
import {
  delay,
  destroyConnection,
  FAKE_ANSWER,
  FAKE_ANSWER_CHUNKS,
  FAKE_MODELS,
  FAKE_REASONING,
  FAKE_TOOL,
  FAKE_USAGE,
  sendJson,
  fakeTiming,
  startSse,
  writeSse,
  type Exchange,
  type ProtocolHandler,
  type RecordedRequest,
  type Scenario,
} from './fakeServer';
import { scriptNameOf } from './fakeScripts';
import { serveOpenAiScript } from './openaiScript';

/**
 * OpenAI Chat Completions as the real services send it: `chat.completion.chunk` SSE events ending in
 * `data: [DONE]`, usage in a last chunk with no choices (only when `stream_options.include_usage` asks for it),
 * OpenAI's `{error:{message,type,param,code}}` bodies, `retry-after` / `retry-after-ms` headers. Routes:
 * POST /v1/chat/completions and GET /v1/models (OpenAI and compatible servers); Azure's
 * POST /openai/deployments/{d}/chat/completions and GET /openai/models, both requiring `api-version`.
 */

interface ChatBody {
  model?: string;
  stream?: boolean;
  stream_options?: { include_usage?: boolean };
}

const CREATED = 1_735_000_000;
const AZURE_DEPLOYMENT_CHAT = /^\/openai\/deployments\/([^/]+)\/chat\/completions$/;

export const openAiProtocol: ProtocolHandler = async (exchange, scenarioOf) => {
  const { req, res, url } = exchange;
  const body = (exchange.body ?? {}) as ChatBody;
  if (req.method === 'GET' && url.pathname === '/v1/models') {
    sendJson(res, 200, { object: 'list', data: FAKE_MODELS.map((id) => ({ id, object: 'model', created: CREATED, owned_by: 'fake' })) });
    return true;
  }
  if (req.method === 'POST' && url.pathname === '/v1/chat/completions') {
    const script = scriptNameOf(body.model);
    await (script === undefined ? serveChat(exchange, body, scenarioOf(body.model), false) : serveOpenAiScript(exchange, script, false));
    return true;
  }
  const azureChat = req.method === 'POST' ? AZURE_DEPLOYMENT_CHAT.exec(url.pathname) : null;
  if (azureChat || (req.method === 'GET' && url.pathname === '/openai/models')) {
    if (!url.searchParams.get('api-version')) {
      // What Azure answers when the api-version query is missing.
      sendJson(res, 404, { error: { code: '404', message: 'Resource not found' } });
      return true;
    }
    if (!azureChat) {
      sendJson(res, 200, { object: 'list', data: FAKE_MODELS.map(azureModel) });
      return true;
    }
    // Azure routes by the deployment; the scenario follows the body's model when there is one.
    const deployment = decodeURIComponent(azureChat[1] ?? '');
    const script = scriptNameOf(body.model ?? deployment);
    await (script === undefined ? serveChat(exchange, body, scenarioOf(body.model ?? deployment), true) : serveOpenAiScript(exchange, script, true));
    return true;
  }
  return false;
};

function azureModel(id: string) {
  return {
    id,
    object: 'model',
    created_at: CREATED,
    status: 'succeeded',
    lifecycle_status: 'generally-available',
    capabilities: { chat_completion: true, completion: false, embeddings: false, fine_tune: false, inference: true },
    deprecation: { inference: CREATED + 31_536_000 },
  };
}

async function serveChat(exchange: Exchange, body: ChatBody, scenario: Scenario | undefined, azure: boolean): Promise<void> {
  const { res, hit } = exchange;
  const model = body.model ?? 'fake';
  const error = (status: number, message: string, type: string | null, code: string | null, headers: Record<string, string> = {}) =>
    sendJson(res, status, { error: { message, type, param: null, code } }, headers);
  switch (scenario) {
    case undefined:
      return error(404, `The model \`${model}\` does not exist or you do not have access to it.`, 'invalid_request_error', 'model_not_found');
    case 'auth':
      return error(401, `Incorrect API key provided: ${presentedKey(exchange.req)}. You can find your API key at https://platform.openai.com/account/api-keys.`, 'invalid_request_error', 'invalid_api_key');
    case 'rate-limit':
      if (hit === 1) {
        return error(429, 'Rate limit reached for requests per min (RPM): Limit 3, Used 3, Requested 1. Please try again in 0s.', 'requests', 'rate_limit_exceeded', rateLimitHeaders(0));
      }
      break;
    case 'rate-limit-long':
      return error(429, 'Rate limit reached for requests per min (RPM): Limit 3, Used 3, Requested 1. Please try again in 30s.', 'requests', 'rate_limit_exceeded', rateLimitHeaders(30));
    case 'quota':
      return error(429, 'You exceeded your current quota, please check your plan and billing details.', 'insufficient_quota', 'insufficient_quota');
    case 'overloaded':
      if (hit === 1) {
        return error(503, 'The engine is currently overloaded, please try again later.', 'server_error', null);
      }
      break;
    case 'content-filter':
      return sendJson(res, 400, {
        error: {
          message: "The response was filtered due to the prompt triggering Azure OpenAI's content management policy.",
          type: null,
          param: 'prompt',
          code: 'content_filter',
          status: 400,
          innererror: { code: 'ResponsibleAIPolicyViolation', content_filter_result: { violence: { filtered: true, severity: 'high' } } },
        },
      });
    case 'context-length':
      return error(400, "This model's maximum context length is 128000 tokens. However, your messages resulted in 131072 tokens. Please reduce the length of the messages.", 'invalid_request_error', 'context_length_exceeded');
    default:
      break;
  }
  if (body.stream !== true) {
    return sendJson(res, 200, completion(model, scenario));
  }
  await streamAnswer(exchange, body, scenario, azure);
}

function rateLimitHeaders(seconds: number): Record<string, string> {
  return {
    'retry-after': String(seconds),
    'retry-after-ms': String(seconds * 1000),
    'x-ratelimit-limit-requests': '3',
    'x-ratelimit-remaining-requests': '0',
    'x-ratelimit-reset-requests': `${seconds}s`,
  };
}

function presentedKey(req: http.IncomingMessage): string {
  return String(req.headers['api-key'] ?? req.headers.authorization ?? '').replace(/^Bearer\s+/i, '');
}

async function streamAnswer(exchange: Exchange, body: ChatBody, scenario: Scenario, azure: boolean): Promise<void> {
  const { res } = exchange;
  const model = body.model ?? 'fake';
  startSse(res);
  if (scenario === 'silence') {
    return;
  }
  if (azure) {
    // Azure's first event: the prompt's content filter results, with no choices.
    writeSse(res, { choices: [], created: 0, id: '', model: '', object: '', prompt_filter_results: [{ prompt_index: 0, content_filter_results: {} }] });
  }
  const send = (delta: Record<string, unknown>, finish: string | null = null) => writeSse(res, chunk(model, delta, finish));
  send({ role: 'assistant', content: '', refusal: null });
  if (scenario === 'reset' || scenario === 'no-final') {
    FAKE_ANSWER_CHUNKS.slice(0, 2).forEach((text) => send({ content: text }));
    if (scenario === 'reset') {
      await delay(20);
      destroyConnection(res);
    } else {
      res.end();
    }
    return;
  }
  if (scenario === 'tool') {
    const args = JSON.stringify(FAKE_TOOL.arguments);
    send({ tool_calls: [{ index: 0, id: 'call_fake_1', type: 'function', function: { name: FAKE_TOOL.name, arguments: '' } }] });
    for (const piece of [args.slice(0, 5), args.slice(5)]) {
      send({ tool_calls: [{ index: 0, function: { arguments: piece } }] });
    }
    send({}, 'tool_calls');
  } else {
    if (scenario === 'reasoning') {
      const half = Math.ceil(FAKE_REASONING.length / 2);
      send({ reasoning_content: FAKE_REASONING.slice(0, half) });
      send({ reasoning_content: FAKE_REASONING.slice(half) });
    }
    for (const text of FAKE_ANSWER_CHUNKS) {
      if (scenario === 'slow') {
        await delay(fakeTiming.slowChunkMs);
        if (res.destroyed) {
          return;
        }
      }
      send({ content: text });
    }
    send({}, 'stop');
  }
  if (body.stream_options?.include_usage) {
    writeSse(res, { ...chunkEnvelope(model), choices: [], usage: usage() });
  }
  writeSse(res, '[DONE]');
  res.end();
}

function chunkEnvelope(model: string) {
  return { id: 'chatcmpl-fake', object: 'chat.completion.chunk', created: CREATED, model, system_fingerprint: 'fp_fake', service_tier: 'default' };
}

function chunk(model: string, delta: Record<string, unknown>, finish: string | null) {
  // With include_usage every chunk carries `usage: null` until the last one.
  return { ...chunkEnvelope(model), choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }], usage: null };
}

function usage() {
  return {
    prompt_tokens: FAKE_USAGE.inputTokens,
    completion_tokens: FAKE_USAGE.outputTokens,
    total_tokens: FAKE_USAGE.inputTokens + FAKE_USAGE.outputTokens,
    prompt_tokens_details: { cached_tokens: FAKE_USAGE.cacheReadTokens, cache_write_tokens: FAKE_USAGE.cacheWriteTokens, audio_tokens: 0 },
    completion_tokens_details: { reasoning_tokens: FAKE_USAGE.reasoningTokens, audio_tokens: 0, accepted_prediction_tokens: 0, rejected_prediction_tokens: 0 },
  };
}

/** The non-streaming form (used by Azure's connection test). */
function completion(model: string, scenario: Scenario) {
  return {
    id: 'chatcmpl-fake',
    object: 'chat.completion',
    created: CREATED,
    model,
    choices: [{ index: 0, message: { role: 'assistant', content: scenario === 'tool' ? null : FAKE_ANSWER, refusal: null }, logprobs: null, finish_reason: 'stop' }],
    usage: usage(),
  };
}

/** Reads a recorded Chat Completions request into the conformance suite's neutral form. */
export function readOpenAiRequest(request: RecordedRequest) {
  const body = (request.body ?? {}) as {
    model?: string;
    messages?: { role: string; content?: unknown }[];
    temperature?: number;
    max_completion_tokens?: number;
    max_tokens?: number;
    stop?: string | string[];
    tools?: { function: { name: string } }[];
  };
  const messages = body.messages ?? [];
  const textOf = (content: unknown) =>
    typeof content === 'string' ? content : Array.isArray(content) ? content.map((part: { text?: string }) => part.text ?? '').join('') : '';
  const system = messages.find((m) => m.role === 'system' || m.role === 'developer');
  return {
    model: body.model,
    system: system ? textOf(system.content) : undefined,
    temperature: body.temperature,
    // OpenAI and Azure get max_completion_tokens, compatible servers max_tokens.
    maxTokens: body.max_completion_tokens ?? body.max_tokens,
    stop: typeof body.stop === 'string' ? [body.stop] : body.stop,
    toolNames: (body.tools ?? []).map((tool) => tool.function.name),
    userText: messages
      .filter((m) => m.role === 'user')
      .map((m) => textOf(m.content))
      .join('\n'),
  };
}

export function isOpenAiChatRequest(request: RecordedRequest): boolean {
  return request.method === 'POST' && /\/chat\/completions(\?|$)/.test(request.url);
}
