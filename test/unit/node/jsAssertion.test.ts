import * as assert from 'node:assert/strict';
import { evaluateAssertion } from '../../../src/core/batch/assertions';
import { createJavascriptPort, runJavascriptAssertion } from '../../../src/node/jsAssertion';

const context = { output: 'The capital is Paris.', vars: { city: 'Paris', n: 2 } };

describe('JavaScript assertions in a worker', () => {
  it('runs an expression with output and context.vars', async () => {
    assert.equal(await runJavascriptAssertion('output.includes(context.vars.city)', context), true);
    assert.equal(await runJavascriptAssertion("output.startsWith('Rome');", context), false);
  });

  it('runs a function body, and awaits a promise it returns', async () => {
    assert.equal(await runJavascriptAssertion('const words = output.split(" ");\nreturn words.length === 4;', context), true);
    assert.equal(await runJavascriptAssertion('return new Promise((resolve) => setTimeout(() => resolve(context.vars.n > 1), 10));', context), true);
  });

  it('passes a number score and a { pass, score, reason } object through', async () => {
    assert.equal(await runJavascriptAssertion('output.length / 100', context), 0.21);
    assert.deepEqual(await runJavascriptAssertion("({ pass: false, score: 0.3, reason: 'no ' + context.vars.city })", context), { pass: false, score: 0.3, reason: 'no Paris' });
  });

  it('a thrown error is a failure with its message', async () => {
    assert.deepEqual(await runJavascriptAssertion('throw new RangeError("too long")', context), {
      pass: false,
      reason: 'the JavaScript assertion threw RangeError: too long',
      error: true,
    });
    assert.deepEqual(await runJavascriptAssertion('output.nope.deeper', context), {
      pass: false,
      reason: "the JavaScript assertion threw TypeError: Cannot read properties of undefined (reading 'deeper')",
      error: true,
    });
  });

  it('a value of another kind is a failure that says what to return', async () => {
    assert.deepEqual(await runJavascriptAssertion('"yes"', context), {
      pass: false,
      reason: 'the JavaScript assertion returned string; return true/false, a score from 0 to 1, or { pass, score, reason }',
      error: true,
    });
    assert.equal((await runJavascriptAssertion('({ score: 1 })', context) as { reason: string }).reason, 'the JavaScript assertion returned an object without a boolean pass; return { pass, score, reason }');
  });

  it('a loop that never ends is stopped by the timeout, and the host thread stays free', async () => {
    const started = Date.now();
    let ticks = 0;
    const ticker = setInterval(() => ticks++, 20);
    try {
      const result = await runJavascriptAssertion('while (true) {}', context, { timeoutMs: 300 });
      const elapsed = Date.now() - started;
      assert.deepEqual(result, { pass: false, reason: 'the JavaScript assertion did not finish within 300 ms and was stopped', error: true });
      assert.ok(elapsed >= 290 && elapsed < 2_000, `stopped after ${elapsed} ms`);
      assert.ok(ticks >= 5, `the host's timers kept running (${ticks} ticks)`);
    } finally {
      clearInterval(ticker);
    }
  });

  it('an allocation beyond the heap limit is stopped', async () => {
    const result = await runJavascriptAssertion('const all = []; while (true) all.push(new Array(100000).fill(Math.random()));', context, {
      maxOldGenerationSizeMb: 16,
      timeoutMs: 8_000,
    });
    assert.deepEqual(result, { pass: false, reason: 'the JavaScript assertion ran out of memory (limit 16 MB)', error: true });
  });

  it('does not see the host process environment', async () => {
    process.env.AI_STUDIO_TEST_SECRET = 'sk-test';
    try {
      assert.equal(await runJavascriptAssertion('process.env.AI_STUDIO_TEST_SECRET === undefined', context), true);
    } finally {
      delete process.env.AI_STUDIO_TEST_SECRET;
    }
  });

  it('as the core port: a timed-out not-javascript assertion still fails', async () => {
    const runJavascript = createJavascriptPort({ timeoutMs: 300 });
    const facts = { ...context, toolCalls: [], steps: 1 };
    const looping = await evaluateAssertion({ type: 'not-javascript', value: 'for (;;) {}' }, facts, { runJavascript });
    assert.deepEqual([looping.pass, looping.reason], [false, 'the JavaScript assertion did not finish within 300 ms and was stopped']);
    const scored = await evaluateAssertion({ type: 'javascript', value: 'output.length / 100', threshold: 0.5 }, facts, { runJavascript });
    assert.deepEqual([scored.pass, scored.score], [false, 0.21]);
  });
});
