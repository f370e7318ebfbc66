import * as assert from 'node:assert/strict';
import * as http from 'node:http';
import * as net from 'node:net';
import type { AddressInfo } from 'node:net';
import * as zlib from 'node:zlib';
import { ToolError, type FetchRequest } from '../../../src/core/tools/toolTypes';
import { createHttpFetcher, type ResolvedAddress } from '../../../src/node/httpFetcher';

// Every test talks to a loopback server through the name `site.test`, allowed and mapped to 127.0.0.1 by the
// resolver seam; any other name fails to resolve. A guard on net.Socket#connect refuses sockets to anything but
// loopback and sockets that would ask DNS themselves, so even a broken fetcher sends nothing off this machine.

const MB = 2 ** 20;

interface TestServer {
  port: number;
  hits: number;
  close(): Promise<void>;
}

async function serve(handler: http.RequestListener): Promise<TestServer> {
  const state = { hits: 0 };
  const server = http.createServer((req, res) => {
    state.hits++;
    handler(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    get hits() {
      return state.hits;
    },
    close: () => {
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

const resolved: string[] = [];
function resolve(hostname: string): Promise<ResolvedAddress[]> {
  resolved.push(hostname);
  if (hostname === 'site.test') return Promise.resolve([{ address: '127.0.0.1', family: 4 }]);
  if (hostname === 'never.test') return new Promise(() => undefined);
  return Promise.reject(Object.assign(new Error(`test resolver: no ${hostname}`), { code: 'ENOTFOUND' }));
}

const isLoopback = (address: string): boolean => /^(127\.|::1$|::ffff:127\.)/.test(address);

function guardOutbound(): { refused: string[]; restore(): void } {
  type Connect = (this: net.Socket, ...args: unknown[]) => net.Socket;
  const original = Reflect.get(net.Socket.prototype, 'connect') as Connect;
  const refused: string[] = [];
  const patched: Connect = function (...args) {
    const first: unknown = Array.isArray(args[0]) ? (args[0] as unknown[])[0] : args[0];
    const options = (typeof first === 'object' && first !== null ? first : {}) as net.TcpNetConnectOpts;
    const host = typeof first === 'number' ? (typeof args[1] === 'string' ? args[1] : 'localhost') : (options.host ?? 'localhost');
    if (net.isIP(host) === 0 ? options.lookup === undefined : !isLoopback(host)) {
      refused.push(host);
      throw new Error(`test guard: refused a connection to ${host}`);
    }
    const lookup = options.lookup;
    if (lookup !== undefined) {
      options.lookup = (hostname, lookupOptions, callback) =>
        lookup(hostname, lookupOptions, (err, address, family) => {
          const outside = (typeof address === 'string' ? [address] : address.map((a) => a.address)).filter((a) => !isLoopback(a));
          refused.push(...outside);
          callback(outside.length > 0 ? new Error(`test guard: refused ${outside.join(', ')}`) : err, address, family);
        });
    }
    return original.apply(this, args);
  };
  Reflect.set(net.Socket.prototype, 'connect', patched);
  return { refused, restore: () => void Reflect.set(net.Socket.prototype, 'connect', original) };
}

async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (err) {
    assert.ok(err instanceof Error);
    return err;
  }
  assert.fail('the fetch did not fail');
}

describe('httpFetcher', () => {
  let server: TestServer;
  const body3mb = Buffer.alloc(3 * MB, 'a');
  const bomb = zlib.gzipSync(Buffer.alloc(64 * MB));
  const page = 'Grüße, <b>café</b> ✓';
  const fetcher = createHttpFetcher({ resolve, userAgent: 'ai-studio-test' });
  const url = (path: string): string => `http://site.test:${server.port}${path}`;
  const request = (path: string, more: Partial<FetchRequest> = {}): FetchRequest => ({ url: url(path), allowedHosts: ['site.test'], maxBytes: 2 * MB, maxRedirects: 5, ...more });
  const never = new AbortController().signal;
  let seen: http.IncomingHttpHeaders = {};
  let guard: ReturnType<typeof guardOutbound>;

  before(() => {
    guard = guardOutbound();
  });
  after(() => {
    guard.restore();
    assert.deepEqual(guard.refused, [], 'a connection left loopback');
  });

  beforeEach(async () => {
    resolved.length = 0;
    server = await serve((req, res) => {
      seen = req.headers;
      const path = new URL(req.url ?? '/', 'http://x').pathname;
      const hop = /^\/hop\/(\d+)$/.exec(path);
      if (hop) {
        const n = Number(hop[1]);
        // Alternate relative and absolute Locations.
        const next = n % 2 === 0 ? `/hop/${n - 1}` : `http://site.test:${server.port}/hop/${n - 1}`;
        res.writeHead(n === 0 ? 200 : 302, n === 0 ? { 'content-type': 'text/plain' } : { location: next }).end(n === 0 ? 'arrived' : '');
      } else if (path === '/to-file') {
        res.writeHead(301, { location: 'file:///etc/passwd' }).end();
      } else if (path === '/big') {
        res.writeHead(200, { 'content-type': 'text/plain' }).end(body3mb);
      } else if (path === '/exact') {
        res.writeHead(200, { 'content-type': 'text/plain' }).end(body3mb.subarray(0, 2 * MB));
      } else if (path === '/bomb') {
        res.writeHead(200, { 'content-type': 'text/plain', 'content-encoding': 'gzip' }).end(bomb);
      } else if (path === '/br') {
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'content-encoding': 'br' }).end(zlib.brotliCompressSync(page));
      } else if (path === '/deflate') {
        res.writeHead(200, { 'content-encoding': 'deflate' }).end(zlib.deflateSync(page));
      } else if (path === '/raw-deflate') {
        res.writeHead(200, { 'content-encoding': 'deflate' }).end(zlib.deflateRawSync(page));
      } else if (path === '/latin1') {
        res.writeHead(200, { 'content-type': 'text/html; charset=ISO-8859-1' }).end(Buffer.from('café ñ', 'latin1'));
      } else if (path === '/utf8') {
        res.writeHead(200, { 'content-type': 'text/plain' }).end(page);
      } else if (path === '/zstd') {
        res.writeHead(200, { 'content-encoding': 'zstd' }).end('xx');
      } else if (path === '/missing') {
        res.writeHead(404, { 'content-type': 'text/plain' }).end('no such page');
      } else if (path === '/slow') {
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.write('the first part, then nothing for a long time');
      } else if (path === '/silent') {
        // Never answers.
      } else {
        res.writeHead(200, { 'content-type': 'text/plain' }).end(`method ${req.method}`);
      }
    });
  });
  afterEach(() => server.close());

  it('GETs with its user agent and asks for compressed bodies', async () => {
    const response = await fetcher.fetch(request('/'), never);
    assert.equal(response.body, 'method GET');
    assert.equal(seen['user-agent'], 'ai-studio-test');
    assert.match(String(seen['accept-encoding']), /gzip/);
    assert.equal(response.truncated, false);
    assert.deepEqual(response.redirects, []);
  });

  it('connects to the vetted address itself: the name is resolved once per hop, by the seam only', async () => {
    // `site.test` does not resolve on this machine; the fetch works only because the socket uses the seam's answer.
    await fetcher.fetch(request('/hop/2'), never);
    assert.deepEqual(resolved, ['site.test', 'site.test', 'site.test']);
  });

  it('returns an error page with its status', async () => {
    const response = await fetcher.fetch(request('/missing'), never);
    assert.equal(response.status, 404);
    assert.equal(response.body, 'no such page');
  });

  it('follows 5 redirects and lists them', async () => {
    const response = await fetcher.fetch(request('/hop/5'), never);
    assert.equal(response.body, 'arrived');
    assert.equal(response.finalUrl, url('/hop/0'));
    assert.deepEqual(response.redirects, [4, 3, 2, 1, 0].map((n) => url(`/hop/${n}`)));
  });

  it('refuses a sixth redirect, and never requests its target', async () => {
    const err = await rejection(fetcher.fetch(request('/hop/6'), never));
    assert.ok(err instanceof ToolError);
    assert.match(err.message, /more than 5 redirects; the last one went to .*\/hop\/0$/);
    assert.equal(server.hits, 6);
  });

  it('never follows a redirect to another scheme', async () => {
    const err = await rejection(fetcher.fetch(request('/to-file'), never));
    assert.ok(err instanceof ToolError);
    assert.match(err.message, /refused the redirect to file:/);
  });

  it('cuts a 3 MB body at 2 MB and says so', async () => {
    const response = await fetcher.fetch(request('/big'), never);
    assert.equal(response.body.length, 2 * MB);
    assert.equal(response.truncated, true);
  });

  it('does not call a body of exactly the cap truncated', async () => {
    const response = await fetcher.fetch(request('/exact'), never);
    assert.equal(response.body.length, 2 * MB);
    assert.equal(response.truncated, false);
  });

  it('cuts a gzip bomb at the cap on the decompressed size', async () => {
    const started = Date.now();
    const response = await fetcher.fetch(request('/bomb'), never);
    assert.equal(response.body.length, 2 * MB);
    assert.equal(response.truncated, true);
    assert.ok(Date.now() - started < 2000, `${Date.now() - started} ms`);
  });

  it('decompresses brotli, zlib deflate and raw deflate', async () => {
    for (const path of ['/br', '/deflate', '/raw-deflate']) {
      assert.equal((await fetcher.fetch(request(path), never)).body, page, path);
    }
  });

  it('refuses an encoding it cannot read', async () => {
    const err = await rejection(fetcher.fetch(request('/zstd'), never));
    assert.ok(err instanceof ToolError);
    assert.match(err.message, /zstd/);
  });

  it('decodes the charset the content type names, UTF-8 otherwise', async () => {
    assert.equal((await fetcher.fetch(request('/latin1'), never)).body, 'café ñ');
    assert.equal((await fetcher.fetch(request('/utf8'), never)).body, page);
  });

  it('does not end a cut body with half a character', async () => {
    // "Grü": G, r, then the first of ü's two bytes.
    const response = await fetcher.fetch(request('/utf8', { maxBytes: 3 }), never);
    assert.equal(response.body, 'Gr');
    assert.equal(response.truncated, true);
  });

  it('ends a slow response within 200 ms of Stop', async () => {
    const stop = new AbortController();
    const pending = fetcher.fetch(request('/slow'), stop.signal);
    await new Promise((r) => setTimeout(r, 100));
    const stopped = Date.now();
    stop.abort();
    const err = await rejection(pending);
    assert.equal(err.name, 'AbortError');
    assert.ok(Date.now() - stopped < 200, `${Date.now() - stopped} ms`);
  });

  it('ends a name that never resolves at Stop', async () => {
    const stop = new AbortController();
    const pending = fetcher.fetch({ ...request('/'), url: 'http://never.test/', allowedHosts: [] }, stop.signal);
    setTimeout(() => stop.abort(), 20);
    assert.equal((await rejection(pending)).name, 'AbortError');
  });

  it('does nothing when stopped before it starts', async () => {
    const stop = new AbortController();
    stop.abort();
    assert.equal((await rejection(fetcher.fetch(request('/'), stop.signal))).name, 'AbortError');
    assert.equal(server.hits, 0);
  });

  it('gives up on a silent server after its timeout', async () => {
    const quick = createHttpFetcher({ resolve, timeoutMs: 300 });
    const started = Date.now();
    const err = await rejection(quick.fetch(request('/silent'), never));
    assert.ok(err instanceof ToolError);
    assert.match(err.message, /did not answer within/);
    assert.ok(Date.now() - started < 1500);
  });

  it('says when the name does not resolve or nothing listens', async () => {
    const unknown = await rejection(fetcher.fetch({ ...request('/'), url: 'http://unknown.test/' }, never));
    assert.ok(unknown instanceof ToolError);
    assert.match(unknown.message, /could not resolve unknown\.test \(ENOTFOUND/);
    const port = server.port;
    await server.close();
    const refused = await rejection(fetcher.fetch({ ...request('/'), url: `http://site.test:${port}/` }, never));
    assert.ok(refused instanceof ToolError);
    assert.match(refused.message, /ECONNREFUSED/);
    server = await serve((_req, res) => res.end());
  });
});
