import * as assert from 'node:assert/strict';
import { collectAnswer } from '../../../src/llm/collect';
import { streamChat } from '../../../src/llm/streamChat';
import type { ChatMessage, ContentPart, ProviderAdapter } from '../../../src/llm/types';
import { FakeProviderServer, modelFor, scenarioOf } from '../../fakes/providers/fakeServer';
import { modelForScript, postScript, scriptCallId, scriptNameOf, scriptSignature } from '../../fakes/providers/fakeScripts';
import { ASK, FIXTURES, resultsOf, step, STEPS, TOOLS, type KindFixture } from './toolTurnFixtures';

/**
 * The scripted fake itself: it refuses, as the real APIs do, a history that lost what the provider requires back
 * (Anthropic's thinking blocks and their signatures, Gemini's thought signatures, Chat Completions' tool
 * messages), it picks the step from the request alone, and another process can give it a script over HTTP.
 */

const SCRIPT = 'fix-test';
const MODEL = modelForScript(SCRIPT);
const fixture = (kind: KindFixture['kind']) => FIXTURES.find((f) => f.kind === kind)!;
const watchdogs = { firstByteMs: 3_000, idleMs: 3_000 };

/** Step 1 through the adapter, then step 2 with the stored step-1 parts changed by `edit`. */
async function secondStepWith(kind: KindFixture['kind'], edit: (parts: ContentPart[]) => ContentPart[], dropResult = false) {
  const kindFixture = fixture(kind);
  const server = await FakeProviderServer.start(kindFixture.handler);
  try {
    server.scripts.set(SCRIPT, STEPS);
    const client: ProviderAdapter = kindFixture.adapter(server.origin);
    const user: ChatMessage = { role: 'user', content: [{ type: 'text', text: ASK }] };
    const first = await step(client, kind, { model: MODEL, messages: [user], tools: TOOLS, thinking: {} });
    const results = resultsOf(first);
    if (dropResult) {
      results.content.pop();
    }
    const messages: ChatMessage[] = [user, { role: 'assistant', content: edit(first.stored) }, results];
    const answer = await collectAnswer(streamChat(client, { model: MODEL, messages, tools: TOOLS, thinking: {} }, { watchdogs, retry: { baseDelayMs: 1 } }));
    return { answer, hits: server.requests.filter((r) => kindFixture.isChat(r)).length };
  } finally {
    await server.close();
  }
}

const without = (type: ContentPart['type']) => (parts: ContentPart[]) => parts.filter((part) => part.type !== type);

describe('The scripted fake refuses what the real APIs refuse', function () {
  this.timeout(10_000);

  it('Anthropic: a last assistant turn that lost its thinking blocks, with thinking on', async () => {
    const { answer, hits } = await secondStepWith('anthropic', without('reasoning'));
    assert.equal(answer.error?.kind, 'bad_request');
    assert.match(answer.error.message, /Expected `thinking` or `redacted_thinking`, but found `tool_use`/);
    assert.equal(hits, 2, 'a 400 is not retried');
  });

  it('Anthropic: a thinking block whose signature changed', async () => {
    const { answer } = await secondStepWith('anthropic', (parts) =>
      parts.map((part) => (part.type === 'reasoning' && part.signature ? { ...part, signature: `${part.signature}x` } : part)),
    );
    assert.equal(answer.error?.kind, 'bad_request');
    assert.match(answer.error.message, /Invalid `signature` in `thinking` block/);
  });

  it('Anthropic: parallel calls with one tool_result missing', async () => {
    const { answer } = await secondStepWith('anthropic', (parts) => parts, true);
    assert.match(answer.error?.message ?? '', /tool_use` ids were found without `tool_result` blocks immediately after: toolu_/);
  });

  it("Gemini: a call that lost its thoughtSignature, or whose part lost its origin (the placeholder does not pass for the fake's own calls)", async () => {
    for (const edit of [
      (part: ContentPart): ContentPart => (part.type === 'tool_call' ? { type: 'tool_call', id: part.id, name: part.name, arguments: part.arguments, origin: 'gemini' } : part),
      (part: ContentPart): ContentPart => (part.type === 'tool_call' ? { type: 'tool_call', id: part.id, name: part.name, arguments: part.arguments, ...(part.signature ? { signature: part.signature } : {}) } : part),
    ]) {
      const { answer } = await secondStepWith('gemini', (parts) => parts.map(edit));
      assert.equal(answer.error?.kind, 'bad_request');
      assert.match(answer.error.message, /Function call is missing a thought_signature in functionCall parts/);
    }
  });

  it('Gemini: fewer functionResponse parts than calls', async () => {
    const { answer } = await secondStepWith('gemini', (parts) => parts, true);
    assert.match(answer.error?.message ?? '', /number of function response parts is equal to the number of function call parts/);
  });

  it('Chat Completions: a tool_call without its tool message', async () => {
    const { answer } = await secondStepWith('openai', (parts) => parts, true);
    assert.equal(answer.error?.kind, 'bad_request');
    assert.match(answer.error.message, new RegExp(`did not have response messages: ${scriptCallId('call_', SCRIPT, 1, 1)}`));
  });

  it('accepts the same history when nothing was lost', async () => {
    for (const kind of ['anthropic', 'gemini', 'openai'] as const) {
      const { answer } = await secondStepWith(kind, (parts) => parts);
      assert.equal(answer.status, 'complete', `${kind}: ${answer.error?.message ?? ''}`);
      assert.deepEqual(answer.toolCalls.map((c) => c.name), ['run_tests']);
    }
  });
});

describe('The scripted fake: steps from the request, scripts from another process', function () {
  this.timeout(10_000);
  let server: FakeProviderServer;
  const openai = fixture('openai');

  before(async () => {
    server = await FakeProviderServer.start(openai.handler);
  });
  afterEach(() => server.scripts.clear());
  after(() => server.close());

  it('picks the step from the assistant turns in the request: a retry gets the same step and the same call ids', async () => {
    server.scripts.set(SCRIPT, STEPS);
    const client = openai.adapter(server.origin);
    const user: ChatMessage = { role: 'user', content: [{ type: 'text', text: ASK }] };
    const once = await step(client, 'openai', { model: MODEL, messages: [user] });
    const again = await step(client, 'openai', { model: MODEL, messages: [user] });
    assert.deepEqual(again.toolCalls, once.toolCalls);
    assert.deepEqual(once.toolCalls.map((c) => c.id), [scriptCallId('call_', SCRIPT, 1, 0), scriptCallId('call_', SCRIPT, 1, 1)]);
    assert.equal(once.reasoning, STEPS[0]!.reasoning);
  });

  it('takes a script over POST /__script/<name>, and refuses one that is not a list of steps', async () => {
    await postScript(server.origin, 'remote', [{ text: 'Scripted from afar.', usage: { inputTokens: 7, outputTokens: 3 }, delayMs: 150 }]);
    const started = performance.now();
    const answer = await collectAnswer(
      streamChat(openai.adapter(server.origin), { model: modelForScript('remote'), messages: [{ role: 'user', content: [{ type: 'text', text: 'Hi' }] }] }, { watchdogs }),
    );
    assert.equal(answer.text, 'Scripted from afar.', answer.error?.message);
    assert.equal(answer.usage?.inputTokens, 7);
    assert.ok(performance.now() - started >= 140, 'the step waited its delayMs before answering');
    await assert.rejects(postScript(server.origin, 'broken', { steps: 'no' } as never), /400/);
    assert.equal(server.scripts.has('broken'), false);
    assert.ok(!server.requests.some((r) => r.url.startsWith('/__script')), 'control requests are not recorded as provider traffic');
  });

  it('answers a script it does not have, or a history longer than the script, with a 400', async () => {
    server.scripts.set('short', [{ text: 'only one' }]);
    const ask = (model: string, messages: ChatMessage[]) => collectAnswer(streamChat(openai.adapter(server.origin), { model, messages }, { watchdogs }));
    const missing = await ask(modelForScript('nope'), [{ role: 'user', content: [{ type: 'text', text: 'Hi' }] }]);
    assert.match(missing.error?.message ?? '', /no script named "nope"/);
    const beyond = await ask(modelForScript('short'), [
      { role: 'user', content: [{ type: 'text', text: 'Hi' }] },
      { role: 'assistant', content: [{ type: 'text', text: 'only one' }] },
      { role: 'user', content: [{ type: 'text', text: 'More?' }] },
    ]);
    assert.match(beyond.error?.message ?? '', /has 1 steps; the request already holds 1 assistant turns/);
  });

  it('keeps the scenario names working beside the script names', () => {
    assert.equal(scenarioOf(modelFor('tool')), 'tool');
    assert.equal(scenarioOf(MODEL), undefined);
    assert.equal(scriptNameOf(`models/${MODEL}`), SCRIPT);
    assert.equal(scriptNameOf(modelFor('ok')), undefined);
    assert.notEqual(scriptSignature('gemini', SCRIPT, 1), scriptSignature('gemini', SCRIPT, 2));
  });
});
