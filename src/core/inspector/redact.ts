import type { JsonValue } from '../../db/repositories/rows';
import { redactSecrets } from '../../llm/errors';

/**
 * What the Inspector's detail pane shows passes through here: no key and no authorization header ever reaches the
 * panel, whatever the event (or an imported trace from another tool) carries. Values under key-like names are
 * replaced, at any depth; so are the values of name/value pairs whose name is key-like (HTTP header lists, OTLP
 * attributes `{ key, value }`); and any string that looks like a key or a bearer token is redacted in place.
 * Token COUNTS (`promptTokens`, `outputTokens`) are figures, not secrets, and stay.
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

export function redactText(text: string): string {
  return redactSecrets(text, []).replace(BEARER, (_match, scheme: string) => `${scheme} ${REDACTED}`);
}

/** A deep copy of `value` with secrets replaced; plain objects and arrays only (JSON). */
export function redactJson(value: JsonValue, depth = 0): JsonValue {
  if (depth > MAX_DEPTH) {
    return REDACTED;
  }
  if (typeof value === 'string') {
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
      const hidden = (!isPairName && isSecretName(key)) || (pairName !== undefined && key === 'value' && isSecretName(pairName));
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
