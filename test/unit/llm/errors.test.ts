import * as assert from 'node:assert/strict';
import { ProviderError, parseRetryAfter, redactSecrets, type ProviderErrorKind } from '../../../src/llm/errors';

const headers = (values: Record<string, string>) => new Headers(values);

describe('provider errors', () => {
  it('retries only what can succeed later', () => {
    const retryable = (kind: ProviderErrorKind, quotaExhausted = false) =>
      new ProviderError({ kind, provider: 'p', message: kind, quotaExhausted }).retryable;
    assert.deepEqual(
      (['rate_limit', 'overloaded', 'network', 'timeout'] as const).map((kind) => retryable(kind)),
      [true, true, true, true],
    );
    assert.deepEqual(
      (['auth', 'bad_request', 'content_filter', 'context_length', 'incomplete', 'cancelled'] as const).map((kind) => retryable(kind)),
      [false, false, false, false, false, false],
    );
    assert.equal(retryable('rate_limit', true), false, 'a spent quota does not come back by waiting');
  });

  it('reads retry-after as milliseconds, seconds or an HTTP date', () => {
    const now = Date.parse('2026-11-24T10:00:00Z');
    assert.equal(parseRetryAfter(headers({ 'retry-after-ms': '1500', 'retry-after': '9' }), now), 1500);
    assert.equal(parseRetryAfter(headers({ 'retry-after': '30' }), now), 30_000);
    assert.equal(parseRetryAfter(headers({ 'retry-after': 'Tue, 24 Nov 2026 10:00:05 GMT' }), now), 5000);
    assert.equal(parseRetryAfter(headers({ 'retry-after': 'Tue, 24 Nov 2026 09:00:00 GMT' }), now), 0);
    assert.equal(parseRetryAfter(headers({ 'retry-after': 'soon' }), now), undefined);
    assert.equal(parseRetryAfter(headers({ 'retry-after': '-3' }), now), undefined);
    assert.equal(parseRetryAfter(headers({}), now), undefined);
    assert.equal(parseRetryAfter(undefined, now), undefined);
  });

  it('removes the key it is given, and anything shaped like a key, from text meant for logs', () => {
    const sentinel = 'sentinel-key-7f3a9c';
    const text = `401 for ${sentinel}; header Authorization: Bearer abcdefgh12345678; also sk-proj-ABCDEFGH1234 and AIzaSyA1234567890abcdefghijk`;
    const clean = redactSecrets(text, [sentinel]);
    assert.ok(!clean.includes(sentinel));
    assert.ok(!clean.includes('abcdefgh12345678'));
    assert.ok(!clean.includes('sk-proj-ABCDEFGH1234'));
    assert.ok(!clean.includes('AIzaSyA1234567890abcdefghijk'));
    assert.match(clean, /^401 for \[redacted\]/);
  });
});
