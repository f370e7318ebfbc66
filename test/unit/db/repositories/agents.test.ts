import * as assert from 'node:assert/strict';
import { AgentsRepository } from '../../../../src/db/repositories/agents';
import { MessagesRepository } from '../../../../src/db/repositories/messages';
import { NotFoundError, type JsonObject } from '../../../../src/db/repositories/rows';
import { RunsRepository } from '../../../../src/db/repositories/runs';
import { SessionsRepository } from '../../../../src/db/repositories/sessions';
import { ManualClock, openMemoryStore, type MemoryStore } from '../support/memoryStore';

const config = {
  provider: 'anthropic',
  model: 'claude-sonnet-4-5',
  systemPrompt: 'Be brief.',
  params: { temperature: 0.2 },
  tools: [],
};

describe('agents repository', () => {
  let store: MemoryStore;
  let clock: ManualClock;
  let agents: AgentsRepository;
  beforeEach(async () => {
    store = await openMemoryStore();
    clock = new ManualClock();
    agents = new AgentsRepository(store, clock);
  });
  afterEach(() => store.close());

  it('creates an agent with its version 1', async () => {
    const agent = await agents.create({ name: '  Reviewer ', ...config });
    assert.equal(agent.name, 'Reviewer');
    assert.equal(agent.createdAt, clock.time);
    assert.equal(agent.archivedAt, null);
    assert.equal(agent.currentVersion.version, 1);
    assert.deepEqual(agent.currentVersion.params, { temperature: 0.2 });
    assert.equal(agent.currentVersion.agentId, agent.id);
    assert.deepEqual(agents.get(agent.id), agent);
    assert.equal(agents.get('nope'), undefined);
  });

  it('defaults the prompt, params and tools', async () => {
    const agent = await agents.create({ name: 'Bare', provider: 'ollama', model: 'llama3' });
    assert.deepEqual(
      {
        systemPrompt: agent.currentVersion.systemPrompt,
        params: agent.currentVersion.params,
        tools: agent.currentVersion.tools,
      },
      { systemPrompt: '', params: {}, tools: [] },
    );
  });

  it('makes every configuration edit a new version and keeps the old ones', async () => {
    const agent = await agents.create({ name: 'Writer', ...config });
    clock.advance(1000);
    const edited = await agents.update(agent.id, { systemPrompt: 'Be thorough.', tools: [{ name: 'search' }] });
    assert.equal(edited.currentVersion.version, 2);
    assert.equal(edited.currentVersion.systemPrompt, 'Be thorough.');
    assert.equal(edited.currentVersion.model, config.model, 'unchanged fields carry over');
    assert.equal(edited.updatedAt, clock.time);
    assert.deepEqual(
      agents.listVersions(agent.id).map((version) => [version.version, version.systemPrompt]),
      [
        [2, 'Be thorough.'],
        [1, 'Be brief.'],
      ],
    );
    assert.deepEqual(agents.getVersion(agent.currentVersion.id), agent.currentVersion);
  });

  it('renames without a new version, and ignores an edit that changes nothing', async () => {
    const agent = await agents.create({ name: 'Writer', ...config });
    const renamed = await agents.update(agent.id, { name: 'Editor' });
    assert.equal(renamed.name, 'Editor');
    assert.equal(renamed.currentVersion.id, agent.currentVersion.id);
    const same = await agents.update(agent.id, { ...config });
    assert.equal(same.currentVersion.version, 1);
    assert.equal(agents.listVersions(agent.id).length, 1);
  });

  it('makes a change of tools, their rules or the limits a new version, and a repeat of the same ones none', async () => {
    const tools: JsonObject[] = [
      { name: 'read_file', mode: 'auto' },
      { name: 'run_command', mode: 'ask', allow: ['git status'] },
    ];
    const agent = await agents.create({ name: 'Builder', ...config, tools });
    const steps = async (changes: Parameters<AgentsRepository['update']>[1]) => (await agents.update(agent.id, changes)).currentVersion.version;
    assert.equal(await steps({ tools: tools.map((t) => ({ ...t })) }), 1, 'the same tools again');
    assert.equal(await steps({ tools: [tools[0]!, { ...tools[1]!, mode: 'auto' }] }), 2, 'a mode');
    assert.equal(await steps({ tools: [tools[0]!, { ...tools[1]!, mode: 'auto', deny: ['rm'] }] }), 3, 'a deny rule');
    assert.equal(await steps({ tools: [tools[0]!] }), 4, 'a tool turned off');
    assert.equal(await steps({ params: { ...config.params, limits: { steps: 5 } } }), 5, 'a limit');
    assert.equal(await steps({ params: { ...config.params, limits: { steps: 5 } } }), 5, 'the same limit again');
    assert.equal(await steps({ params: { ...config.params, limits: { steps: 6 } } }), 6, 'another limit');
    const versions = agents.listVersions(agent.id);
    assert.deepEqual(versions.find((v) => v.version === 3)?.tools, [tools[0], { name: 'run_command', mode: 'auto', allow: ['git status'], deny: ['rm'] }]);
    assert.deepEqual(versions.find((v) => v.version === 1)?.tools, tools, 'old versions keep the tools they ran with');
    assert.deepEqual(versions[0]!.params, { temperature: 0.2, limits: { steps: 6 } });
    assert.deepEqual((await agents.duplicate(agent.id)).currentVersion.tools, [tools[0]], 'a copy has the same tools');
  });

  it('duplicates the current configuration into a new agent', async () => {
    const agent = await agents.create({ name: 'Writer', ...config });
    await agents.update(agent.id, { model: 'claude-opus-4-1' });
    const copy = await agents.duplicate(agent.id);
    assert.notEqual(copy.id, agent.id);
    assert.equal(copy.name, 'Writer (copy)');
    assert.equal(copy.currentVersion.version, 1);
    assert.equal(copy.currentVersion.model, 'claude-opus-4-1');
    assert.equal((await agents.duplicate(agent.id, 'Second')).name, 'Second');
  });

  it('archives and unarchives; lists by name, archived only on request', async () => {
    const b = await agents.create({ name: 'beta', ...config });
    await agents.create({ name: 'Alpha', ...config });
    await agents.archive(b.id);
    assert.deepEqual(
      agents.list().map((agent) => agent.name),
      ['Alpha'],
    );
    assert.deepEqual(
      agents.list({ includeArchived: true }).map((agent) => agent.name),
      ['Alpha', 'beta'],
    );
    assert.equal(agents.get(b.id)?.archivedAt, clock.time);
    await agents.unarchive(b.id);
    assert.equal(agents.list().length, 2);
  });

  it('deletes an agent and its versions, but keeps its sessions, messages and runs', async () => {
    const agent = await agents.create({ name: 'Gone', ...config });
    const sessions = new SessionsRepository(store, clock);
    const messages = new MessagesRepository(store, clock);
    const runs = new RunsRepository(store, clock);
    const session = await sessions.create({ agentId: agent.id, title: 'kept' });
    const reply = await messages.append(session.id, null, {
      role: 'assistant',
      content: [{ type: 'text', text: 'hello' }],
      agentVersionId: agent.currentVersion.id,
      model: config.model,
    });
    const run = await runs.create({ agentId: agent.id, task: 'tidy up' });

    await agents.delete(agent.id);
    assert.equal(agents.get(agent.id), undefined);
    assert.equal(agents.getVersion(agent.currentVersion.id), undefined);
    assert.equal(sessions.get(session.id)?.agentId, null);
    assert.deepEqual(
      [messages.get(reply.id)?.agentVersionId, messages.get(reply.id)?.model],
      [null, config.model],
      'the message keeps the model that answered',
    );
    assert.deepEqual([runs.get(run.id)?.agentId, runs.get(run.id)?.agentVersionId], [null, null]);
  });

  it('rejects unknown ids and bad input with clear errors', async () => {
    await assert.rejects(agents.update('missing', { name: 'x' }), NotFoundError);
    await assert.rejects(agents.delete('missing'), /No agent with id "missing"/);
    await assert.rejects(agents.archive('missing'), NotFoundError);
    await assert.rejects(agents.duplicate('missing'), NotFoundError);
    assert.throws(() => agents.listVersions('missing'), NotFoundError);
    await assert.rejects(agents.create({ name: ' ', ...config }), /needs a name/);
    await assert.rejects(agents.create({ name: 'x', ...config, model: '' }), /needs a model/);
    await assert.rejects(
      agents.create({ name: 'x', ...config, params: { temperature: Number.NaN } }),
      /params.temperature is not JSON-safe/,
    );
    assert.equal(agents.list().length, 0, 'nothing half-written');
  });
});
