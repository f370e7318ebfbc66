import * as vscode from 'vscode';
import type { EndpointEntry } from '../core/providerConfig';
import { requiresKey, type ProviderKind } from '../llm/endpoints';
import { redactSecrets } from '../llm/errors';
import type { ConnectionTestResult } from '../llm/types';
import type { ConnectionTestRecord } from '../views/providersModel';
import { validateApiKey } from '../vscode/providerKeys';
import { chooseEndpoint } from './endpointPicker';
import { CommandIds } from './ids';
import { failureOf, offerSetKey, showConfigurationProblem, showProviderFailure } from './providerFixes';
import type { ProviderServices } from './providerServices';

/**
 * "Set API Key", "Remove API Key", "Test Connection" and "Open Provider Settings". Each takes the endpoint from
 * its first argument (an id, or a Providers view row for the inline actions) or asks for it. Results that are
 * worth keeping go to the Providers view through ProviderStatus; keys go only to secret storage.
 */

export type ProviderCommandHandlers = {
  setApiKey(arg?: unknown, key?: unknown): Promise<boolean>;
  removeApiKey(arg?: unknown): Promise<boolean>;
  testConnection(arg?: unknown): Promise<ConnectionTestRecord | undefined>;
  openProviderSettings(arg?: unknown): Promise<void>;
};

/** The longest a connection test may take: it lists models, which needs no model to load even on a local server. */
const TEST_TIMEOUT_MS = 60_000;

export function providerCommands(services: ProviderServices): ProviderCommandHandlers {
  const { keys, tests } = services.status;
  return {
    async setApiKey(arg, keyArg) {
      const entry = await chooseEndpoint(services, arg, { title: 'AI Studio: Set API Key', placeHolder: 'Which endpoint is the key for?' });
      if (!entry) {
        return false;
      }
      const interactive = keyArg === undefined;
      const key = interactive ? await promptForKey(entry, (await keys.status(entry.id)) === 'set') : keyArg;
      if (key === undefined) {
        return false;
      }
      const problem = typeof key === 'string' ? validateApiKey(key) : 'The key must be text.';
      if (problem) {
        throw new Error(problem);
      }
      await keys.set(entry.id, key as string);
      // The last test was of the previous key; showing it against the new one would mislead.
      await tests.clear(entry.id);
      services.log.info(`API key for ${entry.label} (${entry.id}) saved in secret storage`);
      if (interactive) {
        void vscode.window.showInformationMessage(`The API key for ${entry.label} is saved in VS Code's secret storage.`, 'Test Connection').then((choice) => {
          if (choice) {
            return vscode.commands.executeCommand(CommandIds.testConnection, entry.id);
          }
          return undefined;
        });
      }
      return true;
    },

    async removeApiKey(arg) {
      const entry = await chooseEndpoint(services, arg, {
        title: 'AI Studio: Remove API Key',
        placeHolder: 'Whose API key should be removed?',
        filter: (row) => row.keyStatus === 'set',
        emptyMessage: 'No API key is set for any endpoint.',
      });
      if (!entry) {
        return false;
      }
      if (typeof arg !== 'string') {
        // From the palette or a row: confirm, since the key may not be at hand to enter again.
        const remove = 'Remove';
        const choice = await vscode.window.showWarningMessage(
          `Remove the API key for ${entry.label} from VS Code's secret storage?`,
          { modal: true, detail: 'AI Studio cannot use this endpoint again until a key is set.' },
          remove,
        );
        if (choice !== remove) {
          return false;
        }
      }
      await keys.delete(entry.id);
      await tests.clear(entry.id);
      services.log.info(`API key for ${entry.label} (${entry.id}) removed from secret storage`);
      return true;
    },

    async testConnection(arg) {
      const entry = await chooseEndpoint(services, arg, { title: 'AI Studio: Test Connection', placeHolder: 'Which endpoint should be tested?' });
      if (!entry) {
        return undefined;
      }
      if (!entry.config) {
        void showConfigurationProblem(entry);
        return undefined;
      }
      const key = await keys.get(entry.id);
      if (requiresKey(entry.kind) && !key) {
        void offerSetKey(entry, `${entry.label} has no API key yet. Set one, then test again.`);
        return undefined;
      }
      const record = await runTest(services, entry, key);
      if (record.kind === 'cancelled') {
        return record;
      }
      await tests.record(entry.id, record);
      if (record.ok) {
        services.log.info(`Connection test of ${entry.label} (${entry.id}) passed in ${record.latencyMs} ms: ${record.detail}`);
        void vscode.window.showInformationMessage(`${entry.label}: connection works (${record.latencyMs} ms). ${record.detail}`);
      } else {
        services.log.warn(`Connection test of ${entry.label} (${entry.id}) failed (${record.kind}): ${record.detail}`);
        void showProviderFailure(services, entry, { kind: record.kind ?? 'unknown', message: record.detail });
      }
      return record;
    },

    async openProviderSettings(arg) {
      const entry = await chooseEndpoint(services, arg, { title: 'AI Studio: Open Provider Settings', placeHolder: 'Settings of which endpoint?' });
      if (entry) {
        // `@id:` filters show exactly this endpoint's settings, however the search would rank them.
        await vscode.commands.executeCommand('workbench.action.openSettings', entry.settings.map((id) => `@id:${id}`).join(' '));
      }
    },
  };
}

async function runTest(services: ProviderServices, entry: EndpointEntry, key: string | undefined): Promise<ConnectionTestRecord> {
  const config = entry.config!;
  const at = Date.now();
  const base = { at, ...(entry.address ? { address: entry.address } : {}) };
  const secrets = key ? [key] : [];
  try {
    const result = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Testing ${entry.label}…`, cancellable: true },
      (_progress, token) => {
        const controller = new AbortController();
        const cancel = token.onCancellationRequested(() => controller.abort());
        const timeoutMs = Math.min(config.watchdogs.firstByteMs, TEST_TIMEOUT_MS);
        const deadline = AbortSignal.timeout(timeoutMs);
        const signal = AbortSignal.any([controller.signal, deadline]);
        const timedOut = { kind: 'timeout', message: `${entry.label} did not answer the connection test within ${Math.round(timeoutMs / 1000)} s.` };
        // The adapter is built inside the promise chain, so a constructor that throws is reported like a failed test.
        const work: Promise<ConnectionTestResult> = Promise.resolve().then(() => services.createAdapter(config, key).test(signal));
        return raceAbort(work, signal, () => (deadline.aborted ? timedOut : { kind: 'cancelled', message: 'Test cancelled.' })).finally(() => {
          cancel.dispose();
        });
      },
    );
    return { ...base, ok: true, latencyMs: Math.round(result.latencyMs), detail: redactSecrets(result.detail, secrets) };
  } catch (err) {
    const failure = failureOf(err, secrets);
    return { ...base, ok: false, kind: failure.kind, detail: failure.message };
  }
}

/** Settles when the signal fires even if the adapter does not listen to it: a test must never hang the progress. */
function raceAbort<T>(work: Promise<T>, signal: AbortSignal, reason: () => { kind: string; message: string }): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- read by failureOf, like a ProviderError
    const onAbort = () => reject(reason());
    if (signal.aborted) {
      onAbort();
      return;
    }
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

/** Asks for a key in a masked box that survives focus moving elsewhere (e.g. to copy the key from a browser). */
export async function promptForKey(entry: EndpointEntry, replacing: boolean, purpose?: string): Promise<string | undefined> {
  const value = await vscode.window.showInputBox({
    title: `AI Studio: API key for ${entry.label}`,
    prompt: [
      purpose,
      replacing ? 'This replaces the key that is set now.' : undefined,
      "It is kept in VS Code's secret storage, never in settings or files.",
    ]
      .filter(Boolean)
      .join(' '),
    placeHolder: keyPlaceholder(entry.kind),
    password: true,
    ignoreFocusOut: true,
    validateInput: (text) => (text.length === 0 ? undefined : validateApiKey(text)),
  });
  if (value === undefined || value.trim() === '') {
    return undefined;
  }
  return value.trim();
}

function keyPlaceholder(kind: ProviderKind): string {
  switch (kind) {
    case 'anthropic':
      return 'sk-ant-…';
    case 'openai':
      return 'sk-…';
    case 'gemini':
      return 'AIza…';
    case 'azure-openai':
      return 'the key from the Azure resource (Keys and Endpoint)';
    case 'ollama':
    case 'openai-compatible':
      return 'the key the server expects, if it asks for one';
  }
}
