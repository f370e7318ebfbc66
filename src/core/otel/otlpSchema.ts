import { z } from 'zod';
import type { JsonValue } from '../../db/repositories/rows';

/**
 * The OTLP JSON trace format (ExportTraceServiceRequest) as files and collectors write it, checked with zod
 * before anything reads it. Lenient where producers differ within the spec's JSON mapping: 64-bit integers as
 * numbers or strings, enums as numbers or names, ids as hex (the OTLP rule) or base64 (plain protobuf JSON),
 * unknown members ignored. Strict about what the importer relies on: ids, names and times.
 */

export interface OtlpAnyValue {
  stringValue?: string | undefined;
  boolValue?: boolean | undefined;
  intValue?: number | string | undefined;
  doubleValue?: number | string | undefined;
  bytesValue?: string | undefined;
  arrayValue?: { values?: OtlpAnyValue[] | undefined } | undefined;
  kvlistValue?: { values?: OtlpKeyValue[] | undefined } | undefined;
}

export interface OtlpKeyValue {
  key: string;
  value?: OtlpAnyValue | undefined;
}

const int64 = z.union([z.number().int(), z.string().regex(/^-?\d+$/, 'not a whole number')]);
const nanos = z.union([z.number().int().nonnegative(), z.string().regex(/^\d+$/, 'not a time in nanoseconds')]);

const anyValue: z.ZodType<OtlpAnyValue> = z.lazy(() =>
  z.object({
    stringValue: z.string().optional(),
    boolValue: z.boolean().optional(),
    intValue: int64.optional(),
    doubleValue: z.union([z.number(), z.string()]).optional(),
    bytesValue: z.string().optional(),
    arrayValue: z.object({ values: z.array(anyValue).optional() }).optional(),
    kvlistValue: z.object({ values: z.array(keyValue).optional() }).optional(),
  }),
);

const keyValue: z.ZodType<OtlpKeyValue> = z.lazy(() => z.object({ key: z.string(), value: anyValue.optional() }));

const attributes = z.array(keyValue).optional();

const spanSchema = z.object({
  traceId: z.string().min(1, 'missing'),
  spanId: z.string().min(1, 'missing'),
  parentSpanId: z.string().optional(),
  name: z.string(),
  kind: z.union([z.number().int(), z.string()]).optional(),
  startTimeUnixNano: nanos,
  endTimeUnixNano: nanos,
  attributes,
  events: z.array(z.object({ timeUnixNano: nanos, name: z.string(), attributes })).optional(),
  links: z.array(z.object({ traceId: z.string(), spanId: z.string(), attributes })).optional(),
  status: z.object({ code: z.union([z.number().int(), z.string()]).optional(), message: z.string().optional() }).optional(),
});

const scopeSpansSchema = z.object({
  scope: z.object({ name: z.string().optional(), version: z.string().optional() }).optional(),
  spans: z.array(spanSchema).optional(),
});

export const traceRequestSchema = z.object({
  resourceSpans: z.array(
    z.object({
      resource: z.object({ attributes }).optional(),
      scopeSpans: z.array(scopeSpansSchema).optional(),
      /** What OTLP called scopeSpans before 0.15; old files still have it. */
      instrumentationLibrarySpans: z.array(scopeSpansSchema).optional(),
    }),
  ),
});

export type OtlpTraceRequest = z.infer<typeof traceRequestSchema>;
export type OtlpSpan = z.infer<typeof spanSchema>;

/** Attribute values as JSON: integers as numbers while they are exact, bytes as their base64 text. */
export function toJsonValue(value: OtlpAnyValue | undefined): JsonValue {
  if (value === undefined) {
    return null;
  }
  if (value.stringValue !== undefined) {
    return value.stringValue;
  }
  if (value.boolValue !== undefined) {
    return value.boolValue;
  }
  if (value.intValue !== undefined) {
    const number = Number(value.intValue);
    return Number.isSafeInteger(number) ? number : String(value.intValue);
  }
  if (value.doubleValue !== undefined) {
    // NaN and the infinities come as strings; JSON has no such numbers, so they stay text.
    const number = Number(value.doubleValue);
    return Number.isFinite(number) ? number : String(value.doubleValue);
  }
  if (value.bytesValue !== undefined) {
    return value.bytesValue;
  }
  if (value.arrayValue !== undefined) {
    return (value.arrayValue.values ?? []).map(toJsonValue);
  }
  if (value.kvlistValue !== undefined) {
    return Object.fromEntries((value.kvlistValue.values ?? []).map((entry) => [entry.key, toJsonValue(entry.value)]));
  }
  return null;
}

export function attributeMap(list: readonly OtlpKeyValue[] | undefined): Map<string, JsonValue> {
  return new Map((list ?? []).map((entry) => [entry.key, toJsonValue(entry.value)]));
}

/** A trace or span id as lower-case hex: OTLP JSON writes hex; plain protobuf JSON writes base64. */
export function hexId(value: string, bytes: 8 | 16): string | undefined {
  const hexLength = bytes * 2;
  if (value.length === hexLength && /^[0-9a-f]+$/i.test(value)) {
    return value.toLowerCase();
  }
  const decoded = /^[A-Za-z0-9+/]+=*$/.test(value) ? Buffer.from(value, 'base64') : undefined;
  return decoded?.length === bytes ? decoded.toString('hex') : undefined;
}

/** Status codes and span kinds may be names (`STATUS_CODE_ERROR`) in some producers' JSON. */
export function isErrorStatus(code: number | string | undefined): boolean {
  return code === 2 || code === 'STATUS_CODE_ERROR';
}

/** Whole nanoseconds since the epoch, as a bigint (a double cannot hold them exactly). */
export function nanosOf(value: number | string): bigint {
  return BigInt(value);
}
