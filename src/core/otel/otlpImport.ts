import { ATTR_SERVICE_NAME } from '@opentelemetry/semantic-conventions';
import type { StudioEvent } from '../../db/repositories/events';
import { isRecord, readRecord, TraceFormatError } from './eventRecord';
import { foreignEvents, type ForeignSpan } from './foreignSpans';
import { attributeMap, hexId, isErrorStatus, nanosOf, traceRequestSchema, type OtlpSpan, type OtlpTraceRequest } from './otlpSchema';
import { STUDIO_SCOPE, STUDIO_TRACE_TITLE } from './studioAttributes';

/**
 * Reads an OTLP JSON trace file into events for the Inspector, read-only. AI Studio's own spans carry their
 * events whole (eventRecord.ts) and come back exactly as they were exported: same ids, times, tokens, cost,
 * payload and links. Other tools' GenAI spans are interpreted (foreignSpans.ts). A file that is not a trace, or
 * is damaged, is refused with the first problem and where it is, never with a raw parser exception.
 * Both a single JSON document and JSON Lines (one request per line, as the collector's file exporter writes) work.
 */

export interface ImportedTrace {
  title: string;
  /** In the order they started (ties: by id, which for our ULIDs is the order they were recorded). */
  events: StudioEvent[];
}

export type TraceImportResult = { ok: true; value: ImportedTrace } | { ok: false; error: string };

export function importTraceJson(text: string): TraceImportResult {
  try {
    return { ok: true, value: readTrace(parseRequests(text)) };
  } catch (error) {
    if (error instanceof TraceFormatError) {
      return { ok: false, error: error.message };
    }
    return { ok: false, error: `The trace could not be read: ${error instanceof Error ? error.message : String(error)}` };
  }
}

function parseRequests(text: string): OtlpTraceRequest[] {
  const trimmed = text.trim();
  if (trimmed === '') {
    throw new TraceFormatError('The file is empty.');
  }
  const documents: { raw: unknown; where: string }[] = [];
  try {
    documents.push({ raw: JSON.parse(trimmed), where: '' });
  } catch (error) {
    const lines = trimmed.split(/\r?\n/);
    // JSON Lines only if the first line is a document of its own; else it is one damaged (pretty-printed) JSON.
    if (lines.length === 1 || !isJson(lines[0] ?? '')) {
      throw new TraceFormatError(`The file is not JSON (${error instanceof Error ? error.message : String(error)}).`);
    }
    lines.forEach((line, index) => {
      if (line.trim() !== '') {
        documents.push({ raw: parseLine(line, index + 1), where: `line ${index + 1}: ` });
      }
    });
  }
  return documents.map(({ raw, where }) => {
    if (typeof raw !== 'object' || raw === null || !('resourceSpans' in raw)) {
      throw new TraceFormatError(`${where}The file is not an OpenTelemetry trace (OTLP JSON starts with "resourceSpans").`);
    }
    const parsed = traceRequestSchema.safeParse(raw);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new TraceFormatError(`${where}${issue ? `${placeOf(issue)}: ${issue.message}` : 'The file does not match the OTLP trace format.'}`);
    }
    return parsed.data;
  });
}

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

function parseLine(line: string, number: number): unknown {
  try {
    return JSON.parse(line);
  } catch (error) {
    throw new TraceFormatError(`The file is neither JSON nor JSON Lines: line ${number} is not JSON (${error instanceof Error ? error.message : String(error)}).`);
  }
}

/** `resourceSpans[0].scopeSpans[1].spans[2].startTimeUnixNano`, as a person would find it in the file. */
function placeOf(issue: { path: readonly PropertyKey[] }): string {
  return issue.path.map((part, index) => (typeof part === 'number' ? `[${part}]` : `${index === 0 ? '' : '.'}${String(part)}`)).join('') || 'The file';
}

function readTrace(requests: readonly OtlpTraceRequest[]): ImportedTrace {
  const events: StudioEvent[] = [];
  const foreign: ForeignSpan[] = [];
  let spanCount = 0;
  let studioTitle: string | undefined;
  let serviceName: string | undefined;
  requests.forEach((request, requestIndex) => {
    request.resourceSpans.forEach((resourceSpans, resourceIndex) => {
      const resource = attributeMap(resourceSpans.resource?.attributes);
      const title = resource.get(STUDIO_TRACE_TITLE);
      studioTitle ??= typeof title === 'string' ? title : undefined;
      const service = resource.get(ATTR_SERVICE_NAME);
      serviceName ??= typeof service === 'string' ? service : undefined;
      const scopes = [...(resourceSpans.scopeSpans ?? []), ...(resourceSpans.instrumentationLibrarySpans ?? [])];
      scopes.forEach((scopeSpans, scopeIndex) => {
        const ours = scopeSpans.scope?.name === STUDIO_SCOPE;
        (scopeSpans.spans ?? []).forEach((span, spanIndex) => {
          spanCount += 1;
          const prefix = requests.length > 1 ? `line ${requestIndex + 1}: ` : '';
          const where = `${prefix}span "${span.name}" (resourceSpans[${resourceIndex}].scopeSpans[${scopeIndex}].spans[${spanIndex}])`;
          const read = readSpan(span, where);
          const records = [read.attributes, ...(span.events ?? []).map((event) => attributeMap(event.attributes))].filter(isRecord);
          events.push(...records.map((attributes) => readRecord(attributes, where)));
          // Our spans without a record are structure (the turn's invoke_agent): their events are elsewhere.
          if (!ours && !isRecord(read.attributes)) {
            foreign.push(read);
          }
        });
      });
    });
  });
  if (spanCount === 0) {
    throw new TraceFormatError('The trace has no spans.');
  }
  const all = unique([...events, ...foreignEvents(foreign)]);
  if (all.length === 0) {
    throw new TraceFormatError(
      `None of the trace's ${spanCount} spans is a model or tool call: AI Studio shows spans with OpenTelemetry GenAI attributes (gen_ai.*).`,
    );
  }
  all.sort((a, b) => a.startedAt - b.startedAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return { title: studioTitle ?? titleFromSpans(foreign) ?? serviceName ?? 'Imported trace', events: all };
}

function readSpan(span: OtlpSpan, where: string): ForeignSpan {
  const traceId = hexId(span.traceId, 16);
  const spanId = hexId(span.spanId, 8);
  if (traceId === undefined || spanId === undefined) {
    throw new TraceFormatError(`${where}: its ${traceId === undefined ? 'traceId' : 'spanId'} is not a trace id (hex).`);
  }
  const parent = span.parentSpanId === undefined || span.parentSpanId === '' ? null : (hexId(span.parentSpanId, 8) ?? null);
  return {
    traceId,
    spanId,
    parentSpanId: parent,
    name: span.name,
    startNanos: nanosOf(span.startTimeUnixNano),
    endNanos: nanosOf(span.endTimeUnixNano),
    attributes: attributeMap(span.attributes),
    error: { failed: isErrorStatus(span.status?.code), ...(span.status?.message ? { message: span.status.message } : {}) },
  };
}

/** The earliest root span's name (`invoke_agent Weather bot`), what the other tool called the whole. */
function titleFromSpans(spans: readonly ForeignSpan[]): string | undefined {
  const roots = spans.filter((span) => span.parentSpanId === null);
  const first = roots.reduce<ForeignSpan | undefined>((earliest, span) => (earliest === undefined || span.startNanos < earliest.startNanos ? span : earliest), undefined);
  return first?.name;
}

/** The same event twice (a file that holds two exports, a live export sent again) is shown once. */
function unique(events: readonly StudioEvent[]): StudioEvent[] {
  const byId = new Map<string, StudioEvent>();
  for (const event of events) {
    if (!byId.has(event.id)) {
      byId.set(event.id, event);
    }
  }
  return [...byId.values()];
}
