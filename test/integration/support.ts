import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { CommandIds } from '../../src/commands/ids';
import type { TestApi } from '../../src/composition';
import type { Agent } from '../../src/db/repositories/agents';
import { modelForScript, type ScriptStep } from '../fakes/providers/fakeScripts';
import type { FakeProviderServer } from '../fakes/providers/fakeServer';

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

/**
 * An OpenAI-compatible endpoint `openai-compatible:<name>` on the fake at `origin`, with `key` set through the
 * command and an agent on it: what every chat-shaped suite starts from. Resolves once the Providers view lists it.
 */
export async function fakeEndpointWithAgent(
  api: TestApi,
  options: { name: string; origin: string; key: string; agentName: string },
): Promise<{ endpointId: string; agent: Agent }> {
  const endpointId = `openai-compatible:${options.name}`;
  const config = vscode.workspace.getConfiguration('aiStudio');
  await config.update('providers.openaiCompatible', [{ name: options.name, baseUrl: `${options.origin}/v1`, defaultModel: 'fake-ok' }], vscode.ConfigurationTarget.Global);
  for (;;) {
    // Subscribed before reading, so a change between the read and the wait is not missed.
    const changed = waitForEvent(api.providers.onDidChange, () => true, 'the fake endpoint in the settings');
    changed.catch(() => undefined);
    if ((await api.providers.rows()).some((row) => row.id === endpointId)) {
      break;
    }
    await changed;
  }
  assert.equal(await vscode.commands.executeCommand(CommandIds.setApiKey, endpointId, options.key), true);
  const agent = await vscode.commands.executeCommand<Agent | undefined>(CommandIds.createAgent, {
    name: options.agentName,
    provider: endpointId,
    model: 'fake-ok',
    systemPrompt: 'You answer briefly.',
  });
  assert.ok(agent, 'Create Agent returns the agent');
  return { endpointId, agent };
}

/** Undoes `fakeEndpointWithAgent`'s key and endpoint (the agent stays, as a person's would). */
export async function removeFakeEndpoint(endpointId: string): Promise<void> {
  await vscode.commands.executeCommand(CommandIds.removeApiKey, endpointId);
  await vscode.workspace.getConfiguration('aiStudio').update('providers.openaiCompatible', undefined, vscode.ConfigurationTarget.Global);
}

/** A name no earlier run of the suite used (agents and scripts outlive a test run in the host's storage). */
export const uniqueName = (name: string) => `${name}-${Date.now().toString(36)}${Math.floor(Math.random() * 1e4)}`;

/** An agent on the fake's endpoint whose model is a script: each of its model calls answers the next step. */
export async function scriptedAgent(fake: FakeProviderServer, endpointId: string, name: string, steps: ScriptStep[]): Promise<Agent> {
  const script = uniqueName(name);
  fake.scripts.set(script, steps);
  const agent = await vscode.commands.executeCommand<Agent | undefined>(CommandIds.createAgent, { name: uniqueName(name), provider: endpointId, model: modelForScript(script) });
  assert.ok(agent);
  return agent;
}
