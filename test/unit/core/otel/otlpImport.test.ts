import * as assert from 'node:assert/strict';
import { importTraceJson, type ImportedTrace } from '../../../../src/core/otel/otlpImport';

/** OTLP JSON as other tools write it: string int64s (the collector's protobuf JSON), hex ids, enum numbers. */
function str(key: string, value: string) {
  return { key, value: { stringValue: value } };
}
function int(key: string, value: number) {
  return { key, value: { intValue: String(value) } };
}

const TRACE = '5b8efff798038103d269b633813fc60c';
const START = 1_746_100_800_000_000_000n;
const ms = (offset: number) => String(START + BigInt(offset) * 1_000_000n);

/** A modern GenAI instrumentation: an agent root, a chat call, a tool call inside it, an HTTP span we ignore. */
function modernTrace() {
  return {
    resourceSpans: [
      {
        resource: { attributes: [str('service.name', 'weather-agent')] },
        scopeSpans: [
          {
            scope: { name: 'opentelemetry.instrumentation.openai_v2', version: '2.1b0' },
            spans: [
              { traceId: TRACE, spanId: 'a000000000000001', name: 'invoke_agent Weather bot', kind: 1, startTimeUnixNano: ms(0), endTimeUnixNano: ms(3_000), attributes: [str('gen_ai.operation.name', 'invoke_agent')] },
              {
                traceId: TRACE,
                spanId: 'a000000000000002',
                parentSpanId: 'a000000000000001',
                name: 'chat gpt-4o',
                kind: 3,
                startTimeUnixNano: ms(100),
                endTimeUnixNano: String(START + 1_600_400_000n),
                attributes: [
                  str('gen_ai.operation.name', 'chat'),
                  str('gen_ai.provider.name', 'openai'),
                  str('gen_ai.request.model', 'gpt-4o'),
                  str('gen_ai.response.model', 'gpt-4o-2024-08-06'),
                  int('gen_ai.usage.input_tokens', 1200),
                  int('gen_ai.usage.cache_read.input_tokens', 1000),
                  int('gen_ai.usage.output_tokens', 80),
                  { key: 'gen_ai.response.finish_reasons', value: { arrayValue: { values: [{ stringValue: 'tool_calls' }] } } },
                  { key: 'gen_ai.response.time_to_first_chunk', value: { doubleValue: 0.42 } },
                  str('http.request.header.authorization', 'Bearer sk-SENTINEL'),
                ],
                status: {},
              },
              {
                traceId: TRACE,
                spanId: 'a000000000000003',
                parentSpanId: 'a000000000000002',
                name: 'POST /v1/chat/completions',
                kind: 3,
                startTimeUnixNano: ms(110),
                endTimeUnixNano: ms(1_500),
                attributes: [str('http.request.method', 'POST')],
              },
              {
                traceId: TRACE,
                spanId: 'a000000000000004',
                parentSpanId: 'a000000000000003',
                name: 'execute_tool get_weather',
                kind: 1,
                startTimeUnixNano: ms(1_700),
                endTimeUnixNano: ms(1_900),
                attributes: [str('gen_ai.operation.name', 'execute_tool'), str('gen_ai.tool.name', 'get_weather'), str('gen_ai.tool.call.id', 'call_1')],
              },
            ],
          },
        ],
      },
    ],
  };
}

function importOk(value: unknown): ImportedTrace {
  const result = importTraceJson(typeof value === 'string' ? value : JSON.stringify(value));
  assert.ok(result.ok, result.ok ? '' : result.error);
  return result.value;
}

function importError(text: string): string {
  const result = importTraceJson(text);
  assert.ok(!result.ok, 'the import was refused');
  return result.error;
}

describe('OpenTelemetry import of other tools\' traces and of bad files', () => {
  it('a GenAI chat span becomes an llm.response.completed with model, tokens (input billed without cache) and timing', () => {
    const trace = importOk(modernTrace());
    assert.equal(trace.title, 'invoke_agent Weather bot');
    assert.deepEqual(
      trace.events.map((event) => [event.type, event.id]),
      [
        ['llm.response.completed', `otel:${TRACE}:a000000000000002`],
        ['tool.call.completed', `otel:${TRACE}:a000000000000004`],
      ],
      'the agent root and the HTTP span are not model or tool calls',
    );
    const call = trace.events[0]!;
    assert.equal(call.model, 'gpt-4o-2024-08-06');
    assert.deepEqual(call.tokens, { input: 200, output: 80, cacheRead: 1000, cacheWrite: null, reasoning: null });
    assert.equal(call.startedAt, 1_746_100_800_100);
    assert.equal(call.endedAt, 1_746_100_801_600);
    assert.equal(call.durationMs, 1_500);
    assert.equal(call.costMicroUsd, null, 'unknown cost stays unknown');
    assert.equal(call.sessionId, null);
    assert.equal(call.parentEventId, null);
    const payload = call.payload as Record<string, unknown>;
    assert.equal(payload.provider, 'openai');
    assert.equal(payload.finishReason, 'tool_calls');
    assert.equal(payload.promptTokens, 1200);
    assert.equal(payload.timeToFirstTokenMs, 420);
    assert.equal(payload.source, 'otel');
    assert.ok(!JSON.stringify(trace).includes('sk-SENTINEL'), 'authorization attributes are redacted');
    // The tool call ran inside the chat span (under its HTTP child): it points at the nearest imported ancestor.
    const tool = trace.events[1]!;
    assert.equal(tool.parentEventId, call.id);
    assert.equal((tool.payload as Record<string, unknown>).toolName, 'get_weather');
  });

  it('an OpenLLMetry-style span (gen_ai.system, prompt/completion tokens, no operation name) and an error span', () => {
    const trace = importOk({
      resourceSpans: [
        {
          scopeSpans: [
            {
              scope: { name: 'opentelemetry.instrumentation.openai.v1' },
              spans: [
                {
                  traceId: TRACE,
                  spanId: 'b000000000000001',
                  name: 'openai.chat',
                  kind: 'SPAN_KIND_CLIENT',
                  startTimeUnixNano: ms(0),
                  endTimeUnixNano: ms(900),
                  attributes: [str('gen_ai.system', 'OpenAI'), str('gen_ai.request.model', 'gpt-3.5-turbo'), int('gen_ai.usage.prompt_tokens', 15), int('gen_ai.usage.completion_tokens', 9)],
                },
                {
                  traceId: TRACE,
                  spanId: 'b000000000000002',
                  name: 'chat claude-sonnet-4-5',
                  startTimeUnixNano: ms(1_000),
                  endTimeUnixNano: ms(1_050),
                  attributes: [str('gen_ai.operation.name', 'chat'), str('gen_ai.provider.name', 'anthropic'), str('gen_ai.request.model', 'claude-sonnet-4-5'), str('error.type', 'rate_limit_error')],
                  status: { code: 2, message: 'Too many requests' },
                },
              ],
            },
          ],
        },
      ],
    });
    const [legacy, failed] = trace.events;
    assert.equal(legacy!.type, 'llm.response.completed');
    assert.equal(legacy!.model, 'gpt-3.5-turbo');
    assert.deepEqual(legacy!.tokens, { input: 15, output: 9, cacheRead: null, cacheWrite: null, reasoning: null });
    assert.equal((legacy!.payload as Record<string, unknown>).provider, 'OpenAI');
    assert.equal(failed!.type, 'llm.error');
    assert.equal((failed!.payload as Record<string, unknown>).kind, 'rate_limit_error');
    assert.equal((failed!.payload as Record<string, unknown>).message, 'Too many requests');
    assert.equal(trace.title, 'openai.chat');
  });

  it('reads JSON Lines (the collector file exporter) and base64 ids (plain protobuf JSON); same ids on every import', () => {
    const first = modernTrace();
    const base64Trace = Buffer.from(TRACE, 'hex').toString('base64');
    const second = modernTrace();
    for (const span of second.resourceSpans[0]!.scopeSpans[0]!.spans) {
      span.traceId = base64Trace;
      span.spanId = Buffer.from(span.spanId.replace(/^a/, 'c'), 'hex').toString('base64');
      if (span.parentSpanId !== undefined) {
        span.parentSpanId = Buffer.from(span.parentSpanId.replace(/^a/, 'c'), 'hex').toString('base64');
      }
    }
    const lines = `${JSON.stringify(first)}\n${JSON.stringify(second)}\n`;
    const trace = importOk(lines);
    assert.deepEqual(
      trace.events.map((event) => event.id),
      [`otel:${TRACE}:a000000000000002`, `otel:${TRACE}:c000000000000002`, `otel:${TRACE}:a000000000000004`, `otel:${TRACE}:c000000000000004`],
    );
    assert.deepEqual(importOk(lines), trace);
  });

  it('refuses what is not a trace, with a message that says what is wrong and where', () => {
    assert.equal(importError(''), 'The file is empty.');
    assert.match(importError('{"resourceSpans": ['), /^The file is not JSON \(/);
    assert.match(importError('{"format":"ai-studio.session","version":1}'), /not an OpenTelemetry trace/);
    assert.match(importError('[1, 2, 3]'), /not an OpenTelemetry trace/);
    const badTime = modernTrace();
    (badTime.resourceSpans[0]!.scopeSpans[0]!.spans[1] as { startTimeUnixNano: unknown }).startTimeUnixNano = 'yesterday';
    assert.equal(importError(JSON.stringify(badTime)), 'resourceSpans[0].scopeSpans[0].spans[1].startTimeUnixNano: not a time in nanoseconds');
    const badId = modernTrace();
    badId.resourceSpans[0]!.scopeSpans[0]!.spans[1]!.traceId = 'xyz';
    assert.match(importError(JSON.stringify(badId)), /span "chat gpt-4o" \(resourceSpans\[0\]\.scopeSpans\[0\]\.spans\[1\]\): its traceId is not a trace id/);
    assert.equal(importError('{"resourceSpans": []}'), 'The trace has no spans.');
    const noGenAi = modernTrace();
    noGenAi.resourceSpans[0]!.scopeSpans[0]!.spans = noGenAi.resourceSpans[0]!.scopeSpans[0]!.spans.filter((span) => span.name.startsWith('POST'));
    assert.match(importError(JSON.stringify(noGenAi)), /None of the trace's 1 spans is a model or tool call/);
    assert.match(importError('{"resourceSpans": []}\nnot json\n'), /line 2 is not JSON/);
    assert.match(importError('{\n  "resourceSpans": [\n'), /^The file is not JSON \(/, 'a damaged pretty-printed file is not taken for JSON Lines');
  });

  it('refuses a damaged AI Studio record instead of importing a half-read event', () => {
    const span = {
      traceId: TRACE,
      spanId: 'd000000000000001',
      name: 'chat gpt-4o',
      startTimeUnixNano: ms(0),
      endTimeUnixNano: ms(10),
      attributes: [str('ai_studio.event.id', '01JT5VFJG0Y2SVJWNPYPJDK3G6'), str('ai_studio.event.type', 'llm.response.completed'), int('ai_studio.event.started_at_ms', 1), str('ai_studio.payload', '{not json')],
    };
    const text = JSON.stringify({ resourceSpans: [{ scopeSpans: [{ scope: { name: 'ai-studio', version: '1' }, spans: [span] }] }] });
    assert.match(importError(text), /span "chat gpt-4o" .*: ai_studio\.payload is not valid JSON\./);
    const noType = { ...span, attributes: [str('ai_studio.event.id', '01JT5VFJG0Y2SVJWNPYPJDK3G6')] };
    const missing = JSON.stringify({ resourceSpans: [{ scopeSpans: [{ scope: { name: 'ai-studio' }, spans: [noType] }] }] });
    assert.match(importError(missing), /an AI Studio event needs ai_studio\.event\.id, ai_studio\.event\.type and ai_studio\.event\.started_at_ms/);
  });
});
