import { evaluateAssertion, scoreAssertions, type AssertionPorts, type AssertionResult } from './assertions';
import type { DatasetItem } from './dataset';

/**
 * One item's grade from its run, and a batch's summary from its grades.
 *
 * A run that failed or was cancelled fails its item ("errored", counted apart from items whose output failed
 * the assertions). Its assertions are not evaluated, but each is listed as not run, so a report shows what the
 * item would have checked.
 */

export interface RunOutcome {
  output: string;
  status: 'completed' | 'failed' | 'cancelled';
  error?: string;
  costUsd?: number;
  latencyMs?: number;
  toolCalls: { name: string }[];
  steps: number;
}

export interface ItemGrade {
  itemId: string;
  pass: boolean;
  score: number;
  results: AssertionResult[];
  reason: string;
  /** The run did not complete, so the output was never graded. */
  errored: boolean;
  costUsd?: number;
  latencyMs?: number;
}

export async function gradeItem(item: DatasetItem, outcome: RunOutcome, ports: AssertionPorts): Promise<ItemGrade> {
  const measured = {
    ...(outcome.costUsd !== undefined ? { costUsd: outcome.costUsd } : {}),
    ...(outcome.latencyMs !== undefined ? { latencyMs: outcome.latencyMs } : {}),
  };
  if (outcome.status !== 'completed') {
    const reason = outcome.error !== undefined && outcome.error !== '' ? outcome.error : outcome.status === 'cancelled' ? 'the run was cancelled' : 'the run failed';
    const results = item.assert.map((assertion): AssertionResult => ({
      type: assertion.type,
      pass: false,
      score: 0,
      reason: `not run: ${reason}`,
      weight: assertion.weight ?? 1,
      ...(assertion.metric !== undefined ? { metric: assertion.metric } : {}),
      notRun: true,
    }));
    return { itemId: item.id, pass: false, score: 0, results, reason, errored: true, ...measured };
  }
  const facts = { output: outcome.output, vars: item.vars, toolCalls: outcome.toolCalls, steps: outcome.steps, ...measured };
  // evaluateAssertion never rejects (a port's failure is a failed assertion), so one slow judge cannot lose the others.
  const results = await Promise.all(item.assert.map((assertion) => evaluateAssertion(assertion, facts, ports)));
  const { pass, score } = scoreAssertions(results, item.threshold);
  return { itemId: item.id, pass, score, results, reason: itemReason(results, pass, score, item.threshold), errored: false, ...measured };
}

function itemReason(results: AssertionResult[], pass: boolean, score: number, threshold: number | undefined): string {
  const weighted = results.filter((result) => result.weight > 0);
  if (threshold !== undefined) {
    return `score ${score.toFixed(2)} ${pass ? 'reaches' : 'is below'} the threshold ${threshold}`;
  }
  if (weighted.length === 0) {
    return results.length === 0 ? 'no assertions; the run completed' : 'only informational assertions; the run completed';
  }
  const failed = weighted.filter((result) => !result.pass);
  if (failed.length === 0) {
    return weighted.length === 1 ? 'the assertion passed' : `all ${weighted.length} assertions passed`;
  }
  return `${failed.length} of ${weighted.length} assertions failed: ${failed.map((result) => `${result.type}: ${result.reason}`).join('; ')}`;
}

export interface TypeCounts {
  passed: number;
  failed: number;
}

export interface BatchSummary {
  items: number;
  passed: number;
  /** Ran to completion, and the output failed. */
  failed: number;
  /** The run itself failed or was cancelled. */
  errored: number;
  /** passed / items: an errored item counts against the rate. 0 for no items. */
  passRate: number;
  /** The sum of the costs that are known. */
  costUsd: number;
  /** Items whose cost is unknown, so `costUsd` is a lower bound when this is above 0. */
  unknownCostItems: number;
  /** Over the completed runs with a known latency; undefined when there are none. */
  latencyP50?: number;
  latencyP95?: number;
  /** Per assertion type (with not- kept apart), over the assertions that ran. */
  byType: Record<string, TypeCounts>;
}

export function summarize(grades: readonly ItemGrade[]): BatchSummary {
  const passed = grades.filter((grade) => grade.pass).length;
  const errored = grades.filter((grade) => grade.errored).length;
  const costs = grades.map((grade) => grade.costUsd).filter((cost): cost is number => cost !== undefined);
  // A failed run's latency is how long it took to fail, which would pull the percentiles down.
  const latencies = grades
    .filter((grade) => !grade.errored)
    .map((grade) => grade.latencyMs)
    .filter((ms): ms is number => ms !== undefined)
    .sort((a, b) => a - b);
  const byType: Record<string, TypeCounts> = {};
  for (const result of grades.flatMap((grade) => grade.results)) {
    if (result.notRun) {
      continue;
    }
    const counts = (byType[result.type] ??= { passed: 0, failed: 0 });
    if (result.pass) {
      counts.passed++;
    } else {
      counts.failed++;
    }
  }
  const p50 = nearestRank(latencies, 50);
  const p95 = nearestRank(latencies, 95);
  return {
    items: grades.length,
    passed,
    failed: grades.length - passed - errored,
    errored,
    passRate: grades.length === 0 ? 0 : passed / grades.length,
    costUsd: costs.reduce((sum, cost) => sum + cost, 0),
    unknownCostItems: grades.length - costs.length,
    ...(p50 !== undefined ? { latencyP50: p50 } : {}),
    ...(p95 !== undefined ? { latencyP95: p95 } : {}),
    byType,
  };
}

/**
 * The nearest-rank percentile: the smallest value with at least p% of the values at or below it, i.e. the value
 * at rank ceil(p/100 × n) of the ascending list. Always one of the values, never an interpolation.
 */
export function nearestRank(sortedAscending: readonly number[], p: number): number | undefined {
  if (sortedAscending.length === 0) {
    return undefined;
  }
  const rank = Math.max(1, Math.ceil((p / 100) * sortedAscending.length));
  return sortedAscending[Math.min(rank, sortedAscending.length) - 1];
}
