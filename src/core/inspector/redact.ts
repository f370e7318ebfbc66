import type { JsonValue } from '../../db/repositories/rows';
import { redactSecrets } from '../../llm/errors';

/**
 * What the Inspector's detail pane shows passes through here: no key and no authorization header ever reaches the
 * panel, whatever the event (or an imported trace from another tool) carries. Values under key-like names are
 * replaced, at any depth; so are the values of name/value pairs whose name is key-like (HTTP header lists, OTLP
 * attributes `{ key, value }`); and any string that looks like a key or a bearer token is redacted in place.
 * Token COUNTS (`promptTokens`, `outputTokens`) are figures, not secrets, and stay.
 *
 * Tool calls bring secrets inside text: a command line (`GITHUB_TOKEN=ghp_… gh api`, `curl -H "Authorization:
 * token …"`, `--password hunter2`, `https://user:pass@host`), a file the agent read (`API_KEY=…` in `.env`, a
 * private key), JSON the model wrote. In text, the value after a secret-like name (`NAME=`, `"name":`,
 * `Name:`, `--name`) is replaced, as are well-known token shapes. Every pattern is linear in the text (names are
 * bounded), so a megabyte of tool output costs a pass, not a stall.
 */

export const REDACTED = '[redacted]';

/** Names compared without case, dashes, underscores or dots: `x-api-key`, `X_API_KEY`, `apiKey` are one name. */
const SECRET_NAMES =
  /(apikey|secret|password|passwd|authorization|authentication|credential|accesstoken|refreshtoken|idtoken|sessiontoken|authtoken|bearertoken|bearer|privatekey|cookie|signature)$/;
const EXACT_SECRET_NAMES = new Set(['key', 'token', 'auth', 'xgoogapikey', 'ocpapimsubscriptionkey']);
/** Token counters and their kin: names that end like a secret but are figures. */
const FIGURE_NAMES = /(tokens|tokencount|count|ms|usd|microusd)$/;
/** Prefixes of header attributes in OTLP (`http.request.header.authorization`). */
const HEADER_PREFIXES = /^(httprequestheader|httpresponseheader|header|headers)/;
const BEARER = /\b(Bearer|Basic|Token)\s+[A-Za-z0-9._~+/-]{6,}=*/gi;
/** Deeper than any real payload; past it a value is replaced rather than walked (no stack overflow). */
const MAX_DEPTH = 64;

function normalize(name: string): string {
  return name.toLowerCase().replace(/[-_.\s]/g, '');
}

export function isSecretName(name: string): boolean {
  const plain = normalize(name);
  if (FIGURE_NAMES.test(plain) && !plain.endsWith('apikey')) {
    return false;
  }
  const bare = plain.replace(HEADER_PREFIXES, '');
  return EXACT_SECRET_NAMES.has(bare) || SECRET_NAMES.test(bare) || EXACT_SECRET_NAMES.has(plain) || SECRET_NAMES.test(plain);
}

/** Token shapes the big issuers use (GitHub, GitLab, Slack, AWS, npm, JWTs) and private key blocks. */
const TOKEN_SHAPES = [
  /\bgh[pousr]_[A-Za-z0-9]{20,}/g,
  /\bgithub_pat_[A-Za-z0-9_]{20,}/g,
  /\bglpat-[A-Za-z0-9_-]{20,}/g,
  /\bxox[abprs]-[A-Za-z0-9-]{10,}/g,
  /\b(?:AKIA|ASIA)[0-9A-Z]{16}\b/g,
  /\bnpm_[A-Za-z0-9]{36}\b/g,
  /\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/g,
  /-----BEGIN [A-Z ]{0,40}PRIVATE KEY-----[\s\S]*?-----END [A-Z ]{0,40}PRIVATE KEY-----/g,
];
/** `scheme://user:password@host`: the password goes. */
const URL_CREDENTIALS = /\b([a-z][a-z0-9+.-]{1,20}:\/\/)([^\s/:@'"]{1,256}):([^\s/@'"]{1,256})@/gi;
/** An authorization or cookie header's whole value (after "Bearer " and the like have gone). */
const AUTH_HEADER = /\b((?:proxy-)?authorization|set-cookie|cookie)(["']?[ \t]*[:=][ \t]*)(?!\[redacted\])("(?:[^"\\\n]|\\.)*"|'[^'\n]*'|[^\n"']+)/gi;
const AUTH_NAMES = /^((proxy-)?authorization|set-cookie|cookie)$/i;
/** `NAME=value`, `"name": "value"`, `Name: value`, `?name=value`: judged by the name. */
const ASSIGNMENT = /(^|[^A-Za-z0-9_])(["']?)([A-Za-z_][A-Za-z0-9_.-]{0,63})\2([ \t]*(?:=|:[ \t]+|:(?=["']))[ \t]*)(?!\[redacted\])("(?:[^"\\\n]|\\.)*"|'[^'\n]*'|[^\s"'&;,)}\]=]+)/g;
/** `--token abc`, `--api-key "abc"`: judged by the flag's name. */
const FLAG = /(^|\s)(--?[A-Za-z][A-Za-z0-9-]{1,63})([ \t]+)(?!\[redacted\])("[^"\n]*"|'[^'\n]*'|[^\s"'-][^\s"']*)/g;
/** curl's `-u user:password`. */
const USER_FLAG = /(^|\s)(-u|--user)([ \t]+|=)(["']?)([^\s:"']{1,256}):([^\s"']{1,256})\4/g;
/** A name whose value is a secret in text: `API_KEY`, `GITHUB_TOKEN`, `npmToken`, `db.password`, `x-api-key`. */
const SECRET_WORD = /(^|_)(api_?key|key|token|secret|secret_?key|access_?key|private_?key|password|passwd|pass|pwd|credentials?|auth|sig|signature|cookie)$/;

/** Whether the value after `name` in a text is a secret (figures like `max_tokens` are not). */
export function isSecretWord(name: string): boolean {
  if (isSecretName(name)) {
    return true;
  }
  const snake = name.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase().replace(/[-.]/g, '_');
  return SECRET_WORD.test(snake);
}

/** `"abc"` -> `"[redacted]"`, keeping the quotes that were there. */
function hidden(value: string): string {
  const quote = value.startsWith('"') || value.startsWith("'") ? value.charAt(0) : '';
  return `${quote}${REDACTED}${quote}`;
}

export function redactText(text: string): string {
  let result = redactSecrets(text, []).replace(BEARER, (_match, scheme: string) => `${scheme} ${REDACTED}`);
  for (const shape of TOKEN_SHAPES) {
    result = result.replace(shape, REDACTED);
  }
  result = result
    .replace(URL_CREDENTIALS, (_match, scheme: string, user: string) => `${scheme}${user}:${REDACTED}@`)
    .replace(USER_FLAG, (_match, before: string, flag: string, gap: string, quote: string, user: string) => `${before}${flag}${gap}${quote}${user}:${REDACTED}${quote}`)
    .replace(AUTH_HEADER, (match, name: string, separator: string, value: string) => (value.includes(REDACTED) && !/[:=]/.test(value) ? match : `${name}${separator}${hidden(value)}`));
  return assignments(result).replace(FLAG, (match, before: string, flag: string, gap: string, value: string) =>
    isSecretWord(flag.replace(/^-+/, '')) && !value.includes(REDACTED) ? `${before}${flag}${gap}${hidden(value)}` : match,
  );
}

/**
 * `NAME=value` pairs, judged by the name. The value under any other name is looked into (`url=https://x?token=…`,
 * `"command": "API_TOKEN=… node x"`): the scan goes on from where that value starts.
 */
function assignments(text: string): string {
  const pattern = new RegExp(ASSIGNMENT.source, 'g');
  let out = '';
  let last = 0;
  for (let match = pattern.exec(text); match !== null; match = pattern.exec(text)) {
    const [whole, , , name = '', , value = ''] = match;
    const valueAt = match.index + whole.length - value.length;
    // An authorization header was judged whole above ("Bearer [redacted]" stays readable).
    if (isSecretWord(name) && !AUTH_NAMES.test(name) && !value.includes(REDACTED)) {
      out += text.slice(last, valueAt) + hidden(value);
      last = match.index + whole.length;
      pattern.lastIndex = last;
    } else {
      pattern.lastIndex = valueAt;
    }
  }
  return out + text.slice(last);
}

/** Text that is JSON (a call's arguments, a config file the agent wrote), read as JSON so its names count. */
const MAX_JSON_TEXT = 1024 * 1024;

function asJson(text: string): JsonValue | undefined {
  const first = text.trimStart().charAt(0);
  if ((first !== '{' && first !== '[') || text.length > MAX_JSON_TEXT) {
    return undefined;
  }
  try {
    const parsed = JSON.parse(text) as JsonValue;
    return typeof parsed === 'object' && parsed !== null ? parsed : undefined;
  } catch {
    return undefined;
  }
}

/** A deep copy of `value` with secrets replaced; plain objects and arrays only (JSON). */
export function redactJson(value: JsonValue, depth = 0): JsonValue {
  if (depth > MAX_DEPTH) {
    return REDACTED;
  }
  if (typeof value === 'string') {
    const json = asJson(value);
    // Written back as JSON text, with its secrets gone; only when something was hidden, so text stays as it was.
    if (json !== undefined) {
      const redacted = JSON.stringify(redactJson(json, depth + 1));
      if (redacted.includes(REDACTED)) {
        return redacted;
      }
    }
    return redactText(value);
  }
  if (Array.isArray(value)) {
    return (value as readonly JsonValue[]).map((item) => redactJson(item, depth + 1));
  }
  if (typeof value === 'object' && value !== null) {
    const record = value as Record<string, JsonValue>;
    const pairName = pairNameOf(record);
    const copy: Record<string, JsonValue> = {};
    for (const [key, item] of Object.entries(record)) {
      const isPairName = pairName !== undefined && (key === 'name' || key === 'key' || key === 'header');
      // A text under a name like GITHUB_TOKEN is a secret too (an env map); numbers and flags under such names are not.
      const secretKey = isSecretName(key) || (typeof item === 'string' && isSecretWord(key));
      const secretPair = pairName !== undefined && key === 'value' && (isSecretName(pairName) || isSecretWord(pairName));
      const hidden = (!isPairName && secretKey) || secretPair;
      // defineProperty: a `__proto__` key stays an own data property instead of changing the copy's prototype.
      Object.defineProperty(copy, key, { value: hidden ? REDACTED : redactJson(item, depth + 1), enumerable: true, writable: true, configurable: true });
    }
    return copy;
  }
  return value;
}

/** `{ name: 'authorization', value: ... }` / `{ key: 'x-api-key', value: ... }`: a pair whose value is named. */
function pairNameOf(record: Record<string, JsonValue>): string | undefined {
  if (!Object.hasOwn(record, 'value')) {
    return undefined;
  }
  const name = record['name'] ?? record['key'] ?? record['header'];
  return typeof name === 'string' ? name : undefined;
}
