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
  startSse,
  writeSse,
  type Exchange,
  type ProtocolHandler,
  type Scenario,
} from './fakeServer';
import { scriptNameOf } from './fakeScripts';
import { serveGeminiScript } from './geminiScript';

/**
 * The Gemini Developer API as @google/genai 3.1.0 calls it: `POST /{version}/models/{model}:streamGenerateContent
 * ?alt=sse` answered with `data: {GenerateContentResponse}` events, `GET /{version}/models` with pageSize and
 * pageToken, and errors in Google's `{ error: { code, message, status, details } }` shape. The bodies follow what
 * the real service sends (a bad key is a 400 API_KEY_INVALID, a 429 carries QuotaFailure and RetryInfo details, a
 * blocked prompt is a 200 with only `promptFeedback`).
 */

const STREAM_ROUTE = /^\/(v[^/]+)\/models\/([^/:]+):streamGenerateContent$/;
const MODELS_ROUTE = /^\/(v[^/]+)\/models$/;
/** Gemini may return fewer models than asked for; one per page exercises the adapter's paging. */
const MODELS_PER_PAGE = 1;

export const geminiProtocol: ProtocolHandler = async (exchange, scenarioOf) => {
  const { req, res, url } = exchange;
  const stream = STREAM_ROUTE.exec(url.pathname);
  if (req.method === 'POST' && stream && url.searchParams.get('alt') === 'sse') {
    const model = decodeURIComponent(stream[2] ?? '');
    const script = scriptNameOf(model);
    if (script !== undefined) {
      await serveGeminiScript(exchange, script);
      return true;
    }
    const scenario = scenarioOf(model);
    await answer(exchange, scenario ?? 'ok');
    return true;
  }
  if (req.method === 'GET' && MODELS_ROUTE.test(url.pathname)) {
    listModels(res, url);
    return true;
  }
  return false;
};

/** What the fake serves: FAKE_MODELS for chat, plus an embedding model that the adapter must leave out. */
const LISTED = [
  ...FAKE_MODELS.map((id) => ({ id, methods: ['generateContent', 'countTokens', 'createCachedContent'] })),
  { id: 'fake-embedding', methods: ['embedContent'] },
];

function listModels(res: http.ServerResponse, url: URL): void {
  const start = Number(url.searchParams.get('pageToken') ?? '0') || 0;
  const size = Math.min(Number(url.searchParams.get('pageSize') ?? '50') || 50, MODELS_PER_PAGE);
  const page = LISTED.slice(start, start + size).map(({ id, methods }) => ({
    name: `models/${id}`,
    version: '001',
    displayName: `Fake ${id}`,
    inputTokenLimit: 1_048_576,
    outputTokenLimit: 65_536,
    supportedGenerationMethods: methods,
    thinking: true,
  }));
  const next = start + size < LISTED.length ? { nextPageToken: String(start + size) } : {};
  sendJson(res, 200, { models: page, ...next });
}

async function answer(exchange: Exchange, scenario: Scenario): Promise<void> {
  const { res, hit } = exchange;
  switch (scenario) {
    case 'auth':
      return sendGoogleError(res, 400, 'INVALID_ARGUMENT', 'API key not valid. Please pass a valid API key.', [
        { '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason: 'API_KEY_INVALID', domain: 'googleapis.com', metadata: { service: 'generativelanguage.googleapis.com' } },
      ]);
    case 'rate-limit':
      return hit === 1 ? tooManyRequests(res, 'PerMinute', '0s') : streamAnswer(res, 'ok');
    case 'rate-limit-long':
      return tooManyRequests(res, 'PerMinute', '30s');
    case 'quota':
      return tooManyRequests(res, 'PerDay', '41s');
    case 'overloaded':
      return hit === 1 ? sendGoogleError(res, 503, 'UNAVAILABLE', 'The model is overloaded. Please try again later.') : streamAnswer(res, 'ok');
    case 'context-length':
      return sendGoogleError(res, 400, 'INVALID_ARGUMENT', 'The input token count (1048577) exceeds the maximum number of tokens allowed (1048576).');
    case 'content-filter':
      // Gemini does not refuse with an HTTP error: the stream's one event says the prompt was blocked.
      startSse(res);
      writeSse(res, {
        promptFeedback: { blockReason: 'SAFETY', safetyRatings: [{ category: 'HARM_CATEGORY_DANGEROUS_CONTENT', probability: 'HIGH', blocked: true }] },
        usageMetadata: { promptTokenCount: FAKE_USAGE.inputTokens, totalTokenCount: FAKE_USAGE.inputTokens },
        modelVersion: 'fake-content-filter',
        responseId: 'fake-response',
      });
      res.end();
      return;
    default:
      return streamAnswer(res, scenario);
  }
}

async function streamAnswer(res: http.ServerResponse, scenario: Scenario): Promise<void> {
  startSse(res);
  if (scenario === 'silence') {
    return;
  }
  if (scenario === 'tool') {
    writeSse(res, event([{ functionCall: { name: FAKE_TOOL.name, args: FAKE_TOOL.arguments }, thoughtSignature: 'c2lnbmF0dXJlLW9mLXRoZS10b29sLWNhbGw=' }], 'STOP'));
    res.end();
    return;
  }
  if (scenario === 'reasoning') {
    writeSse(res, event([{ text: FAKE_REASONING, thought: true }]));
  }
  for (const [index, text] of FAKE_ANSWER_CHUNKS.entries()) {
    if (index === 2 && scenario === 'reset') {
      await delay(20); // Lets the sent events reach the client before the socket dies.
      destroyConnection(res);
      return;
    }
    if (index === 2 && scenario === 'no-final') {
      res.end();
      return;
    }
    if (scenario === 'slow' && index > 0) {
      await delay(fakeTiming.slowChunkMs);
      if (res.destroyed) {
        return;
      }
    }
    const last = index === FAKE_ANSWER_CHUNKS.length - 1;
    writeSse(res, event([{ text }], last ? 'STOP' : undefined));
  }
  res.end();
}

/** One GenerateContentResponse: every event carries the usage so far; the last one the finishReason and the totals. */
function event(parts: unknown[], finishReason?: string): unknown {
  const output = FAKE_USAGE.outputTokens - FAKE_USAGE.reasoningTokens;
  const usageMetadata = finishReason
    ? {
        promptTokenCount: FAKE_USAGE.inputTokens,
        candidatesTokenCount: output,
        totalTokenCount: FAKE_USAGE.inputTokens + FAKE_USAGE.outputTokens,
        cachedContentTokenCount: FAKE_USAGE.cacheReadTokens,
        thoughtsTokenCount: FAKE_USAGE.reasoningTokens,
        promptTokensDetails: [{ modality: 'TEXT', tokenCount: FAKE_USAGE.inputTokens }],
      }
    : { promptTokenCount: FAKE_USAGE.inputTokens, totalTokenCount: FAKE_USAGE.inputTokens };
  return {
    candidates: [{ content: { parts, role: 'model' }, index: 0, ...(finishReason ? { finishReason } : {}) }],
    usageMetadata,
    modelVersion: 'fake',
    responseId: 'fake-response',
  };
}

/** Gemini's 429: the same "exceeded your current quota" words for every limit, the kind of limit in QuotaFailure. */
function tooManyRequests(res: http.ServerResponse, period: 'PerMinute' | 'PerDay', retryDelay: string): void {
  const metric = 'generativelanguage.googleapis.com/generate_content_free_tier_requests';
  const limit = period === 'PerDay' ? '250' : '10';
  sendGoogleError(
    res,
    429,
    'RESOURCE_EXHAUSTED',
    `You exceeded your current quota, please check your plan and billing details. For more information on this error, head to: https://ai.google.dev/gemini-api/docs/rate-limits.\n* Quota exceeded for metric: ${metric}, limit: ${limit}\nPlease retry in ${retryDelay}.`,
    [
      {
        '@type': 'type.googleapis.com/google.rpc.QuotaFailure',
        violations: [{ quotaMetric: metric, quotaId: `GenerateRequests${period}PerProjectPerModel-FreeTier`, quotaDimensions: { location: 'global', model: 'fake' }, quotaValue: limit }],
      },
      { '@type': 'type.googleapis.com/google.rpc.Help', links: [{ description: 'Learn more about Gemini API quotas', url: 'https://ai.google.dev/gemini-api/docs/rate-limits' }] },
      { '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay },
    ],
  );
}

function sendGoogleError(res: http.ServerResponse, code: number, status: string, message: string, details?: unknown[]): void {
  // Google sends the charset with its JSON errors; the SDK parses any content-type containing application/json.
  res.writeHead(code, { 'content-type': 'application/json; charset=UTF-8' });
  res.end(JSON.stringify({ error: { code, message, status, ...(details ? { details } : {}) } }));
}
