import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { CommandIds } from '../../src/commands/ids';
import type { AskOutcome } from '../../src/commands/askStream';
import type { TestApi } from '../../src/composition';
import type { ConnectionTestRecord, ProviderRow } from '../../src/views/providersModel';
import { apiKeySecretName } from '../../src/vscode/providerKeys';
import { FAKE_ANSWER, FAKE_PARTIAL, FakeProviderServer, REJECTED_KEY, SENTINEL_KEY } from '../fakes/providers/fakeServer';
import { openAiProtocol } from '../fakes/providers/openaiProtocol';
import { activateStudio } from './support';

/**
 * Providers and keys in a real extension host: the commands against VS Code's real secret storage, settings and
 * editors, and an OpenAI-compatible fake on 127.0.0.1 reached through the real openai SDK.
 */

const endpointId = 'openai-compatible:fake';

/** Resolves with the rows once `check` holds, re-checking whenever the provider state changes (no sleeping). */
async function rowsWhen(api: TestApi, check: (rows: ProviderRow[]) => boolean, what: string, timeoutMs = 20_000): Promise<ProviderRow[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    // Subscribed before reading, so a change between the read and the wait is not missed.
    let subscription: vscode.Disposable | undefined;
    const changed = new Promise<void>((resolve) => {
      subscription = api.providers.onDidChange(() => resolve());
    });
    try {
      const rows = await api.providers.rows();
      if (check(rows)) {
        return rows;
      }
      const remaining = deadline - Date.now();
      const timedOut = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), Math.max(0, remaining)));
      if ((await Promise.race([changed, timedOut])) === 'timeout') {
        throw new Error(`Timed out waiting for ${what}; rows: ${JSON.stringify(rows.map((r) => [r.id, r.description]))}`);
      }
    } finally {
      subscription?.dispose();
    }
  }
}

const rowOf = (rows: ProviderRow[], id: string) => rows.find((row) => row.id === id);

function assertNoKeyLeaked(api: TestApi, ...texts: string[]): void {
  const places = { log: api.providers.logLines().join('\n'), globalState: api.providers.globalStateJson(), ...Object.fromEntries(texts.map((t, i) => [`text ${i}`, t])) };
  for (const [where, text] of Object.entries(places)) {
    for (const key of [SENTINEL_KEY, REJECTED_KEY]) {
      assert.ok(!text.includes(key), `${key} appears in the ${where}`);
    }
  }
}

describe('providers and keys in a real extension host', function () {
  this.timeout(60_000);
  let api: TestApi;
  let fake: FakeProviderServer;
  const config = () => vscode.workspace.getConfiguration('aiStudio');

  before(async () => {
    api = await activateStudio();
    fake = await FakeProviderServer.start(openAiProtocol);
    await config().update('providers.openaiCompatible', [{ name: 'fake', baseUrl: `${fake.origin}/v1` }], vscode.ConfigurationTarget.Global);
    await rowsWhen(api, (rows) => rowOf(rows, endpointId)?.usable === true, 'the fake endpoint to appear in the Providers view');
  });

  beforeEach(() => fake.reset());

  after(async () => {
    await vscode.commands.executeCommand(CommandIds.removeApiKey, endpointId);
    await vscode.commands.executeCommand(CommandIds.removeApiKey, 'openai');
    await config().update('providers.openaiCompatible', undefined, vscode.ConfigurationTarget.Global);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await fake?.close();
  });

  it('sets, reads back and removes an API key through the commands, and the view follows', async () => {
    const key = `sk-integration-${Date.now()}`;
    assert.equal(await vscode.commands.executeCommand(CommandIds.setApiKey, 'openai', key), true);
    assert.equal(await api.secrets.get(apiKeySecretName('openai')), key);
    let rows = await rowsWhen(api, (r) => rowOf(r, 'openai')?.keyStatus === 'set', 'the OpenAI row to show its key');
    assert.equal(rowOf(rows, 'openai')!.description, 'key set');
    assert.match(rowOf(rows, 'openai')!.contextValue, /\bhasKey\b/);

    assert.equal(await vscode.commands.executeCommand(CommandIds.removeApiKey, 'openai'), true);
    assert.equal(await api.secrets.get(apiKeySecretName('openai')), undefined);
    rows = await rowsWhen(api, (r) => rowOf(r, 'openai')?.keyStatus === 'unset', 'the OpenAI row to show no key');
    assert.equal(rowOf(rows, 'openai')!.description, 'no key');
    assert.equal(rowOf(rows, 'openai')!.usable, false);
  });

  it('refuses a key with whitespace in it, and keeps nothing', async () => {
    const result = await vscode.commands.executeCommand(CommandIds.setApiKey, 'openai', 'sk-two words');
    assert.equal(result, undefined, 'the command failed (and told the person)');
    assert.equal(await api.secrets.get(apiKeySecretName('openai')), undefined);
    assert.ok(api.providers.logLines().some((line) => line.includes('An API key has no spaces')), 'the refusal is logged');
  });

  it('tests the connection to the fake configured in settings, and the row shows the result', async () => {
    assert.equal(await vscode.commands.executeCommand(CommandIds.setApiKey, endpointId, SENTINEL_KEY), true);
    const record = await vscode.commands.executeCommand<ConnectionTestRecord>(CommandIds.testConnection, endpointId);
    assert.equal(record.ok, true, record.detail);
    assert.ok(record.latencyMs !== undefined && record.latencyMs >= 0);
    // The key went to the server that was configured, and only there.
    const listing = fake.requests.find((r) => r.url === '/v1/models');
    assert.ok(listing, fake.requests.map((r) => r.url).join(', '));
    assert.equal(listing.headers.authorization, `Bearer ${SENTINEL_KEY}`);

    const rows = await rowsWhen(api, (r) => rowOf(r, endpointId)?.lastTest?.ok === true, 'the row to show the passed test');
    const row = rowOf(rows, endpointId)!;
    assert.match(row.description, /^key set · ✓ \d+ ms$/);
    assert.equal(row.icon.id, 'pass');
    assert.ok(row.tooltip.includes(`Endpoint: ${fake.origin}/v1`), row.tooltip);
    assertNoKeyLeaked(api, JSON.stringify(record), row.tooltip);
  });

  it('shows a rejected key on the row, offers the fix, and the key never reaches the log or globalState', async () => {
    assert.equal(await vscode.commands.executeCommand(CommandIds.setApiKey, endpointId, REJECTED_KEY), true);
    const record = await vscode.commands.executeCommand<ConnectionTestRecord>(CommandIds.testConnection, endpointId);
    assert.equal(record.ok, false);
    assert.equal(record.kind, 'auth');
    assert.match(record.detail, /rejected the API key/);
    const rows = await rowsWhen(api, (r) => rowOf(r, endpointId)?.lastTest?.ok === false, 'the row to show the failed test');
    assert.equal(rowOf(rows, endpointId)!.description, 'key set · ✗ key rejected');
    assert.ok(api.providers.logLines().some((line) => line.includes('failed (auth)')), 'the failure is logged');
    assertNoKeyLeaked(api, JSON.stringify(record), rowOf(rows, endpointId)!.tooltip);
  });

  it('forgets the last test result when the key is replaced', async () => {
    assert.equal(await vscode.commands.executeCommand(CommandIds.setApiKey, endpointId, SENTINEL_KEY), true);
    const rows = await rowsWhen(api, (r) => rowOf(r, endpointId)?.lastTest === undefined, 'the stale result to go');
    assert.equal(rowOf(rows, endpointId)!.description, 'key set');
  });

  it('asks the fake and streams the answer into a read-only Markdown document', async () => {
    assert.equal(await vscode.commands.executeCommand(CommandIds.setApiKey, endpointId, SENTINEL_KEY), true);
    const outcome = await vscode.commands.executeCommand<AskOutcome>(CommandIds.ask, { endpointId, model: 'fake-ok', question: 'Say hello.', useSelection: false });
    assert.equal(outcome.status, 'complete');
    assert.equal(outcome.text, FAKE_ANSWER);
    const document = vscode.workspace.textDocuments.find((d) => d.uri.toString() === outcome.uri);
    assert.ok(document, 'the answer document is open');
    assert.equal(document.uri.scheme, 'ai-studio-answer');
    assert.equal(document.languageId, 'markdown');
    const text = api.providers.answerText(outcome.uri)!;
    assert.ok(text.includes(FAKE_ANSWER), text);
    assert.match(text, /`fake-ok` · fake · 42 tokens in \/ 12 out · \$0 · first token [\d.]+ m?s · total [\d.]+ m?s · complete\n$/);
    assert.ok(vscode.window.visibleTextEditors.some((e) => e.document.uri.toString() === outcome.uri), 'shown in an editor');
    const chat = fake.requests.find((r) => r.url === '/v1/chat/completions');
    assert.ok(JSON.stringify(chat?.body).includes('Say hello.'));
    assertNoKeyLeaked(api, text);
  });

  it('keeps a partial answer marked incomplete, and shows a rejected key inline as an error', async () => {
    const partial = await vscode.commands.executeCommand<AskOutcome>(CommandIds.ask, { endpointId, model: 'fake-no-final', question: 'Hello?', useSelection: false });
    assert.equal(partial.status, 'incomplete');
    assert.equal(partial.text, FAKE_PARTIAL);
    assert.match(api.providers.answerText(partial.uri)!, /> \*\*Incomplete answer\.\*\*[^\n]*\n\n---\n\n[^\n]*\*\*incomplete\*\*\n$/);

    const failed = await vscode.commands.executeCommand<AskOutcome>(CommandIds.ask, { endpointId, model: 'fake-auth', question: 'Hello?', useSelection: false });
    assert.equal(failed.status, 'error');
    assert.equal(failed.errorKind, 'auth');
    const text = api.providers.answerText(failed.uri)!;
    assert.match(text, /> \*\*Error \(auth\):\*\* /);
    assertNoKeyLeaked(api, text);
  });
});
