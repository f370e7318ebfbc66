import * as assert from 'node:assert/strict';
import { exportTraceJson } from '../../../../src/core/otel/otlpExport';
import { messageContent, toGenAiMessages } from '../../../../src/core/otel/traceContent';
import { FAKE_ANSWER, FakeProviderServer } from '../../../fakes/providers/fakeServer';
import { openAiProtocol } from '../../../fakes/providers/openaiProtocol';
import { openHarness, SYSTEM_PROMPT, type Harness } from '../chat/chatHarness';

interface OtlpSpan {
  name: string;
  attributes: { key: string; value: { stringValue?: string } }[];
}

/** The chat span of the last turn (spans come turn by turn). */
function lastChatSpan(text: string): OtlpSpan {
  const file = JSON.parse(text) as { resourceSpans: { scopeSpans: { spans: OtlpSpan[] }[] }[] };
  const span = file.resourceSpans[0]!.scopeSpans[0]!.spans.filter((candidate) => candidate.name.startsWith('chat ')).pop();
  assert.ok(span, 'a chat span');
  return span;
}

function attribute(span: OtlpSpan, key: string): unknown {
  const value = span.attributes.find((entry) => entry.key === key)?.value.stringValue;
  return value === undefined ? undefined : JSON.parse(value);
}

describe('OpenTelemetry message content: opt-in, read from the session\'s messages', function () {
  this.timeout(10_000);
  let server: FakeProviderServer;
  let h: Harness;

  before(async () => {
    server = await FakeProviderServer.start(openAiProtocol);
  });
  afterEach(async () => {
    await h.service.shutdown();
    h.store.close();
  });
  after(() => server.close());

  it('leaves the question and the answer out of an export by default', async () => {
    h = await openHarness(server);
    await h.service.send(h.session.id, { parentId: null, text: 'What is the secret recipe?' });
    await h.service.whenIdle(h.session.id);
    const text = exportTraceJson(h.repos.events.list({ sessionId: h.session.id }));
    assert.ok(!text.includes('secret recipe'));
    assert.ok(!text.includes(FAKE_ANSWER));
    assert.ok(!text.includes(SYSTEM_PROMPT));
  });

  it('puts what the model was sent and what it answered on the chat span, in the conventions\' message shape', async () => {
    h = await openHarness(server);
    const first = await h.service.send(h.session.id, { parentId: null, text: 'Hi.' });
    await h.service.whenIdle(h.session.id);
    await h.service.send(h.session.id, { parentId: first.assistantId, text: 'What is the secret recipe?' });
    await h.service.whenIdle(h.session.id);
    const events = h.repos.events.list({ sessionId: h.session.id });
    const content = messageContent(h.repos.messages, (versionId) => h.repos.agents.getVersion(versionId)?.systemPrompt);
    const span = lastChatSpan(exportTraceJson(events, { content }));

    assert.deepEqual(attribute(span, 'gen_ai.system_instructions'), [{ type: 'text', content: SYSTEM_PROMPT }]);
    assert.deepEqual(attribute(span, 'gen_ai.input.messages'), [
      { role: 'user', parts: [{ type: 'text', content: 'Hi.' }] },
      { role: 'assistant', parts: [{ type: 'text', content: FAKE_ANSWER }] },
      { role: 'user', parts: [{ type: 'text', content: 'What is the secret recipe?' }] },
    ]);
    assert.deepEqual(attribute(span, 'gen_ai.output.messages'), [{ role: 'assistant', parts: [{ type: 'text', content: FAKE_ANSWER }], finish_reason: 'stop' }]);
  });

  it('maps tool calls, tool results, reasoning and attachments onto the conventions\' part types', () => {
    assert.deepEqual(
      toGenAiMessages([
        {
          role: 'assistant',
          content: [
            { type: 'reasoning', text: 'Check the weather.' },
            { type: 'tool_call', id: 'call_1', name: 'get_weather', arguments: { city: 'Paris' } },
          ],
        },
        { role: 'tool', content: [{ type: 'tool_result', callId: 'call_1', output: 'rainy' }] },
        { role: 'user', content: [{ type: 'blob', hash: 'abc123', mimeType: 'image/png', size: 10 }] },
      ]),
      [
        {
          role: 'assistant',
          parts: [
            { type: 'reasoning', content: 'Check the weather.' },
            { type: 'tool_call', id: 'call_1', name: 'get_weather', arguments: { city: 'Paris' } },
          ],
        },
        { role: 'tool', parts: [{ type: 'tool_call_response', id: 'call_1', result: 'rainy' }] },
        { role: 'user', parts: [{ type: 'file', modality: 'image', mime_type: 'image/png', file_id: 'abc123' }] },
      ],
    );
  });
});
