import * as assert from 'node:assert/strict';
import { buildDetail } from '../../../../src/core/inspector/detail';
import { isSecretName, REDACTED, redactJson, redactText } from '../../../../src/core/inspector/redact';
import type { StudioEvent } from '../../../../src/db/repositories/events';
import type { JsonValue } from '../../../../src/db/repositories/rows';

/** The Inspector's detail JSON never carries a key or an authorization header, at any depth, in any spelling. */

const SENTINEL = 'sk-test-SENTINEL-0123456789abcdef';

function event(payload: JsonValue, fields: Partial<StudioEvent> = {}): StudioEvent {
  return {
    id: '01JAAAAAAAAAAAAAAAAAAAAAAA',
    sessionId: '01JBBBBBBBBBBBBBBBBBBBBBBB',
    runId: null,
    parentEventId: null,
    messageId: null,
    type: 'llm.request.started',
    startedAt: Date.UTC(2025, 0, 1),
    endedAt: null,
    durationMs: null,
    tokens: { input: null, output: null, cacheRead: null, cacheWrite: null, reasoning: null },
    costMicroUsd: null,
    model: 'gpt-4o',
    payload,
    ...fields,
  };
}

describe('inspector redaction', () => {
  it('replaces key-like members at any depth, whatever their spelling', () => {
    const input: JsonValue = {
      apiKey: 'secret-one',
      nested: { deeper: [{ 'x-api-key': 'secret-two' }, { 'API-KEY': 'secret-three' }, { X_Api_Key: 'secret-four' }] },
      headers: { Authorization: 'Bearer abcdefghijkl', 'Proxy-Authorization': 'Basic Zm9vOmJhcg==', cookie: 'session=1' },
      client_secret: 'secret-five',
      password: 'hunter2',
      access_token: 'secret-six',
      'x-goog-api-key': 'secret-seven',
    };
    const text = JSON.stringify(redactJson(input));
    for (const secret of ['secret-one', 'secret-two', 'secret-three', 'secret-four', 'abcdefghijkl', 'Zm9vOmJhcg', 'session=1', 'secret-five', 'hunter2', 'secret-six', 'secret-seven']) {
      assert.ok(!text.includes(secret), `${secret} leaked: ${text}`);
    }
    assert.equal((redactJson(input) as { apiKey: string }).apiKey, REDACTED);
  });

  it('redacts the value of name/value pairs whose name is key-like (header lists, OTLP attributes)', () => {
    const input: JsonValue = {
      headers: [
        { name: 'Authorization', value: 'Bearer qwertyuiop123' },
        { name: 'content-type', value: 'application/json' },
      ],
      attributes: [
        { key: 'http.request.header.x-api-key', value: { stringValue: 'secret-attr' } },
        { key: 'gen_ai.request.model', value: { stringValue: 'gpt-4o' } },
      ],
    };
    const out = redactJson(input) as { headers: { name: string; value: JsonValue }[]; attributes: { key: string; value: JsonValue }[] };
    assert.equal(out.headers[0]!.value, REDACTED);
    assert.equal(out.headers[0]!.name, 'Authorization', 'the name stays readable');
    assert.equal(out.headers[1]!.value, 'application/json');
    assert.equal(out.attributes[0]!.value, REDACTED);
    assert.deepEqual(out.attributes[1], { key: 'gen_ai.request.model', value: { stringValue: 'gpt-4o' } });
  });

  it('redacts bearer tokens and key shapes inside any string', () => {
    assert.equal(redactText(`curl -H "Authorization: Bearer abc.def-ghi_jkl" -H "x: ${SENTINEL}"`).includes('abc.def-ghi_jkl'), false);
    assert.equal(redactText(`key ${SENTINEL} here`).includes(SENTINEL), false);
    assert.equal(redactText('AIzaSyA1234567890abcdefghijklmnopqrstuv').includes('AIzaSyA1234567890'), false);
    assert.equal(redactText('A plain sentence about a bearer of news.'), 'A plain sentence about a bearer of news.');
  });

  it('keeps token counts and other figures', () => {
    for (const name of ['promptTokens', 'outputTokens', 'maxTokens', 'max_tokens', 'tokens', 'timeToFirstTokenMs', 'costMicroUsd']) {
      assert.equal(isSecretName(name), false, name);
    }
    const out = redactJson({ promptTokens: 1200, tokens: { input: 5 }, parameters: { max_tokens: 200 } });
    assert.deepEqual(out, { promptTokens: 1200, tokens: { input: 5 }, parameters: { max_tokens: 200 } });
  });

  it('keeps a __proto__ member as data without touching any prototype', () => {
    const input = JSON.parse('{"__proto__": {"polluted": true, "apiKey": "x"}, "a": 1}') as JsonValue;
    const out = redactJson(input) as Record<string, unknown>;
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
    assert.ok(Object.hasOwn(out, '__proto__'));
    assert.equal(Object.getPrototypeOf(out), Object.prototype);
  });

  it('builds a detail whose every section is redacted, request and response linked', () => {
    const request = event({ provider: 'openai', headers: { authorization: `Bearer ${SENTINEL}` }, apiKey: SENTINEL });
    const response = event(
      { status: 'complete', echo: `the key was ${SENTINEL}`, request: { headers: [{ name: 'x-api-key', value: SENTINEL }] } },
      { id: '01JCCCCCCCCCCCCCCCCCCCCCCC', type: 'llm.response.completed', parentEventId: request.id, durationMs: 1200 },
    );
    const fromRequest = buildDetail({ event: request, children: [response] });
    assert.deepEqual(
      fromRequest.sections.map((s) => [s.name, s.eventId]),
      [
        ['Request', request.id],
        ['Response', response.id],
      ],
    );
    const fromResponse = buildDetail({ event: response, parent: request, children: [] });
    assert.deepEqual(
      fromResponse.sections.map((s) => s.name),
      ['Request', 'Response'],
    );
    for (const detail of [fromRequest, fromResponse]) {
      const json = JSON.stringify(detail);
      assert.ok(!json.includes(SENTINEL), json);
      for (const section of detail.sections) {
        JSON.parse(section.json);
      }
    }
    assert.equal(fromResponse.label, 'chat gpt-4o');
  });

  it('caps huge strings so one tool output cannot make a multi-megabyte detail', () => {
    const huge = event({ output: 'x'.repeat(3_000_000) }, { type: 'tool.call.completed' });
    const detail = buildDetail({ event: huge, children: [] });
    const size = detail.sections.reduce((sum, s) => sum + s.json.length, 0);
    assert.ok(size < 200_000, `detail is ${size} characters`);
    assert.match(detail.sections[0]!.json, /3000000 characters/);
  });
});
