import * as assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { batchResultsTable } from '../../../../src/core/batch/batchResults';
import { readBatchSpec } from '../../../../src/core/batch/batchPlan';
import { parseDataset, type Dataset } from '../../../../src/core/batch/dataset';
import { systemClock } from '../../../../src/core/ports';
import type { Agent } from '../../../../src/db/repositories/agents';
import type { Store } from '../../../../src/db/store';
import { FakeProviderServer } from '../../../fakes/providers/fakeServer';
import { modelForScript, type ScriptStep } from '../../../fakes/providers/fakeScripts';
import { openAiProtocol } from '../../../fakes/providers/openaiProtocol';
import { defaultTools, openAgentWorkspace, type AgentWorkspace } from '../agent/agentSupport';
import { openMemoryStore, type MemoryStore } from '../../db/support/memoryStore';
import { openDurableStore, openWindow, until, untilStatus, type RunWindow } from './runSupport';

/**
 * Batch runs end to end in plain Node: the real run service and chat loop on a real store, the real OpenAI SDK
 * against the scripted loopback fake (which can rate limit like a provider's per-key limit), real grading.
 */

function dataset(text: string, name = 'set.yaml'): Dataset {
  const parsed = parseDataset(name, text);
  if (!parsed.ok) {
    assert.fail(`dataset refused: ${JSON.stringify(parsed.errors)}`);
  }
  return parsed.dataset;
}

const CAPITALS = [
  'prompts: "Capital question: {{question}}"',
  'tests:',
  '  - id: fr',
  '    vars: { question: "Capital of France?" }',
  '    assert:',
  '      - type: icontains',
  '        value: paris',
  '  - id: tools',
  '    vars: { question: "Read calc.js first" }',
  '    assert:',
  '      - type: trajectory:tool-used',
  '        value: read_file',
  '',
].join('\n');

describe('batch runs: a dataset under several agents', function () {
  this.timeout(120_000);
  let server: FakeProviderServer;
  let ws: AgentWorkspace;
  let win: RunWindow;
  let store: MemoryStore | Store;
  let dir: string | undefined;

  before(async () => {
    server = await FakeProviderServer.start(openAiProtocol);
  });
  after(() => server.close());
  afterEach(async () => {
    server.rateLimit = undefined;
    await win.runs.shutdown();
    await win.chat.shutdown();
    await store.close();
    ws.cleanup();
    if (dir) {
      rmSync(dir, { recursive: true, force: true });
      dir = undefined;
    }
  });

  async function open(durable = false): Promise<void> {
    ws = openAgentWorkspace();
    if (durable) {
      dir = mkdtempSync(path.join(os.tmpdir(), 'aistudio-batch-'));
      store = await openDurableStore(dir);
    } else {
      store = await openMemoryStore();
    }
    win = openWindow(server, store, { windowId: 'window-1', clock: systemClock, tools: ws.runtime });
  }

  async function agentWith(name: string, script: ScriptStep[]): Promise<Agent> {
    const scriptName = `batch${Math.random().toString(36).slice(2)}`;
    server.scripts.set(scriptName, script);
    return win.repos.agents.create({ name, provider: 'fake-openai', model: modelForScript(scriptName), tools: defaultTools() });
  }

  /** The user messages of each item's session: one each, or an item ran twice. */
  function tasksSent(runId: string): string[][] {
    return win.runs.items(runId).map((item) =>
      item.sessionId === null ? [] : win.repos.messages.listBySession(item.sessionId).filter((m) => m.role === 'user').flatMap((m) => m.content.flatMap((part) => (part.type === 'text' ? [part.text] : []))),
    );
  }

  it('runs every item under every column, grades each, and builds the results table from the store', async () => {
    await open();
    const reader = await agentWith('Reader', [{ toolCalls: [{ name: 'read_file', arguments: { path: 'calc.js' } }] }, { text: 'Paris, and calc.js has {{lastToolResult}}' }]);
    const guesser = await agentWith('Guesser', [{ text: 'I would say Lyon.' }]);
    const run = await win.runs.startBatch({ source: 'capitals.yaml', dataset: dataset(CAPITALS), columns: [{ agentId: reader.id }, { agentId: guesser.id, model: guesser.currentVersion.model }], concurrency: 2 });
    assert.equal(run.kind, 'batch');
    assert.equal(run.status, 'queued');
    assert.equal(run.task, 'capitals.yaml: 2 items × 2 columns');

    const done = await untilStatus(win, run.id, 'completed');
    assert.deepEqual(done.batch?.counts, { completed: 4 });
    assert.equal(done.steps, 2 + 1 + 2 + 1, 'every model call of every item counts');
    assert.deepEqual(done.run.result, { rateLimited: 0, waitedMs: 0 });
    assert.deepEqual(tasksSent(run.id), [['Capital question: Capital of France?'], ['Capital question: Capital of France?'], ['Capital question: Read calc.js first'], ['Capital question: Read calc.js first']]);

    const spec = readBatchSpec(done.run.spec);
    assert.ok(spec);
    assert.deepEqual(spec.columns.map((column) => [column.label, column.versionId]), [
      ['Reader', reader.currentVersion.id],
      [`Guesser · ${guesser.currentVersion.model}`, guesser.currentVersion.id],
    ]);
    const table = batchResultsTable(spec, win.runs.items(run.id));
    assert.equal(table.unreadable, 0);
    assert.deepEqual(table.rows.map((row) => [row.datasetItemId, ...row.cells.map((cell) => cell.status)]), [
      ['fr', 'pass', 'fail'],
      ['tools', 'pass', 'fail'],
    ]);
    assert.match(table.rows[1]?.cells[1]?.reason ?? '', /trajectory:tool-used/);
    assert.deepEqual(table.summaries.map((summary) => [summary.passed, summary.failed, summary.pending]), [[2, 0, 0], [0, 2, 0]]);
    assert.ok(table.rows[0]?.cells.every((cell) => cell.latencyMs !== null && cell.latencyMs >= 0));

    assert.deepEqual(win.repos.sessions.list({ excludeRunSessions: true }), [], "items' sessions stay out of the Sessions view");

    const failed = table.rows.flatMap((row) => row.cells.filter((cell) => cell.status === 'fail').map((cell) => cell.runItemId ?? ''));
    const again = await win.runs.rerunItems(run.id, [...failed, 'not-an-item']);
    assert.equal(again.task, 'capitals.yaml: 2 items again');
    const redone = await untilStatus(win, again.id, 'completed');
    const second = batchResultsTable(readBatchSpec(redone.run.spec)!, win.runs.items(again.id));
    assert.deepEqual(second.rows.map((row) => [row.datasetItemId, ...row.cells.map((cell) => cell.status)]), [
      ['fr', 'fail'],
      ['tools', 'fail'],
    ], 'only the failed cells ran again, under their column');
    assert.deepEqual(second.columns.map((column) => column.id), ['c2']);
    assert.equal(batchResultsTable(spec, win.runs.items(run.id)).rows[0]?.cells[1]?.status, 'fail', 'the first batch is left as it was');
    await assert.rejects(win.runs.rerunItems(run.id, ['not-an-item']), /None of those items is in this batch/);

    await win.runs.delete(again.id);
    await win.runs.delete(run.id);
    assert.equal(win.repos.sessions.list().length, 0, 'deleting the batch deletes its sessions');
  });

  it('200 items while the provider answers 429 to one call in five: every item completes once, and the batch reports the wait', async () => {
    await open();
    const agent = await agentWith('Fast', [{ text: 'Done.' }]);
    const lines = Array.from({ length: 200 }, (_, i) => JSON.stringify({ id: `q${i}`, query: `Question ${i}`, __expected: 'contains:Done' }));
    const items = dataset(lines.join('\n'), 'set.jsonl');
    server.rateLimit = { every: 5, retryAfterMs: 20, limited: 0 };
    const run = await win.runs.startBatch({ source: 'set.jsonl', dataset: items, columns: [{ agentId: agent.id }], concurrency: 8 });
    const done = await untilStatus(win, run.id, 'completed', 90_000);

    assert.deepEqual(done.batch?.counts, { completed: 200 }, 'no item failed on a rate limit');
    const sent = tasksSent(run.id);
    assert.deepEqual(sent, lines.map((_, i) => [`Question ${i}`]), 'each item sent its task once, none lost or doubled');
    const table = batchResultsTable(readBatchSpec(done.run.spec)!, win.runs.items(run.id));
    assert.equal(table.summaries[0]?.passed, 200);
    assert.ok(server.rateLimit.limited >= 40, `the fake rate limited ${server.rateLimit.limited} calls`);
    const result = done.run.result as { rateLimited: number; waitedMs: number };
    assert.ok(result.rateLimited >= server.rateLimit.limited, `the batch saw ${result.rateLimited} of ${server.rateLimit.limited} rate limits`);
    assert.ok(result.waitedMs >= 20, `it reports the wait (${result.waitedMs} ms)`);
    const limitedItems = win.runs.items(run.id).filter((item) => ((item.output as { rateLimited?: number }).rateLimited ?? 0) > 0);
    assert.ok(limitedItems.length > 0, 'the items that were held up say so');
  });

  it('cancel stops the items under way and skips the rest; the batch ends cancelled', async () => {
    await open();
    const agent = await agentWith('Slow', [{ text: 'Eventually.', delayMs: 5_000 }]);
    const lines = Array.from({ length: 6 }, (_, i) => JSON.stringify({ query: `Slow ${i}` }));
    const run = await win.runs.startBatch({ source: 'slow.jsonl', dataset: dataset(lines.join('\n'), 'slow.jsonl'), columns: [{ agentId: agent.id }], concurrency: 2 });
    await until(() => (win.runs.get(run.id)?.batch?.counts.running ?? 0) === 2, 'two items running');
    await win.runs.cancel(run.id);
    const done = win.runs.get(run.id);
    assert.equal(done?.run.status, 'cancelled');
    assert.deepEqual(done?.batch?.counts, { cancelled: 2, skipped: 4 });
    const table = batchResultsTable(readBatchSpec(done.run.spec)!, win.runs.items(run.id));
    assert.deepEqual(table.rows.map((row) => row.cells[0]?.status), ['cancelled', 'cancelled', 'cancelled', 'cancelled', 'cancelled', 'cancelled']);
    assert.deepEqual(win.repos.settings.keys('runs.'), [], 'no lease is left behind');
  });

  it('a window closing mid-batch leaves it interrupted; Resume in another window finishes it without sending any task twice', async () => {
    await open(true);
    const agent = await agentWith('Steady', [{ text: 'Steady answer.', delayMs: 300 }]);
    const lines = Array.from({ length: 8 }, (_, i) => JSON.stringify({ query: `Steady ${i}`, __expected: 'contains:Steady' }));
    const run = await win.runs.startBatch({ source: 'steady.jsonl', dataset: dataset(lines.join('\n'), 'steady.jsonl'), columns: [{ agentId: agent.id }], concurrency: 2 });
    await until(() => (win.runs.get(run.id)?.batch?.counts.completed ?? 0) >= 2, 'two items done');
    await win.chat.shutdown();
    await win.runs.whenDone(run.id);
    await win.runs.shutdown();
    const left = win.runs.get(run.id);
    assert.equal(left?.state, 'interrupted');
    assert.ok((left?.batch?.counts.queued ?? 0) > 0, 'some items had not started');

    const next = openWindow(server, store, { windowId: 'window-2', clock: systemClock, tools: ws.runtime });
    try {
      await next.runs.resume(run.id);
      const done = await untilStatus(next, run.id, 'completed', 30_000);
      assert.deepEqual(done.batch?.counts, { completed: 8 });
      assert.deepEqual(tasksSent(run.id), lines.map((_, i) => [`Steady ${i}`]));
      const table = batchResultsTable(readBatchSpec(done.run.spec)!, next.runs.items(run.id));
      assert.equal(table.summaries[0]?.passed, 8);
    } finally {
      await next.runs.shutdown();
      await next.chat.shutdown();
    }
  });

  it('an item that reaches its budget stops there and fails with it, instead of waiting for someone to answer', async () => {
    await open();
    const agent = await agentWith('Long', [{ toolCalls: [{ name: 'read_file', arguments: { path: 'calc.js' } }] }, { text: 'Finally.' }]);
    const run = await win.runs.startBatch({ source: 'one.jsonl', dataset: dataset('{"query":"Go"}', 'one.jsonl'), columns: [{ agentId: agent.id }], budget: { steps: 1 } });
    const done = await untilStatus(win, run.id, 'completed');
    assert.deepEqual(done.batch?.counts, { failed: 1 });
    const [item] = win.runs.items(run.id);
    assert.match((item?.error as { message?: string }).message ?? '', /reached its limit of 1 step/);
    assert.equal(batchResultsTable(readBatchSpec(done.run.spec)!, win.runs.items(run.id)).rows[0]?.cells[0]?.status, 'error');
  });

  it('refuses a batch that cannot run whole, saying which item and why, and writes nothing', async () => {
    await open();
    const agent = await agentWith('Any', [{ text: 'x' }]);
    const missingVar = dataset('prompts: "Q: {{question}}"\ntests:\n  - id: ok\n    vars: { question: a }\n  - id: bad\n    vars: { other: b }\n');
    await assert.rejects(
      win.runs.startBatch({ source: 'set.yaml', dataset: missingVar, columns: [{ agentId: agent.id }] }),
      /Item bad: the template needs var question, which this item does not have/,
    );
    await assert.rejects(win.runs.startBatch({ source: 'set.yaml', dataset: dataset(CAPITALS), columns: [] }), /No agents to run/);
    await assert.rejects(win.runs.startBatch({ source: 'set.yaml', dataset: dataset(CAPITALS), columns: [{ agentId: 'A-gone' }] }), /There is no agent A-gone/);
    await assert.rejects(win.runs.startBatch({ source: 'set.yaml', dataset: dataset(CAPITALS), columns: [{ agentId: agent.id }], concurrency: 99 }), /concurrency must be a whole number from 1 to 32/);
    assert.deepEqual(win.runs.list(), []);
    assert.deepEqual(win.repos.sessions.list(), []);
  });
});
