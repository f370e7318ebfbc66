import type { Attributes, SpanKind, SpanStatusCode } from '@opentelemetry/api';
import type { StudioEvent } from '../../db/repositories/events';

/**
 * A span as the mapping decides it, in our units (epoch ms): plain data that tests read directly. otlpExport.ts
 * turns drafts into the SDK's ReadableSpan for the official serializer and exporter.
 */

export interface SpanEventDraft {
  name: string;
  timeMs: number;
  attributes: Attributes;
}

export interface SpanLinkDraft {
  traceId: string;
  spanId: string;
  attributes: Attributes;
}

export interface SpanDraft {
  traceId: string;
  spanId: string;
  /** null for a trace's root. */
  parentSpanId: string | null;
  name: string;
  kind: SpanKind;
  startMs: number;
  endMs: number;
  attributes: Attributes;
  events: SpanEventDraft[];
  links: SpanLinkDraft[];
  status: { code: SpanStatusCode; message?: string };
}

/** Where an event ends on a timeline: its end, else start + measured duration, else its start. */
export function eventEnd(event: Pick<StudioEvent, 'startedAt' | 'endedAt' | 'durationMs'>): number {
  return event.endedAt ?? (event.durationMs === null ? event.startedAt : event.startedAt + event.durationMs);
}
