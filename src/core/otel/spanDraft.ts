import type { Attributes, SpanKind, SpanStatusCode } from '@opentelemetry/api';
import type { StudioEvent } from '../../db/repositories/events';
import { timelineEnd } from '../inspector/toolCalls';

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

/**
 * Where an event ends on a timeline: its end, else start + measured duration, else its start. A tool call's end is
 * recorded when it ended (its duration is the run before it); an end the next start's recovery wrote ends
 * nothing (null). The Inspector draws the same (src/core/inspector/toolCalls.ts).
 */
export function eventEnd(event: Pick<StudioEvent, 'type' | 'startedAt' | 'endedAt' | 'durationMs' | 'payload'>): number | null {
  return timelineEnd(event);
}
