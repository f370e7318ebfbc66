import type { JsonValue } from '../../db/repositories/rows';

/**
 * Keys and authorization never leave in a trace. The chat loop never puts them in an event (payloads hold
 * figures, not requests), but a trace goes to files people share and to servers they do not run, so anything
 * filed under a name that holds secrets is replaced on the way out, whatever wrote it.
 */

export const REDACTED = '[redacted]';

/** `authorization`, `http.request.header.x-api-key`, `apiKey`, `cookie`, ... judged by the last dotted segment. */
const secretName = /^(authorization|proxy[-_]?authorization|x[-_]?api[-_]?key|api[-_]?key|x[-_]?goog[-_]?api[-_]?key|cookie|set[-_]?cookie|password|secret|client[-_]?secret|access[-_]?token|refresh[-_]?token|bearer)$/i;

export function isSecretName(key: string): boolean {
  const last = key.slice(key.lastIndexOf('.') + 1);
  return secretName.test(last);
}

/** A copy of `value` with the value of every secret-named member replaced; the same object when there is none. */
export function redactSecrets(value: JsonValue): JsonValue {
  if (Array.isArray(value)) {
    const items = value as readonly JsonValue[];
    const redacted = items.map(redactSecrets);
    return redacted.some((item, index) => item !== items[index]) ? redacted : items;
  }
  if (typeof value !== 'object' || value === null) {
    return value;
  }
  let changed = false;
  const entries = Object.entries(value).map(([key, member]): [string, JsonValue] => {
    const next = isSecretName(key) ? REDACTED : redactSecrets(member);
    changed ||= next !== member;
    return [key, next];
  });
  return changed ? Object.fromEntries(entries) : value;
}
