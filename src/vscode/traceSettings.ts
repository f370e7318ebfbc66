import * as vscode from 'vscode';
import { headerName } from '../core/otel/liveTraceExporter';
import type { SecretStore } from '../core/ports';

/**
 * The OpenTelemetry settings: where finished turns are sent live (off unless turned on, application scope like
 * the provider addresses, so a workspace cannot send a person's prompts to its own collector) and whether
 * message content goes into spans (off: the GenAI conventions make content opt-in). The collector's headers
 * (often an API key) live in secret storage, never in settings.
 */

export interface TraceSettings {
  liveEnabled: boolean;
  endpoint: string;
  includeContent: boolean;
}

export const TRACE_HEADERS_SECRET = 'aiStudio.otlp.headers';

export function readTraceSettings(): TraceSettings {
  const config = vscode.workspace.getConfiguration('aiStudio');
  return {
    liveEnabled: config.get<boolean>('telemetry.otlp.enabled', false) === true,
    endpoint: (config.get<string>('telemetry.otlp.endpoint', '') ?? '').trim(),
    includeContent: config.get<boolean>('telemetry.includeContent', false) === true,
  };
}

export function affectsTraceSettings(event: vscode.ConfigurationChangeEvent): boolean {
  return event.affectsConfiguration('aiStudio.telemetry');
}

/** The collector's headers from secret storage; a damaged value counts as none (and is said in the log). */
export async function readTraceHeaders(secrets: SecretStore): Promise<Record<string, string>> {
  const raw = await secrets.get(TRACE_HEADERS_SECRET);
  if (raw === undefined) {
    return {};
  }
  try {
    const parsed: unknown = JSON.parse(raw);
    if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) {
      return Object.fromEntries(Object.entries(parsed).filter((entry): entry is [string, string] => typeof entry[1] === 'string'));
    }
  } catch {
    // Falls through: not JSON.
  }
  return {};
}

/**
 * `Name: value` pairs, one per line or separated by commas, as people copy them from a collector's docs
 * ("Authorization: Bearer ..."). Returns undefined when a pair has no name.
 */
export function parseHeaderLines(text: string): Record<string, string> | undefined {
  const headers: Record<string, string> = {};
  for (const line of text.split(/[\n,]/)) {
    if (line.trim() === '') {
      continue;
    }
    const separator = line.search(/[:=]/);
    const name = separator === -1 ? '' : line.slice(0, separator).trim();
    if (!headerName.test(name)) {
      return undefined;
    }
    headers[name] = line.slice(separator + 1).trim();
  }
  return headers;
}
