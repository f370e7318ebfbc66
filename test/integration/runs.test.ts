import * as assert from 'node:assert/strict';
import { existsSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import * as vscode from 'vscode';
import { CommandIds } from '../../src/commands/ids';
import type { TestApi } from '../../src/composition';
import type { RunService } from '../../src/core/runs/runService';
import type { Agent } from '../../src/db/repositories/agents';
import type { Run } from '../../src/db/repositories/runs';
import type { RunGroup, RunRow } from '../../src/views/runsModel';
import type { ScriptStep } from '../fakes/providers/fakeScripts';
import { FakeProviderServer, SENTINEL_KEY } from '../fakes/providers/fakeServer';
import { openAiProtocol } from '../fakes/providers/openaiProtocol';
import { activateStudio, fakeEndpointWithAgent, removeFakeEndpoint, scriptedAgent as scriptedAgentOn, uniqueName, waitForEvent, waitUntil } from './support';

/** Polls `check` (every 25 ms, up to 20 s) until it gives a value: for state read through test hooks that fire no event. */
async function waitFor<T>(check: () => T | undefined): Promise<T> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const value = check();
    if (value !== undefined) {
      return value;
    }
    if (Date.now() > deadline) {
      throw new Error('Timed out waiting for a condition');
    }
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/**
 * Runs in a real extension host: Start Run (with its arguments, as automation would) hands a task to an agent
 * on the scripted fake; the run works through the real agent loop and tools in a folder of the open workspace,
 * shows in the Runs view as it goes and when it ends, opens its transcript in a chat panel, and stays out of the
 * Sessions view. A run waiting on an approval is cancelled from its row, and the command it asked for never runs.
 */

const unique = uniqueName;

describe('runs in a real extension host', function () {
  this.timeout(120_000);
  let api: TestApi;
  let runs: RunService;
  let fake: FakeProviderServer;
  let endpointId: string;
  let dir: string;
  let rel: string;

  const onRuns: vscode.Event<unknown> = (listener) => runs.onDidChange(listener);

  const scriptedAgent = (name: string, steps: ScriptStep[]): Promise<Agent> => scriptedAgentOn(fake, endpointId, name, steps);

  /** The Runs view's row of `runId` once `matches` holds for it, re-read on every refresh of the view. */
  async function rowWhen(runId: string, matches: (row: RunRow, group: RunGroup) => boolean, what: string): Promise<RunRow> {
    const find = async () => {
      for (const group of await api.sessions.runs.rows()) {
        const row = group.runs.find((candidate) => candidate.id === runId);
        if (row && matches(row, group)) {
          return row;
        }
      }
      return undefined;
    };
    for (;;) {
      const refreshed = waitForEvent(api.sessions.runs.onDidChange, () => true, what);
      refreshed.catch(() => undefined);
      const row = await find();
      if (row) {
        return row;
      }
      await refreshed;
    }
  }

  before(async () => {
    api = await activateStudio();
    runs = await api.sessions.runs.runs;
    fake = await FakeProviderServer.start(openAiProtocol);
    ({ endpointId } = await fakeEndpointWithAgent(api, { name: 'fakeruns', origin: fake.origin, key: SENTINEL_KEY, agentName: unique('Runs base') }));
    const folder = vscode.workspace.workspaceFolders?.[0];
    assert.ok(folder, 'the test host opens a workspace folder');
    dir = mkdtempSync(path.join(realpathSync(folder.uri.fsPath), 'runs-'));
    rel = path.basename(dir);
    writeFileSync(path.join(dir, 'notes.txt'), 'The release is on Friday.\n');
  });

  after(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await removeFakeEndpoint(endpointId);
    await fake?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('Start Run: the agent reads a file and answers on its own; the run ends completed in the Runs view, its transcript opens, and it is not a chat session', async () => {
    const reader = await scriptedAgent('run-reader', [
      { toolCalls: [{ name: 'read_file', arguments: { path: `${rel}/notes.txt` } }] },
      { text: 'The notes say: {{lastToolResult}}' },
    ]);
    const run = await vscode.commands.executeCommand<Run | undefined>(CommandIds.startRun, { agentId: reader.id, task: 'What do the notes say?' });
    assert.ok(run, 'Start Run returns the run');
    await waitUntil(() => runs.get(run.id)?.run.status === 'completed', onRuns, 'the run to complete');

    const details = runs.get(run.id)!;
    assert.equal(details.steps, 2);
    assert.match(JSON.stringify(details.item?.output), /release is on Friday/);
    const row = await rowWhen(run.id, (candidate, group) => group.id === 'finished' && candidate.state === 'completed', 'the row under Finished');
    assert.match(row.label, /What do the notes say\?/);
    assert.match(row.description, /2 steps/);
    assert.ok(details.sessionId, 'the run has a transcript');
    assert.ok(api.sessions.openPanels().includes(details.sessionId), 'the transcript opened in a chat panel');
    const sessions = (await api.sessions.rows()).flatMap((group) => group.sessions.map((session) => session.id));
    assert.ok(!sessions.includes(details.sessionId), 'the Sessions view leaves the run out');
  });

  it('a run waiting on an approval shows as waiting, and Cancel on its row ends it before the command runs', async () => {
    const marker = path.join(dir, 'ran.txt');
    const runner = await scriptedAgent('run-asker', [
      { toolCalls: [{ name: 'run_command', arguments: { command: 'node -e "require(\'fs\').writeFileSync(\'ran.txt\', \'x\')"', cwd: rel } }] },
      { text: 'Done.' },
    ]);
    const run = await vscode.commands.executeCommand<Run | undefined>(CommandIds.startRun, { agentId: runner.id, task: 'Write the marker.' });
    assert.ok(run);
    await waitUntil(() => runs.get(run.id)?.run.status === 'waiting', onRuns, 'the run to wait for the approval');
    const waiting = await rowWhen(run.id, (candidate, group) => group.id === 'waiting' && candidate.state === 'waiting', 'the row under Waiting for you');
    assert.equal(waiting.contextValue, 'aiStudio.run.waiting');

    await vscode.commands.executeCommand(CommandIds.cancelRun, { kind: 'run', id: run.id });
    await waitUntil(() => runs.get(run.id)?.run.status === 'cancelled', onRuns, 'the run to end cancelled');
    await rowWhen(run.id, (candidate, group) => group.id === 'finished' && candidate.state === 'cancelled', 'the row under Finished, cancelled');
    assert.equal(existsSync(marker), false, 'the command it asked for never ran');
  });

  it('Start Batch Run: a promptfoo YAML over two agents runs every item, its Results panel opens with the grades, and Re-run of the failures makes a new batch', async () => {
    const right = await scriptedAgent('batch-right', [{ text: 'The answer is Paris.' }]);
    const wrong = await scriptedAgent('batch-wrong', [{ text: 'Lyon, I think.' }]);
    const file = path.join(dir, 'capitals.yaml');
    const tests = Array.from({ length: 5 }, (_, i) => `  - vars: { question: "Capital of France, take ${i + 1}?" }\n    assert:\n      - type: icontains\n        value: paris`).join('\n');
    writeFileSync(file, `prompts: "Answer briefly: {{question}}"\ntests:\n${tests}\n`);
    const run = await vscode.commands.executeCommand<Run | undefined>(CommandIds.startBatchRun, { file, columns: [{ agentId: right.id }, { agentId: wrong.id }] });
    assert.ok(run);
    assert.equal(run.kind, 'batch');
    await waitUntil(() => runs.get(run.id)?.run.status === 'completed', onRuns, 'the batch to complete');
    assert.deepEqual(runs.get(run.id)?.batch?.counts, { completed: 10 });
    assert.ok(api.sessions.runs.results.openPanels().includes(run.id), 'its Results panel opened');
    const snapshot = await waitFor(() => {
      const seen = api.sessions.runs.results.snapshot(run.id);
      return seen.status === 'completed' && seen.summaries.every((summary) => summary.pending === 0) ? seen : undefined;
    });
    assert.deepEqual(snapshot.columns.map((column) => column.label), [right.name, wrong.name]);
    assert.deepEqual(snapshot.summaries.map((summary) => [summary.passed, summary.failed]), [[5, 0], [0, 5]]);
    const row = await rowWhen(run.id, (candidate, group) => group.id === 'finished' && candidate.state === 'completed', 'the batch under Finished');
    assert.equal(row.label, 'Batch: capitals.yaml (5 items × 2 agents)');
    assert.match(row.description, /10\/10 done/);
    const sessions = (await api.sessions.rows()).flatMap((group) => group.sessions.map((session) => session.id));
    assert.ok(runs.items(run.id).every((item) => item.sessionId !== null && !sessions.includes(item.sessionId)), "items' sessions stay out of the Sessions view");

    const failed = runs.items(run.id).filter((item) => (item.input as { column?: { agentId?: string } }).column?.agentId === wrong.id).map((item) => item.id);
    const before = runs.list().length;
    await api.sessions.runs.results.request(run.id, 'results/rerun', { runItemIds: failed });
    const again = await waitFor(() => runs.list().find((details) => details.run.id !== run.id && details.run.kind === 'batch' && details.run.task.endsWith('5 items again')));
    assert.equal(runs.list().length, before + 1);
    await waitUntil(() => runs.get(again.run.id)?.run.status === 'completed', onRuns, 'the re-run to complete');
    assert.ok(api.sessions.runs.results.openPanels().includes(again.run.id), 'the re-run opened its own Results panel');
    assert.deepEqual(runs.get(run.id)?.batch?.counts, { completed: 10 }, 'the first batch is left as it was');
  });

  it('Start Batch Run refuses a malformed dataset with the line at fault, and starts nothing', async () => {
    const file = path.join(dir, 'broken.jsonl');
    writeFileSync(file, '{"query": "fine"}\n{"query": oops}\n');
    const before = runs.list().length;
    const run = await vscode.commands.executeCommand<Run | undefined>(CommandIds.startBatchRun, { file, columns: [{ agentId: 'unused' }] });
    assert.equal(run, undefined);
    assert.equal(runs.list().length, before, 'nothing was started');
  });
});
