import * as assert from 'node:assert/strict';
import type { ProviderKind } from '../../../src/llm/endpoints';
import type { ContentPart } from '../../../src/llm/types';
import { FakeProviderServer } from '../../fakes/providers/fakeServer';
import { modelForScript, scriptCallId, scriptSignature } from '../../fakes/providers/fakeScripts';
import { ASK, FIXTURES, runLoop, STEPS, TEST_RUN, toolResultFor, type LoopOutcome } from './toolTurnFixtures';

/**
 * A three-step tool turn through each provider's real SDK against the scripted fake: step 1 thinks and makes two
 * parallel calls, step 2 one call, step 3 answers quoting the last tool result. What is checked is what the
 * provider would see: each request carries the calls and results in the provider's own shape, the history is
 * sent back unchanged from step to step, and signatures come back exactly as they were issued (the fake answers
 * 400 otherwise, as Anthropic and Gemini 3 do).
 */

const SCRIPT = 'fix-test';
const MODEL = modelForScript(SCRIPT);
const [step1, step2] = STEPS;
const call = (prefix: string, step: number, index: number) => scriptCallId(prefix, SCRIPT, step, index);
const args1 = step1!.toolCalls!.map((c) => c.arguments as { path: string });
const result = (name: string, args: unknown) => toolResultFor(name, JSON.stringify(args));
const runArgs = step2!.toolCalls![0]!.arguments;

type Body = Record<string, unknown>;

/** The provider-shaped history each kind must send: requests 2 and 3, as the fake received them. */
const EXPECTED: Record<ProviderKind, (bodies: Body[], outcome: LoopOutcome) => void> = {
  anthropic(bodies) {
    assert.deepEqual(bodies[0]!.thinking, { type: 'adaptive' }, 'thinking is asked for');
    const id = (step: number, index: number) => call('toolu_', step, index);
    assert.deepEqual(bodies[1]!.messages, [
      { role: 'user', content: [{ type: 'text', text: ASK }] },
      {
        role: 'assistant',
        content: [
          { type: 'thinking', thinking: step1!.reasoning, signature: scriptSignature('anthropic', SCRIPT, 1) },
          { type: 'redacted_thinking', data: step1!.redacted },
          { type: 'tool_use', id: id(1, 0), name: 'read_file', input: args1[0] },
          { type: 'tool_use', id: id(1, 1), name: 'read_file', input: args1[1] },
        ],
      },
      {
        role: 'user',
        content: [
          { type: 'tool_result', tool_use_id: id(1, 0), content: result('read_file', args1[0]) },
          { type: 'tool_result', tool_use_id: id(1, 1), content: result('read_file', args1[1]) },
        ],
      },
    ]);
    assert.deepEqual((bodies[2]!.messages as unknown[]).slice(3), [
      {
        role: 'assistant',
        content: [
          { type: 'thinking', thinking: step2!.reasoning, signature: scriptSignature('anthropic', SCRIPT, 2) },
          { type: 'tool_use', id: id(2, 0), name: 'run_tests', input: runArgs },
        ],
      },
      { role: 'user', content: [{ type: 'tool_result', tool_use_id: id(2, 0), content: TEST_RUN }] },
    ]);
  },
  openai: chatCompletionsShape,
  'azure-openai': chatCompletionsShape,
  'openai-compatible': chatCompletionsShape,
  gemini(bodies, outcome) {
    const id = (step: number, index: number) => call('fc_', step, index);
    assert.deepEqual(bodies[1]!.contents, [
      { role: 'user', parts: [{ text: ASK }] },
      {
        role: 'model',
        parts: [
          { text: step1!.reasoning, thought: true },
          { functionCall: { id: id(1, 0), name: 'read_file', args: args1[0] }, thoughtSignature: scriptSignature('gemini', SCRIPT, 1) },
          // A parallel call: Gemini signs only the first of a step, and nothing is made up for the second.
          { functionCall: { id: id(1, 1), name: 'read_file', args: args1[1] } },
        ],
      },
      {
        role: 'user',
        parts: [
          { functionResponse: { id: id(1, 0), name: 'read_file', response: { result: result('read_file', args1[0]) } } },
          { functionResponse: { id: id(1, 1), name: 'read_file', response: { result: result('read_file', args1[1]) } } },
        ],
      },
    ]);
    assert.deepEqual((bodies[2]!.contents as unknown[]).slice(3), [
      {
        role: 'model',
        parts: [
          { text: step2!.reasoning, thought: true },
          { functionCall: { id: id(2, 0), name: 'run_tests', args: runArgs }, thoughtSignature: scriptSignature('gemini', SCRIPT, 2) },
        ],
      },
      { role: 'user', parts: [{ functionResponse: { id: id(2, 0), name: 'run_tests', response: { result: TEST_RUN } } }] },
    ]);
    // A text answer's signature comes on an empty last part; it is kept for the next turn too.
    assert.deepEqual(outcome.steps[2]!.at(-1), { type: 'reasoning', text: '', signature: scriptSignature('gemini', SCRIPT, 3), origin: 'gemini' });
  },
  ollama(bodies) {
    assert.deepEqual(bodies[1]!.messages, [
      { role: 'user', content: ASK },
      {
        role: 'assistant',
        content: '',
        thinking: step1!.reasoning,
        tool_calls: args1.map((args) => ({ function: { name: 'read_file', arguments: args } })),
      },
      { role: 'tool', content: result('read_file', args1[0]), tool_name: 'read_file' },
      { role: 'tool', content: result('read_file', args1[1]), tool_name: 'read_file' },
    ]);
    assert.deepEqual((bodies[2]!.messages as unknown[]).slice(4), [
      { role: 'assistant', content: '', thinking: step2!.reasoning, tool_calls: [{ function: { name: 'run_tests', arguments: runArgs } }] },
      { role: 'tool', content: TEST_RUN, tool_name: 'run_tests' },
    ]);
  },
};

function chatCompletionsShape(bodies: Body[]): void {
  const id = (step: number, index: number) => call('call_', step, index);
  const fn = (name: string, args: unknown) => ({ name, arguments: JSON.stringify(args) });
  assert.deepEqual(bodies[1]!.messages, [
    { role: 'user', content: ASK },
    {
      role: 'assistant',
      content: null,
      tool_calls: [
        { id: id(1, 0), type: 'function', function: fn('read_file', args1[0]) },
        { id: id(1, 1), type: 'function', function: fn('read_file', args1[1]) },
      ],
    },
    { role: 'tool', tool_call_id: id(1, 0), content: result('read_file', args1[0]) },
    { role: 'tool', tool_call_id: id(1, 1), content: result('read_file', args1[1]) },
  ]);
  assert.deepEqual((bodies[2]!.messages as unknown[]).slice(4), [
    { role: 'assistant', content: null, tool_calls: [{ id: id(2, 0), type: 'function', function: fn('run_tests', runArgs) }] },
    { role: 'tool', tool_call_id: id(2, 0), content: TEST_RUN },
  ]);
  assert.ok(!JSON.stringify(bodies).includes(step1!.reasoning!), 'reasoning is never sent back to Chat Completions');
}

/** The step-1 part that carries the provider's signature, as the loop stored it. */
function signedParts(parts: ContentPart[]): ContentPart[] {
  return parts.filter((part) => (part.type === 'reasoning' || part.type === 'tool_call') && part.signature !== undefined);
}

describe('A multi-step tool turn through every provider SDK, against the scripted fake', function () {
  this.timeout(15_000);

  for (const fixture of FIXTURES) {
    describe(fixture.kind, () => {
      let server: FakeProviderServer;

      before(async () => {
        server = await FakeProviderServer.start(fixture.handler);
        server.scripts.set(SCRIPT, STEPS);
      });
      after(() => server.close());

      it('runs three steps: parallel calls, one call, then an answer quoting the last tool result', async () => {
        const outcome = await runLoop(fixture.adapter(server.origin), fixture.kind, MODEL);
        assert.equal(outcome.steps.length, 3);
        assert.equal(outcome.finalText, `Fixed. The test run says: ${TEST_RUN}`, 'the tool result reached the model');
        const calls = outcome.steps.map((parts) => parts.filter((part) => part.type === 'tool_call').map((part) => (part.type === 'tool_call' ? part.name : '')));
        assert.deepEqual(calls, [['read_file', 'read_file'], ['run_tests'], []]);
        const ids = outcome.steps.flat().flatMap((part) => (part.type === 'tool_call' ? [part.id] : []));
        assert.equal(new Set(ids).size, 3, 'every call has its own id');

        const bodies = server.requests.filter((r) => fixture.isChat(r)).map((r) => r.body as Body);
        assert.equal(bodies.length, 3, 'one request per step, none retried');
        EXPECTED[fixture.kind](bodies, outcome);
        const history = (body: Body) => (body.messages ?? body.contents) as unknown[];
        assert.deepEqual(history(bodies[2]!).slice(0, history(bodies[1]!).length), history(bodies[1]!), 'earlier steps are sent back unchanged');
      });

      if (fixture.kind === 'anthropic' || fixture.kind === 'gemini') {
        it('stores the signatures it was given with the parts that carried them, stamped with their origin', async () => {
          server.reset();
          const outcome = await runLoop(fixture.adapter(server.origin), fixture.kind, MODEL);
          const signed = signedParts(outcome.steps[0]!);
          assert.equal(signed.length, 1);
          assert.equal(signed[0]!.type, fixture.kind === 'anthropic' ? 'reasoning' : 'tool_call');
          assert.deepEqual(
            signed.map((part) => (part.type === 'reasoning' || part.type === 'tool_call' ? [part.signature, part.origin] : [])),
            [[scriptSignature(fixture.kind, SCRIPT, 1), fixture.kind]],
          );
        });
      }
    });
  }
});
