import { TraceFlags, type HrTime } from '@opentelemetry/api';
import { JsonTraceSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes, type Resource } from '@opentelemetry/resources';
import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import { ATTR_SERVICE_NAME, ATTR_SERVICE_VERSION } from '@opentelemetry/semantic-conventions';
import type { StudioEvent } from '../../db/repositories/events';
import type { SpanDraft } from './spanDraft';
import { mapEventsToSpans, type MappingOptions } from './spanMapping';
import { STUDIO_SCOPE, STUDIO_TRACE_FORMAT, STUDIO_TRACE_TITLE } from './studioAttributes';

/**
 * Span drafts as the OpenTelemetry SDK's ReadableSpan, serialized to OTLP JSON (an ExportTraceServiceRequest,
 * what collectors accept on /v1/traces and what `Export Trace` writes) by the official JsonTraceSerializer, the
 * same one the OTLP/HTTP exporter uses, so the file and the live export are the same bytes per span.
 */

export interface TraceExportOptions extends MappingOptions {
  /** What the trace is of (a session's title); the importer shows it as the trace's title. */
  title?: string;
  /** AI Studio's version, as `service.version`. */
  serviceVersion?: string;
}

const sampled = TraceFlags.SAMPLED;

export function traceResource(options: Pick<TraceExportOptions, 'title' | 'serviceVersion'> = {}): Resource {
  return resourceFromAttributes({
    [ATTR_SERVICE_NAME]: STUDIO_SCOPE,
    ...(options.serviceVersion === undefined ? {} : { [ATTR_SERVICE_VERSION]: options.serviceVersion }),
    ...(options.title === undefined ? {} : { [STUDIO_TRACE_TITLE]: options.title }),
  });
}

export function toReadableSpan(draft: SpanDraft, resource: Resource): ReadableSpan {
  const context = { traceId: draft.traceId, spanId: draft.spanId, traceFlags: sampled };
  return {
    name: draft.name,
    kind: draft.kind,
    spanContext: () => context,
    ...(draft.parentSpanId === null ? {} : { parentSpanContext: { traceId: draft.traceId, spanId: draft.parentSpanId, traceFlags: sampled, isRemote: false } }),
    startTime: hrTime(draft.startMs),
    endTime: hrTime(draft.endMs),
    duration: hrTime(draft.endMs - draft.startMs),
    status: draft.status,
    attributes: draft.attributes,
    links: draft.links.map((link) => ({ context: { traceId: link.traceId, spanId: link.spanId, traceFlags: sampled }, attributes: link.attributes })),
    events: draft.events.map((event) => ({ name: event.name, time: hrTime(event.timeMs), attributes: event.attributes })),
    ended: true,
    resource,
    instrumentationScope: { name: STUDIO_SCOPE, version: STUDIO_TRACE_FORMAT },
    droppedAttributesCount: 0,
    droppedEventsCount: 0,
    droppedLinksCount: 0,
  };
}

/** A session's (or a run's) events as SDK spans, ready for an exporter. */
export function eventsToReadableSpans(events: readonly StudioEvent[], options: TraceExportOptions = {}): ReadableSpan[] {
  const resource = traceResource(options);
  return mapEventsToSpans(events, options).map((draft) => toReadableSpan(draft, resource));
}

/** A session's (or a run's) events as the text of an OTLP JSON trace file. */
export function exportTraceJson(events: readonly StudioEvent[], options: TraceExportOptions = {}): string {
  const bytes = JsonTraceSerializer.serializeRequest(eventsToReadableSpans(events, options));
  return bytes === undefined ? JSON.stringify({ resourceSpans: [] }) : new TextDecoder().decode(bytes);
}

/** Whole epoch milliseconds as [seconds, nanoseconds]: exact, unlike a float division. */
function hrTime(ms: number): HrTime {
  const whole = Math.floor(ms);
  const seconds = Math.floor(whole / 1000);
  return [seconds, (whole - seconds * 1000) * 1_000_000];
}
