import type { CostsRepository } from '../../db/repositories/costs';

/**
 * A run's model calls, from its session's events (one aggregate, CostsRepository): each call of the chat loop
 * ends in exactly one `llm.response.completed` or `llm.error`, with its cost, so a step stopped or failed counts
 * too, as it was billed; a Replay someone made in the session is not a step of the run. Unknown cost is not $0:
 * null.
 */
export function callsOf(costs: CostsRepository, sessionId: string): { steps: number; costUsd: number | null } {
  const totals = costs.forSession(sessionId, { replays: false });
  return { steps: totals.calls, costUsd: totals.unknownCostCalls > 0 ? null : totals.costMicroUsd / 1_000_000 };
}

/** The same for every item session of a batch run. */
export function batchCallsOf(costs: CostsRepository, runId: string): { steps: number; costUsd: number | null } {
  const totals = costs.forRunItems(runId);
  return { steps: totals.calls, costUsd: totals.unknownCostCalls > 0 ? null : totals.costMicroUsd / 1_000_000 };
}
