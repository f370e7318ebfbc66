import * as assert from 'node:assert/strict';
import {
  ASSERTION_TYPES,
  evaluateAssertion,
  REGEX_MAX_CHARS,
  scoreAssertions,
  UNTRUSTED_JAVASCRIPT,
  type Assertion,
  type AssertionPorts,
  type AssertionResult,
  type AssertionType,
  type RunFacts,
} from '../../../../src/core/batch/assertions';

const facts = (partial: Partial<RunFacts> = {}): RunFacts => ({ output: '', vars: {}, toolCalls: [], steps: 1, ...partial });

function run(type: AssertionType, value: unknown, partial: Partial<RunFacts> = {}, ports: AssertionPorts = {}, extra: Partial<Assertion> = {}): Promise<AssertionResult> {
  return evaluateAssertion({ type, ...(value !== undefined ? { value } : {}), ...extra }, facts(partial), ports);
}

/** The verdict of an assertion and of its not- form on the same output. */
async function both(type: AssertionType, value: unknown, partial: Partial<RunFacts>): Promise<[boolean, boolean]> {
  const plain = await run(type, value, partial);
  const inverted = await run(`not-${type}` as AssertionType, value, partial);
  return [plain.pass, inverted.pass];
}

describe('batch assertions', () => {
  it('has a not- form of every type but the cost and latency limits', () => {
    assert.ok(ASSERTION_TYPES.includes('not-trajectory:tool-used'));
    assert.ok(ASSERTION_TYPES.includes('not-llm-rubric'));
    assert.ok(!ASSERTION_TYPES.includes('not-cost' as AssertionType));
    assert.ok(!ASSERTION_TYPES.includes('not-latency' as AssertionType));
  });

  describe('text', () => {
    it('equals compares the exact text, or the output parsed as JSON for an object value', async () => {
      assert.deepEqual(await both('equals', 'Paris', { output: 'Paris' }), [true, false]);
      assert.deepEqual(await both('equals', 'Paris', { output: 'Paris.' }), [false, true]);
      assert.equal((await run('equals', 'Paris', { output: 'paris' })).reason, 'the output "paris" differs from the expected "Paris"');
      assert.equal((await run('equals', 42, { output: '42' })).pass, true);
      assert.equal((await run('equals', { a: 1, b: [2] }, { output: '{ "b": [2], "a": 1 }' })).pass, true);
      assert.equal((await run('equals', { a: 1 }, { output: '{"a": 2}' })).pass, false);
      assert.equal((await run('equals', { a: 1 }, { output: 'a=1' })).reason, 'the output is not JSON, so it cannot equal the expected value');
    });

    it('contains and icontains', async () => {
      assert.deepEqual(await both('contains', 'Paris', { output: 'It is Paris.' }), [true, false]);
      assert.deepEqual(await both('contains', 'Paris', { output: 'it is paris' }), [false, true]);
      assert.deepEqual(await both('icontains', 'PARIS', { output: 'it is paris' }), [true, false]);
      assert.deepEqual(await both('icontains', 'Rome', { output: 'it is paris' }), [false, true]);
      assert.equal((await run('contains', 'Paris', { output: 'Rome' })).reason, 'the output does not contain "Paris"');
    });

    it('contains-any/all and their case-insensitive forms, from lists or comma-separated text', async () => {
      const output = 'Tokyo is big';
      assert.deepEqual(await both('contains-any', ['Kyoto', 'Tokyo'], { output }), [true, false]);
      assert.deepEqual(await both('contains-any', 'Kyoto, Osaka', { output }), [false, true]);
      assert.deepEqual(await both('contains-all', ['Tokyo', 'big'], { output }), [true, false]);
      assert.deepEqual(await both('contains-all', ['Tokyo', 'small'], { output }), [false, true]);
      assert.equal((await run('contains-all', ['Tokyo', 'small', 'old'], { output })).reason, 'the output lacks "small", "old"');
      assert.deepEqual(await both('icontains-any', ['TOKYO'], { output }), [true, false]);
      assert.deepEqual(await both('icontains-any', ['osaka'], { output }), [false, true]);
      assert.deepEqual(await both('icontains-all', 'TOKYO,BIG', { output }), [true, false]);
      assert.deepEqual(await both('icontains-all', 'TOKYO,SMALL', { output }), [false, true]);
    });

    it('starts-with', async () => {
      assert.deepEqual(await both('starts-with', 'Dear', { output: 'Dear Sir' }), [true, false]);
      assert.deepEqual(await both('starts-with', 'Dear', { output: ' Dear Sir' }), [false, true]);
    });
  });

  describe('regex', () => {
    it('matches a pattern or a /pattern/flags literal', async () => {
      assert.deepEqual(await both('regex', '^\\d{3}$', { output: '123' }), [true, false]);
      assert.deepEqual(await both('regex', '^\\d{3}$', { output: '1234' }), [false, true]);
      assert.equal((await run('regex', '/^paris/i', { output: 'PARIS!' })).pass, true);
      assert.equal((await run('regex', 'a+', { output: 'baaad' })).reason, 'the output matches /a+/ at "aaa"');
    });

    it('an invalid pattern fails with the reason, in the not- form too', async () => {
      const plain = await run('regex', '(unclosed', { output: 'x' });
      assert.equal(plain.pass, false);
      assert.match(plain.reason, /^invalid regular expression "\(unclosed": Invalid regular expression: .*Unterminated group/);
      assert.equal((await run('not-regex', '(unclosed', { output: 'x' })).pass, false);
    });

    it('searches only the first 1 MB of the output, and says so', async () => {
      const output = `${'x'.repeat(REGEX_MAX_CHARS)}NEEDLE`;
      const result = await run('regex', 'NEEDLE', { output });
      assert.equal(result.pass, false);
      assert.equal(result.reason, 'the output does not match /NEEDLE/ (only the first 1 MB of the 1.0 MB output was searched)');
      assert.equal((await run('regex', 'NEEDLE', { output: `${'x'.repeat(REGEX_MAX_CHARS - 6)}NEEDLE` })).pass, true);
    });
  });

  describe('is-json', () => {
    const schema = { type: 'object', required: ['city'], properties: { city: { type: 'string' } } };

    it('passes on JSON, fails on anything else', async () => {
      assert.deepEqual(await both('is-json', undefined, { output: ' {"a": 1} ' }), [true, false]);
      assert.deepEqual(await both('is-json', undefined, { output: 'The answer is {"a": 1}' }), [false, true]);
      assert.match((await run('is-json', undefined, { output: 'nope' })).reason, /^the output is not valid JSON \(/);
    });

    it('validates against a JSON schema with its errors as the reason', async () => {
      assert.deepEqual(await both('is-json', schema, { output: '{"city": "Lima"}' }), [true, false]);
      const wrong = await run('is-json', schema, { output: '{"city": 3}' });
      assert.equal(wrong.pass, false);
      assert.equal(wrong.reason, 'the output is JSON but does not match the schema: output/city must be string');
      assert.equal((await run('is-json', JSON.stringify(schema), { output: '{}' })).reason, "the output is JSON but does not match the schema: output must have required property 'city'");
    });

    it('a schema that does not compile fails with the reason, in the not- form too', async () => {
      const broken = { type: 'object', properties: { a: { type: 'strnig' } } };
      const plain = await run('is-json', broken, { output: '{}' });
      assert.equal(plain.pass, false);
      assert.match(plain.reason, /^the JSON schema is invalid: .*type/);
      assert.equal((await run('not-is-json', broken, { output: '{}' })).pass, false);
    });
  });

  describe('llm-rubric', () => {
    const judge = (verdict: { pass: boolean; score: number; reason: string }): AssertionPorts => ({ judge: () => Promise.resolve(verdict) });

    it('takes the judge verdict, and an assertion threshold on its score', async () => {
      const calls: string[][] = [];
      const ports: AssertionPorts = {
        judge: (rubric, output) => {
          calls.push([rubric, output]);
          return Promise.resolve({ pass: true, score: 0.6, reason: 'mostly polite' });
        },
      };
      const plain = await run('llm-rubric', 'is polite', { output: 'hi' }, ports);
      assert.deepEqual(calls, [['is polite', 'hi']]);
      assert.deepEqual([plain.pass, plain.score, plain.reason], [true, 0.6, 'mostly polite']);
      const strict = await run('llm-rubric', 'is polite', { output: 'hi' }, ports, { threshold: 0.8 });
      assert.deepEqual([strict.pass, strict.reason], [false, 'mostly polite (score 0.6, threshold 0.8)']);
      const inverted = await run('not-llm-rubric', 'is rude', { output: 'hi' }, judge({ pass: false, score: 0.1, reason: 'not rude' }));
      assert.deepEqual([inverted.pass, inverted.score], [true, 0.9]);
    });

    it('a judge that rejects, or no judge, fails the assertion in both forms, without throwing', async () => {
      const failing: AssertionPorts = { judge: () => Promise.reject(new Error('429 rate limited')) };
      for (const type of ['llm-rubric', 'not-llm-rubric'] as const) {
        const result = await run(type, 'is polite', { output: 'hi' }, failing);
        assert.deepEqual([result.pass, result.score, result.reason], [false, 0, 'the judge failed: 429 rate limited']);
      }
      const throwing: AssertionPorts = {
        judge: () => {
          throw new Error('no key');
        },
      };
      assert.equal((await run('llm-rubric', 'x', {}, throwing)).reason, 'the judge failed: no key');
      assert.equal((await run('not-llm-rubric', 'x', {}, {})).reason, 'llm-rubric needs a judge model, and none is configured for this run');
    });
  });

  describe('javascript', () => {
    const returning = (value: unknown): AssertionPorts => ({ runJavascript: () => Promise.resolve(value as boolean) });

    it('fails without running when the dataset is not trusted (no port), in the not- form too', async () => {
      for (const type of ['javascript', 'not-javascript'] as const) {
        const result = await run(type, 'true', { output: 'x' });
        assert.deepEqual([result.pass, result.reason], [false, UNTRUSTED_JAVASCRIPT]);
      }
      assert.equal(UNTRUSTED_JAVASCRIPT, 'JavaScript assertions run only for datasets you trust');
    });

    it('gives the code the output and the vars', async () => {
      let seen: unknown;
      const ports: AssertionPorts = {
        runJavascript: (code, context) => {
          seen = { code, context };
          return Promise.resolve(true);
        },
      };
      await run('javascript', 'output.length > 1', { output: 'hi', vars: { n: 2 } }, ports);
      assert.deepEqual(seen, { code: 'output.length > 1', context: { output: 'hi', vars: { n: 2 } } });
    });

    it('reads true/false, a score (above 0, or reaching the threshold), and { pass, score, reason }', async () => {
      assert.equal((await run('javascript', 'c', {}, returning(true))).pass, true);
      assert.equal((await run('javascript', 'c', {}, returning(false))).pass, false);
      assert.equal((await run('not-javascript', 'c', {}, returning(false))).pass, true);
      const scored = await run('javascript', 'c', {}, returning(0.4));
      assert.deepEqual([scored.pass, scored.score], [true, 0.4]);
      assert.equal((await run('javascript', 'c', {}, returning(0))).pass, false);
      const belowThreshold = await run('javascript', 'c', {}, returning(0.4), { threshold: 0.5 });
      assert.deepEqual([belowThreshold.pass, belowThreshold.reason], [false, 'the JavaScript assertion returned score 0.4 (threshold 0.5)']);
      assert.equal((await run('javascript', 'c', {}, returning(7))).score, 1, 'scores are clamped to 0..1');
      const object = await run('javascript', 'c', {}, returning({ pass: false, score: 0.25, reason: 'too short' }));
      assert.deepEqual([object.pass, object.score, object.reason], [false, 0.25, 'too short']);
    });

    it('a failure to run (error: true, a rejection, an unusable value) fails in both forms', async () => {
      const errored = returning({ pass: false, reason: 'the JavaScript assertion threw TypeError: x is undefined', error: true });
      for (const type of ['javascript', 'not-javascript'] as const) {
        assert.deepEqual(
          [(await run(type, 'c', {}, errored)).pass, (await run(type, 'c', {}, errored)).reason],
          [false, 'the JavaScript assertion threw TypeError: x is undefined'],
        );
        assert.equal((await run(type, 'c', {}, { runJavascript: () => Promise.reject(new Error('worker gone')) })).reason, 'the JavaScript assertion failed: worker gone');
        assert.equal((await run(type, 'c', {}, returning(Number.NaN))).pass, false);
        assert.equal((await run(type, 'c', {}, returning('yes'))).reason, 'the JavaScript assertion returned neither true/false, a score, nor { pass, score, reason }');
      }
    });
  });

  describe('cost and latency', () => {
    it('cost passes within the limit, fails over it, and fails when the cost is unknown', async () => {
      assert.deepEqual([(await run('cost', 0.01, { costUsd: 0.004 })).pass, (await run('cost', 0.01, { costUsd: 0.004 })).reason], [true, 'cost $0.004, within $0.01']);
      assert.equal((await run('cost', 0.01, { costUsd: 0.02 })).reason, 'cost $0.02, over the limit of $0.01');
      const unknown = await run('cost', 0.01, {});
      assert.deepEqual([unknown.pass, unknown.reason], [false, 'the cost of this run is unknown (the model has no price), so a cost limit cannot pass']);
    });

    it('latency passes within the limit, fails over it, and fails when unknown', async () => {
      assert.equal((await run('latency', 1000, { latencyMs: 1000 })).pass, true);
      assert.equal((await run('latency', 1000, { latencyMs: 1001 })).reason, 'took 1001 ms, over the limit of 1000 ms');
      assert.equal((await run('latency', 1000, {})).pass, false);
    });
  });

  describe('trajectory', () => {
    const toolCalls = [{ name: 'search' }, { name: 'read' }, { name: 'search' }, { name: 'write' }];

    it('tool-used passes when every listed tool was called', async () => {
      assert.deepEqual(await both('trajectory:tool-used', 'read', { toolCalls }), [true, false]);
      assert.deepEqual(await both('trajectory:tool-used', ['read', 'write'], { toolCalls }), [true, false]);
      assert.deepEqual(await both('trajectory:tool-used', ['read', 'delete'], { toolCalls }), [false, true]);
      assert.equal((await run('trajectory:tool-used', 'delete', { toolCalls })).reason, 'did not use delete (tool calls: search → read → search → write)');
      assert.equal((await run('trajectory:tool-used', 'read', {})).reason, 'did not use read (no tool calls)');
    });

    it('tool-sequence passes when the tools appear in order, others allowed between', async () => {
      assert.deepEqual(await both('trajectory:tool-sequence', ['search', 'write'], { toolCalls }), [true, false]);
      assert.deepEqual(await both('trajectory:tool-sequence', ['read', 'search', 'write'], { toolCalls }), [true, false]);
      assert.deepEqual(await both('trajectory:tool-sequence', ['write', 'search'], { toolCalls }), [false, true]);
      assert.equal(
        (await run('trajectory:tool-sequence', ['search', 'write', 'read'], { toolCalls })).reason,
        'expected search → write → read in order, found the sequence only up to write (tool calls: search → read → search → write)',
      );
    });

    it('step-count takes a maximum, or a min and max', async () => {
      assert.deepEqual(await both('trajectory:step-count', 3, { steps: 3 }), [true, false]);
      assert.deepEqual(await both('trajectory:step-count', 3, { steps: 4 }), [false, true]);
      assert.deepEqual(await both('trajectory:step-count', { min: 2, max: 5 }, { steps: 1 }), [false, true]);
      assert.equal((await run('trajectory:step-count', { min: 2, max: 5 }, { steps: 1 })).reason, 'took 1 step; expected at least 2 and at most 5');
      assert.equal((await run('trajectory:step-count', { min: 2 }, { steps: 9 })).pass, true);
    });
  });

  describe('weights and thresholds', () => {
    const result = (pass: boolean, score: number, weight = 1): AssertionResult => ({ type: 'contains', pass, score, reason: '', weight });

    it('carries the weight (default 1) and the metric into the result', async () => {
      assert.equal((await run('contains', 'a', { output: 'a' })).weight, 1);
      const tagged = await run('contains', 'a', { output: 'a' }, {}, { weight: 3, metric: 'recall' });
      assert.deepEqual([tagged.weight, tagged.metric], [3, 'recall']);
    });

    it('an item passes when every weighted assertion passes; its score is the weighted mean', () => {
      assert.deepEqual(scoreAssertions([result(true, 1, 3), result(false, 0, 1)]), { pass: false, score: 0.75 });
      assert.deepEqual(scoreAssertions([result(true, 1), result(true, 0.5)]), { pass: true, score: 0.75 });
    });

    it('weight 0 is informational: it changes neither the pass nor the score', () => {
      assert.deepEqual(scoreAssertions([result(true, 1, 1), result(false, 0, 0)]), { pass: true, score: 1 });
      assert.deepEqual(scoreAssertions([result(false, 0, 0)]), { pass: true, score: 1 });
      assert.deepEqual(scoreAssertions([]), { pass: true, score: 1 });
    });

    it('an item threshold makes the pass "score reaches the threshold" instead', () => {
      const results = [result(true, 1, 3), result(false, 0, 1)];
      assert.deepEqual(scoreAssertions(results, 0.75), { pass: true, score: 0.75 });
      assert.deepEqual(scoreAssertions(results, 0.8), { pass: false, score: 0.75 });
    });
  });
});
