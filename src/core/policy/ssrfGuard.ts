/**
 * The SSRF guard of fetch_url: which addresses a fetch may reach. A model that reads a hostile page can be told to
 * fetch `http://169.254.169.254/` (cloud credentials), a router's admin page or a local dev server, and to carry
 * what it finds out in the next URL. So a fetch reaches only public unicast addresses, checked on the address each
 * hop really resolves to (CVE-2026-24052 checked the domain with `startsWith`), unless the person allowed the exact
 * host. Pure: the fetcher in src/node resolves names and calls in here.
 */
import * as ipaddr from 'ipaddr.js';

export const ALLOWED_HOSTS_SETTING = 'aiStudio.tools.fetch.allowedHosts';

export interface AddressClass {
  blocked: boolean;
  /** In words for "X is a {range} address": loopback, private, link-local, cloud metadata, ...; 'unicast' when not blocked. */
  range: string;
}

type Table = readonly (readonly [cidr: string, range: string])[];

// Ordered: the first match names the range, so the specific entries (metadata) come before the broad ones.
const BLOCKED_V4: Table = [
  ['169.254.169.254/32', 'cloud metadata'],
  ['0.0.0.0/8', 'unspecified ("this network")'],
  ['10.0.0.0/8', 'private'],
  ['100.64.0.0/10', 'carrier-grade NAT'],
  ['127.0.0.0/8', 'loopback'],
  ['169.254.0.0/16', 'link-local'],
  ['172.16.0.0/12', 'private'],
  ['192.0.0.0/24', 'reserved (IETF protocol assignments)'],
  ['192.0.2.0/24', 'documentation'],
  ['192.88.99.0/24', 'reserved (6to4 relay)'],
  ['192.168.0.0/16', 'private'],
  ['198.18.0.0/15', 'benchmarking'],
  ['198.51.100.0/24', 'documentation'],
  ['203.0.113.0/24', 'documentation'],
  ['224.0.0.0/4', 'multicast'],
  ['255.255.255.255/32', 'broadcast'],
  ['240.0.0.0/4', 'reserved'],
];

// IPv6 is judged by allow-list: only global unicast (2000::/3) is reachable, minus these. Everything else (::1, ::,
// fe80::/10, fc00::/7, ff00::/8, fec0::/10, 100::/64, the IPv4-compatible ::/96, ...) is blocked. Addresses that embed
// an IPv4 address (mapped, translated, NAT64, 6to4, Teredo) are judged by the address they embed, first.
const BLOCKED_V6: Table = [
  ['fd00:ec2::254/128', 'cloud metadata'],
  ['::1/128', 'loopback'],
  ['::/128', 'unspecified'],
  ['fe80::/10', 'link-local'],
  ['fec0::/10', 'site-local (deprecated)'],
  ['fc00::/7', 'unique local (private)'],
  ['ff00::/8', 'multicast'],
  ['64:ff9b:1::/48', 'NAT64 local-use'],
  ['::/96', 'IPv4-compatible (deprecated)'],
  ['100::/64', 'discard-only'],
  ['2001:db8::/32', 'documentation'],
  ['3fff::/20', 'documentation'],
  ['2001:2::/48', 'benchmarking'],
  ['2001:10::/28', 'reserved (ORCHID)'],
  ['2001:20::/28', 'reserved (ORCHIDv2)'],
  ['2001::/23', 'reserved (IETF protocol assignments)'],
];

const v4Table = BLOCKED_V4.map(([cidr, range]) => ({ cidr: ipaddr.IPv4.parseCIDR(cidr), range }));
const v6Table = BLOCKED_V6.map(([cidr, range]) => ({ cidr: ipaddr.IPv6.parseCIDR(cidr), range }));
const globalUnicast = ipaddr.IPv6.parseCIDR('2000::/3');
const cidr6 = (text: string): [ipaddr.IPv6, number] => ipaddr.IPv6.parseCIDR(text);
const mapped = cidr6('::ffff:0:0/96');
const translated = cidr6('::ffff:0:0:0/96');
const nat64 = cidr6('64:ff9b::/96');
const sixToFour = cidr6('2002::/16');
const teredo = cidr6('2001::/32');

function v4FromParts(high: number, low: number): ipaddr.IPv4 {
  return new ipaddr.IPv4([high >> 8, high & 0xff, low >> 8, low & 0xff]);
}

function classifyV4(address: ipaddr.IPv4): AddressClass {
  for (const { cidr, range } of v4Table) {
    if (address.match(cidr)) return { blocked: true, range };
  }
  // ipaddr.js knows a few more special-purpose blocks (AS112, AMT); none of them is a web server.
  const known = address.range();
  return known === 'unicast' ? { blocked: false, range: 'unicast' } : { blocked: true, range: known };
}

function embedded(range: string, inner: AddressClass): AddressClass {
  return inner.blocked ? { blocked: true, range: `${range} ${inner.range}` } : inner;
}

function classifyV6(address: ipaddr.IPv6): AddressClass {
  const p = address.parts;
  const at = (i: number): number => p[i] ?? 0;
  // The connection goes to the embedded IPv4 address (or through a relay to it), so that is what is judged.
  if (address.match(mapped)) return embedded('IPv4-mapped', classifyV4(v4FromParts(at(6), at(7))));
  if (address.match(translated)) return embedded('IPv4-translated', classifyV4(v4FromParts(at(6), at(7))));
  if (address.match(nat64)) return embedded('NAT64', classifyV4(v4FromParts(at(6), at(7))));
  if (address.match(sixToFour)) return embedded('6to4', classifyV4(v4FromParts(at(1), at(2))));
  if (address.match(teredo)) {
    // Teredo: the server's address in bits 32-63, the client's in the last 32 bits, inverted (RFC 4380).
    const server = classifyV4(v4FromParts(at(2), at(3)));
    if (server.blocked) return embedded('Teredo', server);
    return embedded('Teredo', classifyV4(v4FromParts(~at(6) & 0xffff, ~at(7) & 0xffff)));
  }
  for (const { cidr, range } of v6Table) {
    if (address.match(cidr)) return { blocked: true, range };
  }
  if (!address.match(globalUnicast)) return { blocked: true, range: 'reserved' };
  return { blocked: false, range: 'unicast' };
}

/**
 * Whether a fetch may connect to this address. Takes any form `parseHostLiteral` takes (`2130706433`, `[::1]`);
 * something that is not an IP address is blocked (fail closed), with range 'not an IP address'.
 */
export function classifyAddress(address: string): AddressClass {
  const literal = parseHostLiteral(address);
  if (literal === undefined) return { blocked: true, range: 'not an IP address' };
  const parsed = ipaddr.parse(literal);
  return parsed.kind() === 'ipv4' ? classifyV4(parsed as ipaddr.IPv4) : classifyV6(parsed as ipaddr.IPv6);
}

/**
 * The canonical form of an IP address literal as a URL host would be read (`2130706433`, `0177.0.0.1`, `0x7f.1`,
 * `127.1`, `127.0.0.1.`, `[::ffff:127.0.0.1]` -> `127.0.0.1` / `::ffff:7f00:1`), or undefined for a name. IPv4 forms
 * go through the WHATWG URL parser, the one that later picks the host to connect to, so both agree by construction.
 */
export function parseHostLiteral(host: string): string | undefined {
  let text = host;
  if (text.startsWith('[') && text.endsWith(']')) text = text.slice(1, -1);
  if (text.includes(':')) {
    return ipaddr.IPv6.isValid(text) ? ipaddr.IPv6.parse(text).toString() : undefined;
  }
  // Characters that would make the URL parser read something else than a host (a path, a user, a port).
  if (text.length === 0 || /[\s/\\?#@[\]]/.test(text) || [...text].some((c) => c.charCodeAt(0) < 0x20 || c === '\x7f')) return undefined;
  let hostname: string;
  try {
    hostname = new URL(`http://${text}/`).hostname;
  } catch {
    return undefined;
  }
  return ipaddr.IPv4.isValidFourPartDecimal(hostname) ? hostname : undefined;
}

/** A host as compared with the allow-list: lower case, one trailing dot dropped, IP literals canonical. */
function hostKey(host: string): string {
  const lower = host.trim().toLowerCase();
  const name = lower.endsWith('.') ? lower.slice(0, -1) : lower;
  return parseHostLiteral(name) ?? name;
}

/** Exact host match, case-insensitive: `allowed.test` allows neither `x.allowed.test` nor `allowed.test.evil`. */
export function isAllowedHost(host: string, allowedHosts: readonly string[]): boolean {
  const key = hostKey(host);
  return key.length > 0 && allowedHosts.some((allowed) => hostKey(allowed) === key);
}

function article(word: string): string {
  return /^[aeiou]/i.test(word) ? 'an' : 'a';
}

const ADVICE = `fetch_url does not reach local or private addresses unless you allow the host in ${ALLOWED_HOSTS_SETTING}`;

/** "127.0.0.1 is a loopback address; fetch_url does not reach ..." (or "x resolves to 127.0.0.1, a loopback address; ..."). */
export function blockedReason(host: string, address: string, range: string): string {
  const what = `${article(range)} ${range} address`;
  const shown = address.includes(':') ? `[${address}]` : address;
  const subject = hostKey(host) === hostKey(address) ? `${shown} is ${what}` : `${host} resolves to ${shown}, ${what}`;
  return `${subject}; ${ADVICE}`;
}

/** The URL's host without the brackets of an IPv6 literal. */
export function bareHostname(url: URL): string {
  const host = url.hostname;
  return host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
}

/**
 * What can be decided from the URL alone, before any name is resolved: http(s) only, no credentials, and a literal
 * address (in any of its spellings) or a `localhost` name only when the host is allowed. Any port is fine.
 */
export function checkUrl(url: string, allowedHosts: readonly string[]): { ok: true; url: URL } | { ok: false; reason: string } {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return { ok: false, reason: `not a valid URL: ${url.slice(0, 200)}` };
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    return { ok: false, reason: `only http and https URLs can be fetched, not ${parsed.protocol}` };
  }
  if (parsed.username !== '' || parsed.password !== '') {
    return { ok: false, reason: 'URLs with a user name or password in them are not fetched' };
  }
  const host = bareHostname(parsed);
  if (host === '') return { ok: false, reason: `the URL has no host: ${url.slice(0, 200)}` };
  if (isAllowedHost(host, allowedHosts)) return { ok: true, url: parsed };
  const literal = parseHostLiteral(host);
  if (literal !== undefined) {
    const verdict = classifyAddress(literal);
    if (verdict.blocked) return { ok: false, reason: blockedReason(literal, literal, verdict.range) };
  } else {
    const name = hostKey(host);
    // RFC 6761: localhost and its subdomains are loopback whatever DNS says; resolvers answer them locally.
    if (name === 'localhost' || name.endsWith('.localhost')) {
      return { ok: false, reason: `${host} is a loopback name; ${ADVICE}` };
    }
  }
  return { ok: true, url: parsed };
}
