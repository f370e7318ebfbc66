import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { CommandIds } from '../../src/commands/ids';
import type { TestApi } from '../../src/composition';
import { DEFAULT_LIMITS, defaultToolEntries } from '../../src/core/agent/agentTools';
import { TOOL_CATALOG } from '../../src/core/agent/toolCatalog';
import { systemClock } from '../../src/core/ports';
import { AgentsRepository, type Agent } from '../../src/db/repositories/agents';
import { SessionsRepository } from '../../src/db/repositories/sessions';
import type { AgentDraft } from '../../src/protocol/agentEditor';
import type { AgentRow } from '../../src/views/agentsModel';
import { activateStudio, waitForEvent, waitUntil } from './support';

/**
 * Agents in a real extension host: the commands through VS Code's command API (with automation arguments where a
 * person would type or confirm), the Agents view's rows, and the agent editor panel loading its webview and
 * saving through the same code its Save button reaches.
 */

/** Resolves with the rows once `check` holds, re-checking whenever the view re-reads (no sleeping). */
async function rowsWhen(api: TestApi, check: (rows: AgentRow[]) => boolean, what: string, timeoutMs = 20_000): Promise<AgentRow[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    let subscription: vscode.Disposable | undefined;
    const changed = new Promise<void>((resolve) => {
      subscription = api.agents.onDidChange(() => resolve());
    });
    try {
      const rows = await api.agents.rows();
      if (check(rows)) {
        return rows;
      }
      const timedOut = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), Math.max(0, deadline - Date.now())));
      if ((await Promise.race([changed, timedOut])) === 'timeout') {
        throw new Error(`Timed out waiting for ${what}; rows: ${JSON.stringify(rows.map((r) => [r.label, r.description]))}`);
      }
    } finally {
      subscription?.dispose();
    }
  }
}

function editorTabs(): vscode.Tab[] {
  return vscode.window.tabGroups.all
    .flatMap((group) => group.tabs)
    .filter((tab) => tab.input instanceof vscode.TabInputWebview && tab.input.viewType.endsWith('aiStudio.agentEditor'));
}

const unique = (name: string) => `${name} ${Date.now().toString(36)}${Math.floor(Math.random() * 1e4)}`;

describe('agents in a real extension host', function () {
  this.timeout(60_000);
  let api: TestApi;
  let agents: AgentsRepository;

  before(async () => {
    api = await activateStudio();
    agents = new AgentsRepository(await api.store, systemClock);
  });

  afterEach(async () => {
    await vscode.commands.executeCommand(CommandIds.hideArchivedAgents);
    await vscode.window.tabGroups.close(editorTabs());
  });

  const create = async (fields: Record<string, unknown>): Promise<Agent> => {
    const agent = await vscode.commands.executeCommand<Agent | undefined>(CommandIds.createAgent, fields);
    assert.ok(agent, 'Create Agent returns the new agent');
    return agent;
  };

  it('creates an agent from command arguments, and the view lists it by name with its provider and model', async () => {
    const name = unique('Writer');
    const agent = await create({ name, provider: 'openai', model: 'gpt-4.1-mini', systemPrompt: 'You write.', temperature: 0.4 });
    assert.equal(agent.currentVersion.version, 1);
    assert.deepEqual(agent.currentVersion.params, { temperature: 0.4 });
    assert.deepEqual(agent.currentVersion.tools, defaultToolEntries(TOOL_CATALOG), 'a new agent starts with every built-in tool at its default mode');
    const rows = await rowsWhen(api, (r) => r.some((row) => row.id === agent.id), 'the new agent in the view');
    const row = rows.find((r) => r.id === agent.id)!;
    assert.equal(row.label, name);
    assert.equal(row.description, 'OpenAI · gpt-4.1-mini');
    assert.equal(row.contextValue, 'agent active');
    assert.match(row.tooltip, /Version 1, updated/);
    assert.match(row.tooltip, /> You write\./);
    const labels = rows.filter((r) => !r.archived).map((r) => r.label);
    assert.deepEqual(labels, [...labels].sort((a, b) => a.localeCompare(b, undefined, { sensitivity: 'base', numeric: true })));
  });

  it('refuses an invalid agent with the validation message, and stores nothing', async () => {
    const before = agents.list({ includeArchived: true }).length;
    const result = await vscode.commands.executeCommand(CommandIds.createAgent, { name: '  ', provider: 'openai', model: 'gpt 4', temperature: 3 });
    assert.equal(result, undefined);
    assert.equal(agents.list({ includeArchived: true }).length, before);
    const logged = api.providers.logLines().join('\n');
    assert.match(logged, /Give the agent a name\./);
    assert.match(logged, /Model names have no spaces/);
    assert.match(logged, /Temperature goes from 0 to 2/);
  });

  it('makes version 2 when the configuration is edited, and none for a rename alone', async () => {
    const agent = await create({ name: unique('Editor'), provider: 'openai', model: 'gpt-4.1-mini' });
    const edited = await vscode.commands.executeCommand<Agent>(CommandIds.editAgent, { agentId: agent.id, systemPrompt: 'Be brief.', maxTokens: '256' });
    assert.equal(edited.currentVersion.version, 2);
    assert.equal(edited.currentVersion.systemPrompt, 'Be brief.');
    assert.deepEqual(edited.currentVersion.params, { maxTokens: 256 });
    const renamed = await vscode.commands.executeCommand<Agent>(CommandIds.editAgent, { agentId: agent.id, name: unique('Renamed') });
    assert.equal(renamed.currentVersion.version, 2);
    assert.deepEqual(agents.listVersions(agent.id).map((v) => v.version), [2, 1]);
    await rowsWhen(api, (rows) => rows.some((r) => r.id === agent.id && r.label === renamed.name && r.version === 2), 'the renamed agent at version 2');
  });

  it('duplicates an agent as a new agent with its own version 1', async () => {
    const agent = await create({ name: unique('Original'), provider: 'openai', model: 'gpt-4.1', systemPrompt: 'Original prompt', temperature: '1' });
    await vscode.commands.executeCommand(CommandIds.editAgent, { agentId: agent.id, systemPrompt: 'Second prompt' });
    const copy = await vscode.commands.executeCommand<Agent>(CommandIds.duplicateAgent, { agentId: agent.id });
    assert.notEqual(copy.id, agent.id);
    assert.equal(copy.name, `${agent.name} (copy)`);
    assert.equal(copy.currentVersion.version, 1);
    assert.equal(copy.currentVersion.systemPrompt, 'Second prompt');
    assert.deepEqual(copy.currentVersion.params, { temperature: 1 });
    await rowsWhen(api, (rows) => rows.some((r) => r.id === copy.id), 'the copy in the view');
  });

  it('hides an archived agent until "Show Archived Agents" is on, and unarchives it', async () => {
    const agent = await create({ name: unique('Archivable'), provider: 'openai', model: 'gpt-4.1-mini' });
    await vscode.commands.executeCommand(CommandIds.archiveAgent, agent.id);
    await rowsWhen(api, (rows) => !rows.some((r) => r.id === agent.id), 'the archived agent to leave the view');
    await vscode.commands.executeCommand(CommandIds.showArchivedAgents);
    const shown = await rowsWhen(api, (rows) => rows.some((r) => r.id === agent.id), 'the archived agent to be shown');
    const row = shown.find((r) => r.id === agent.id)!;
    assert.equal(row.contextValue, 'agent archived');
    assert.match(row.description, /· archived$/);
    const firstArchived = shown.findIndex((r) => r.archived);
    assert.ok(shown.slice(firstArchived).every((r) => r.archived), 'archived agents come after active ones');
    await vscode.commands.executeCommand(CommandIds.hideArchivedAgents);
    await rowsWhen(api, (rows) => !rows.some((r) => r.id === agent.id), 'the archived agent to be hidden again');
    await vscode.commands.executeCommand(CommandIds.unarchiveAgent, agent.id);
    await rowsWhen(api, (rows) => rows.some((r) => r.id === agent.id && !r.archived), 'the unarchived agent back in the view');
  });

  it('asks before deleting, says sessions are kept, and keeps them', async () => {
    const agent = await create({ name: unique('Doomed'), provider: 'openai', model: 'gpt-4.1-mini' });
    const sessions = new SessionsRepository(await api.store, systemClock);
    const session = await sessions.create({ agentId: agent.id, title: 'Kept conversation' });

    api.agents.answerNextPrompt(undefined);
    assert.equal(await vscode.commands.executeCommand(CommandIds.deleteAgent, agent.id), false);
    const asked = api.agents.prompts().at(-1)!;
    assert.equal(asked.message, `Delete the agent "${agent.name}"?`);
    assert.match(asked.detail, /Its session is kept, with every message, no longer linked to an agent\./);
    assert.deepEqual(asked.actions, ['Delete', 'Archive Instead']);
    assert.ok(agents.get(agent.id), 'Cancel deletes nothing');

    api.agents.answerNextPrompt('Delete');
    assert.equal(await vscode.commands.executeCommand(CommandIds.deleteAgent, agent.id), true);
    assert.equal(agents.get(agent.id), undefined);
    await rowsWhen(api, (rows) => !rows.some((r) => r.id === agent.id), 'the deleted agent to leave the view');
    const kept = sessions.get(session.id);
    assert.ok(kept, 'the session is kept');
    assert.equal(kept.title, 'Kept conversation');
    assert.equal(kept.agentId, null);
  });

  it('opens one editor per agent, answers its webview with the snapshot, and saves a new version from it', async () => {
    const agent = await create({ name: unique('Edited in panel'), provider: 'openai', model: 'gpt-4.1-mini' });
    const ready = waitForEvent(api.onPanelTraffic, (t) => t.panel === 'AgentEditor' && t.direction === 'fromPanel' && t.kind === 'ready', 'the editor to say ready');
    const snapshot = waitForEvent(api.onPanelTraffic, (t) => t.panel === 'AgentEditor' && t.direction === 'toPanel' && t.kind === 'snapshot', 'the editor snapshot');
    await vscode.commands.executeCommand(CommandIds.editAgent, agent.id);
    await waitUntil(() => editorTabs().length === 1, vscode.window.tabGroups.onDidChangeTabs, 'the agent editor tab');
    await ready;
    await snapshot;
    await waitUntil(() => editorTabs()[0]?.label === agent.name, vscode.window.tabGroups.onDidChangeTabs, 'the tab to carry the agent name');
    assert.ok(api.agents.openEditors().includes(agent.id));

    await vscode.commands.executeCommand(CommandIds.editAgent, { agentId: agent.id });
    assert.equal(editorTabs().length, 1, 'opening it again reveals the same editor');

    const state = await api.agents.editorSnapshot(agent.id);
    assert.equal(state.key, agent.id);
    assert.equal(state.version, 1);
    assert.deepEqual(state.saved, {
      name: agent.name,
      provider: 'openai',
      model: 'gpt-4.1-mini',
      systemPrompt: '',
      temperature: '',
      maxTokens: '',
      tools: TOOL_CATALOG.map((t) => ({ name: t.name, mode: t.category === 'read' ? 'auto' : 'ask' })),
      commandAllow: '',
      commandDeny: '',
      limitSteps: '',
      limitTokens: '',
      limitCostUsd: '',
      limitMinutes: '',
    });
    assert.ok(state.providers.some((p) => p.id === 'openai'));

    const draft: AgentDraft = { ...state.saved, systemPrompt: 'Answer in French.', temperature: '0.2' };
    const invalid = await api.agents.saveInEditor(agent.id, { ...draft, maxTokens: 'lots' });
    assert.equal(invalid.ok, false);
    assert.ok(!invalid.ok && /whole number/.test(invalid.errors.maxTokens ?? ''));

    const saved = await api.agents.saveInEditor(agent.id, draft);
    assert.ok(saved.ok);
    assert.equal(saved.message, 'Saved as version 2.');
    assert.equal(saved.snapshot.version, 2);
    assert.deepEqual(agents.get(agent.id)!.currentVersion.params, { temperature: 0.2 });
    await rowsWhen(api, (rows) => rows.some((r) => r.id === agent.id && r.version === 2), 'the view to show version 2');
  });

  it('saves tools, their modes, run_command’s rules and the limits from the editor as a new version, and shows them when reopened', async () => {
    const agent = await create({ name: unique('Tooled'), provider: 'openai', model: 'gpt-4.1-mini', temperature: 0.5 });
    const opened = async () => {
      await vscode.commands.executeCommand(CommandIds.editAgent, agent.id);
      await waitUntil(() => api.agents.openEditors().includes(agent.id), vscode.window.tabGroups.onDidChangeTabs, 'the agent editor');
      return api.agents.editorSnapshot(agent.id);
    };
    const state = await opened();
    assert.deepEqual(state.tools.map((t) => [t.name, t.category, t.defaultMode]), TOOL_CATALOG.map((t) => [t.name, t.category, t.category === 'read' ? 'auto' : 'ask']));
    assert.ok(state.tools.every((t) => t.label !== '' && t.description !== ''));
    assert.deepEqual(state.limitDefaults, DEFAULT_LIMITS);
    assert.equal(state.workspaceTrusted, vscode.workspace.isTrusted);

    const modes: Record<string, string> = { read_file: 'auto', search_text: 'ask', write_file: 'auto', run_command: 'ask' };
    const draft: AgentDraft = {
      ...state.saved,
      tools: state.saved.tools.map((t) => ({ name: t.name, mode: modes[t.name] ?? 'off' })),
      commandAllow: 'git status\n\nnpm test (exact)\n',
      commandDeny: 'git push',
      limitSteps: '12',
      limitTokens: '',
      limitCostUsd: '0.25',
      limitMinutes: '',
    };

    const refused = await api.agents.saveInEditor(agent.id, { ...draft, commandDeny: 'git push\nrm -rf $(pwd)', limitSteps: '0' });
    assert.ok(!refused.ok);
    assert.equal(refused.message, 'Not saved: 2 fields need attention.');
    assert.match(refused.errors.commandDeny ?? '', /^Line 2 is not a rule: "rm -rf \$\(pwd\)" has shell syntax in it, “\$\(”, so it would never match/);
    assert.match(refused.errors.limitSteps ?? '', /at least 1 step/);
    assert.match(refused.warnings['tool:write_file'] ?? '', /^Auto: write_file changes files without asking you first/);
    assert.equal(agents.get(agent.id)!.currentVersion.version, 1, 'a refused save stores nothing');

    const saved = await api.agents.saveInEditor(agent.id, draft);
    assert.ok(saved.ok, JSON.stringify(saved));
    assert.equal(saved.message, 'Saved as version 2.');
    const version = agents.get(agent.id)!.currentVersion;
    assert.equal(version.version, 2);
    assert.deepEqual(version.tools, [
      { name: 'read_file', mode: 'auto' },
      { name: 'search_text', mode: 'ask' },
      { name: 'write_file', mode: 'auto' },
      { name: 'run_command', mode: 'ask', allow: ['git status', 'npm test (exact)'], deny: ['git push'] },
    ]);
    assert.deepEqual(version.params, { temperature: 0.5, limits: { steps: 12, costUsd: 0.25 } });
    const cleaned = { ...draft, commandAllow: 'git status\nnpm test (exact)' };
    assert.deepEqual(saved.snapshot.saved, cleaned, 'the editor shows what was stored');

    const again = await api.agents.saveInEditor(agent.id, cleaned);
    assert.ok(again.ok);
    assert.equal(again.message, 'No changes to save (version 2).');

    await vscode.window.tabGroups.close(editorTabs());
    await waitUntil(() => !api.agents.openEditors().includes(agent.id), vscode.window.tabGroups.onDidChangeTabs, 'the editor to close');
    const reopened = await opened();
    assert.equal(reopened.version, 2);
    assert.deepEqual(reopened.saved, cleaned);
  });

  it('keeps an agent’s tools as they were when only its prompt is edited, and copies them with the agent', async () => {
    const agent = await create({ name: unique('Talker'), provider: 'openai', model: 'gpt-4.1-mini' });
    const only = await agents.update(agent.id, { tools: [{ name: 'read_file', mode: 'ask' }, { name: 'mcp__notes__search', mode: 'auto' }] });
    const edited = await vscode.commands.executeCommand<Agent>(CommandIds.editAgent, { agentId: agent.id, systemPrompt: 'Be brief.' });
    assert.equal(edited.currentVersion.version, only.currentVersion.version + 1);
    assert.deepEqual(edited.currentVersion.tools, only.currentVersion.tools);
    const copy = await vscode.commands.executeCommand<Agent>(CommandIds.duplicateAgent, { agentId: agent.id });
    assert.deepEqual(copy.currentVersion.tools, only.currentVersion.tools);
  });

  it('creates a new agent from a blank editor, which then becomes that agent’s editor', async () => {
    const snapshot = waitForEvent(api.onPanelTraffic, (t) => t.panel === 'AgentEditor' && t.kind === 'snapshot', 'the new editor snapshot');
    await vscode.commands.executeCommand(CommandIds.createAgent);
    await waitUntil(() => editorTabs().some((tab) => tab.label === 'New Agent'), vscode.window.tabGroups.onDidChangeTabs, 'the New Agent tab');
    await snapshot;
    const key = api.agents.openEditors().find((k) => k.startsWith('new:'));
    assert.ok(key, 'the blank editor is open under a new-agent key');
    const defaults = await api.agents.editorSnapshot(key);
    assert.equal(defaults.agentId, null);
    assert.equal(defaults.version, null);
    assert.notEqual(defaults.saved.provider, '', 'a new agent starts on a configured endpoint');
    assert.deepEqual(defaults.saved.tools, TOOL_CATALOG.map((t) => ({ name: t.name, mode: t.category === 'read' ? 'auto' : 'ask' })));

    const name = unique('Made in editor');
    const saved = await api.agents.saveInEditor(key, { ...defaults.saved, name, provider: 'openai', model: 'gpt-4.1-nano' });
    assert.ok(saved.ok, JSON.stringify(saved));
    assert.match(saved.message, /^Created ".*", version 1\.$/);
    const agentId = saved.snapshot.agentId!;
    assert.deepEqual(agents.get(agentId)!.currentVersion.tools, defaultToolEntries(TOOL_CATALOG), 'with every built-in tool at its default mode');
    assert.ok(api.agents.openEditors().includes(agentId));
    assert.ok(!api.agents.openEditors().includes(key), 'the editor is now found by the agent id');
    await waitUntil(() => editorTabs().some((tab) => tab.label === name), vscode.window.tabGroups.onDidChangeTabs, 'the tab to take the new name');
    await rowsWhen(api, (rows) => rows.some((r) => r.id === agentId && r.label === name), 'the new agent in the view');
  });

  it('never puts an API key into what the editor is sent', async () => {
    const sentinel = `sk-agent-editor-${Date.now()}`;
    await vscode.commands.executeCommand(CommandIds.setApiKey, 'openai', sentinel);
    try {
      const agent = await create({ name: unique('Keyed'), provider: 'openai', model: 'gpt-4.1-mini' });
      await vscode.commands.executeCommand(CommandIds.editAgent, agent.id);
      await waitUntil(() => api.agents.openEditors().includes(agent.id), vscode.window.tabGroups.onDidChangeTabs, 'the editor');
      const state = JSON.stringify(await api.agents.editorSnapshot(agent.id));
      assert.ok(!state.includes(sentinel));
      assert.ok(state.includes('key set'), 'the panel learns only that a key is set');
    } finally {
      await vscode.commands.executeCommand(CommandIds.removeApiKey, 'openai');
    }
  });
});
