import * as assert from 'node:assert/strict';
import type { Agent } from '../../../src/db/repositories/agents';
import { buildAgentRows, promptPreview, PROMPT_PREVIEW_CHARS, type AgentRowOptions } from '../../../src/views/agentsModel';

let nextId = 0;
function agent(name: string, changes: { archivedAt?: number; provider?: string; model?: string; systemPrompt?: string; version?: number; params?: Agent['currentVersion']['params'] } = {}): Agent {
  const id = `A${String(nextId++).padStart(25, '0')}`;
  return {
    id,
    name,
    createdAt: 1,
    updatedAt: 2,
    archivedAt: changes.archivedAt ?? null,
    currentVersion: {
      id: `V${id.slice(1)}`,
      agentId: id,
      version: changes.version ?? 1,
      provider: changes.provider ?? 'openai',
      model: changes.model ?? 'gpt-4.1-mini',
      systemPrompt: changes.systemPrompt ?? '',
      params: changes.params ?? {},
      tools: [],
      createdAt: 2,
    },
  };
}

const labels: Record<string, string> = { openai: 'OpenAI', anthropic: 'Anthropic' };
const options = (showArchived: boolean): AgentRowOptions => ({ showArchived, providerLabel: (id) => labels[id], formatTime: (at) => `t${at}` });

describe('Agents view rows', () => {
  const agents = [
    agent('writer'),
    agent('Zed', { archivedAt: 5 }),
    agent('Agent 10'),
    agent('agent 9'),
    agent('Archived helper', { archivedAt: 6 }),
    agent('Écrivain'),
  ];

  it('hides archived agents and sorts the rest by name, ignoring case and accents, numbers in order', () => {
    assert.deepEqual(
      buildAgentRows(agents, options(false)).map((row) => row.label),
      ['agent 9', 'Agent 10', 'Écrivain', 'writer'],
    );
  });

  it('lists archived agents after the active ones when they are shown, each group by name', () => {
    const rows = buildAgentRows(agents, options(true));
    assert.deepEqual(
      rows.map((row) => [row.label, row.archived]),
      [
        ['agent 9', false],
        ['Agent 10', false],
        ['Écrivain', false],
        ['writer', false],
        ['Archived helper', true],
        ['Zed', true],
      ],
    );
  });

  it('keeps a stable order for agents with the same name', () => {
    const twins = [agent('Twin'), agent('twin')];
    assert.deepEqual(buildAgentRows([...twins].reverse(), options(false)).map((r) => r.id), twins.map((a) => a.id));
  });

  it('uses the database id as the row id, provider and model as the description, and flags for the menus', () => {
    const [active] = buildAgentRows([agent('Writer', { provider: 'anthropic', model: 'claude-sonnet-4-5', version: 3 })], options(false));
    assert.ok(active);
    assert.match(active.id, /^A\d{25}$/);
    assert.equal(active.description, 'Anthropic · claude-sonnet-4-5');
    assert.equal(active.contextValue, 'agent active');
    assert.deepEqual(active.icon, { id: 'hubot' });
    assert.equal(active.accessibilityLabel, 'Writer, Anthropic, model claude-sonnet-4-5, version 3');
    assert.equal(active.version, 3);

    const [archived] = buildAgentRows([agent('Old', { archivedAt: 9 })], options(true));
    assert.equal(archived!.description, 'OpenAI · gpt-4.1-mini · archived');
    assert.equal(archived!.contextValue, 'agent archived');
    assert.equal(archived!.icon.id, 'archive');
  });

  it('shows the provider id when no endpoint has it any more', () => {
    const [row] = buildAgentRows([agent('Lost', { provider: 'openai-compatible:gone' })], options(false));
    assert.equal(row!.description, 'openai-compatible:gone · gpt-4.1-mini');
    assert.match(row!.tooltip, /`openai-compatible:gone` \(no such endpoint in your settings\)/);
  });

  it('puts the version, the update time, the parameters and the prompt in the tooltip', () => {
    const [row] = buildAgentRows(
      [agent('Writer', { version: 4, systemPrompt: 'You are *terse*.\nAnswer in one line.', params: { temperature: 0.2, maxTokens: 300 } })],
      options(false),
    );
    const tooltip = row!.tooltip;
    assert.match(tooltip, /^\*\*Writer\*\*/);
    assert.match(tooltip, /Provider: OpenAI \(`openai`\)/);
    assert.match(tooltip, /Model: `gpt-4\.1-mini`/);
    assert.match(tooltip, /Parameters: temperature 0\.2, max 300 tokens/);
    assert.match(tooltip, /Version 4, updated t2/);
    // Markdown in the prompt stays literal, and each of its lines is kept.
    assert.match(tooltip, /> You are \\\*terse\\\*\. {2}\n> Answer in one line\./);
  });

  it('cuts a long prompt in the preview and says when there is none', () => {
    const long = promptPreview('word '.repeat(200));
    assert.ok(long.endsWith('…'));
    assert.ok(long.length < PROMPT_PREVIEW_CHARS + 40);
    assert.equal(promptPreview('  \n '), '_No system prompt._');
  });

  it('escapes names so a tooltip cannot be turned into a link or markup', () => {
    const [row] = buildAgentRows([agent('[click](command:evil) <b>')], options(false));
    assert.ok(row!.tooltip.startsWith('**\\[click\\]\\(command:evil\\) \\<b\\>**'));
  });
});
