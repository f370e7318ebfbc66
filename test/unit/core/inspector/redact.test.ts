import * as assert from 'node:assert/strict';
import { buildDetail } from '../../../../src/core/inspector/detail';
import { isSecretName, isSecretWord, REDACTED, redactJson, redactText } from '../../../../src/core/inspector/redact';
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

  describe('secrets inside a tool call\'s text (command lines, files it read, JSON it wrote)', () => {
    const cases: [string, string, string[]][] = [
      ['an env var on a command line', 'GITHUB_TOKEN=plain-secret-1 gh api /user', ['plain-secret-1']],
      ['exported, quoted', "export OPENAI_API_KEY='plain-secret-2' && npm test", ['plain-secret-2']],
      ['a .env file', 'DB_HOST=localhost\nDB_PASSWORD=plain-secret-3\nAWS_SECRET_ACCESS_KEY=plain-secret-4\n', ['plain-secret-3', 'plain-secret-4']],
      ['an authorization header in curl', `curl -H "Authorization: token plain-secret-5" -H 'X-Api-Key: plain-secret-6' https://api.example.com`, ['plain-secret-5', 'plain-secret-6']],
      ['basic auth, short', '-H "Authorization: Basic Zm9v"', ['Zm9v']],
      ['a password in a URL', 'git clone https://bob:plain-secret-7@git.example.com/repo.git', ['plain-secret-7']],
      ['a token in a query', 'fetch https://example.com/hook?token=plain-secret-8&page=2', ['plain-secret-8']],
      ['flags', 'deploy --password plain-secret-9 --api-key="plain-secret-10" -u admin:plain-secret-11', ['plain-secret-9', 'plain-secret-10', 'plain-secret-11']],
      ['arguments as JSON text', '{"command":"API_TOKEN=plain-secret-13 node test.js"}', ['plain-secret-13']],
      ['token shapes', 'ghp_abcdefghijklmnopqrstuvwxyz0123 xoxb-1234567890-abcdef AKIAABCDEFGHIJKLMNOP eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.c2lnbmF0dXJlLXBhcnQ', ['ghp_abcdef', 'xoxb-1234567890', 'AKIAABCDEFGHIJKLMNOP', 'c2lnbmF0dXJlLXBhcnQ']],
      ['a private key', '-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n-----END OPENSSH PRIVATE KEY-----', ['b3BlbnNzaC1rZXktdjEAAAAA']],
    ];
    for (const [what, text, secrets] of cases) {
      it(`hides ${what}`, () => {
        const out = redactText(text);
        for (const secret of secrets) {
          assert.ok(!out.includes(secret), `${secret} leaked: ${out}`);
        }
        assert.ok(out.includes(REDACTED), out);
      });
    }

    it('keeps what is not a secret readable', () => {
      assert.equal(redactText('npm test -- --grep "adds numbers" && echo MAX_TOKENS=100'), 'npm test -- --grep "adds numbers" && echo MAX_TOKENS=100');
      assert.equal(redactText('curl -H "Authorization: Bearer abcdefghijkl" https://example.com'), `curl -H "Authorization: ${REDACTED}" https://example.com`);
      assert.equal(redactText('GITHUB_TOKEN=plain-secret node x'), `GITHUB_TOKEN=${REDACTED} node x`);
      for (const name of ['GITHUB_TOKEN', 'npmToken', 'db.password', 'x-api-key', 'SSH_KEY', 'client_secret']) {
        assert.equal(isSecretWord(name), true, name);
      }
      for (const name of ['max_tokens', 'promptTokens', 'monkey', 'keyboard', 'command', 'path']) {
        assert.equal(isSecretWord(name), false, name);
      }
    });

    it('reads JSON text as JSON: a secret-named member of a file the model wrote is hidden, at any depth', () => {
      const args = JSON.stringify({ path: 'config.json', content: JSON.stringify({ apiKey: 'plain-secret-12', max_tokens: 5, nested: { password: 'plain-secret-13' } }) });
      const out = redactJson({ arguments: args }) as { arguments: string };
      assert.ok(!out.arguments.includes('plain-secret-12') && !out.arguments.includes('plain-secret-13'), out.arguments);
      const content = JSON.parse((JSON.parse(out.arguments) as { content: string }).content) as Record<string, unknown>;
      assert.deepEqual(content, { apiKey: REDACTED, max_tokens: 5, nested: { password: REDACTED } });
      assert.equal(redactJson('{"a": 1}'), '{"a": 1}', 'JSON text without secrets stays as written');
    });

    it('hides a secret-named text member at any depth (an env map), keeping figures under such names', () => {
      const out = redactJson({ env: { GITHUB_TOKEN: 'plain-secret', NODE_ENV: 'test' }, limits: { max_tokens: 100, tokenCount: 3 } });
      assert.deepEqual(out, { env: { GITHUB_TOKEN: REDACTED, NODE_ENV: 'test' }, limits: { max_tokens: 100, tokenCount: 3 } });
    });

    it('takes one pass, not a stall, over a megabyte of tool output', () => {
      const hostile = ['a.'.repeat(300_000), 'x='.repeat(200_000), '"k":'.repeat(100_000), '-'.repeat(200_000)].join('\n');
      const started = performance.now();
      redactText(hostile);
      const ms = performance.now() - started;
      assert.ok(ms < 1_500, `redacting took ${Math.round(ms)} ms`);
    });
  });
});
