import * as assert from 'node:assert/strict';
import * as http from 'node:http';
import * as net from 'node:net';
import { checkUrl, classifyAddress, parseHostLiteral } from '../../../../src/core/policy/ssrfGuard';
import { ToolError } from '../../../../src/core/tools/toolTypes';
import { createHttpFetcher, type ResolvedAddress } from '../../../../src/node/httpFetcher';

/** [URL, words its refusal names]: every spelling of a local or private address a model could try. */
const BLOCKED: [string, string][] = [
  ['http://127.0.0.1/', 'loopback'],
  ['http://127.255.255.254/', 'loopback'],
  ['http://2130706433/', 'loopback'],
  ['http://0177.0.0.1/', 'loopback'],
  ['http://0x7f.1/', 'loopback'],
  ['http://0x7f000001/', 'loopback'],
  ['http://127.1/', 'loopback'],
  ['http://127.0.0.1./', 'loopback'],
  ['http://%31%32%37.0.0.1/', 'loopback'],
  ['http://①②⑦.0.0.1/', 'loopback'],
  ['https://127.0.0.1:8443/admin', 'loopback'],
  ['http://localhost/', 'loopback name'],
  ['http://LOCALHOST./', 'loopback name'],
  ['http://app.localhost:3000/', 'loopback name'],
  ['http://0.0.0.0/', 'unspecified'],
  ['http://0/', 'unspecified'],
  ['http://10.0.0.1/', 'private'],
  ['http://172.16.0.1/', 'private'],
  ['http://172.31.255.255/', 'private'],
  ['http://192.168.1.1/', 'private'],
  ['http://169.254.169.254/latest/meta-data/', 'cloud metadata'],
  ['http://169.254.0.1/', 'link-local'],
  ['http://100.64.0.1/', 'carrier-grade NAT'],
  ['http://100.100.100.200/', 'carrier-grade NAT'],
  ['http://224.0.0.1/', 'multicast'],
  ['http://255.255.255.255/', 'broadcast'],
  ['http://240.0.0.1/', 'reserved'],
  ['http://192.0.2.1/', 'documentation'],
  ['http://198.51.100.7/', 'documentation'],
  ['http://203.0.113.9/', 'documentation'],
  ['http://198.18.0.1/', 'benchmarking'],
  ['http://[::1]/', 'loopback'],
  ['http://[0:0:0:0:0:0:0:1]/', 'loopback'],
  ['http://[::]/', 'unspecified'],
  ['http://[::ffff:127.0.0.1]/', 'IPv4-mapped loopback'],
  ['http://[::ffff:7f00:1]/', 'IPv4-mapped loopback'],
  ['http://[::ffff:169.254.169.254]/', 'IPv4-mapped cloud metadata'],
  ['http://[::ffff:10.0.0.1]/', 'IPv4-mapped private'],
  ['http://[::ffff:0:7f00:1]/', 'IPv4-translated loopback'],
  ['http://[::127.0.0.1]/', 'IPv4-compatible'],
  ['http://[fc00::1]/', 'unique local'],
  ['http://[fd12:3456::1]/', 'unique local'],
  ['http://[fd00:ec2::254]/', 'cloud metadata'],
  ['http://[fe80::1]/', 'link-local'],
  ['http://[fec0::1]/', 'site-local'],
  ['http://[ff02::1]/', 'multicast'],
  ['http://[64:ff9b::7f00:1]/', 'NAT64 loopback'],
  ['http://[64:ff9b::10.0.0.1]/', 'NAT64 private'],
  ['http://[64:ff9b:1::1]/', 'NAT64 local-use'],
  ['http://[2002:7f00:1::]/', '6to4 loopback'],
  ['http://[2002:c0a8:101::1]/', '6to4 private'],
  ['http://[2001:0:4136:e378:8000:63bf:80ff:fffe]/', 'Teredo loopback'],
  ['http://[2001:db8::1]/', 'documentation'],
  ['http://[3fff::1]/', 'documentation'],
  ['http://[100::1]/', 'discard'],
];

const PUBLIC = ['8.8.8.8', '1.1.1.1', '172.32.0.1', '100.128.0.1', '192.169.0.1', '169.255.0.1', '11.0.0.1', '2606:4700:4700::1111', '::ffff:8.8.8.8', '64:ff9b::808:808', '2002:808:808::1'];

const ADVICE = 'fetch_url does not reach local or private addresses unless you allow the host in aiStudio.tools.fetch.allowedHosts';

describe('SSRF guard: every spelling of a local address is refused', () => {
  it('covers at least 30 forms', () => {
    assert.ok(BLOCKED.length >= 30);
  });

  for (const [url, range] of BLOCKED) {
    it(`${url} (${range})`, () => {
      const checked = checkUrl(url, []);
      assert.equal(checked.ok, false);
      assert.ok(!checked.ok && checked.reason.includes(range), !checked.ok ? checked.reason : '');
      assert.ok(!checked.ok && checked.reason.endsWith(ADVICE));
      const host = new URL(url).hostname;
      if (parseHostLiteral(host) !== undefined) assert.equal(classifyAddress(host).blocked, true);
    });
  }

  it('lets public unicast addresses through, including ones that embed a public IPv4 address', () => {
    for (const address of PUBLIC) assert.deepEqual(classifyAddress(address), { blocked: false, range: 'unicast' }, address);
  });

  it('refuses what is not an address at all', () => {
    assert.deepEqual(classifyAddress('example.com'), { blocked: true, range: 'not an IP address' });
    assert.equal(classifyAddress('127.0.0.1/x').blocked, true);
  });

  it('reads a host literal the way the URL parser does', () => {
    assert.equal(parseHostLiteral('2130706433'), '127.0.0.1');
    assert.equal(parseHostLiteral('0177.0.0.1'), '127.0.0.1');
    assert.equal(parseHostLiteral('0x7f.1'), '127.0.0.1');
    assert.equal(parseHostLiteral('127.1'), '127.0.0.1');
    assert.equal(parseHostLiteral('127.0.0.1.'), '127.0.0.1');
    assert.equal(parseHostLiteral('[::ffff:127.0.0.1]'), '::ffff:7f00:1');
    assert.equal(parseHostLiteral('0:0:0:0:0:0:0:1'), '::1');
    assert.equal(parseHostLiteral('example.com'), undefined);
    assert.equal(parseHostLiteral('evil.com@127.0.0.1'), undefined);
    assert.equal(parseHostLiteral('127.0.0.1/x'), undefined);
  });
});

describe('SSRF guard: checkUrl', () => {
  it('fetches only http and https', () => {
    for (const url of ['file:///etc/passwd', 'ftp://example.com/', 'javascript:alert(1)', 'data:text/html,x', 'gopher://example.com/']) {
      const checked = checkUrl(url, []);
      assert.ok(!checked.ok && checked.reason.includes('only http and https'), url);
    }
    assert.equal(checkUrl('https://example.com:8443/x?y=1', []).ok, true);
  });

  it('refuses credentials in the URL', () => {
    const checked = checkUrl('https://user:secret@example.com/', []);
    assert.ok(!checked.ok && checked.reason.includes('user name or password'));
  });

  it('refuses what is not a URL', () => {
    assert.equal(checkUrl('not a url', []).ok, false);
    assert.equal(checkUrl('http://999.1.1.1/', []).ok, false);
  });

  it('lets an allowed host through by exact name only, in any case', () => {
    assert.equal(checkUrl('http://LOCALHOST:8080/', ['localhost']).ok, true);
    assert.equal(checkUrl('http://localhost./', ['LocalHost']).ok, true);
    assert.equal(checkUrl('http://127.0.0.1:3000/', ['127.0.0.1']).ok, true);
    assert.equal(checkUrl('http://2130706433/', ['127.0.0.1']).ok, true, 'the same address in another spelling');
    assert.equal(checkUrl('http://[::1]/', ['[::1]']).ok, true);
    assert.equal(checkUrl('http://127.0.0.2/', ['127.0.0.1']).ok, false);
    assert.equal(checkUrl('http://evil.localhost/', ['localhost']).ok, false, 'no suffix match');
    assert.equal(checkUrl('http://127.0.0.1/', ['127.0.0']).ok, false, 'no prefix match');
  });
});

// ---- Through the real fetcher, against loopback servers. The resolver seam knows only the names below; the guard
// on net.Socket#connect refuses any socket to anything but loopback and any socket that would ask DNS itself, so
// even a broken fetcher cannot send traffic off this machine.

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
    port: (server.address() as net.AddressInfo).port,
    get hits() {
      return state.hits;
    },
    close: () => {
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function seam(names: Record<string, ResolvedAddress[]>): (hostname: string) => Promise<ResolvedAddress[]> {
  return (hostname) => {
    const answer = names[hostname];
    return answer ? Promise.resolve(answer) : Promise.reject(Object.assign(new Error(`test resolver: no ${hostname}`), { code: 'ENOTFOUND' }));
  };
}

const loopback: ResolvedAddress[] = [{ address: '127.0.0.1', family: 4 }];
const isLoopback = (address: string): boolean => /^(127\.|::1$|::ffff:127\.)/.test(address);

function guardOutbound(): { refused: string[]; restore(): void } {
  type Connect = (this: net.Socket, ...args: unknown[]) => net.Socket;
  const original = Reflect.get(net.Socket.prototype, 'connect') as Connect;
  const refused: string[] = [];
  const patched: Connect = function (...args) {
    const first: unknown = Array.isArray(args[0]) ? (args[0] as unknown[])[0] : args[0];
    const options = (typeof first === 'object' && first !== null ? first : {}) as net.TcpNetConnectOpts;
    const host = typeof first === 'number' ? (typeof args[1] === 'string' ? args[1] : 'localhost') : (options.host ?? 'localhost');
    if (net.isIP(host) !== 0 && !isLoopback(host)) refused.push(host);
    if (net.isIP(host) === 0 && options.lookup === undefined) refused.push(`dns:${host}`);
    if (refused.length > 0) throw new Error(`test guard: refused an outbound connection (${refused.join(', ')})`);
    const lookup = options.lookup;
    if (lookup !== undefined) {
      options.lookup = (hostname, lookupOptions, callback) =>
        lookup(hostname, lookupOptions, (err, address, family) => {
          const list = typeof address === 'string' ? [address] : address.map((a) => a.address);
          const outside = list.filter((a) => !isLoopback(a));
          refused.push(...outside);
          callback(outside.length > 0 ? new Error(`test guard: refused ${outside.join(', ')}`) : err, address, family);
        });
    }
    return original.apply(this, args);
  };
  Reflect.set(net.Socket.prototype, 'connect', patched);
  return { refused, restore: () => void Reflect.set(net.Socket.prototype, 'connect', original) };
}

async function refusal(promise: Promise<unknown>): Promise<ToolError> {
  try {
    await promise;
  } catch (err) {
    assert.ok(err instanceof ToolError, `expected a ToolError, got ${String(err)}`);
    return err;
  }
  assert.fail('the fetch was not refused');
}

describe('SSRF guard: through the fetcher, on loopback', () => {
  let server: TestServer;
  let second: TestServer;
  let guard: ReturnType<typeof guardOutbound>;
  const request = (url: string, allowedHosts: string[] = []) => ({ url, allowedHosts, maxBytes: 2 * 2 ** 20, maxRedirects: 5 });
  const signal = new AbortController().signal;

  beforeEach(async () => {
    guard = guardOutbound();
    second = await serve((_req, res) => res.end('second'));
    server = await serve((req, res) => {
      if (req.url === '/to-loopback') {
        res.writeHead(302, { location: `http://127.0.0.1:${second.port}/` }).end();
      } else if (req.url === '/to-evil') {
        res.writeHead(302, { location: `http://evil.test:${second.port}/` }).end();
      } else {
        res.writeHead(200, { 'content-type': 'text/plain' }).end('hello from loopback');
      }
    });
  });
  afterEach(async () => {
    guard.restore();
    await server.close();
    await second.close();
    assert.deepEqual(guard.refused, [], 'a connection left loopback');
  });

  const fetcher = () =>
    createHttpFetcher({
      resolve: seam({
        'allowed.test': loopback,
        'x.allowed.test': loopback,
        'evil.test': loopback,
        'mixed.test': [
          { address: '93.184.215.14', family: 4 },
          { address: '10.0.0.7', family: 4 },
        ],
      }),
    });

  it('refuses a loopback URL in every spelling, and nothing reaches the server', async () => {
    for (const host of ['127.0.0.1', '2130706433', '0x7f.1', '[::ffff:127.0.0.1]', 'localhost']) {
      const err = await refusal(fetcher().fetch(request(`http://${host}:${server.port}/`), signal));
      assert.ok(err.message.endsWith(ADVICE), err.message);
    }
    const err = await refusal(fetcher().fetch(request(`http://127.0.0.1:${server.port}/`), signal));
    assert.equal(err.message, `127.0.0.1 is a loopback address; ${ADVICE}`);
    assert.equal(server.hits, 0);
  });

  it('fetches a host the person allowed although it resolves to loopback', async () => {
    const response = await fetcher().fetch(request(`http://allowed.test:${server.port}/page`, ['Allowed.Test']), signal);
    assert.equal(response.status, 200);
    assert.equal(response.body, 'hello from loopback');
    assert.equal(response.finalUrl, `http://allowed.test:${server.port}/page`);
    assert.equal(server.hits, 1);
  });

  it('does not extend the allowance to subdomains', async () => {
    const err = await refusal(fetcher().fetch(request(`http://x.allowed.test:${server.port}/`, ['allowed.test']), signal));
    assert.match(err.message, /x\.allowed\.test resolves to 127\.0\.0\.1, a loopback address/);
    assert.equal(server.hits, 0);
  });

  it('refuses a redirect from the allowed host to a loopback address; the target sees nothing', async () => {
    const err = await refusal(fetcher().fetch(request(`http://allowed.test:${server.port}/to-loopback`, ['allowed.test']), signal));
    assert.match(err.message, /refused the redirect to http:\/\/127\.0\.0\.1:\d+\/: 127\.0\.0\.1 is a loopback address/);
    assert.equal(server.hits, 1);
    assert.equal(second.hits, 0);
  });

  it('refuses a redirect from the allowed host to a name that resolves to loopback', async () => {
    const err = await refusal(fetcher().fetch(request(`http://allowed.test:${server.port}/to-evil`, ['allowed.test']), signal));
    assert.match(err.message, /evil\.test resolves to 127\.0\.0\.1, a loopback address/);
    assert.equal(second.hits, 0);
  });

  it('refuses a name that resolves to loopback', async () => {
    const err = await refusal(fetcher().fetch(request(`http://evil.test:${server.port}/`), signal));
    assert.equal(err.message, `evil.test resolves to 127.0.0.1, a loopback address; ${ADVICE}`);
    assert.equal(server.hits, 0);
  });

  it('refuses a name with one public and one private address', async () => {
    const err = await refusal(fetcher().fetch(request('http://mixed.test/'), signal));
    assert.match(err.message, /mixed\.test resolves to 10\.0\.0\.7, a private address/);
  });

  it('lets the person allow a literal address', async () => {
    const response = await fetcher().fetch(request(`http://127.0.0.1:${server.port}/`, ['127.0.0.1']), signal);
    assert.equal(response.body, 'hello from loopback');
  });
});
