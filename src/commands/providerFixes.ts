import * as vscode from 'vscode';
import type { EndpointEntry } from '../core/providerConfig';
import { redactSecrets } from '../llm/errors';
import { CommandIds } from './ids';
import type { ProviderServices } from './providerServices';

/**
 * A provider failure shown with the action that fixes it: a rejected key offers "Set API Key", an endpoint that
 * cannot be reached or refuses the request offers "Open Provider Settings". The message is the adapter's own
 * (written for people), with any key removed once more before it is shown or logged.
 */

export interface ProviderFailure {
  kind: string;
  message: string;
}

type Fix = 'Set API Key' | 'Open Provider Settings';

export function fixFor(kind: string): Fix | undefined {
  switch (kind) {
    case 'auth':
      return 'Set API Key';
    case 'network':
    case 'bad_request':
    case 'timeout':
      return 'Open Provider Settings';
    default:
      return undefined;
  }
}

/**
 * Reads a failure without `instanceof`: adapters throw `ProviderError`, but anything else (a bug, an SDK error
 * that escaped mapping) must still reach the person as a message, never as a silent rejection.
 */
export function failureOf(err: unknown, secrets: readonly string[]): ProviderFailure {
  const value = err as { kind?: unknown; message?: unknown } | undefined;
  const kind = typeof value?.kind === 'string' ? value.kind : 'unknown';
  const message = typeof value?.message === 'string' ? value.message : String(err);
  return { kind, message: redactSecrets(message, secrets) };
}

export async function showProviderFailure(services: ProviderServices, entry: EndpointEntry, failure: ProviderFailure): Promise<void> {
  const fix = fixFor(failure.kind);
  const actions: string[] = fix ? [fix, 'Show Log'] : ['Show Log'];
  const choice = await vscode.window.showErrorMessage(failure.message, ...actions);
  if (choice === 'Show Log') {
    services.showLog();
  } else if (choice) {
    await runFix(choice as Fix, entry);
  }
}

/** Shows why an endpoint cannot be used yet (its settings are incomplete or invalid), with the way to fix it. */
export async function showConfigurationProblem(entry: EndpointEntry): Promise<void> {
  const choice = await vscode.window.showWarningMessage(`${entry.label}: ${entry.problem ?? 'not configured.'}`, 'Open Provider Settings');
  if (choice) {
    await runFix('Open Provider Settings', entry);
  }
}

export async function offerSetKey(entry: EndpointEntry, message: string): Promise<void> {
  if ((await vscode.window.showWarningMessage(message, 'Set API Key')) !== undefined) {
    await runFix('Set API Key', entry);
  }
}

async function runFix(fix: Fix, entry: EndpointEntry): Promise<void> {
  await vscode.commands.executeCommand(fix === 'Set API Key' ? CommandIds.setApiKey : CommandIds.openProviderSettings, entry.id);
}
