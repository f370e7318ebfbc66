import { performance } from 'node:perf_hooks';
import * as vscode from 'vscode';
import { compose, type AiStudio, type TestApi } from './composition';
import { notifyWithLog } from './vscode/notify';

/**
 * Taken when this module's body runs, after the bundle's imports are evaluated. The extension host may call
 * `activate` much later (it finishes other work first), so that wait is logged apart from our own time.
 */
const moduleLoadedAt = performance.now();

/** What deactivate needs to finish: the replies still streaming are saved before the store closes. */
let running: AiStudio | undefined;

export function activate(context: vscode.ExtensionContext): TestApi | undefined {
  // The log exists before anything else, so even a failed start leaves a trail the user can open.
  const log = vscode.window.createOutputChannel('AI Studio', { log: true });
  context.subscriptions.push(log);
  const activateCalledAt = performance.now();
  let activationMs = -1;
  try {
    const studio: AiStudio = compose({ context, log, activationMs: () => activationMs });
    context.subscriptions.push(studio);
    running = studio;
    activationMs = Math.round((performance.now() - activateCalledAt) * 10) / 10;
    const waitedMs = Math.round(activateCalledAt - moduleLoadedAt);
    log.info(`AI Studio ${studio.version} activated in ${activationMs} ms (bundle loaded ${waitedMs} ms before activate was called)`);
    return context.extensionMode === vscode.ExtensionMode.Test ? studio.testApi : undefined;
  } catch (err) {
    log.error(err instanceof Error ? err : new Error(String(err)));
    const message = err instanceof Error ? err.message : String(err);
    void notifyWithLog('error', `AI Studio could not start: ${message}`, () => log.show());
    return undefined;
  }
}

/**
 * Runs before `context.subscriptions` are disposed (and the store with them): replies streaming now are ended as
 * interrupted and saved, so a reload shows them as they were, never as lost.
 */
export async function deactivate(): Promise<void> {
  const studio = running;
  running = undefined;
  await studio?.shutdown();
}
