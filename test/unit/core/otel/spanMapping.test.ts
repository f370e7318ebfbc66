import * as assert from 'node:assert/strict';
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { mapEventsToSpans } from '../../../../src/core/otel/spanMapping';
import { eventSpanIdOf, traceIdOf, turnSpanIdOf } from '../../../../src/core/otel/otelIds';
import type { SpanDraft } from '../../../../src/core/otel/spanDraft';
import type { TraceContent } from '../../../../src/core/otel/traceContent';
import { EventLog, SESSION, T0 } from './otelFixtures';

function byName(spans: readonly SpanDraft[], name: string): SpanDraft[] {
  return spans.filter((span) => span.name === name);
}

function only(spans: readonly SpanDraft[], name: string): SpanDraft {
  const found = byName(spans, name);
  assert.equal(found.length, 1, `one span named ${name}, got ${spans.map((span) => span.name).join(', ')}`);
  return found[0]!;
}

describe('OpenTelemetry mapping: events -> GenAI spans', () => {
  it('ids: a trace id is the hex of the turn anchor ULID, span ids are stable hashes, all valid OTLP ids', () => {
    // 01ARZ3NDEKTSV4RRFFQ69G5FAV is the ULID spec's example: 0x01563E3AB5D3D6764C61EFB99302BD5B.
    assert.equal(traceIdOf('01ARZ3NDEKTSV4RRFFQ69G5FAV'), '01563e3ab5d3d6764c61efb99302bd5b');
    assert.match(traceIdOf('otel:not-a-ulid'), /^[0-9a-f]{32}$/);
    const span = eventSpanIdOf('01ARZ3NDEKTSV4RRFFQ69G5FAV');
    assert.match(span, /^[0-9a-f]{16}$/);
    assert.equal(eventSpanIdOf('01ARZ3NDEKTSV4RRFFQ69G5FAV'), span, 'the same id maps to the same span id');
    assert.notEqual(turnSpanIdOf('01ARZ3NDEKTSV4RRFFQ69G5FAV'), span, 'the turn span and the event span differ');
  });

  it('one trace per turn: invoke_agent at the root, chat {model} under it, messages as span events', () => {
    const log = new EventLog();
    const first = log.turn({ at: T0, user: 'user-1', reply: 'reply-1' });
    const second = log.turn({ at: T0 + 60_000, user: 'user-2', reply: 'reply-2', model: 'gpt-4o-mini' });
    const spans = mapEventsToSpans(log.events, { agentName: (id) => (id === 'agent-1' ? 'Weather bot' : undefined) });

    assert.deepEqual(
      spans.map((span) => span.name),
      ['invoke_agent Weather bot', 'chat gpt-4o', 'invoke_agent Weather bot', 'chat gpt-4o-mini'],
    );
    const [root1, chat1, root2, chat2] = spans as [SpanDraft, SpanDraft, SpanDraft, SpanDraft];
    assert.equal(root1.traceId, traceIdOf(first.user!.id));
    assert.equal(root2.traceId, traceIdOf(second.user!.id));
    assert.notEqual(root1.traceId, root2.traceId);
    assert.equal(root1.spanId, turnSpanIdOf(first.user!.id));
    assert.equal(root1.parentSpanId, null);
    assert.equal(chat1.traceId, root1.traceId);
    assert.equal(chat1.parentSpanId, root1.spanId);
    assert.equal(chat1.spanId, eventSpanIdOf(first.request.id));
    assert.equal(chat2.parentSpanId, root2.spanId);
    assert.equal(root1.kind, SpanKind.INTERNAL);
    assert.equal(chat1.kind, SpanKind.CLIENT);

    // Timing: the root covers question to reply; the call runs from its request to its outcome's end.
    assert.equal(root1.startMs, T0);
    assert.equal(root1.endMs, T0 + 1_250);
    assert.equal(chat1.startMs, T0);
    assert.equal(chat1.endMs, T0 + 1_250);

    assert.deepEqual(
      root1.events.map((event) => [event.name, event.timeMs]),
      [
        ['message.user', T0],
        ['message.assistant', T0 + 1_250],
      ],
    );
    assert.deepEqual(root1.attributes, {
      'gen_ai.operation.name': 'invoke_agent',
      'gen_ai.provider.name': 'openai',
      'gen_ai.agent.id': 'agent-1',
      'gen_ai.agent.name': 'Weather bot',
      'gen_ai.agent.version': 'version-1',
      'gen_ai.request.model': 'gpt-4o',
      'gen_ai.conversation.id': SESSION,
    });
    assert.equal(root1.status.code, SpanStatusCode.UNSET);
  });

  it('a chat span carries GenAI attributes, usage with cached tokens in the prompt, and our record', () => {
    const log = new EventLog();
    const { request, outcome } = log.turn({ at: T0, user: 'user-1', reply: 'reply-1' });
    const chat = only(mapEventsToSpans(log.events), 'chat gpt-4o');
    assert.deepEqual(chat.attributes, {
      'gen_ai.operation.name': 'chat',
      'gen_ai.provider.name': 'openai',
      'gen_ai.request.model': 'gpt-4o',
      'gen_ai.request.temperature': 0.3,
      'gen_ai.request.max_tokens': 256,
      'gen_ai.request.stop_sequences': ['END'],
      'gen_ai.response.finish_reasons': ['stop'],
      'gen_ai.response.time_to_first_chunk': 0.18,
      // The record of how the call ended: ours, field by field.
      'ai_studio.event.id': outcome.id,
      'ai_studio.event.type': 'llm.response.completed',
      'ai_studio.event.started_at_ms': T0,
      'ai_studio.event.parent_id': request.id,
      'ai_studio.message.id': 'reply-1',
      'gen_ai.conversation.id': SESSION,
      'ai_studio.event.ended_at_ms': T0 + 1_250,
      'ai_studio.event.duration_ms': 1_243,
      'gen_ai.response.model': 'gpt-4o',
      'ai_studio.cost.micro_usd': 66,
      'ai_studio.usage.uncached_input_tokens': 34,
      // The whole prompt, cached tokens included, as the conventions count it.
      'gen_ai.usage.input_tokens': 42,
      'gen_ai.usage.output_tokens': 12,
      'gen_ai.usage.cache_read.input_tokens': 5,
      'gen_ai.usage.cache_creation.input_tokens': 3,
      'gen_ai.usage.reasoning.output_tokens': 7,
      'ai_studio.payload': JSON.stringify(outcome.payload),
    });
    // The request is a span event at the call's start, with its own record.
    assert.equal(chat.events.length, 1);
    const started = chat.events[0]!;
    assert.equal(started.name, 'llm.request.started');
    assert.equal(started.timeMs, T0);
    assert.equal(started.attributes['ai_studio.event.id'], request.id);
    assert.equal(started.attributes['gen_ai.request.model'], 'gpt-4o');
    assert.equal(started.attributes['ai_studio.payload'], JSON.stringify(request.payload));
    assert.equal(chat.status.code, SpanStatusCode.UNSET);
  });

  it('a failed call: status ERROR with the message, error.type from the error kind, on the chat span and its turn', () => {
    const log = new EventLog();
    log.turn({ at: T0, user: 'user-1', reply: 'reply-1', fail: { kind: 'rate_limit', message: 'Rate limited; try again in a minute.' } });
    const spans = mapEventsToSpans(log.events);
    const chat = only(spans, 'chat gpt-4o');
    assert.deepEqual(chat.status, { code: SpanStatusCode.ERROR, message: 'Rate limited; try again in a minute.' });
    assert.equal(chat.attributes['error.type'], 'rate_limit');
    assert.equal(chat.attributes['ai_studio.event.type'], 'llm.error');
    assert.equal(chat.attributes['gen_ai.usage.output_tokens'], undefined, 'no usage was reported');
    const root = only(spans, 'invoke_agent');
    assert.equal(root.status.code, SpanStatusCode.ERROR);
    assert.equal(root.attributes['error.type'], 'rate_limit');
  });

  it('a retry is a turn of its own (no question), and a failure recovered by a later call does not fail the turn', () => {
    const log = new EventLog();
    const failed = log.turn({ at: T0, user: 'user-1', reply: 'reply-1', fail: { kind: 'overloaded', message: 'Overloaded.' } });
    const retry = log.turn({ at: T0 + 5_000, reply: 'reply-2' });
    const spans = mapEventsToSpans(log.events);
    const roots = byName(spans, 'invoke_agent');
    assert.equal(roots.length, 2);
    assert.equal(roots[0]!.traceId, traceIdOf(failed.user!.id));
    assert.equal(roots[1]!.traceId, traceIdOf(retry.request.id), 'the retry turn is anchored at its request');
    assert.equal(roots[1]!.status.code, SpanStatusCode.UNSET);
  });

  it('a reply still streaming: the chat span is the request alone, ending where it starts', () => {
    const log = new EventLog();
    log.add({ type: 'message.user', messageId: 'user-1', startedAt: T0 });
    const request = log.add({ type: 'llm.request.started', messageId: 'reply-1', startedAt: T0, model: 'gpt-4o' });
    const chat = only(mapEventsToSpans(log.events), 'chat gpt-4o');
    assert.equal(chat.attributes['ai_studio.event.id'], request.id);
    assert.equal(chat.events.length, 0);
    assert.equal(chat.endMs, T0);
  });

  it('tool calls are execute_tool spans under the turn, their steps linked by parent or call id', () => {
    const log = new EventLog();
    const { request } = log.turn({ at: T0, user: 'user-1', reply: 'reply-1' });
    const asked = log.add({ type: 'tool.call.requested', messageId: 'reply-1', startedAt: T0 + 1_300, payload: { toolName: 'get_weather', toolCallId: 'call_1' } });
    const approved = log.add({ type: 'tool.call.approved', startedAt: T0 + 1_400, parentEventId: asked.id });
    const done = log.add({ type: 'tool.call.completed', startedAt: T0 + 1_400, endedAt: T0 + 1_900, payload: { toolCallId: 'call_1', isError: true, kind: 'timeout' } });
    const spans = mapEventsToSpans(log.events);
    const tool = only(spans, 'execute_tool get_weather');
    const root = only(spans, 'invoke_agent');
    assert.equal(tool.parentSpanId, root.spanId);
    assert.equal(tool.traceId, traceIdOf(log.events[0]!.id));
    assert.equal(tool.spanId, eventSpanIdOf(asked.id));
    assert.equal(tool.startMs, T0 + 1_300);
    assert.equal(tool.endMs, T0 + 1_900);
    assert.equal(tool.attributes['gen_ai.operation.name'], 'execute_tool');
    assert.equal(tool.attributes['gen_ai.tool.name'], 'get_weather');
    assert.equal(tool.attributes['gen_ai.tool.call.id'], 'call_1');
    assert.equal(tool.attributes['ai_studio.event.id'], done.id, 'the outcome is the span record');
    assert.deepEqual(
      tool.events.map((event) => event.attributes['ai_studio.event.id']),
      [asked.id, approved.id],
    );
    assert.equal(tool.status.code, SpanStatusCode.ERROR);
    assert.equal(tool.attributes['error.type'], 'timeout');
    assert.equal(root.endMs, T0 + 1_900, 'the turn lasts until its tool call ended');
    assert.ok(spans.some((span) => span.spanId === eventSpanIdOf(request.id)));
  });

  it('a replay is its own trace, a chat span linked to the call it replays', () => {
    const log = new EventLog();
    const { request } = log.turn({ at: T0, user: 'user-1', reply: 'reply-1' });
    const replay = log.add({
      type: 'llm.replay.completed',
      parentEventId: request.id,
      messageId: 'reply-1',
      startedAt: T0 + 86_400_000,
      endedAt: T0 + 86_401_000,
      model: 'claude-sonnet-4-5',
      payload: { provider: 'anthropic', sourceEventId: request.id, finishReason: 'end_turn' },
    });
    const spans = mapEventsToSpans(log.events);
    const replayed = only(spans, 'chat claude-sonnet-4-5');
    assert.equal(replayed.traceId, traceIdOf(replay.id));
    assert.equal(replayed.parentSpanId, null);
    assert.equal(replayed.attributes['gen_ai.provider.name'], 'anthropic');
    assert.deepEqual(replayed.links, [{ traceId: traceIdOf(log.events[0]!.id), spanId: eventSpanIdOf(request.id), attributes: {} }]);
    assert.equal(only(spans, 'invoke_agent').endMs, T0 + 1_250, 'the replay does not stretch the original turn');
  });

  it('route decisions and other one-moment events are span events of their turn', () => {
    const log = new EventLog();
    log.add({ type: 'message.user', messageId: 'user-1', startedAt: T0 });
    const route = log.add({ type: 'route.decision', startedAt: T0 + 2, payload: { chose: 'gpt-4o', because: 'cheapest' } });
    log.add({ type: 'llm.request.started', messageId: 'reply-1', startedAt: T0 + 3, model: 'gpt-4o' });
    const root = only(mapEventsToSpans(log.events), 'invoke_agent');
    assert.deepEqual(
      root.events.map((event) => event.name),
      ['message.user', 'route.decision'],
    );
    assert.equal(root.events[1]!.attributes['ai_studio.event.id'], route.id);
  });

  it('message content is left out by default and added only with a content source', () => {
    const log = new EventLog();
    log.turn({ at: T0, user: 'user-1', reply: 'reply-1' });
    const without = only(mapEventsToSpans(log.events), 'chat gpt-4o');
    assert.ok(!Object.keys(without.attributes).some((key) => key.startsWith('gen_ai.input') || key.startsWith('gen_ai.output') || key === 'gen_ai.system_instructions'));

    const content: TraceContent = {
      input: (id) => (id === 'reply-1' ? { system: 'You are terse.', messages: [{ role: 'user', content: [{ type: 'text', text: 'Weather in Paris?' }] }] } : undefined),
      output: (id) => (id === 'reply-1' ? { role: 'assistant', content: [{ type: 'text', text: 'Rainy.' }] } : undefined),
    };
    const withContent = only(mapEventsToSpans(log.events, { content }), 'chat gpt-4o');
    assert.deepEqual(JSON.parse(withContent.attributes['gen_ai.input.messages'] as string), [{ role: 'user', parts: [{ type: 'text', content: 'Weather in Paris?' }] }]);
    assert.deepEqual(JSON.parse(withContent.attributes['gen_ai.system_instructions'] as string), [{ type: 'text', content: 'You are terse.' }]);
    assert.deepEqual(JSON.parse(withContent.attributes['gen_ai.output.messages'] as string), [
      { role: 'assistant', parts: [{ type: 'text', content: 'Rainy.' }], finish_reason: 'stop' },
    ]);
  });

  it('secret-named payload members never leave: they are redacted in the record', () => {
    const log = new EventLog();
    log.add({ type: 'message.user', messageId: 'user-1', startedAt: T0 });
    log.add({ type: 'route.decision', startedAt: T0, payload: { headers: { Authorization: 'Bearer sk-SENTINEL', 'x-api-key': 'sk-SENTINEL' }, apiKey: 'sk-SENTINEL', kept: 'yes' } });
    const text = JSON.stringify(mapEventsToSpans(log.events));
    assert.ok(!text.includes('sk-SENTINEL'), text);
    assert.ok(text.includes('[redacted]'));
    assert.ok(text.includes('kept'));
  });

  it('is deterministic: the same events give the same spans, whatever order they are passed in', () => {
    const log = new EventLog();
    log.turn({ at: T0, user: 'user-1', reply: 'reply-1' });
    log.turn({ at: T0 + 10_000, user: 'user-2', reply: 'reply-2' });
    const once = mapEventsToSpans(log.events);
    assert.deepEqual(mapEventsToSpans([...log.events]), once);
    const shuffled = [...log.events].reverse();
    assert.deepEqual(
      mapEventsToSpans(shuffled).map((span) => span.spanId).sort(),
      once.map((span) => span.spanId).sort(),
    );
  });
});
