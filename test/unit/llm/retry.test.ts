import * as assert from 'node:assert/strict';
import { ProviderError, type ProviderErrorKind } from '../../../src/llm/errors';
import { withRetry } from '../../../src/llm/retry';

const failure = (kind: ProviderErrorKind, retryAfterMs?: number) =>
  new ProviderError({ kind, provider: 'fake', message: `${kind} from the fake`, ...(retryAfterMs === undefined ? {} : { retryAfterMs }) });

describe('retrying provider requests', () => {
  it('retries an overloaded provider and returns the answer that follows', async () => {
    const attempts: number[] = [];
    const waits: number[] = [];
    const answer = await withRetry(
      (n) => {
        attempts.push(n);
        return n < 3 ? Promise.reject(failure('overloaded')) : Promise.resolve('hello');
      },
      { provider: 'fake', baseDelayMs: 1, onRetry: ({ delayMs }) => waits.push(delayMs) },
    );
    assert.equal(answer, 'hello');
    assert.deepEqual(attempts, [1, 2, 3]);
    assert.equal(waits.length, 2);
  });

  it('waits as long as retry-after says', async () => {
    const waits: number[] = [];
    await withRetry((n) => (n === 1 ? Promise.reject(failure('rate_limit', 20)) : Promise.resolve('ok')), {
      provider: 'fake',
      onRetry: ({ delayMs }) => waits.push(delayMs),
    });
    assert.deepEqual(waits, [20]);
  });

  for (const kind of ['auth', 'bad_request', 'context_length', 'content_filter', 'incomplete'] as const) {
    it(`does not retry ${kind}`, async () => {
      let calls = 0;
      await assert.rejects(
        withRetry(() => {
          calls += 1;
          return Promise.reject(failure(kind));
        }, { provider: 'fake', baseDelayMs: 1 }),
        (err: ProviderError) => err.kind === kind,
      );
      assert.equal(calls, 1);
    });
  }

  it('gives up after the last attempt with the provider error', async () => {
    let calls = 0;
    await assert.rejects(
      withRetry(() => {
        calls += 1;
        return Promise.reject(failure('network'));
      }, { provider: 'fake', baseDelayMs: 1, maxAttempts: 4 }),
      (err: ProviderError) => err.kind === 'network',
    );
    assert.equal(calls, 4);
  });

  it('fails at once, with the provider error, when retry-after asks for more than the cap', async () => {
    let calls = 0;
    await assert.rejects(
      withRetry(() => {
        calls += 1;
        return Promise.reject(failure('rate_limit', 120_000));
      }, { provider: 'fake', maxDelayMs: 30_000 }),
      (err: ProviderError) => err.kind === 'rate_limit' && err.retryAfterMs === 120_000,
    );
    assert.equal(calls, 1);
  });

  it('stops at once when Stop is pressed during a 30 s retry-after wait', async () => {
    const stop = new AbortController();
    let calls = 0;
    const started = Date.now();
    const pending = withRetry(
      () => {
        calls += 1;
        return Promise.reject(failure('rate_limit', 30_000));
      },
      { provider: 'fake', signal: stop.signal, onRetry: () => setTimeout(() => stop.abort(), 50) },
    );
    await assert.rejects(pending, (err: ProviderError) => err.kind === 'cancelled');
    assert.equal(calls, 1, 'no request is sent after Stop');
    assert.ok(Date.now() - started < 1000, `Stop took ${Date.now() - started} ms`);
  });

  it('sends nothing when stopped before the first attempt', async () => {
    const stop = new AbortController();
    stop.abort();
    let calls = 0;
    await assert.rejects(
      withRetry(() => {
        calls += 1;
        return Promise.resolve('never');
      }, { provider: 'fake', signal: stop.signal }),
      (err: ProviderError) => err.kind === 'cancelled',
    );
    assert.equal(calls, 0);
  });
});
