import * as assert from 'node:assert/strict';
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { exportTraceJson } from '../../../../src/core/otel/otlpExport';
import { eventSpanIdOf, traceIdOf } from '../../../../src/core/otel/otelIds';
import type { SpanDraft } from '../../../../src/core/otel/spanDraft';
import { mapEventsToSpans } from '../../../../src/core/otel/spanMapping';
import { messageContent } from '../../../../src/core/otel/traceContent';
import { groupTurns, isTurnFinished } from '../../../../src/core/otel/turns';
import type { StudioEvent } from '../../../../src/db/repositories/events';
import { openMemoryStore, type MemoryStore } from '../../db/support/memoryStore';
import { TOOL_T0, ToolTurnLog } from '../inspector/toolEvents';

/**
 * `execute_tool` spans from the agent loop's real tool events (written through the repositories as the loop
 * writes them, at chosen times): one trace per turn however many steps it has, a span per call under the turn's
 * invoke_agent from its request to its end, GenAI attributes plus our approval figures, errors typed, and what
 * the call was about (arguments, paths, results) only when content is on.
 */

const DAY = 86_400_000;

describe('OpenTelemetry: tool calls as execute_tool spans', () => {
  let store: MemoryStore;
  let log: ToolTurnLog;
  let spans: SpanDraft[];
  let first: StudioEvent[];

  before(async () => {
    store = await openMemoryStore();
    log = await ToolTurnLog.open(store);
    await log.turn(TOOL_T0, 'Fix it.', [
      { modelMs: 1_000, calls: [{ callId: 'call_r', tool: 'read_file', arguments: '{"path":"src/app.ts"}', summary: 'Read src/app.ts', verdict: 'auto', after: 20, run: { ms: 30 } }] },
      {
        modelMs: 800,
        calls: [{ callId: 'call_c', tool: 'run_command', arguments: '{"command":"npm test"}', summary: 'Run `npm test`', verdict: 'ask', after: 10, decision: { by: 'person', waitMs: 4_000 }, run: { ms: 5_000, exitCode: 0 } }],
      },
      { modelMs: 500 },
    ]);
    first = [...log.events];
    await log.turn(TOOL_T0 + 60_000, 'Again.', [
      {
        modelMs: 400,
        calls: [
          { callId: 'call_d', tool: 'write_file', arguments: '{"path":".vscode/settings.json"}', summary: 'Write .vscode/settings.json', verdict: 'ask', after: 5, decision: { denied: true, by: 'person', waitMs: 2_000, reason: 'not that file' } },
          { callId: 'call_f', tool: 'run_command', arguments: '{"command":"false"}', summary: 'Run `false`', verdict: 'ask', after: 5, decision: { by: 'session', waitMs: 0 }, run: { ms: 70, exitCode: 1, failed: 'exit code 1' } },
          { callId: 'call_i', tool: 'run_command', arguments: '{"command":"sleep 99"}', summary: 'Run `sleep 99`', verdict: 'ask', after: 5, decision: { by: 'person', waitMs: 300 }, run: { interrupted: true, recoveredAfter: DAY } },
        ],
      },
    ]);
    spans = mapEventsToSpans(log.events);
  });
  after(() => store.close());

  const tool = (callId: string): SpanDraft => spans.find((span) => span.attributes['gen_ai.tool.call.id'] === callId)!;

  it('keeps a turn of many steps as one trace: invoke_agent, three chat spans and two execute_tool spans', () => {
    const trace = spans.filter((span) => span.traceId === traceIdOf(first[0]!.id));
    assert.deepEqual(
      trace.map((span) => span.name),
      ['invoke_agent', 'chat gpt-4o', 'chat gpt-4o', 'chat gpt-4o', 'execute_tool read_file', 'execute_tool run_command'],
    );
    const root = trace[0]!;
    assert.ok(trace.slice(1).every((span) => span.parentSpanId === root.spanId));
    // The turn ends with its answer, not a run time after the command's end (recorded when it ended).
    assert.deepEqual([root.startMs, root.endMs], [TOOL_T0, TOOL_T0 + 11_360]);
    assert.equal(groupTurns(log.events).turns.length, 2);
  });

  it('a call spans its request to its end, with the GenAI attributes and our approval figures', () => {
    const command = tool('call_c');
    assert.equal(command.name, 'execute_tool run_command');
    assert.equal(command.kind, SpanKind.INTERNAL);
    assert.deepEqual([command.startMs, command.endMs], [TOOL_T0 + 1_860, TOOL_T0 + 10_860]);
    const requested = first.find((event) => event.type === 'tool.call.requested' && (event.payload as { callId: string }).callId === 'call_c')!;
    const completed = first.find((event) => event.type === 'tool.call.completed' && (event.payload as { callId: string }).callId === 'call_c')!;
    assert.equal(command.spanId, eventSpanIdOf(requested.id));
    assert.deepEqual(
      Object.fromEntries(Object.entries(command.attributes).filter(([key]) => key.startsWith('gen_ai.') || key.startsWith('ai_studio.tool.'))),
      {
        'gen_ai.operation.name': 'execute_tool',
        'gen_ai.tool.type': 'function',
        'gen_ai.tool.name': 'run_command',
        'gen_ai.tool.call.id': 'call_c',
        'gen_ai.conversation.id': log.sessionId,
        'ai_studio.tool.state': 'completed',
        'ai_studio.tool.approval.verdict': 'ask',
        'ai_studio.tool.approval.decided_by': 'person',
        'ai_studio.tool.approval.wait_ms': 4_000,
        'ai_studio.tool.run_ms': 5_000,
        'ai_studio.tool.exit_code': 0,
      },
    );
    assert.equal(command.attributes['ai_studio.event.id'], completed.id, 'the outcome is the span’s record');
    assert.deepEqual(
      command.events.map((event) => event.name),
      ['tool.call.requested', 'tool.call.approved'],
    );
    assert.equal(command.status.code, SpanStatusCode.UNSET);
    assert.equal(tool('call_r').attributes['ai_studio.tool.approval.decided_by'], 'policy');
  });

  it('types failures: a failed call and an interrupted one are errors, a denied one is not; a recovery a day later ends nothing', () => {
    const denied = tool('call_d');
    assert.deepEqual([denied.status.code, denied.attributes['error.type'], denied.attributes['ai_studio.tool.state'], denied.attributes['ai_studio.tool.approval.wait_ms']], [SpanStatusCode.UNSET, undefined, 'denied', 2_000]);
    const failed = tool('call_f');
    assert.deepEqual([failed.status.code, failed.attributes['error.type'], failed.attributes['ai_studio.tool.exit_code']], [SpanStatusCode.ERROR, '_OTHER', 1]);
    const interrupted = tool('call_i');
    assert.deepEqual([interrupted.status.code, interrupted.attributes['error.type'], interrupted.attributes['ai_studio.tool.state']], [SpanStatusCode.ERROR, 'interrupted', 'interrupted']);
    assert.ok(interrupted.endMs - interrupted.startMs < DAY);
    const root = spans.find((span) => span.parentSpanId === null && span.traceId === interrupted.traceId)!;
    assert.ok(root.endMs - root.startMs < DAY, 'the turn does not last until the window opened again');
  });

  it('leaves what a call was about out unless content is on; with it, the arguments and the result', () => {
    const text = exportTraceJson(log.events);
    for (const content of ['npm test', 'src/app.ts', 'not that file', 'exit code 1', '.vscode/settings.json', 'result of run_command']) {
      assert.ok(!text.includes(content), `${content} left without content on`);
    }
    assert.equal(tool('call_c').attributes['gen_ai.tool.call.arguments'], undefined);
    const withContent = mapEventsToSpans(log.events, { content: messageContent(log.messages, () => undefined) });
    const command = withContent.find((span) => span.attributes['gen_ai.tool.call.id'] === 'call_c')!;
    assert.equal(command.attributes['gen_ai.tool.call.arguments'], '{"command":"npm test"}');
    assert.equal(command.attributes['gen_ai.tool.call.result'], 'result of run_command');
    assert.match(String(command.events[0]!.attributes['ai_studio.payload']), /Run `npm test`/);
  });

  it('calls a turn finished only when its last model call did not ask for tools and every call ended', () => {
    const answered = first.findIndex((event) => event.type === 'message.assistant');
    assert.equal(isTurnFinished(first.slice(0, answered + 1)), false, 'the first reply asked for tools: they are about to be recorded');
    const requested = first.findIndex((event) => event.type === 'tool.call.requested');
    assert.equal(isTurnFinished(first.slice(0, requested + 1)), false, 'a call under way');
    assert.equal(isTurnFinished(first), true);
  });
});
