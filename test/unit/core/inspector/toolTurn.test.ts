import * as assert from 'node:assert/strict';
import { MemoryInspectorSource } from '../../../../src/core/inspector/memorySource';
import { StoreInspectorSource } from '../../../../src/core/inspector/storeSource';
import { timelineEnd } from '../../../../src/core/inspector/toolCalls';
import { CostsRepository } from '../../../../src/db/repositories/costs';
import type { StudioEvent } from '../../../../src/db/repositories/events';
import type { InspectorFilter, InspectorRow } from '../../../../src/protocol/inspector';
import { BUGGY_CALC } from '../agent/agentSupport';
import { COMMAND_SECRET, EDIT_WAIT_MS, PRICE, recordToolTurn, RUN_WAIT_MS, type RecordedToolTurn } from './toolTurnRecording';

/**
 * The Inspector over a tool turn the REAL agent loop recorded (real SDK against the scripted fake, real tools on a
 * temporary workspace, the real store): one turn, a row per call with its wait and run, the totals, spending that
 * counts every model call, redacted details, and a row that changes while its call waits for the person.
 */

const ALL: InspectorFilter = { text: '', types: [] };

describe('inspector: a tool turn recorded by the agent loop', function () {
  this.timeout(30_000);
  let turn: RecordedToolTurn;
  let events: StudioEvent[];
  let source: StoreInspectorSource;
  let rows: InspectorRow[];
  /** The edit's row as the Inspector showed it while the person had not answered yet. */
  let waitingRow: InspectorRow | undefined;
  let waitingChange: number | undefined;

  before(async () => {
    let live: StoreInspectorSource | undefined;
    turn = await recordToolTurn({
      whileWaiting: (harness) => {
        live = new StoreInspectorSource({ store: harness.store, scope: { sessionId: harness.session.id }, title: 'Live' });
        waitingRow = live.rows(ALL, 0, live.count(ALL)).find((row) => row.tool?.head === true && row.tool.name === 'replace_in_file');
      },
    });
    const change = live?.check();
    waitingChange = change?.fromIndex(ALL);
    live?.dispose();
    events = turn.events();
    source = new StoreInspectorSource({ store: turn.harness.store, scope: { sessionId: turn.harness.session.id }, title: 'Tool turn', messages: turn.harness.repos.messages });
    rows = source.rows(ALL, 0, source.count(ALL));
  });
  after(async () => {
    source?.dispose();
    await turn?.close();
  });

  const head = (name: string): InspectorRow => rows.find((row) => row.tool?.head === true && row.tool.name === name)!;

  it('is one turn from the question to the final answer, across three tool messages', () => {
    assert.equal(events.filter((event) => event.type === 'llm.request.started').length, 4);
    assert.equal(new Set(events.map((event) => event.messageId)).size, 8, 'user, 4 assistant and 3 tool messages');
    assert.ok(rows.every((row) => row.turn === 1));
    assert.equal(rows.filter((row) => row.turnHead).length, 1);
    const ends = events.map(timelineEnd).filter((end): end is number => end !== null);
    assert.equal(rows[0]!.turnSpanMs, Math.max(...ends) - events[0]!.startedAt);
  });

  it('shows each call as a row with its summary, who approved it, its wait apart from its run, and the exit code', () => {
    const read = head('read_file');
    assert.equal(read.label, 'read_file · Read calc.js');
    assert.deepEqual([read.tool?.state, read.tool?.decidedBy, read.tool?.waitMs], ['completed', 'policy', 0]);
    const edit = head('replace_in_file');
    assert.match(edit.label, /^replace_in_file · Edit calc\.js/);
    assert.equal(edit.tool?.decidedBy, 'person');
    assert.ok(edit.tool.waitMs! >= EDIT_WAIT_MS, `edit waited ${edit.tool?.waitMs} ms`);
    assert.equal(edit.tool?.files, 1);
    const run = head('run_command');
    assert.ok(run.tool!.waitMs! >= RUN_WAIT_MS);
    assert.deepEqual([run.tool?.state, run.tool?.exitCode, run.status], ['completed', 0, 'ok']);
    for (const call of [read, edit, run]) {
      assert.ok(call.durationMs! >= call.tool!.waitMs! + call.tool!.runMs! - 5, `${call.label}: the bar holds the wait and the run`);
      assert.ok(call.turnOffsetMs + call.durationMs! <= call.turnSpanMs, `${call.label} fits its turn`);
    }
    // The steps under the edit: the person's approval (the wait) and the completion (the run).
    const steps = rows.filter((row) => row.tool?.name === 'replace_in_file' && !row.tool.head);
    assert.deepEqual(
      steps.map((row) => row.type),
      ['tool.call.approved', 'tool.call.completed'],
    );
    assert.equal(steps[0]!.durationMs, edit.tool?.waitMs);
  });

  it('showed the edit as awaiting approval while the person had not answered, then said its row changed', () => {
    assert.deepEqual([waitingRow?.tool?.state, waitingRow?.status, waitingRow?.durationMs], ['awaiting_approval', 'running', null]);
    assert.ok(waitingChange !== undefined && waitingChange <= waitingRow!.index, `the list changed from ${waitingChange}, the call's row is ${waitingRow?.index}`);
  });

  it('totals three tool calls, their run time and the approval waits apart from the wall time', () => {
    const totals = source.totals(ALL);
    const waits = [head('replace_in_file'), head('run_command')].reduce((sum, row) => sum + row.tool!.waitMs!, 0);
    const runs = events.filter((event) => event.type === 'tool.call.completed').reduce((sum, event) => sum + event.durationMs!, 0);
    assert.deepEqual([totals.calls, totals.toolCalls, totals.approvalWaitMs, totals.toolMs], [4, 3, waits, runs]);
    assert.ok(totals.wallMs! >= waits + runs, 'wall time holds the waits and the runs');
    assert.deepEqual(new MemoryInspectorSource('Imported', events).totals(ALL), totals);
  });

  it('counts every model call of the turn in spending', () => {
    const costs = new CostsRepository(turn.harness.store);
    const calls = events.filter((event) => event.type === 'llm.response.completed');
    assert.equal(calls.length, 4);
    const cost = calls.reduce((sum, event) => sum + event.costMicroUsd!, 0);
    assert.ok(calls.every((event) => event.costMicroUsd !== null && event.costMicroUsd > 0), `priced at ${JSON.stringify(PRICE)}`);
    const [session] = costs.bySession();
    assert.deepEqual([session?.sessionId, session?.calls, session?.costMicroUsd, session?.unknownCostCalls], [turn.harness.session.id, 4, cost, 0]);
    const [model] = costs.byModel();
    assert.deepEqual([model?.model, model?.calls, model?.costMicroUsd], [turn.model, 4, cost]);
    const [agent] = costs.byAgent();
    assert.deepEqual([agent?.agentId, agent?.calls], [turn.harness.agent.id, 4]);
    assert.equal(costs.spendBetween({ start: 0, end: Date.now() + 60_000 }).calls, 4);
  });

  it('never shows the secret on the command line, in the rows or the details', () => {
    const run = head('run_command');
    assert.deepEqual(rows.filter((row) => JSON.stringify(row).includes(COMMAND_SECRET)), [], 'rows');
    assert.match(run.label, /API_TOKEN=\[redacted\] node test\.js/);
    for (const row of rows) {
      const detail = source.detail(row.id);
      assert.ok(!JSON.stringify(detail).includes(COMMAND_SECRET), `${row.type} detail`);
    }
    const detail = source.detail(run.id)!;
    assert.deepEqual(
      detail.sections.map((section) => section.name),
      ['Tool call', 'Requested', 'Approved', 'Completed', 'Message'],
    );
    // The arguments read as the JSON they are.
    assert.match(detail.sections[1]!.json, /"arguments": \{\s+"command": "API_TOKEN=\[redacted\] node test\.js"/);
    assert.match(detail.sections[0]!.json, /"exitCode": 0/);
    assert.match(detail.sections[4]!.json, /PASS/, 'the tool message with the result');
  });

  it('shows the kept original of the edited file as a blob reference, never its text', () => {
    const original = events.find((event) => event.type === 'tool.file.original')!;
    const row = rows.find((candidate) => candidate.id === original.id)!;
    assert.equal(row.label, 'original of calc.js kept');
    const json = source.detail(original.id)!.sections.find((section) => section.eventId === original.id)!.json;
    const blob = (original.payload as { original: { hash: string } }).original;
    assert.match(json, new RegExp(`"hash": "${blob.hash}"`));
    assert.ok(!json.includes(BUGGY_CALC.trim()), 'the text is in the blob, not the event');
  });
});
