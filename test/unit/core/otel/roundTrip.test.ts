import * as assert from 'node:assert/strict';
import { exportTraceJson } from '../../../../src/core/otel/otlpExport';
import { importTraceJson, type ImportedTrace } from '../../../../src/core/otel/otlpImport';
import { traceIdOf } from '../../../../src/core/otel/otelIds';
import { withoutToolContent } from '../../../../src/core/otel/toolSpans';
import { messageContent, type TraceContent } from '../../../../src/core/otel/traceContent';
import { MemoryInspectorSource } from '../../../../src/core/inspector/memorySource';
import { StoreInspectorSource } from '../../../../src/core/inspector/storeSource';
import type { StudioEvent } from '../../../../src/db/repositories/events';
import { COMMAND_SECRET, recordToolTurn, type RecordedToolTurn } from '../inspector/toolTurnRecording';
import { FakeProviderServer, SENTINEL_KEY } from '../../../fakes/providers/fakeServer';
import { openAiProtocol } from '../../../fakes/providers/openaiProtocol';
import { openHarness, type Harness } from '../chat/chatHarness';
import { EventLog, T0 } from './otelFixtures';

function imported(text: string): ImportedTrace {
  const result = importTraceJson(text);
  assert.ok(result.ok, result.ok ? '' : result.error);
  return result.value;
}

interface OtlpFile {
  resourceSpans: { resource: { attributes: { key: string }[] }; scopeSpans: { scope: { name: string; version: string }; spans: { traceId: string; name: string; parentSpanId?: string }[] }[] }[];
}

describe('OpenTelemetry round trip: export to OTLP JSON, import back', function () {
  this.timeout(15_000);

  describe('a real session recorded by the chat loop', () => {
    let server: FakeProviderServer;
    let h: Harness;
    let events: StudioEvent[];

    before(async () => {
      server = await FakeProviderServer.start(openAiProtocol);
      h = await openHarness(server);
      h.providers.priceOverrides = [{ model: 'fake-ok', input: 1, output: 2 }];
      const sessionId = h.session.id;
      const first = await h.service.send(sessionId, { parentId: null, text: 'Say hello.' });
      await h.service.whenIdle(sessionId);
      h.clock.advance(5_000);
      const second = await h.service.send(sessionId, { parentId: first.assistantId, text: 'Again, please.' });
      await h.service.whenIdle(sessionId);
      h.clock.advance(5_000);
      await h.service.retry(second.assistantId);
      await h.service.whenIdle(sessionId);
      h.clock.advance(5_000);
      await h.service.setAgent(sessionId, h.agent.id, 'fake-quota');
      await h.service.send(sessionId, { parentId: second.assistantId, text: 'And once more.' });
      await h.service.whenIdle(sessionId);
      h.clock.advance(5_000);
      await h.service.setAgent(sessionId, h.agent.id, 'fake-reasoning');
      await h.service.edit(first.userId, 'Say hello, thinking first.');
      await h.service.whenIdle(sessionId);
      events = h.repos.events.list({ sessionId });
    });

    after(async () => {
      await h.service.shutdown();
      h.store.close();
      await server.close();
    });

    it('recorded what the test needs: five turns, a retry, an error, reasoning tokens', () => {
      const types = events.map((event) => event.type);
      assert.equal(types.filter((type) => type === 'llm.request.started').length, 5);
      assert.equal(types.filter((type) => type === 'llm.error').length, 1);
      assert.equal(types.filter((type) => type === 'message.user').length, 4);
      assert.ok(events.some((event) => event.costMicroUsd !== null && event.tokens.cacheRead !== null));
    });

    it('re-imports identically: same ids, types, times, durations, tokens, cost, model, payload, links and messages', () => {
      const text = exportTraceJson(events, { title: 'Say hello.' });
      const trace = imported(text);
      assert.equal(trace.title, 'Say hello.');
      assert.deepEqual(trace.events, events);
    });

    it('writes one trace per turn, rooted at invoke_agent, with chat spans under it, scoped ai-studio', () => {
      const file = JSON.parse(exportTraceJson(events)) as OtlpFile;
      assert.equal(file.resourceSpans.length, 1);
      const [scopeSpans] = file.resourceSpans[0]!.scopeSpans;
      assert.deepEqual(scopeSpans!.scope, { name: 'ai-studio', version: '1' });
      const spans = scopeSpans!.spans;
      const roots = spans.filter((span) => span.parentSpanId === undefined);
      assert.equal(roots.length, 5);
      assert.ok(roots.every((span) => span.name === 'invoke_agent'));
      assert.equal(spans.filter((span) => span.name.startsWith('chat ')).length, 5);
      assert.equal(new Set(spans.map((span) => span.traceId)).size, 5);
      assert.equal(roots[0]!.traceId, traceIdOf(events[0]!.id));
      assert.ok(file.resourceSpans[0]!.resource.attributes.some((attribute) => attribute.key === 'service.name'));
    });

    it('exports the same bytes every time, also from what it imported (ids are derived, never random)', () => {
      const text = exportTraceJson(events, { title: 'Say hello.' });
      assert.equal(exportTraceJson(events, { title: 'Say hello.' }), text);
      assert.equal(exportTraceJson(imported(text).events, { title: 'Say hello.' }), text);
    });

    it('holds no API key anywhere', () => {
      assert.ok(!exportTraceJson(events).includes(SENTINEL_KEY));
    });
  });

  describe('a real tool turn recorded by the agent loop', () => {
    let turn: RecordedToolTurn;
    let events: StudioEvent[];
    let content: TraceContent;
    const ALL = { text: '', types: [] };

    before(async () => {
      turn = await recordToolTurn();
      events = turn.events();
      content = messageContent(turn.harness.repos.messages, (id) => turn.harness.repos.agents.getVersion(id)?.systemPrompt);
    });
    after(() => turn?.close());

    it('is one trace: invoke_agent with four chat spans and three execute_tool spans under it', () => {
      const file = JSON.parse(exportTraceJson(events)) as OtlpFile;
      const spans = file.resourceSpans[0]!.scopeSpans[0]!.spans;
      assert.equal(new Set(spans.map((span) => span.traceId)).size, 1);
      const [root, ...children] = spans;
      assert.equal(root?.name, 'invoke_agent');
      assert.ok(children.every((span) => span.parentSpanId !== undefined));
      assert.equal(children.filter((span) => span.name.startsWith('chat ')).length, 4);
      assert.deepEqual(
        children.filter((span) => span.name.startsWith('execute_tool')).map((span) => span.name),
        ['execute_tool read_file', 'execute_tool replace_in_file', 'execute_tool run_command'],
      );
    });

    it('re-imports identically with content on', () => {
      const text = exportTraceJson(events, { title: 'Fix the failing test.', content });
      assert.deepEqual(imported(text).events, events);
      assert.equal(exportTraceJson(imported(text).events, { title: 'Fix the failing test.', content }), text);
    });

    it('re-imports identically but for what the calls were about with content off, and never carries the command’s secret', () => {
      const text = exportTraceJson(events);
      assert.deepEqual(imported(text).events, events.map(withoutToolContent));
      assert.ok(!text.includes(COMMAND_SECRET));
      assert.ok(!text.includes('a - b'), 'no file content');
    });

    it('shows the tool rows when our own trace is opened in the Inspector', () => {
      const trace = imported(exportTraceJson(events, { content }));
      const memory = new MemoryInspectorSource(trace.title, trace.events);
      const store = new StoreInspectorSource({ store: turn.harness.store, scope: { sessionId: turn.harness.session.id }, title: trace.title });
      const rows = memory.rows(ALL, 0, memory.count(ALL));
      assert.deepEqual(rows, store.rows(ALL, 0, store.count(ALL)));
      assert.deepEqual(
        rows.filter((row) => row.tool?.head === true).map((row) => [row.tool?.name, row.tool?.state, row.tool?.decidedBy]),
        [
          ['read_file', 'completed', 'policy'],
          ['replace_in_file', 'completed', 'person'],
          ['run_command', 'completed', 'person'],
        ],
      );
      assert.deepEqual(memory.totals(ALL), store.totals(ALL));
      store.dispose();
    });
  });

  it('round-trips every kind of event and field: tools, replays, runs, nulls, odd payloads', () => {
    const log = new EventLog();
    const { request } = log.turn({ at: T0, user: 'user-1', reply: 'reply-1' });
    const asked = log.add({ type: 'tool.call.requested', messageId: 'reply-1', startedAt: T0 + 1_300, payload: { toolName: 'read_file', toolCallId: 'call_7' } });
    log.add({ type: 'tool.call.denied', parentEventId: asked.id, startedAt: T0 + 1_500, payload: { reason: 'not allowed' } });
    log.add({ type: 'route.decision', startedAt: T0 + 1_600, payload: ['gpt-4o', 'gpt-4o-mini'] });
    log.add({ type: 'run.step', runId: 'run-1', startedAt: T0 + 1_700, durationMs: 15, payload: 'a plain string' });
    log.add({ type: 'run.note', sessionId: null, runId: 'run-1', startedAt: T0 + 1_800, payload: null });
    log.add({
      type: 'llm.replay.error',
      parentEventId: request.id,
      messageId: 'reply-1',
      startedAt: T0 + 90_000,
      endedAt: T0 + 90_500,
      durationMs: 499,
      model: 'gemini-2.5-flash',
      tokens: { input: 0, output: null, cacheRead: null, cacheWrite: null, reasoning: null },
      costMicroUsd: 0,
      payload: { provider: 'gemini', kind: 'auth', message: 'Set a key.', nested: { deep: [1, 2.5, true, null, { unicode: 'héllo ✓' }] } },
    });
    log.turn({ at: T0 + 100_000, reply: 'reply-2', model: 'llama3.2' });
    // With content on (a source that knows no message): every field of every event, tool events whole.
    const text = exportTraceJson(log.events, { content: { input: () => undefined, output: () => undefined } });
    assert.deepEqual(imported(text).events, log.events);
    // With it off, the tool events' content (here the person's reason) stays home.
    assert.deepEqual(imported(exportTraceJson(log.events)).events, log.events.map(withoutToolContent));
  });

  it('re-imports an export that was sent twice (a live export repeated) without duplicates', () => {
    const log = new EventLog();
    log.turn({ at: T0, user: 'user-1', reply: 'reply-1' });
    const text = exportTraceJson(log.events);
    const twice = `${text}\n${text}\n`;
    assert.deepEqual(imported(twice).events, log.events);
  });
});
