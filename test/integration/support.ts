import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { TestApi } from '../../src/composition';

export const extensionId = 'aistudio.ai-studio';

/** Activates AI Studio (a no-op when it already is) and returns its test hooks. */
export async function activateStudio(): Promise<TestApi> {
  const extension = vscode.extensions.getExtension<TestApi | undefined>(extensionId);
  assert.ok(extension, `${extensionId} is installed`);
  const api = await extension.activate();
  assert.ok(api, 'the extension returns its test hooks when run under a test harness');
  return api;
}

/** Resolves with the first event that matches, or rejects naming what it waited for. */
export function waitForEvent<T>(event: vscode.Event<T>, matches: (value: T) => boolean, what: string, timeoutMs = 20_000): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => {
      subscription.dispose();
      reject(new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`));
    }, timeoutMs);
    const subscription = event((value) => {
      if (matches(value)) {
        clearTimeout(timer);
        subscription.dispose();
        resolve(value);
      }
    });
  });
}

/** Resolves once `condition()` holds, re-checking whenever `event` fires (no sleeping, no polling). */
export async function waitUntil(condition: () => boolean, event: vscode.Event<unknown>, what: string, timeoutMs = 20_000): Promise<void> {
  if (!condition()) {
    await waitForEvent(event, () => condition(), what, timeoutMs);
  }
}
