import * as assert from 'node:assert/strict';
import { chatRequests } from '../../../src/protocol/chat';
import { createDispatcher, type DispatchOutcome } from '../../../src/protocol/dispatcher';
import type { RequestHandlers } from '../../../src/protocol/rpc';
import { runHeaderRequests, type RunHeaderRequests } from '../../../src/protocol/runHeader';

/** The run header's requests as the chat panel's one dispatcher checks them, before any handler runs. */

const RUN = '01HXRVN000000000000000000A';

function setup() {
  const calls: string[] = [];
  const handlers: RequestHandlers<RunHeaderRequests> = {
    'chat/cancelRun': ({ runId }) => {
      calls.push(`cancel ${runId}`);
      return null;
    },
    'chat/resumeRun': ({ runId }) => {
      calls.push(`resume ${runId}`);
      return null;
    },
  };
  const dispatch = createDispatcher('Test', runHeaderRequests, handlers, { error: () => undefined, trace: () => undefined });
  return { dispatch, calls };
}

function code(outcome: DispatchOutcome): string | undefined {
  return outcome.kind === 'reply' && outcome.message.kind === 'error' ? outcome.message.error.code : undefined;
}

describe('run header protocol', () => {
  it('is part of the chat panel requests', () => {
    assert.ok(Object.hasOwn(chatRequests, 'chat/cancelRun'));
    assert.ok(Object.hasOwn(chatRequests, 'chat/resumeRun'));
  });

  it('passes a run id to Cancel and Resume', async () => {
    const { dispatch, calls } = setup();
    assert.deepEqual(await dispatch({ kind: 'request', id: 1, method: 'chat/cancelRun', params: { runId: RUN } }), { kind: 'reply', message: { kind: 'response', id: 1, result: null } });
    await dispatch({ kind: 'request', id: 2, method: 'chat/resumeRun', params: { runId: RUN } });
    assert.deepEqual(calls, [`cancel ${RUN}`, `resume ${RUN}`]);
  });

  const hostile: [string, unknown][] = [
    ['no params', undefined],
    ['no run id', {}],
    ['a run id that is not an id', { runId: 'x'.repeat(10_000) }],
    ['a lower-case id', { runId: RUN.toLowerCase() }],
    ['a number', { runId: 42 }],
    ['an extra key', { runId: RUN, force: true }],
    ['a prototype key', JSON.parse(`{"runId":"${RUN}","__proto__":{"polluted":true}}`)],
  ];
  for (const [what, params] of hostile) {
    it(`refuses ${what} before any handler runs`, async () => {
      const { dispatch, calls } = setup();
      assert.equal(code(await dispatch({ kind: 'request', id: 3, method: 'chat/cancelRun', params })), 'invalid_request');
      assert.deepEqual(calls, []);
    });
  }
});
