/**
 * FetchPort for real: GET over node:http/https with the SSRF guard on the address each hop really connects to.
 * Every hop is checked (URL, then every address its name resolves to), and the socket connects only to the
 * addresses that were checked: the request's `lookup` hands back exactly those, so a DNS answer that changes
 * between the check and the connect (rebinding) is never used. Bodies are capped after decompression, so a gzip
 * bomb costs at most `maxBytes`.
 */
import * as dns from 'node:dns';
import * as http from 'node:http';
import * as https from 'node:https';
import type { LookupFunction } from 'node:net';
import { Transform, type Readable } from 'node:stream';
import { TextDecoder } from 'node:util';
import * as zlib from 'node:zlib';
import { blockedReason, bareHostname, checkUrl, classifyAddress, isAllowedHost, parseHostLiteral } from '../core/policy/ssrfGuard';
import { ToolError, type FetchPort, type FetchRequest, type FetchResponse } from '../core/tools/toolTypes';

export interface ResolvedAddress {
  address: string;
  family: 4 | 6;
}

export interface HttpFetcherOptions {
  /** Every address a name resolves to; dns.lookup with all: true by default. The seam tests map names with. */
  resolve?: (hostname: string) => Promise<ResolvedAddress[]>;
  userAgent?: string;
  /** For the whole fetch, redirects and body included. Default 30 s. */
  timeoutMs?: number;
}

const DEFAULT_TIMEOUT_MS = 30_000;
const DEFAULT_USER_AGENT = 'AI-Studio-fetch/1.0 (VS Code extension)';
const REDIRECTS = new Set([301, 302, 303, 307, 308]);

async function lookupAll(hostname: string): Promise<ResolvedAddress[]> {
  const answers = await dns.promises.lookup(hostname, { all: true, verbatim: true });
  return answers.map((a) => ({ address: a.address, family: a.family === 6 ? 6 : 4 }));
}

/** Why a signal aborted, as an Error (an AbortError DOMException unless the caller gave another reason). */
function abortReason(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  return reason instanceof Error ? reason : Object.assign(new Error('The fetch was stopped.'), { name: 'AbortError' });
}

/** Rejects when the signal aborts, with its reason; for the steps (DNS) that take no signal themselves. */
function untilAborted<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(abortReason(signal));
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

class TimeoutReason extends Error {}

function describe(err: unknown): string {
  if (err instanceof Error) {
    const code = (err as NodeJS.ErrnoException).code;
    return code !== undefined && !err.message.includes(code) ? `${code}: ${err.message}` : err.message;
  }
  return String(err);
}

/** The addresses a hop may connect to, all of them checked; throws ToolError when any is blocked. */
async function vet(url: URL, request: FetchRequest, resolve: (hostname: string) => Promise<ResolvedAddress[]>, signal: AbortSignal): Promise<ResolvedAddress[]> {
  const host = bareHostname(url);
  const literal = parseHostLiteral(host);
  if (literal !== undefined) return [{ address: literal, family: literal.includes(':') ? 6 : 4 }];
  let addresses: ResolvedAddress[];
  try {
    addresses = await untilAborted(resolve(host), signal);
  } catch (err) {
    if (signal.aborted) throw err;
    throw new ToolError(`could not resolve ${host} (${describe(err)})`);
  }
  if (addresses.length === 0) throw new ToolError(`${host} resolves to no address`);
  if (!isAllowedHost(host, request.allowedHosts)) {
    // Any, not the first: a name with one public and one private address must not reach the private one.
    for (const { address } of addresses) {
      const verdict = classifyAddress(address);
      if (verdict.blocked) throw new ToolError(blockedReason(host, address, verdict.range));
    }
  }
  return addresses;
}

function get(url: URL, addresses: readonly ResolvedAddress[], userAgent: string, signal: AbortSignal): Promise<http.IncomingMessage> {
  // Node asks with all: true when it tries several addresses (autoSelectFamily); either way it gets only these.
  const lookup: LookupFunction = (_hostname, options, callback) => {
    const first = addresses[0] as ResolvedAddress;
    if (options.all === true) callback(null, addresses.map((a) => ({ address: a.address, family: a.family })));
    else callback(null, first.address, first.family);
  };
  const client = url.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const req = client.request(
      {
        protocol: url.protocol,
        hostname: bareHostname(url),
        port: url.port === '' ? undefined : Number(url.port),
        path: `${url.pathname}${url.search}`,
        method: 'GET',
        headers: {
          'user-agent': userAgent,
          accept: 'text/html,application/xhtml+xml,text/plain;q=0.9,*/*;q=0.8',
          'accept-encoding': 'gzip, deflate, br',
        },
        // No pooled socket: one connected for an earlier, differently judged request must not be reused.
        agent: false,
        lookup,
        signal,
      },
      resolve,
    );
    req.on('error', reject);
    req.end();
  });
}

/** zlib (RFC 1950) or raw deflate (RFC 1951): servers send both as `deflate`. Decided on the first bytes. */
function inflateEither(): Transform {
  let inner: zlib.Inflate | zlib.InflateRaw | undefined;
  const options = { flush: zlib.constants.Z_SYNC_FLUSH, finishFlush: zlib.constants.Z_SYNC_FLUSH };
  const out: Transform = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      if (inner === undefined) {
        const zlibHeader = chunk.length >= 2 && ((chunk[0] ?? 0) & 0x0f) === 8 && (((chunk[0] ?? 0) << 8) | (chunk[1] ?? 0)) % 31 === 0;
        inner = zlibHeader ? zlib.createInflate(options) : zlib.createInflateRaw(options);
        inner.on('data', (data: Buffer) => out.push(data));
        inner.on('error', (err) => out.destroy(err));
      }
      inner.write(chunk, () => callback());
    },
    flush(callback) {
      if (inner === undefined) return callback();
      inner.once('end', () => callback());
      inner.end();
    },
  });
  return out;
}

function decoderFor(encoding: string): Transform {
  // Lenient flushing, as browsers are: a stream cut short still yields what it holds.
  const sync = { flush: zlib.constants.Z_SYNC_FLUSH, finishFlush: zlib.constants.Z_SYNC_FLUSH };
  switch (encoding) {
    case 'gzip':
    case 'x-gzip':
      return zlib.createGunzip(sync);
    case 'deflate':
      return inflateEither();
    case 'br':
      return zlib.createBrotliDecompress({
        flush: zlib.constants.BROTLI_OPERATION_FLUSH,
        finishFlush: zlib.constants.BROTLI_OPERATION_FLUSH,
      });
    default:
      throw new ToolError(`the server sent the body in an encoding fetch_url cannot read (${encoding})`);
  }
}

/** The body, decompressed, at most maxBytes of it. */
function readBody(response: http.IncomingMessage, maxBytes: number): Promise<{ bytes: Buffer; truncated: boolean }> {
  const encodings = (response.headers['content-encoding'] ?? '')
    .toLowerCase()
    .split(',')
    .map((e) => e.trim())
    .filter((e) => e !== '' && e !== 'identity');
  // Content-Encoding lists the codings in the order they were applied; undo them last to first.
  let decoders: Transform[];
  try {
    decoders = encodings.reverse().map(decoderFor);
  } catch (err) {
    response.destroy();
    return Promise.reject(err instanceof Error ? err : new Error(String(err)));
  }
  const stages: Readable[] = [response, ...decoders];
  for (let i = 1; i < stages.length; i++) (stages[i - 1] as Readable).pipe(stages[i] as Transform);
  const last = stages[stages.length - 1] as Readable;
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const finish = (outcome: { bytes: Buffer; truncated: boolean } | Error): void => {
      if (settled) return;
      settled = true;
      for (const stage of stages) stage.destroy();
      if (outcome instanceof Error) reject(outcome);
      else resolve(outcome);
    };
    for (const stage of stages) stage.on('error', (err) => finish(err));
    response.on('close', () => {
      if (!response.complete) finish(new ToolError('the connection closed before the whole page arrived'));
    });
    last.on('data', (chunk: Buffer) => {
      if (settled) return;
      const room = maxBytes - size;
      if (chunk.length > room) {
        chunks.push(chunk.subarray(0, room));
        finish({ bytes: Buffer.concat(chunks), truncated: true });
        return;
      }
      chunks.push(chunk);
      size += chunk.length;
    });
    last.on('end', () => finish({ bytes: Buffer.concat(chunks), truncated: false }));
  });
}

/** Text in the charset the Content-Type names (UTF-8 when it names none or one this runtime does not know). */
function decodeText(bytes: Buffer, contentType: string, truncated: boolean): string {
  const label = /;\s*charset\s*=\s*"?([^";\s]+)"?/i.exec(contentType)?.[1] ?? 'utf-8';
  let decoder: TextDecoder;
  try {
    decoder = new TextDecoder(label);
  } catch {
    decoder = new TextDecoder('utf-8');
  }
  // stream: true leaves out a character the cut went through the middle of, instead of a replacement character.
  return decoder.decode(bytes, { stream: truncated });
}

async function fetchOnce(request: FetchRequest, signal: AbortSignal, resolve: (hostname: string) => Promise<ResolvedAddress[]>, userAgent: string): Promise<FetchResponse> {
  const redirects: string[] = [];
  let current = request.url;
  for (;;) {
    const checked = checkUrl(current, request.allowedHosts);
    if (!checked.ok) throw new ToolError(redirects.length === 0 ? checked.reason : `refused the redirect to ${current}: ${checked.reason}`);
    const url = checked.url;
    const addresses = await vet(url, request, resolve, signal);
    const response = await get(url, addresses, userAgent, signal);
    const status = response.statusCode ?? 0;
    const location = response.headers.location;
    if (REDIRECTS.has(status) && location !== undefined) {
      response.destroy();
      let next: URL;
      try {
        next = new URL(location, url);
      } catch {
        throw new ToolError(`${url.href} redirected to an invalid URL (${location.slice(0, 200)})`);
      }
      if (next.protocol !== 'http:' && next.protocol !== 'https:') {
        throw new ToolError(`refused the redirect to ${next.protocol} (${next.href.slice(0, 200)}): only http and https are followed`);
      }
      if (redirects.length >= request.maxRedirects) {
        throw new ToolError(`more than ${request.maxRedirects} redirects; the last one went to ${next.href}`);
      }
      redirects.push(next.href);
      current = next.href;
      continue;
    }
    const contentType = response.headers['content-type'] ?? '';
    const { bytes, truncated } = await readBody(response, request.maxBytes);
    return { finalUrl: url.href, status, contentType, body: decodeText(bytes, contentType, truncated), truncated, redirects };
  }
}

export function createHttpFetcher(options: HttpFetcherOptions = {}): FetchPort {
  const resolve = options.resolve ?? lookupAll;
  const userAgent = options.userAgent ?? DEFAULT_USER_AGENT;
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  return {
    async fetch(request, signal) {
      if (signal.aborted) throw abortReason(signal);
      // One signal for Stop and the timeout together; every step (DNS, connect, body) listens to it.
      const controller = new AbortController();
      const onAbort = (): void => controller.abort(abortReason(signal));
      signal.addEventListener('abort', onAbort, { once: true });
      const timer = setTimeout(() => controller.abort(new TimeoutReason()), timeoutMs);
      try {
        return await fetchOnce(request, controller.signal, resolve, userAgent);
      } catch (err) {
        if (signal.aborted) throw abortReason(signal);
        if (controller.signal.reason instanceof TimeoutReason) {
          throw new ToolError(`${request.url} did not answer within ${Math.round(timeoutMs / 1000)} s`);
        }
        if (err instanceof ToolError) throw err;
        throw new ToolError(`could not fetch ${request.url} (${describe(err)})`);
      } finally {
        clearTimeout(timer);
        signal.removeEventListener('abort', onAbort);
      }
    },
  };
}
