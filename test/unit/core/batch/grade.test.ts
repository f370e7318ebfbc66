import * as assert from 'node:assert/strict';
import type { AssertionPorts } from '../../../../src/core/batch/assertions';
import type { DatasetItem } from '../../../../src/core/batch/dataset';
import { gradeItem, nearestRank, summarize, type ItemGrade, type RunOutcome } from '../../../../src/core/batch/grade';

const completed = (partial: Partial<RunOutcome> = {}): RunOutcome => ({ output: '', status: 'completed', toolCalls: [], steps: 1, ...partial });

const item: DatasetItem = {
  id: 'fr',
  vars: { query: 'Capital of France?' },
  assert: [
    { type: 'contains', value: 'Paris' },
    { type: 'llm-rubric', value: 'is one word', weight: 2 },
    { type: 'cost', value: 0.01, weight: 0 },
  ],
};

const judge = (pass: boolean, score: number): AssertionPorts => ({ judge: () => Promise.resolve({ pass, score, reason: pass ? 'one word' : 'a sentence' }) });

describe('batch grading', () => {
  describe('an item', () => {
    it('passes when its weighted assertions pass, whatever the informational ones say', async () => {
      const grade = await gradeItem(item, completed({ output: 'Paris', costUsd: 0.5, latencyMs: 800 }), judge(true, 1));
      assert.equal(grade.pass, true);
      assert.equal(grade.score, 1);
      assert.equal(grade.reason, 'all 2 assertions passed');
      assert.deepEqual(
        grade.results.map((result) => [result.type, result.pass, result.weight]),
        [
          ['contains', true, 1],
          ['llm-rubric', true, 2],
          ['cost', false, 0],
        ],
      );
      assert.deepEqual([grade.itemId, grade.errored, grade.costUsd, grade.latencyMs], ['fr', false, 0.5, 800]);
    });

    it('fails with the failing assertions as the reason, and scores the weighted mean', async () => {
      const grade = await gradeItem(item, completed({ output: 'It is Paris, the capital.' }), judge(false, 0.25));
      assert.equal(grade.pass, false);
      assert.equal(grade.score, (1 * 1 + 0.25 * 2) / 3);
      assert.equal(grade.reason, '1 of 2 assertions failed: llm-rubric: a sentence');
    });

    it('with an item threshold, passes when the score reaches it', async () => {
      const lenient = { ...item, threshold: 0.5 };
      const grade = await gradeItem(lenient, completed({ output: 'It is Paris, the capital.' }), judge(false, 0.25));
      assert.deepEqual([grade.pass, grade.reason], [true, 'score 0.50 reaches the threshold 0.5']);
      const strict = await gradeItem({ ...item, threshold: 0.9 }, completed({ output: 'It is Paris, the capital.' }), judge(false, 0.25));
      assert.deepEqual([strict.pass, strict.reason], [false, 'score 0.50 is below the threshold 0.9']);
    });

    it('a failed or cancelled run fails the item with its error, and lists the assertions as not run', async () => {
      let judged = 0;
      const counting: AssertionPorts = {
        judge: () => {
          judged++;
          return Promise.resolve({ pass: true, score: 1, reason: '' });
        },
      };
      const grade = await gradeItem(item, completed({ status: 'failed', error: 'provider returned 500', latencyMs: 40 }), counting);
      assert.equal(judged, 0, 'no judge call for a run that has no output');
      assert.deepEqual([grade.pass, grade.score, grade.errored, grade.reason], [false, 0, true, 'provider returned 500']);
      assert.deepEqual(
        grade.results.map((result) => [result.type, result.pass, result.reason, result.notRun]),
        [
          ['contains', false, 'not run: provider returned 500', true],
          ['llm-rubric', false, 'not run: provider returned 500', true],
          ['cost', false, 'not run: provider returned 500', true],
        ],
      );
      const cancelled = await gradeItem(item, completed({ status: 'cancelled' }), counting);
      assert.deepEqual([cancelled.pass, cancelled.errored, cancelled.reason], [false, true, 'the run was cancelled']);
    });

    it('a judge that rejects is a failed assertion, not a rejected grade', async () => {
      const grade = await gradeItem(item, completed({ output: 'Paris' }), { judge: () => Promise.reject(new Error('socket hang up')) });
      assert.equal(grade.pass, false);
      assert.equal(grade.results[1]?.reason, 'the judge failed: socket hang up');
      assert.equal(grade.results[0]?.pass, true, 'the other assertions still ran');
    });

    it('an item without assertions passes when its run completes', async () => {
      const grade = await gradeItem({ id: 'x', vars: {}, assert: [] }, completed({ output: 'anything' }), {});
      assert.deepEqual([grade.pass, grade.score, grade.reason], [true, 1, 'no assertions; the run completed']);
    });
  });

  describe('a batch', () => {
    const grade = (partial: Partial<ItemGrade>): ItemGrade => ({ itemId: 'i', pass: true, score: 1, results: [], reason: '', errored: false, ...partial });

    it('nearest-rank percentiles are always one of the values', () => {
      const tens = [100, 200, 300, 400, 500, 600, 700, 800, 900, 1000];
      assert.equal(nearestRank(tens, 50), 500);
      assert.equal(nearestRank(tens, 95), 1000);
      const twenty = Array.from({ length: 20 }, (_, i) => i + 1);
      assert.equal(nearestRank(twenty, 50), 10);
      assert.equal(nearestRank(twenty, 95), 19);
      assert.equal(nearestRank([7], 95), 7);
      assert.equal(nearestRank([], 50), undefined);
    });

    it('counts passed, failed and errored items, totals the known cost and takes latency percentiles of completed runs', () => {
      const contains = (pass: boolean, notRun = false) => ({ type: 'contains' as const, pass, score: pass ? 1 : 0, reason: '', weight: 1, ...(notRun ? { notRun } : {}) });
      const summary = summarize([
        grade({ latencyMs: 300, costUsd: 0.01, results: [contains(true)] }),
        grade({ latencyMs: 100, costUsd: 0.02, results: [contains(true), { type: 'not-regex', pass: true, score: 1, reason: '', weight: 1 }] }),
        grade({ pass: false, score: 0, latencyMs: 200, results: [contains(false)] }),
        grade({ pass: false, score: 0, latencyMs: 400 }),
        grade({ pass: false, score: 0, errored: true, latencyMs: 5, costUsd: 0.001, results: [contains(false, true)] }),
      ]);
      assert.deepEqual(summary, {
        items: 5,
        passed: 2,
        failed: 2,
        errored: 1,
        passRate: 0.4,
        costUsd: 0.031,
        unknownCostItems: 2,
        latencyP50: 200,
        latencyP95: 400,
        byType: { contains: { passed: 2, failed: 1 }, 'not-regex': { passed: 1, failed: 0 } },
      });
    });

    it('an empty batch has a pass rate of 0 and no percentiles', () => {
      assert.deepEqual(summarize([]), { items: 0, passed: 0, failed: 0, errored: 0, passRate: 0, costUsd: 0, unknownCostItems: 0, byType: {} });
    });
  });
});
