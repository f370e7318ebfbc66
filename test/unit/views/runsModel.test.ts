import * as assert from 'node:assert/strict';
import type { Run, RunStatus } from '../../../src/db/repositories/runs';
import { ageText, buildRunGroups, costLabel, runLabel, type RunRowInput, type RunRowOptions } from '../../../src/views/runsModel';

const NOW = Date.UTC(2025, 5, 15, 12);
const MIN = 60_000;

let nextId = 0;
function run(status: RunStatus, task: string, times: Partial<Pick<Run, 'createdAt' | 'startedAt' | 'endedAt' | 'error'>> = {}): Run {
  const id = `R${String(nextId++).padStart(25, '0')}`;
  const createdAt = times.createdAt ?? NOW - 10 * MIN;
  return {
    id,
    agentId: 'A1',
    agentVersionId: 'V1',
    status,
    kind: 'task',
    task,
    budget: null,
    spec: null,
    result: null,
    error: times.error ?? null,
    createdAt,
    updatedAt: createdAt,
    startedAt: times.startedAt ?? (status === 'queued' ? null : createdAt),
    endedAt: times.endedAt ?? null,
  };
}

const input = (r: Run, changes: Partial<RunRowInput> = {}): RunRowInput => ({ run: r, live: true, steps: 3, costUsd: 0.0123, agentName: 'Helper', ...changes });
const options = (changes: Partial<RunRowOptions> = {}): RunRowOptions => ({ now: NOW, formatTime: (at) => `t${at}`, ...changes });
const only = (r: RunRowInput) => buildRunGroups([r], options())[0]!.runs[0]!;

describe('Runs view model', () => {
  it('groups runs into Running, Waiting for you and Finished, and leaves out empty groups', () => {
    const groups = buildRunGroups(
      [
        input(run('completed', 'done', { endedAt: NOW - MIN })),
        input(run('running', 'live one')),
        input(run('running', 'orphaned'), { live: false }),
        input(run('waiting', 'needs approval')),
        input(run('queued', 'next up')),
        input(run('queued', 'left behind'), { live: false }),
      ],
      options(),
    );
    assert.deepEqual(
      groups.map((group) => [group.label, group.runs.map((row) => `${row.label}:${row.state}`)]),
      [
        ['Running', ['next up:queued', 'live one:running']],
        ['Waiting for you', ['left behind:interrupted', 'needs approval:waiting', 'orphaned:interrupted']],
        ['Finished', ['done:completed']],
      ],
    );
    assert.deepEqual(buildRunGroups([input(run('failed', 'x', { endedAt: NOW }))], options()).map((g) => g.id), ['finished']);
    assert.deepEqual(buildRunGroups([], options()), []);
  });

  it('lists finished runs by when they ended, newest first, and counts those past the cap', () => {
    const finished = [5, 1, 3, 2, 4].map((minutesAgo) => input(run('completed', `ended ${minutesAgo} min ago`, { createdAt: NOW - 100 * MIN, endedAt: NOW - minutesAgo * MIN })));
    const [group] = buildRunGroups(finished, options({ finishedLimit: 3 }));
    assert.deepEqual(group!.runs.map((row) => row.label), ['ended 1 min ago', 'ended 2 min ago', 'ended 3 min ago']);
    assert.equal(group!.hidden, 2);
    assert.equal(buildRunGroups(finished, options())[0]!.hidden, 0);
  });

  it("labels a run by its task's first line, cut to 60 characters, and a batch by its dataset", () => {
    assert.equal(only(input(run('running', '\n  Fix the flaky test in ci.yml  \nthen open a PR'))).label, 'Fix the flaky test in ci.yml');
    const long = 'Refactor the payment module so that every provider shares one retry policy and one log format';
    const label = runLabel(long);
    assert.equal([...label].length, 60);
    assert.ok(label.endsWith('…') && long.startsWith(label.slice(0, -1)), label);
    assert.equal(runLabel('x'.repeat(60)), 'x'.repeat(60));
    assert.equal(runLabel('   \n '), 'Run without a task');
    const batch = only(input(run('running', 'ignored'), { batch: { datasetName: 'capitals.csv', items: 40, counts: { completed: 10, failed: 2, running: 3, queued: 25 } } }));
    assert.equal(batch.label, 'Batch: capitals.csv (40 items)');
    assert.equal(batch.description, 'Helper · 12/40 done · $0.0123 · 10 min ago');
    assert.ok(batch.tooltip.includes('Items: 10 completed, 2 failed, 3 running, 25 queued'), batch.tooltip);
    assert.ok(!batch.tooltip.includes('Rate limited'), 'no rate limit, no line about it');
    const compared = only(input(run('completed', 'ignored'), { batch: { datasetName: 'qa.yaml', items: 2000, columns: 2, counts: { completed: 2000 }, rateLimited: 41, waitedMs: 14_400 } }));
    assert.equal(compared.label, 'Batch: qa.yaml (1,000 items × 2 agents)');
    assert.ok(compared.tooltip.includes('Rate limited 41 times, waited 14 s (items are asked again, not failed)'), compared.tooltip);
  });

  it('describes a run by agent, steps, cost and age', () => {
    assert.equal(only(input(run('running', 'a'))).description, 'Helper · 3 steps · $0.0123 · 10 min ago');
    assert.equal(only(input(run('running', 'a'), { steps: 1, costUsd: null, agentName: undefined })).description, 'unknown agent · 1 step · cost unknown · 10 min ago');
    assert.deepEqual([costLabel(0.0123), costLabel(0), costLabel(2.5), costLabel(null)], ['$0.0123', '$0.0000', '$2.50', 'cost unknown']);
    assert.deepEqual(
      [ageText(NOW, NOW - 30_000), ageText(NOW, NOW - 2 * MIN), ageText(NOW, NOW - 3 * 60 * MIN), ageText(NOW, NOW - 24 * 60 * MIN), ageText(NOW, NOW - 72 * 60 * MIN), ageText(NOW, NOW + MIN)],
      ['just now', '2 min ago', '3 h ago', '1 day ago', '3 days ago', 'just now'],
    );
  });

  it('gives each state its icon and the menus their context value', () => {
    const rows = [
      input(run('queued', 'q')),
      input(run('running', 'r')),
      input(run('waiting', 'w')),
      input(run('running', 'i'), { live: false }),
      input(run('completed', 'c', { endedAt: NOW })),
      input(run('failed', 'f', { endedAt: NOW })),
      input(run('cancelled', 'x', { endedAt: NOW })),
    ].map(only);
    assert.deepEqual(
      rows.map((row) => [row.label, row.icon.id, row.contextValue]),
      [
        ['q', 'clock', 'aiStudio.run.queued'],
        ['r', 'sync~spin', 'aiStudio.run.running'],
        ['w', 'bell', 'aiStudio.run.waiting'],
        ['i', 'debug-restart', 'aiStudio.run.interrupted'],
        ['c', 'pass', 'aiStudio.run.finished'],
        ['f', 'error', 'aiStudio.run.finished'],
        ['x', 'circle-slash', 'aiStudio.run.finished'],
      ],
    );
  });

  it('says the status in words in the tooltip, with the error of a failed run, escaped', () => {
    const failed = only(input(run('failed', 'Deploy *now*', { endedAt: NOW - MIN, error: { kind: 'budget', message: 'Budget of $0.50 reached' } })));
    assert.match(failed.tooltip, /^\*\*Deploy \\\*now\\\*\*\*/);
    assert.ok(failed.tooltip.includes('Failed: Budget of \\$0.50 reached'), failed.tooltip);
    assert.ok(failed.tooltip.includes(`Ended: t${NOW - MIN}`));
    assert.ok(only(input(run('failed', 'plain', { endedAt: NOW, error: 'provider unreachable' }))).tooltip.includes('Failed: provider unreachable'));
    const interrupted = only(input(run('waiting', 'orphan'), { live: false }));
    assert.ok(interrupted.tooltip.includes('Interrupted: its window closed while it ran. Resume to carry on from the last step.'), interrupted.tooltip);
    assert.ok(!interrupted.tooltip.includes('Ended:'));
    assert.equal(interrupted.accessibilityLabel, 'orphan, interrupted, Helper · 3 steps · $0.0123 · 10 min ago');
    assert.ok(only(input(run('queued', 'q'))).tooltip.includes('Queued: starts when a run slot is free'));
  });
});
