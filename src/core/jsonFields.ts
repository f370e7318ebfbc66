import type { JsonObject, JsonValue } from '../db/repositories/rows';

/** Reading and writing the JSON that events carry (payloads are whatever was stored, so every read checks). */

/** The value as an object, or an empty one when it is not an object (so `asRecord(x).field` is simply undefined). */
export function asRecord(value: JsonValue | undefined): { readonly [key: string]: JsonValue } {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as { readonly [key: string]: JsonValue }) : {};
}

/** A finite number, or null. */
export function numberIn(value: JsonValue | undefined): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

/** Members that have a value: JSON columns refuse undefined. */
export function defined(values: Record<string, JsonValue | undefined>): JsonObject {
  return Object.fromEntries(Object.entries(values).filter(([, value]) => value !== undefined)) as JsonObject;
}
