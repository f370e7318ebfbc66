import * as assert from 'node:assert/strict';
import { MemoryInspectorSource } from '../../../../src/core/inspector/memorySource';
import { StoreInspectorSource } from '../../../../src/core/inspector/storeSource';
import { ToolFigures } from '../../../../src/core/inspector/toolFigures';
import { EventPages } from '../../../../src/db/repositories/eventPages';
import { EventsRepository } from '../../../../src/db/repositories/events';
import type { InspectorFilter, InspectorRow } from '../../../../src/protocol/inspector';
import { openMemoryStore, type MemoryStore } from '../../db/support/memoryStore';
import { TOOL_T0, ToolTurnLog } from './toolEvents';

/**
 * Tool calls in the Inspector's timeline, from a log written exactly as the agent loop writes it, at chosen
 * times: a call is a row whose bar covers it (the approval wait apart from the run) with its steps under it; a
 * turn of many steps is one turn; totals count calls, tool time and approval wait apart from the wall time; a
 * call's end recorded at its end (or by the next start's recovery) does not stretch the turn.
 */

const ALL: InspectorFilter = { text: '', types: [] };
const DAY = 86_400_000;

describe('inspector: tool calls in the timeline', () => {
  let store: MemoryStore;
  let log: ToolTurnLog;
  let source: StoreInspectorSource;
  let secondTurn: number;

  beforeEach(async () => {
    store = await openMemoryStore();
    log = await ToolTurnLog.open(store);
    // Turn 1: read (auto), then a command that waits 4 s for the person and runs 5 s; the answer takes 0.5 s.
    await log.turn(TOOL_T0, 'Fix it.', [
      { modelMs: 1_000, calls: [{ callId: 'call_r', tool: 'read_file', arguments: '{"path":"src/app.ts"}', summary: 'Read src/app.ts', verdict: 'auto', after: 20, run: { ms: 30 } }] },
      {
        modelMs: 800,
        calls: [
          {
            callId: 'call_c',
            tool: 'run_command',
            arguments: '{"command":"npm test"}',
            summary: 'Run `npm test`',
            verdict: 'ask',
            after: 10,
            decision: { by: 'person', waitMs: 4_000 },
            run: { ms: 5_000, exitCode: 0 },
          },
        ],
      },
      { modelMs: 500 },
    ]);
    // Turn 2: one call denied, one that failed, one interrupted by a crash (recovered a day later).
    secondTurn = TOOL_T0 + 60_000;
    await log.turn(secondTurn, 'Again.', [
      {
        modelMs: 400,
        calls: [
          { callId: 'call_d', tool: 'write_file', arguments: '{"path":".vscode/settings.json"}', summary: 'Write .vscode/settings.json', verdict: 'ask', after: 5, decision: { denied: true, by: 'person', waitMs: 2_000, reason: 'not that file' } },
          { callId: 'call_f', tool: 'run_command', arguments: '{"command":"false"}', summary: 'Run `false`', verdict: 'ask', after: 5, decision: { by: 'session', waitMs: 0 }, run: { ms: 70, exitCode: 1, failed: 'exit code 1' } },
          { callId: 'call_i', tool: 'run_command', arguments: '{"command":"sleep 99"}', summary: 'Run `sleep 99`', verdict: 'ask', after: 5, decision: { by: 'person', waitMs: 300 }, run: { interrupted: true, recoveredAfter: DAY } },
        ],
      },
    ]);
    source = new StoreInspectorSource({ store, scope: { sessionId: log.sessionId }, title: 'Tools', messages: log.messages });
  });
  afterEach(() => {
    source.dispose();
    store.close();
  });

  const rows = (): InspectorRow[] => source.rows(ALL, 0, source.count(ALL));
  const head = (callId: string): InspectorRow => rows().find((row) => row.tool?.head === true && row.tool.callId === callId)!;

  it('keeps a turn of many steps (user message through the final answer, across tool messages) as one turn', () => {
    const all = rows();
    const first = all.filter((row) => row.turn === 1);
    assert.equal(first.filter((row) => row.type === 'llm.request.started').length, 3, 'three model calls in turn 1');
    assert.equal(all.filter((row) => row.turnHead).length, 2);
    // First start to the final answer's end: not the command's run time after its end (it was recorded at its end).
    assert.equal(first[0]!.turnSpanMs, 11_360);
  });

  it('shows a call as its row, labelled with its summary, its bar the wait then the run, its steps under it', () => {
    const read = head('call_r');
    assert.equal(read.label, 'read_file · Read src/app.ts');
    assert.equal(read.kind, 'tool');
    assert.deepEqual([read.turnOffsetMs, read.durationMs, read.tool?.waitMs, read.tool?.runMs, read.tool?.decidedBy], [1_020, 30, 0, 30, 'policy']);
    const command = head('call_c');
    assert.equal(command.label, 'run_command · Run `npm test`');
    assert.equal(command.status, 'ok');
    assert.deepEqual(
      { offset: command.turnOffsetMs, duration: command.durationMs, wait: command.tool?.waitMs, run: command.tool?.runMs, exit: command.tool?.exitCode, state: command.tool?.state, verdict: command.tool?.verdict },
      { offset: 1_860, duration: 9_000, wait: 4_000, run: 5_000, exit: 0, state: 'completed', verdict: 'ask' },
    );
    const steps = rows().filter((row) => row.tool?.callId === 'call_c' && !row.tool.head);
    assert.deepEqual(
      steps.map((row) => [row.label, row.turnOffsetMs, row.durationMs]),
      [
        ['run_command · approved by person', 1_860, 4_000],
        ['run_command · completed', 5_860, 5_000],
      ],
    );
  });

  it('says how each call ended: denied with the reason, failed with its exit code, interrupted without stretching the turn', () => {
    const denied = head('call_d');
    assert.deepEqual([denied.status, denied.tool?.state, denied.tool?.decidedBy, denied.tool?.waitMs, denied.tool?.runMs, denied.error], ['cancelled', 'denied', 'person', 2_000, null, 'not that file']);
    const failed = head('call_f');
    assert.deepEqual([failed.status, failed.tool?.state, failed.tool?.exitCode, failed.error], ['error', 'failed', 1, 'exit code 1']);
    const interrupted = head('call_i');
    assert.equal(interrupted.tool?.state, 'interrupted');
    assert.equal(interrupted.status, 'error');
    assert.match(interrupted.error ?? '', /outcome unknown/);
    // Its bar ends where it started running; the recovery's record, a day later, is not its end.
    assert.equal(interrupted.durationMs, 300);
    const turn2 = rows().filter((row) => row.turn === 2);
    assert.ok(turn2[0]!.turnSpanMs < DAY, `turn 2 spans ${turn2[0]!.turnSpanMs} ms`);
    const recovered = turn2.find((row) => row.type === 'tool.call.failed' && row.tool?.callId === 'call_i')!;
    assert.equal(recovered.label, 'run_command · interrupted, outcome unknown');
  });

  it('totals tool calls, tool time and approval wait apart from the wall time', () => {
    rows();
    const turn1 = source.totals(ALL, { ranges: [], turns: [1], ids: [] });
    assert.deepEqual(
      { calls: turn1.calls, tools: turn1.toolCalls, toolMs: turn1.toolMs, wait: turn1.approvalWaitMs, wall: turn1.wallMs },
      { calls: 3, tools: 2, toolMs: 5_030, wait: 4_000, wall: 11_360 },
    );
    const all = source.totals(ALL);
    assert.equal(all.toolCalls, 5, 'each call once, however it ended');
    assert.equal(all.approvalWaitMs, 4_000 + 2_000 + 300);
    assert.equal(all.toolMs, 5_030 + 70);
    assert.ok(all.wallMs! < DAY, 'the recovery a day later is not part of the wall time');
    assert.equal(all.errors, 2, 'the failure and the interruption');
    const onlyRequests = source.totals({ text: '', types: ['tool.call.requested'] });
    assert.deepEqual([onlyRequests.events, onlyRequests.toolCalls], [5, 0]);
  });

  it('filters by tool event type and by text, with the same rows and totals from a trace held in memory', () => {
    const types = new Map(source.types().map((entry) => [entry.type, entry.count]));
    assert.deepEqual(
      ['tool.call.requested', 'tool.call.approved', 'tool.call.denied', 'tool.call.completed', 'tool.call.failed'].map((type) => types.get(type)),
      [5, 4, 1, 2, 2],
    );
    const requested = { text: '', types: ['tool.call.requested'] };
    assert.ok(source.rows(requested, 0, 10).every((row) => row.tool?.head === true));
    const memory = new MemoryInspectorSource('Imported', log.events);
    const filters: InspectorFilter[] = [ALL, requested, { text: 'run_command', types: [] }, { text: '', types: ['tool.call.failed', 'llm.response.completed'] }];
    const pages = new EventPages(store);
    const figures = new ToolFigures(store, { sessionId: log.sessionId });
    for (const filter of filters) {
      assert.deepEqual(memory.rows(filter, 0, 100), source.rows(filter, 0, 100), JSON.stringify(filter));
      assert.deepEqual(memory.totals(filter), source.totals(filter), JSON.stringify(filter));
      const selection = { ranges: [{ start: 2, end: 9 }], turns: [2], ids: [] };
      assert.deepEqual(memory.totals(filter, selection), source.totals(filter, selection), JSON.stringify(filter));
      // The tool figures select the same rows as the store's sums (their conditions are repeated on purpose).
      assert.equal(pages.sums({ sessionId: log.sessionId }, filter).events, source.count(filter));
      assert.equal(figures.sums(filter).toolCalls, memory.totals(filter).toolCalls);
    }
  });

  it('says from which row the list changed when a call moves on, so its row is drawn again', async () => {
    const at = TOOL_T0 + 200_000;
    const live = await ToolTurnLog.open(store);
    const liveSource = new StoreInspectorSource({ store, scope: { sessionId: live.sessionId }, title: 'Live' });
    await live.turn(at, 'Go.', [{ modelMs: 100, calls: [{ callId: 'call_x', tool: 'read_file', arguments: '{}', summary: 'Read x', verdict: 'auto', after: 5, run: { ms: 7 } }] }]);
    const before = liveSource.rows(ALL, 0, 50);
    const headIndex = before.findIndex((row) => row.tool?.head === true);
    assert.equal(before[headIndex]!.tool?.state, 'completed');
    // A second step's call, requested then approved: the head row changes from "awaiting" to "running".
    const tool = await live.messages.append(live.sessionId, before[headIndex]!.messageId, { role: 'tool', content: [], status: 'streaming' });
    const events = new EventsRepository(store, { now: () => at + 1_000 });
    await events.append({ type: 'tool.call.requested', sessionId: live.sessionId, messageId: tool.id, payload: { callId: 'call_y', tool: 'run_command', summary: 'Run `ls`', verdict: 'ask' }, text: '' });
    liveSource.check();
    const waiting = liveSource.rows(ALL, 0, 50).find((row) => row.tool?.callId === 'call_y')!;
    assert.deepEqual([waiting.tool?.state, waiting.status], ['awaiting_approval', 'running']);
    await new EventsRepository(store, { now: () => at + 3_000 }).append({ type: 'tool.call.approved', sessionId: live.sessionId, messageId: tool.id, payload: { callId: 'call_y', tool: 'run_command', by: 'person', waitMs: 2_000 }, text: '' });
    const change = liveSource.check()!;
    assert.equal(change.fromIndex(ALL), waiting.index, 'from the call’s own row');
    const running = liveSource.rows(ALL, waiting.index, 1)[0]!;
    assert.deepEqual([running.tool?.state, running.tool?.waitMs], ['running', 2_000]);
    liveSource.dispose();
  });
});
