import * as assert from 'node:assert/strict';
import { AgentsRepository, type Agent } from '../../../../src/db/repositories/agents';
import { NotFoundError } from '../../../../src/db/repositories/rows';
import { RunsRepository } from '../../../../src/db/repositories/runs';
import { ManualClock, openMemoryStore, type MemoryStore } from '../support/memoryStore';

describe('runs repository', () => {
  let store: MemoryStore;
  let clock: ManualClock;
  let runs: RunsRepository;
  let agents: AgentsRepository;
  let agent: Agent;
  beforeEach(async () => {
    store = await openMemoryStore();
    clock = new ManualClock();
    runs = new RunsRepository(store, clock);
    agents = new AgentsRepository(store, clock);
    agent = await agents.create({ name: 'Batcher', provider: 'openai', model: 'gpt-5-mini' });
  });
  afterEach(() => store.close());

  it('creates a queued run of the current version, with its batch items in order', async () => {
    const run = await runs.create({
      agentId: agent.id,
      task: 'Classify',
      budget: { maxCostMicroUsd: 5_000_000 },
      items: [{ text: 'a' }, { text: 'b' }],
    });
    assert.equal(run.status, 'queued');
    assert.equal(run.agentVersionId, agent.currentVersion.id);
    assert.deepEqual(run.budget, { maxCostMicroUsd: 5_000_000 });
    assert.deepEqual(
      runs.listItems(run.id).map((item) => [item.position, item.input, item.status]),
      [
        [0, { text: 'a' }, 'queued'],
        [1, { text: 'b' }, 'queued'],
      ],
    );
    const added = await runs.addItems(run.id, ['c']);
    assert.deepEqual(
      added.map((item) => item.position),
      [2],
    );
  });

  it('runs an older version when asked, but only one of the same agent', async () => {
    const v1 = agent.currentVersion.id;
    await agents.update(agent.id, { model: 'gpt-5' });
    assert.equal((await runs.create({ agentId: agent.id, agentVersionId: v1, task: 't' })).agentVersionId, v1);
    const other = await agents.create({ name: 'Other', provider: 'openai', model: 'gpt-5' });
    await assert.rejects(
      runs.create({ agentId: agent.id, agentVersionId: other.currentVersion.id, task: 't' }),
      /belongs to agent/,
    );
    await assert.rejects(runs.create({ agentId: 'missing', task: 't' }), NotFoundError);
  });

  it('stamps start and end times as the status moves, and refuses to reopen an ended run', async () => {
    const run = await runs.create({ agentId: agent.id, task: 't' });
    clock.advance(100);
    const running = await runs.setStatus(run.id, 'running');
    assert.equal(running.startedAt, clock.time);
    clock.advance(100);
    assert.equal((await runs.setStatus(run.id, 'waiting')).startedAt, running.startedAt);
    assert.equal((await runs.setStatus(run.id, 'running')).startedAt, running.startedAt, 'started once');
    clock.advance(100);
    const failed = await runs.setStatus(run.id, 'failed', { kind: 'budget', message: 'over budget' });
    assert.deepEqual([failed.endedAt, failed.error], [clock.time, { kind: 'budget', message: 'over budget' }]);
    await assert.rejects(runs.setStatus(run.id, 'running'), /has already ended \(failed\)/);
    await assert.rejects(runs.setStatus(run.id, 'paused' as 'running'), /Unknown run status "paused"/);
    await assert.rejects(runs.setStatus('missing', 'running'), NotFoundError);
  });

  it('tracks batch items and counts them by status', async () => {
    const run = await runs.create({ agentId: agent.id, task: 't', items: [1, 2, 3] });
    const [first, second] = runs.listItems(run.id);
    await runs.updateItem(first!.id, { status: 'running' });
    const done = await runs.updateItem(first!.id, { status: 'completed', output: { label: 'spam' } });
    assert.deepEqual(
      [done.status, done.output, done.endedAt !== null, done.startedAt !== null],
      ['completed', { label: 'spam' }, true, true],
    );
    await runs.updateItem(second!.id, { status: 'skipped' });
    assert.deepEqual(runs.itemCounts(run.id), { completed: 1, skipped: 1, queued: 1 });
    await assert.rejects(runs.updateItem(first!.id, { status: 'running' }), /already ended/);
    await assert.rejects(runs.updateItem(second!.id, { sessionId: 'missing' }), NotFoundError);
  });

  it('lists newest first, by status or agent; deleting a run deletes its items', async () => {
    const a = await runs.create({ agentId: agent.id, task: 'a', items: ['x'] });
    clock.advance();
    const b = await runs.create({ agentId: agent.id, task: 'b' });
    await runs.setStatus(b.id, 'running');
    assert.deepEqual(
      runs.list().map((run) => run.task),
      ['b', 'a'],
    );
    assert.deepEqual(
      runs.list({ status: 'running' }).map((run) => run.id),
      [b.id],
    );
    assert.deepEqual(
      runs.list({ agentId: agent.id, limit: 1 }).map((run) => run.id),
      [b.id],
    );
    await runs.delete(a.id);
    assert.equal(runs.get(a.id), undefined);
    assert.deepEqual(runs.listItems(a.id), []);
    await assert.rejects(runs.delete(a.id), NotFoundError);
  });

  it('keeps a batch apart from tasks: its kind and spec are stored, lists filter by kind, and a bad spec is refused', async () => {
    const task = await runs.create({ agentId: agent.id, task: 'fix the bug' });
    const batch = await runs.create({ agentId: agent.id, task: 'qa.yaml', kind: 'batch', spec: { source: 'qa.yaml', concurrency: 4 }, items: ['x', 'y'] });
    assert.equal(task.kind, 'task');
    assert.equal(task.spec, null);
    assert.equal(batch.kind, 'batch');
    assert.deepEqual(runs.get(batch.id)?.spec, { source: 'qa.yaml', concurrency: 4 });
    assert.deepEqual(runs.list({ kind: 'batch' }).map((run) => run.id), [batch.id]);
    assert.deepEqual(runs.list({ kind: 'task' }).map((run) => run.id), [task.id]);
    await assert.rejects(
      store.write((sql) => sql.run(`UPDATE runs SET kind = 'other' WHERE id = ?`, [task.id])),
      /CHECK constraint failed/,
    );
    await assert.rejects(
      store.write((sql) => sql.run(`UPDATE runs SET spec = '[1]' WHERE id = ?`, [task.id])),
      /CHECK constraint failed/,
    );
  });
});
