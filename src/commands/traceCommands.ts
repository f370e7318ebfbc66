import * as vscode from 'vscode';
import { exportTraceJson } from '../core/otel/otlpExport';
import { importTraceJson, type ImportedTrace } from '../core/otel/otlpImport';
import { messageContent } from '../core/otel/traceContent';
import type { SecretStore } from '../core/ports';
import { sessionLabel } from '../views/sessionsModel';
import type { SessionsSource } from '../views/sessionsSource';
import { parseHeaderLines, readTraceSettings, TRACE_HEADERS_SECRET } from '../vscode/traceSettings';
import { defaultFolder, fileSlug } from './exportImport';
import { fileArgument, resolveSession } from './sessionPicker';

/**
 * "Export Trace…" (a session's events as OTLP JSON on the OpenTelemetry GenAI conventions, which Jaeger, Langfuse,
 * Phoenix and collectors read), "Import Trace…" (OTLP JSON, ours or another tool's GenAI spans, opened read-only
 * in the Inspector) and "Set Trace Collector Headers…" (for live export; kept in secret storage). A file path as
 * the second argument of Export (the first of Import) skips the dialog, for automation and tests.
 */

export interface TraceCommandServices {
  source: SessionsSource;
  secrets: SecretStore;
  serviceVersion: string;
  openImported(trace: ImportedTrace): Promise<unknown>;
  /** Rebuilds the live exporter after its headers changed. */
  headersChanged(): Promise<void>;
}

export interface TraceCommandHandlers {
  exportTrace(arg?: unknown, target?: unknown): Promise<vscode.Uri | undefined>;
  importTrace(from?: unknown): Promise<ImportedTrace | undefined>;
  setTraceCollectorHeaders(): Promise<void>;
}

/** Far larger than a real trace of a session; past it, reading the file would only hurt the window. */
const MAX_TRACE_BYTES = 512 * 1024 * 1024;

export function traceCommands(services: TraceCommandServices): TraceCommandHandlers {
  const { source } = services;
  return {
    async exportTrace(arg, target) {
      const title = 'AI Studio: Export Trace';
      const session = await resolveSession(source, arg, { title, placeHolder: 'Which session?' });
      if (!session) {
        return undefined;
      }
      const given = fileArgument(target);
      const uri =
        given ??
        (await vscode.window.showSaveDialog({
          title,
          saveLabel: 'Export',
          defaultUri: vscode.Uri.joinPath(defaultFolder(), `${fileSlug(session.title) || 'session'}.otlp.json`),
          filters: { 'OTLP JSON': ['json'] },
        }));
      if (!uri) {
        return undefined;
      }
      const repos = await source.repositories();
      const events = repos.events.list({ sessionId: session.id });
      const names = new Map(repos.agents.list({ includeArchived: true }).map((agent) => [agent.id, agent.name]));
      const { includeContent } = readTraceSettings();
      const text = exportTraceJson(events, {
        title: sessionLabel(session.title),
        serviceVersion: services.serviceVersion,
        agentName: (id) => names.get(id),
        ...(includeContent ? { content: messageContent(repos.messages, (id) => repos.agents.getVersion(id)?.systemPrompt) } : {}),
      });
      await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode(text));
      if (!given) {
        const what = `${events.length} event${events.length === 1 ? '' : 's'}${includeContent ? ', with message content' : ', without message content'}`;
        void vscode.window.showInformationMessage(`Exported the trace of "${sessionLabel(session.title)}" (${what}) to ${uri.fsPath}.`, 'Open').then((choice) =>
          choice ? vscode.window.showTextDocument(uri) : undefined,
        );
      }
      return uri;
    },

    async importTrace(from) {
      const given = fileArgument(from);
      const uri =
        given ??
        (
          await vscode.window.showOpenDialog({
            title: 'AI Studio: Import Trace',
            openLabel: 'Open in Inspector',
            canSelectMany: false,
            filters: { 'OTLP JSON': ['json', 'jsonl'] },
          })
        )?.[0];
      if (!uri) {
        return undefined;
      }
      const { size } = await vscode.workspace.fs.stat(uri);
      if (size > MAX_TRACE_BYTES) {
        throw new Error(`That file is ${Math.round(size / 2 ** 20)} MB; a trace over ${MAX_TRACE_BYTES / 2 ** 20} MB is not opened.`);
      }
      const result = importTraceJson(new TextDecoder().decode(await vscode.workspace.fs.readFile(uri)));
      if (!result.ok) {
        throw new Error(`${uri.path.split('/').pop() ?? 'The file'} is not a trace AI Studio can open: ${result.error}`);
      }
      await services.openImported(result.value);
      return result.value;
    },

    async setTraceCollectorHeaders() {
      const text = await vscode.window.showInputBox({
        title: 'AI Studio: Set Trace Collector Headers',
        prompt: 'Headers sent to the OTLP collector, e.g. "Authorization: Bearer …" (comma-separated). Empty removes them. Kept in secret storage.',
        password: true,
        ignoreFocusOut: true,
        validateInput: (value) => (parseHeaderLines(value) === undefined ? 'Write each header as "Name: value".' : undefined),
      });
      if (text === undefined) {
        return;
      }
      const headers = parseHeaderLines(text) ?? {};
      if (Object.keys(headers).length === 0) {
        await services.secrets.delete(TRACE_HEADERS_SECRET);
      } else {
        await services.secrets.set(TRACE_HEADERS_SECRET, JSON.stringify(headers));
      }
      await services.headersChanged();
      void vscode.window.showInformationMessage(
        Object.keys(headers).length === 0 ? 'Trace collector headers removed.' : `Trace collector headers saved (${Object.keys(headers).join(', ')}).`,
      );
    },
  };
}
