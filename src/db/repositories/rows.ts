import type { Clock } from '../../core/ports';

/**
 * Small helpers the repositories share: JSON columns in and out, timestamps, and clear errors. Repositories
 * return plain JSON-safe objects (camelCase, epoch ms, parsed JSON) so they can cross into webviews as they are.
 */

export type JsonValue = string | number | boolean | null | readonly JsonValue[] | { readonly [key: string]: JsonValue };
export type JsonObject = { readonly [key: string]: JsonValue };

/** Thrown when an id names no row; `entity` says what kind of row was looked for. */
export class NotFoundError extends Error {
  constructor(
    readonly entity: string,
    readonly id: string,
  ) {
    super(`No ${entity} with id ${JSON.stringify(id)}`);
    this.name = 'NotFoundError';
  }
}

export function required<T>(row: T | undefined, entity: string, id: string): T {
  if (row === undefined) {
    throw new NotFoundError(entity, id);
  }
  return row;
}

/** The clock's time as whole epoch milliseconds (the schema's timestamp columns are STRICT INTEGER). */
export function nowMs(clock: Clock): number {
  return checkTime(clock.now(), 'clock time');
}

export function checkTime(value: number, what: string): number {
  if (!Number.isFinite(value) || value < 0) {
    throw new Error(`${what} must be a non-negative epoch-ms number, got ${value}`);
  }
  return Math.floor(value);
}

export function checkCount(value: number, what: string): number {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new Error(`${what} must be a non-negative whole number, got ${value}`);
  }
  return value;
}

/**
 * Serialises a value for a JSON column. Stricter than JSON.stringify, which would silently turn NaN into null
 * and drop undefined members: a value that cannot round-trip is a bug worth hearing about at the write.
 */
export function toJson(value: JsonValue, what: string): string {
  checkJson(value, what);
  return JSON.stringify(value);
}

export function toJsonOrNull(value: JsonValue | null | undefined, what: string): string | null {
  return value === null || value === undefined ? null : toJson(value, what);
}

export function fromJson<T extends JsonValue = JsonValue>(text: string | number | null): T {
  return JSON.parse(String(text)) as T;
}

export function fromJsonOrNull<T extends JsonValue = JsonValue>(text: string | number | null): T | null {
  return text === null ? null : fromJson<T>(text);
}

function checkJson(value: unknown, path: string): void {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return;
    case 'number':
      if (!Number.isFinite(value)) {
        throw new Error(`${path} is not JSON-safe: ${value}`);
      }
      return;
    case 'object':
      if (value === null) {
        return;
      }
      if (Array.isArray(value)) {
        value.forEach((item, index) => checkJson(item, `${path}[${index}]`));
        return;
      }
      if (Object.getPrototypeOf(value) !== Object.prototype && Object.getPrototypeOf(value) !== null) {
        throw new Error(`${path} is not a plain object (${Object.prototype.toString.call(value)})`);
      }
      for (const [key, member] of Object.entries(value)) {
        checkJson(member, `${path}.${key}`);
      }
      return;
    default:
      throw new Error(`${path} is not JSON-safe: ${typeof value}`);
  }
}
