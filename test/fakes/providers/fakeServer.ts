import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { SCRIPT_ROUTE, scriptProblem, type ScriptStep } from './fakeScripts';

/**
 * A loopback HTTP server that speaks one provider's wire protocol, for driving the real SDKs through every fault
 * a provider can produce. The scenario is chosen by the model name of the request (`fake-reset`, ...), so a test
 * picks a fault the same way a user picks a model. Only ever binds 127.0.0.1. A model `fake-script-<name>` answers
 * from a script instead (fakeScripts.ts): `server.scripts.set(name, steps)`, or `POST /__script/<name>` from
 * another process.
 */

export const SCENARIOS = [
  /** A normal streamed answer with usage: FAKE_ANSWER in several chunks. */
  'ok',
  /** A streamed reasoning part, then the answer (providers that stream reasoning). */
  'reasoning',
  /** One tool call: get_weather({"city":"Paris"}). */
  'tool',
  /** 401, with the presented key echoed in the error body, as some providers do. */
  'auth',
  /** 429 with `retry-after: 0` on the first hit, then a normal answer. */
  'rate-limit',
  /** 429 with `retry-after: 30` on every hit: for Stop during a long retry wait. */
  'rate-limit-long',
  /** 429 that says the quota is exhausted: not retryable. */
  'quota',
  /** 529 or 503 on the first hit, then a normal answer. */
  'overloaded',
  /** 400 because the content filter flagged the prompt. */
  'content-filter',
  /** 400 because the prompt exceeds the context window. */
  'context-length',
  /** A few chunks of the answer, then the socket is destroyed. */
  'reset',
  /** A few chunks of the answer, then a clean end without the final event. */
  'no-final',
  /** Headers (200) then nothing, forever. */
  'silence',
  /** The normal answer, one chunk every SLOW_CHUNK_MS: for Stop in the middle of a stream. */
  'slow',
] as const;

export type Scenario = (typeof SCENARIOS)[number];

export const FAKE_ANSWER = 'Hello from the fake provider. It streams in pieces.';
/** How FAKE_ANSWER is split into chunks; `reset` and `no-final` send only the first two. */
export const FAKE_ANSWER_CHUNKS = ['Hello ', 'from the fake ', 'provider. ', 'It streams ', 'in pieces.'];
export const FAKE_PARTIAL = FAKE_ANSWER_CHUNKS.slice(0, 2).join('');
export const FAKE_REASONING = 'Thinking about the greeting.';
export const FAKE_USAGE = { inputTokens: 42, outputTokens: 12, cacheReadTokens: 5, cacheWriteTokens: 3, reasoningTokens: 7 };
export const FAKE_TOOL = { name: 'get_weather', arguments: { city: 'Paris' } };
export const FAKE_MODELS = ['fake-ok', 'fake-tool'];
export const SLOW_CHUNK_MS = 150;
/**
 * The `slow` scenario's pace, changeable by a test that drives a real workbench: there a person-like Stop needs a
 * reply that lasts longer than a few Playwright round trips on a busy machine.
 */
export const fakeTiming = { slowChunkMs: SLOW_CHUNK_MS };

/** The model name that selects a scenario. */
export function modelFor(scenario: Scenario): string {
  return `fake-${scenario}`;
}

export function scenarioOf(model: string | undefined): Scenario | undefined {
  const name = model?.replace(/^models\//, '').replace(/^fake-/, '');
  return SCENARIOS.find((s) => s === name);
}

export interface RecordedRequest {
  method: string;
  /** Path and query, as received. */
  url: string;
  headers: http.IncomingHttpHeaders;
  /** The parsed JSON body, or undefined for an empty or non-JSON body. */
  body: unknown;
}

export interface Exchange {
  req: http.IncomingMessage;
  res: http.ServerResponse;
  url: URL;
  body: unknown;
  /** 1 for the first request with this scenario since the last reset, 2 for the retry, ... */
  hit: number;
  server: FakeProviderServer;
}

/** One protocol's routes: return false when the request is not one of them (answered with a 404). */
export type ProtocolHandler = (exchange: Exchange, scenarioOf: (model: string | undefined) => Scenario | undefined) => boolean | Promise<boolean>;

export class FakeProviderServer {
  readonly requests: RecordedRequest[] = [];
  /** Scripted replies by name, for the model `fake-script-<name>`. `reset()` keeps them. */
  readonly scripts = new Map<string, ScriptStep[]>();
  /**
   * Rate limiting across all models, like a provider's per-key limit: with `every: 5`, every fifth model request
   * is answered 429 with `retry-after-ms: retryAfterMs`. `limited` counts the 429s sent. Off when undefined.
   */
  rateLimit: { every: number; retryAfterMs: number; limited: number } | undefined;
  private modelRequests = 0;
  private readonly hitsByScenario = new Map<string, number>();
  private readonly sockets = new Set<Socket>();
  private readonly server: http.Server;
  private port = 0;

  private constructor(private readonly handler: ProtocolHandler) {
    this.server = http.createServer((req, res) => {
      void this.serve(req, res);
    });
    this.server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
  }

  static async start(handler: ProtocolHandler): Promise<FakeProviderServer> {
    const fake = new FakeProviderServer(handler);
    await new Promise<void>((resolve) => fake.server.listen(0, '127.0.0.1', resolve));
    fake.port = (fake.server.address() as AddressInfo).port;
    return fake;
  }

  get origin(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Requests that carried the given scenario's model, however the protocol spells it. */
  hits(scenario: Scenario): number {
    return this.hitsByScenario.get(scenario) ?? 0;
  }

  /** Counts a request for a scenario and returns which hit it is. Protocol handlers call this once per request. */
  countHit(scenario: Scenario): number {
    const hit = (this.hitsByScenario.get(scenario) ?? 0) + 1;
    this.hitsByScenario.set(scenario, hit);
    return hit;
  }

  reset(): void {
    this.requests.length = 0;
    this.hitsByScenario.clear();
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) {
      socket.destroy();
    }
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private setScript(res: http.ServerResponse, name: string, body: unknown): void {
    const problem = scriptProblem(body);
    if (problem) {
      sendJson(res, 400, { error: { message: `Not a script: ${problem}.` } });
      return;
    }
    this.scripts.set(name, body as ScriptStep[]);
    res.writeHead(204).end();
  }

  private async serve(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const raw = await readBody(req);
    let body: unknown;
    try {
      body = raw.length > 0 ? JSON.parse(raw) : undefined;
    } catch {
      body = undefined;
    }
    const url = new URL(req.url ?? '/', this.origin);
    const scriptRoute = req.method === 'POST' ? SCRIPT_ROUTE.exec(url.pathname) : null;
    if (scriptRoute) {
      // The fake's own control route, not a provider's: not recorded among the requests.
      this.setScript(res, decodeURIComponent(scriptRoute[1] ?? ''), body);
      return;
    }
    this.requests.push({ method: req.method ?? 'GET', url: req.url ?? '/', headers: req.headers, body });
    const exchange: Exchange = { req, res, url, body, hit: 0, server: this };
    const counting = (model: string | undefined) => {
      const scenario = scenarioOf(model);
      if (scenario) {
        exchange.hit = this.countHit(scenario);
      }
      return scenario;
    };
    if (presentedKeys(req, url).includes(REJECTED_KEY)) {
      // Echoes the key as OpenAI's "Incorrect API key provided: sk-..." does, to prove the adapters redact it.
      sendJson(res, 401, {
        error: { message: `Incorrect API key provided: ${REJECTED_KEY}`, type: 'authentication_error', code: 'invalid_api_key', status: 'UNAUTHENTICATED' },
        type: 'error',
      });
      return;
    }
    if (this.rateLimit && req.method === 'POST' && ++this.modelRequests % this.rateLimit.every === 0) {
      this.rateLimit.limited++;
      const body = { error: { message: 'Rate limit reached for requests', type: 'rate_limit_error', code: 'rate_limit_exceeded', status: 'RESOURCE_EXHAUSTED' }, type: 'error' };
      sendJson(res, 429, body, { 'retry-after-ms': String(this.rateLimit.retryAfterMs) });
      return;
    }
    try {
      if (!(await this.handler(exchange, counting))) {
        sendJson(res, 404, { error: { message: `The fake has no route ${req.method} ${url.pathname}` } });
      }
    } catch (err) {
      if (!res.headersSent) {
        sendJson(res, 500, { error: { message: `The fake failed: ${String(err)}` } });
      }
    }
  }
}

/** Every place a provider SDK may put the key. */
function presentedKeys(req: http.IncomingMessage, url: URL): string[] {
  const header = (name: string) => String(req.headers[name] ?? '');
  return [
    header('authorization').replace(/^Bearer\s+/i, ''),
    header('x-api-key'),
    header('api-key'),
    header('x-goog-api-key'),
    url.searchParams.get('key') ?? '',
  ].filter((key) => key.length > 0);
}

function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    req.on('data', (part: Buffer) => parts.push(part));
    req.on('end', () => resolve(Buffer.concat(parts).toString('utf8')));
    req.on('error', reject);
  });
}

export function sendJson(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

/** Starts a server-sent-events response. */
export function startSse(res: http.ServerResponse): void {
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
  res.flushHeaders();
}

export function writeSse(res: http.ServerResponse, data: unknown, event?: string): void {
  res.write(`${event === undefined ? '' : `event: ${event}\n`}data: ${typeof data === 'string' ? data : JSON.stringify(data)}\n\n`);
}

/** Starts a newline-delimited JSON response (Ollama). */
export function startNdjson(res: http.ServerResponse): void {
  res.writeHead(200, { 'content-type': 'application/x-ndjson' });
  res.flushHeaders();
}

export function writeNdjson(res: http.ServerResponse, data: unknown): void {
  res.write(`${JSON.stringify(data)}\n`);
}

/** Kills the connection mid-response, as a crashed proxy or a dropped network does. */
export function destroyConnection(res: http.ServerResponse): void {
  res.socket?.destroy();
}

export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** A key every fake rejects with a 401 that echoes it, on every route (the connection test included). */
export const REJECTED_KEY = 'sk-REJECTED-0b7e3f91c2d4a865-DO-NOT-LEAK';

/** The key a test presents: it must never show up in anything the adapter throws, returns or logs. */
export const SENTINEL_KEY = 'sk-SENTINEL-4f1c9a7e2b8d6053-DO-NOT-LEAK';
