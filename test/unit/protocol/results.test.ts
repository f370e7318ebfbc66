import * as assert from 'node:assert/strict';
import type { Logger } from '../../../src/core/ports';
import { commonRequests } from '../../../src/protocol/common';
import { createDispatcher, type DispatchOutcome } from '../../../src/protocol/dispatcher';
import { MAX_RERUN_IDS, MAX_ROWS_PER_REQUEST, resultsRequests } from '../../../src/protocol/results';
import { ResultsController } from '../../../src/webviews/results/resultsController';
import { SyntheticBatch, runItemIdOf, sessionIdOf } from '../webviews/resultsFixture';

/**
 * What the Results panel may send, checked the way the host checks it: through the one dispatcher, with the
 * panel's real request map and the real controller behind it. Bad input is refused with an error that names the
 * field and says what is wrong, and reaches no port.
 */

const silentLog: Logger = { trace: () => {}, debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };

function setup() {
  const batch = new SyntheticBatch('run-1', { items: 20, columns: 3 });
  batch.status = 'running';
  const controller = new ResultsController(batch.services(silentLog), 'run-1', () => {}, () => {}, { setTimer: () => ({ cancel: () => {} }) });
  const errors: string[] = [];
  const dispatch = createDispatcher('Results', { ...commonRequests, ...resultsRequests }, { 'webview/reportProblem': () => null, ...controller.handlers }, {
    error: (message) => errors.push(message),
    trace: () => {},
  });
  let id = 1;
  const request = (method: string, params: unknown) => dispatch({ kind: 'request', id: id++, method, params });
  return { batch, controller, request, errors };
}

function refusal(outcome: DispatchOutcome): { code: string; message: string } {
  assert.equal(outcome.kind, 'reply', 'the panel gets an answer, not silence');
  if (outcome.kind !== 'reply' || outcome.message.kind !== 'error') {
    assert.fail(`expected a refusal, got ${JSON.stringify(outcome)}`);
  }
  return outcome.message.error;
}

function result(outcome: DispatchOutcome): unknown {
  if (outcome.kind !== 'reply' || outcome.message.kind !== 'response') {
    assert.fail(`expected an answer, got ${JSON.stringify(outcome)}`);
  }
  return outcome.message.result;
}

describe('results panel protocol', () => {
  const refused: [string, string, unknown, RegExp][] = [
    ['rows without a count', 'results/rows', { start: 0 }, /results\/rows: count: /],
    ['rows from a negative start', 'results/rows', { start: -1, count: 10 }, /start: .*>=0|start: .*greater/i],
    ['more rows than a request may ask for', 'results/rows', { start: 0, count: MAX_ROWS_PER_REQUEST + 1 }, /count: .*1000/],
    ['a fractional row count', 'results/rows', { start: 0, count: 2.5 }, /count: .*expected int/],
    ['rows with an unknown key', 'results/rows', { start: 0, count: 10, all: true }, /Unrecognized key.*"all"/],
    ['a cell without an id', 'results/cell', {}, /runItemId: /],
    ['a cell id with markup', 'results/cell', { runItemId: '<img src=x>' }, /runItemId: not a run item id/],
    ['a 10,000-character cell id', 'results/cell', { runItemId: 'a'.repeat(10_000) }, /runItemId: not a run item id/],
    ['a comparison of a cell with itself', 'results/compare', { a: 'ri-1-0', b: 'ri-1-0' }, /compare two different cells/],
    ['a session id that is a path', 'results/openTranscript', { sessionId: '../../etc/passwd' }, /sessionId: not a session id/],
    ['an inspect without a session', 'results/inspect', { sessionId: 42 }, /sessionId: .*string/i],
    ['a re-run of nothing', 'results/rerun', { runItemIds: [] }, /runItemIds: name at least one run item to run again/],
    ['a re-run naming an item twice', 'results/rerun', { runItemIds: ['ri-1-0', 'ri-1-0'] }, /runItemIds: lists a run item more than once/],
    ['a re-run of too many items', 'results/rerun', { runItemIds: Array.from({ length: MAX_RERUN_IDS + 1 }, (_, i) => `x-${i}`) }, /runItemIds: .*20000/],
    ['a re-run with ids that are not strings', 'results/rerun', { runItemIds: [1, 2] }, /runItemIds\.0: .*string/i],
    ['an export in another format', 'results/export', { format: 'xlsx' }, /format: .*"jsonl".*"csv"/],
    ['a cancel with arguments', 'results/cancel', { force: true }, /Unrecognized key.*"force"/],
    ['a prototype key in the params', 'results/export', JSON.parse('{"format":"csv","__proto__":{"polluted":true}}'), /Unrecognized key.*__proto__/],
  ];
  for (const [name, method, params, message] of refused) {
    it(`refuses ${name} with a clear error, and acts on nothing`, async () => {
      const { batch, request, errors } = setup();
      const error = refusal(await request(method, params));
      assert.equal(error.code, 'invalid_request');
      assert.match(error.message, message);
      assert.ok(error.message.startsWith(`${method}: `), error.message);
      assert.equal(errors.length, 1, 'the refusal is logged');
      assert.deepEqual(batch.calls, []);
      assert.equal(({} as Record<string, unknown>)['polluted'], undefined);
    });
  }

  it('refuses a method the panel does not have', async () => {
    const { request } = setup();
    const error = refusal(await request('results/deleteRun', {}));
    assert.equal(error.code, 'unknown_method');
    assert.match(error.message, /unknown method "results\/deleteRun"/);
  });

  it('refuses to re-run items of another batch, naming how many, and re-runs nothing', async () => {
    const { batch, request } = setup();
    const error = refusal(await request('results/rerun', { runItemIds: [runItemIdOf(1, 0), 'ri-other-batch'] }));
    assert.equal(error.code, 'handler_failed');
    assert.match(error.message, /1 of the items to run again are not in this batch \(ri-other-batch\)/);
    assert.deepEqual(batch.calls, []);
  });

  it('refuses to open a conversation that is not one of the batch’s items', async () => {
    const { batch, request } = setup();
    for (const method of ['results/openTranscript', 'results/inspect']) {
      const error = refusal(await request(method, { sessionId: 'someone-elses-session' }));
      assert.match(error.message, /not one of this batch’s items/);
    }
    assert.deepEqual(batch.calls, []);
  });

  it('refuses to cancel a batch that has ended', async () => {
    const { batch, controller, request } = setup();
    batch.status = 'completed';
    controller.flush();
    assert.match(refusal(await request('results/cancel', {})).message, /The batch is not running \(it is completed\)/);
    assert.deepEqual(batch.calls, []);
  });

  it('passes valid requests to the port: re-run, export, cancel, open transcript, inspect', async () => {
    const { batch, request } = setup();
    const ids = batch.failingIds();
    assert.deepEqual(result(await request('results/rerun', { runItemIds: ids })), { queued: ids.length });
    assert.equal(result(await request('results/export', { format: 'csv' })), null);
    assert.equal(result(await request('results/export', { format: 'jsonl' })), null);
    assert.equal(result(await request('results/openTranscript', { sessionId: sessionIdOf(2, 1) })), null);
    assert.equal(result(await request('results/inspect', { sessionId: sessionIdOf(2, 1) })), null);
    assert.equal(result(await request('results/cancel', {})), null);
    assert.deepEqual(batch.calls, [
      { method: 'rerun', args: ['run-1', ids] },
      { method: 'exportResults', args: ['run-1', 'csv'] },
      { method: 'exportResults', args: ['run-1', 'jsonl'] },
      { method: 'openTranscript', args: [sessionIdOf(2, 1)] },
      { method: 'inspect', args: [sessionIdOf(2, 1)] },
      { method: 'cancel', args: ['run-1'] },
    ]);
  });

  it('answers a cell it does not know with null, not an error', async () => {
    const { request } = setup();
    assert.equal(result(await request('results/cell', { runItemId: 'ri-999-9' })), null);
    assert.equal(result(await request('results/compare', { a: runItemIdOf(0, 0), b: 'ri-999-9' })), null);
  });
});
