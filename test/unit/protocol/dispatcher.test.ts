import * as assert from 'node:assert/strict';
import { z } from 'zod';
import { createDispatcher, type DispatchOutcome } from '../../../src/protocol/dispatcher';
import type { RequestMap } from '../../../src/protocol/rpc';

const requests = {
  'notes/add': { params: z.strictObject({ text: z.string().max(1000) }), result: z.strictObject({ length: z.number() }) },
  'notes/fail': { params: z.strictObject({}), result: z.null() },
} satisfies RequestMap;

function setup() {
  const errors: string[] = [];
  const calls: string[] = [];
  const dispatch = createDispatcher(
    'Test',
    requests,
    {
      'notes/add': ({ text }) => {
        calls.push(text);
        return { length: text.length };
      },
      'notes/fail': () => {
        throw new Error('disk full');
      },
    },
    { error: (message) => errors.push(message), trace: () => {} },
  );
  return { dispatch, errors, calls };
}

function errorCode(outcome: DispatchOutcome): string | undefined {
  return outcome.kind === 'reply' && outcome.message.kind === 'error' ? outcome.message.error.code : undefined;
}

describe('webview message dispatcher', () => {
  it('answers a valid request with the handler result under the same id', async () => {
    const { dispatch, calls } = setup();
    const outcome = await dispatch({ kind: 'request', id: 7, method: 'notes/add', params: { text: 'hello' } });
    assert.deepEqual(outcome, { kind: 'reply', message: { kind: 'response', id: 7, result: { length: 5 } } });
    assert.deepEqual(calls, ['hello']);
  });

  it('recognises the ready handshake', async () => {
    assert.deepEqual(await setup().dispatch({ kind: 'ready' }), { kind: 'ready' });
  });

  const hostileEnvelopes: [string, unknown][] = [
    ['null', null],
    ['a string', 'ready'],
    ['an array', [{ kind: 'ready' }]],
    ['an unknown kind', { kind: 'evil' }],
    ['a request without an id', { kind: 'request', method: 'notes/add', params: { text: 'x' } }],
    ['a negative id', { kind: 'request', id: -1, method: 'notes/add', params: { text: 'x' } }],
    ['a string id', { kind: 'request', id: '1', method: 'notes/add', params: { text: 'x' } }],
    ['extra envelope keys', { kind: 'ready', injected: true }],
    ['a 1 MB method name', { kind: 'request', id: 1, method: 'x'.repeat(1_000_000), params: {} }],
  ];
  for (const [name, message] of hostileEnvelopes) {
    it(`rejects ${name} and logs why, without calling a handler`, async () => {
      const { dispatch, errors, calls } = setup();
      const outcome = await dispatch(message);
      assert.equal(outcome.kind, 'rejected');
      assert.equal(errors.length, 1);
      assert.match(errors[0]!, /Test: rejected a message from the panel \(invalid_request\)/);
      assert.ok(errors[0]!.length < 1000, 'a huge message must not flood the log');
      assert.deepEqual(calls, []);
    });
  }

  for (const method of ['notes/delete', '__proto__', 'constructor', 'toString', 'hasOwnProperty']) {
    it(`answers unknown method ${method} with an error reply`, async () => {
      const { dispatch, errors } = setup();
      const outcome = await dispatch({ kind: 'request', id: 3, method, params: {} });
      assert.equal(errorCode(outcome), 'unknown_method');
      assert.equal(errors.length, 1);
    });
  }

  const badParams: [string, unknown][] = [
    ['a missing field', {}],
    ['a wrong type', { text: 42 }],
    ['an unknown key', { text: 'x', admin: true }],
    ['a __proto__ key', JSON.parse('{"text":"x","__proto__":{"polluted":true}}')],
    ['a string over the limit', { text: 'x'.repeat(1001) }],
    ['no params at all', undefined],
  ];
  for (const [name, params] of badParams) {
    it(`rejects params with ${name} and names the field`, async () => {
      const { dispatch, errors, calls } = setup();
      const outcome = await dispatch({ kind: 'request', id: 4, method: 'notes/add', params });
      assert.equal(errorCode(outcome), 'invalid_request');
      assert.match(errors[0]!, /notes\/add/);
      assert.deepEqual(calls, []);
      assert.equal(({} as Record<string, unknown>).polluted, undefined);
    });
  }

  it('still answers valid requests after rejecting hostile ones', async () => {
    const { dispatch } = setup();
    await dispatch({ kind: 'request', id: 1, method: '__proto__', params: {} });
    await dispatch('garbage');
    const outcome = await dispatch({ kind: 'request', id: 2, method: 'notes/add', params: { text: 'ok' } });
    assert.equal(outcome.kind === 'reply' && outcome.message.kind, 'response');
  });

  it('turns a handler failure into an error reply with its message, and logs it', async () => {
    const { dispatch, errors } = setup();
    const outcome = await dispatch({ kind: 'request', id: 9, method: 'notes/fail', params: {} });
    assert.deepEqual(outcome, {
      kind: 'reply',
      message: { kind: 'error', id: 9, error: { code: 'handler_failed', message: 'disk full' } },
    });
    assert.match(errors[0]!, /notes\/fail failed: .*disk full/);
  });
});
