import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import { OTLPExporterBase, OTLPExporterError } from '@opentelemetry/otlp-exporter-base';
import { createOtlpHttpExportDelegate, httpAgentFactoryFromOptions } from '@opentelemetry/otlp-exporter-base/node-http';
import { JsonTraceSerializer, TraceExporterMetricsHelper } from '@opentelemetry/otlp-transformer';
import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import { OTEL_COMPONENT_TYPE_VALUE_OTLP_HTTP_JSON_SPAN_EXPORTER } from '@opentelemetry/semantic-conventions/incubating';
import type { StudioEvent } from '../../db/repositories/events';
import type { Logger } from '../ports';
import { eventsToReadableSpans, type TraceExportOptions } from './otlpExport';
import type { TraceContent } from './traceContent';
import { isTurnFinished, turnOfReply } from './turns';

/**
 * Streams finished turns to an OTLP/HTTP collector (Jaeger, Langfuse, Phoenix, an OpenTelemetry Collector) as they
 * are recorded, through the official OTLP HTTP export path (OTLPExporterBase over the Node http transport, with
 * its bounded retry on 429/502/503/504 and network errors, and the JSON serializer that also writes the files).
 *
 * Configured only from its settings: the OTLP exporter's environment variables (OTEL_EXPORTER_OTLP_HEADERS, ...)
 * are NOT read, so a token meant for another collector in the editor's environment never reaches this endpoint.
 * Disabled, it builds nothing and sends nothing. It never throws into the chat loop: failures go to the log,
 * once per outage, and the header values (authorization) appear in no message.
 */

export interface LiveExportSettings {
  enabled: boolean;
  /** The collector's OTLP/HTTP traces URL, used as given (e.g. http://127.0.0.1:4318/v1/traces). */
  endpoint: string;
  /** Sent as HTTP headers only (an API key for the collector); never in spans or log lines. */
  headers?: Readonly<Record<string, string>>;
  /** Message content in spans: opt-in, and only when a content source is given. */
  includeContent?: boolean;
  /** Per export, retries included. Default 10 s. */
  timeoutMs?: number;
}

export interface LiveExportContext {
  log: Logger;
  content?: TraceContent;
  agentName?(agentId: string): string | undefined;
  serviceVersion?: string;
}

/** An HTTP header name (an RFC 9110 token). */
export const headerName = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

export class LiveTraceExporter {
  private exporter: OTLPExporterBase<ReadableSpan[]> | undefined;
  private readonly target: string;
  private readonly headers: Readonly<Record<string, string>>;
  private failing = false;

  constructor(
    private readonly settings: LiveExportSettings,
    private readonly context: LiveExportContext,
  ) {
    this.target = safeTarget(settings.endpoint);
    this.headers = settings.enabled ? validHeaders(settings.headers ?? {}, context.log) : {};
    if (!settings.enabled) {
      return;
    }
    const url = parseEndpoint(settings.endpoint);
    if (url === undefined) {
      context.log.warn(`OpenTelemetry export is on but its endpoint is not an http(s) URL (${this.target}); nothing will be sent.`);
      return;
    }
    this.exporter = new OTLPExporterBase(
      createOtlpHttpExportDelegate(
        {
          url: url.href,
          headers: () => Promise.resolve({ ...this.headers }),
          agentFactory: httpAgentFactoryFromOptions({ keepAlive: false }),
          timeoutMillis: settings.timeoutMs ?? 10_000,
          concurrencyLimit: 30,
          compression: 'none',
          userAgent: 'ai-studio',
        },
        JsonTraceSerializer,
        OTEL_COMPONENT_TYPE_VALUE_OTLP_HTTP_JSON_SPAN_EXPORTER,
        TraceExporterMetricsHelper,
        undefined,
      ),
    );
  }

  get enabled(): boolean {
    return this.exporter !== undefined;
  }

  /**
   * Sends the turn that produced the reply `replyMessageId`, found among the session's events, once every model
   * call in it has ended (an unfinished turn is skipped: its spans would change after they were sent). Resolves
   * when the collector answered or the export gave up; never rejects.
   */
  exportTurn(sessionEvents: readonly StudioEvent[], replyMessageId: string): Promise<void> {
    if (this.exporter === undefined) {
      return Promise.resolve();
    }
    const turn = turnOfReply(sessionEvents, replyMessageId);
    if (turn === undefined || !isTurnFinished(turn)) {
      this.context.log.debug(`OpenTelemetry: reply ${replyMessageId} has no finished turn to export yet`);
      return Promise.resolve();
    }
    return this.exportEvents(turn);
  }

  /** Sends these events' spans as they are (a replay, a batch). Resolves when done; never rejects. */
  exportEvents(events: readonly StudioEvent[]): Promise<void> {
    const exporter = this.exporter;
    if (exporter === undefined || events.length === 0) {
      return Promise.resolve();
    }
    let spans: ReadableSpan[];
    try {
      spans = eventsToReadableSpans(events, this.mappingOptions());
    } catch (error) {
      this.context.log.error(`OpenTelemetry: could not map ${events.length} events to spans: ${messageOf(error)}`);
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      try {
        exporter.export(spans, (result) => {
          this.report(result, spans.length);
          resolve();
        });
      } catch (error) {
        this.report({ code: ExportResultCode.FAILED, error: error instanceof Error ? error : new Error(String(error)) }, spans.length);
        resolve();
      }
    });
  }

  /** Waits for the exports in flight. */
  async flush(): Promise<void> {
    await this.exporter?.forceFlush().catch((error: unknown) => this.context.log.debug(`OpenTelemetry flush: ${messageOf(error)}`));
  }

  /** Stops exporting; exports in flight finish in the background (bounded by the timeout). */
  dispose(): void {
    const exporter = this.exporter;
    this.exporter = undefined;
    exporter?.shutdown().catch((error: unknown) => this.context.log.debug(`OpenTelemetry shutdown: ${messageOf(error)}`));
  }

  private mappingOptions(): TraceExportOptions {
    const { content, serviceVersion } = this.context;
    return {
      ...(this.settings.includeContent === true && content !== undefined ? { content } : {}),
      agentName: (agentId: string) => this.context.agentName?.(agentId),
      ...(serviceVersion === undefined ? {} : { serviceVersion }),
    };
  }

  private report(result: ExportResult, spanCount: number): void {
    const { log } = this.context;
    if (result.code === ExportResultCode.SUCCESS) {
      if (this.failing) {
        log.info(`OpenTelemetry export to ${this.target} works again`);
      }
      this.failing = false;
      log.trace(`OpenTelemetry: sent ${spanCount} spans to ${this.target}`);
      return;
    }
    const error = result.error;
    const status = error instanceof OTLPExporterError && error.code !== undefined ? ` (HTTP ${error.code})` : '';
    const line = `OpenTelemetry export of ${spanCount} spans to ${this.target} failed${status}: ${messageOf(error)}`;
    // One warning per outage: a collector that is down must not fill the log with a line per reply.
    if (this.failing) {
      log.debug(line);
    } else {
      log.warn(line);
    }
    this.failing = true;
  }
}

function validHeaders(configured: Readonly<Record<string, string>>, log: Logger): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(configured)) {
    // Node refuses such headers with an exception that quotes the value; drop them and name them, never the value.
    if (name.toLowerCase() === 'content-type') {
      continue;
    }
    if (!headerName.test(name) || /[\r\n\0]/.test(value)) {
      log.warn(`OpenTelemetry: header ${headerName.test(name) ? `"${name}"` : '(invalid name)'} is not a valid HTTP header and is not sent`);
      continue;
    }
    headers[name] = value;
  }
  // The body is OTLP JSON whatever the settings say (a configured content-type is skipped above).
  headers['Content-Type'] = 'application/json';
  return headers;
}

function parseEndpoint(endpoint: string): URL | undefined {
  try {
    const url = new URL(endpoint);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url : undefined;
  } catch {
    return undefined;
  }
}

/** The endpoint for log lines: without credentials in the URL or its query, which may carry a token. */
function safeTarget(endpoint: string): string {
  const url = parseEndpoint(endpoint);
  return url === undefined ? JSON.stringify(endpoint.slice(0, 80).replace(/\/\/[^/@]*@/, '//')) : `${url.protocol}//${url.host}${url.pathname}`;
}

function messageOf(error: unknown): string {
  if (error instanceof Error) {
    return error.message || error.name;
  }
  return typeof error === 'string' ? error : 'unknown error';
}
