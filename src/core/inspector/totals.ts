import type { StudioEvent } from '../../db/repositories/events';
import type { InspectorTotals } from '../../protocol/inspector';
import { isCallEvent, isErrorEvent } from './eventRows';
import { member, timelineEnd, TOOL_DECISION_TYPES, TOOL_END_TYPES, TOOL_OUTCOME_TYPES } from './toolCalls';
import { addInspectorSums, emptyInspectorSums, type InspectorSums } from './toolFigures';

/**
 * Totals of a set of events: tokens in/out/cache/reasoning, calls, tool calls, the time tools ran and the time
 * approvals waited (each apart from the wall time), errors, wall time and cost. A cost
 * that is unknown stays unknown: the known costs are summed and the calls without one are counted beside them,
 * so "$0.0123 + 2 calls of unknown cost" is never shown as "$0.0123", and a set of unpriced calls never as $0.
 */

/** The sums of one event, as the store's SQL computes them (src/db/repositories/eventPages.ts, toolFigures.ts). */
export function sumsOfEvent(event: StudioEvent): InspectorSums {
  const call = isCallEvent(event);
  const wait = TOOL_DECISION_TYPES.includes(event.type) ? member(event.payload, 'waitMs') : undefined;
  return {
    events: 1,
    calls: call ? 1 : 0,
    toolCalls: TOOL_OUTCOME_TYPES.includes(event.type) ? 1 : 0,
    errors: isErrorEvent(event) ? 1 : 0,
    tokensIn: event.tokens.input ?? 0,
    tokensOut: event.tokens.output ?? 0,
    tokensCacheRead: event.tokens.cacheRead ?? 0,
    tokensCacheWrite: event.tokens.cacheWrite ?? 0,
    tokensReasoning: event.tokens.reasoning ?? 0,
    costMicroUsd: event.costMicroUsd ?? 0,
    unknownCostCalls: call && event.costMicroUsd === null ? 1 : 0,
    startedAt: event.startedAt,
    endedAt: timelineEnd(event),
    toolMs: TOOL_END_TYPES.includes(event.type) ? (event.durationMs ?? 0) : 0,
    approvalWaitMs: typeof wait === 'number' && Number.isFinite(wait) && wait >= 0 ? wait : 0,
  };
}

export function sumEvents(events: Iterable<StudioEvent>): InspectorSums {
  let sums = emptyInspectorSums();
  for (const event of events) {
    sums = addInspectorSums(sums, sumsOfEvent(event));
  }
  return sums;
}

export function toTotals(sums: InspectorSums): InspectorTotals {
  return {
    events: sums.events,
    calls: sums.calls,
    toolCalls: sums.toolCalls,
    toolMs: sums.toolMs,
    approvalWaitMs: sums.approvalWaitMs,
    errors: sums.errors,
    tokens: {
      input: sums.tokensIn,
      output: sums.tokensOut,
      cacheRead: sums.tokensCacheRead,
      cacheWrite: sums.tokensCacheWrite,
      reasoning: sums.tokensReasoning,
    },
    costMicroUsd: sums.costMicroUsd,
    unknownCostCalls: sums.unknownCostCalls,
    startedAt: sums.startedAt,
    endedAt: sums.endedAt,
    wallMs: sums.startedAt === null || sums.endedAt === null ? null : Math.max(0, sums.endedAt - sums.startedAt),
  };
}

export function emptyTotals(): InspectorTotals {
  return toTotals(emptyInspectorSums());
}

/** How a total cost reads: known, partly known (a lower bound), or unknown; never $0 for unpriced calls. */
export function describeCost(totals: Pick<InspectorTotals, 'costMicroUsd' | 'unknownCostCalls' | 'calls'>): string {
  const known = totals.calls - totals.unknownCostCalls;
  if (totals.calls > 0 && known === 0 && totals.costMicroUsd === 0) {
    return 'cost unknown';
  }
  const usd = formatUsd(totals.costMicroUsd);
  return totals.unknownCostCalls > 0 ? `${usd} + ${totals.unknownCostCalls} unknown` : usd;
}

export function formatUsd(microUsd: number): string {
  const usd = microUsd / 1e6;
  if (usd === 0) {
    return '$0';
  }
  if (usd >= 1) {
    return `$${usd.toFixed(2)}`;
  }
  // Small amounts keep three significant digits: a thousand calls of $0.00042 each matter.
  return `$${usd.toPrecision(3).replace(/0+$/, '').replace(/\.$/, '')}`;
}
