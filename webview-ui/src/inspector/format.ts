import type { InspectorTotals } from '../../../src/protocol/inspector';

/** How the Inspector's figures read: short, aligned, and never a made-up number (unknown cost stays unknown). */

const integer = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

export function formatCount(count: number): string {
  return integer.format(count);
}

/** Compact token counts for a narrow column: 950, 12.3k, 1.2M. */
export function formatTokensShort(count: number): string {
  if (count < 10_000) {
    return integer.format(count);
  }
  if (count < 1_000_000) {
    return `${(count / 1000).toFixed(count < 100_000 ? 1 : 0)}k`;
  }
  return `${(count / 1_000_000).toFixed(1)}M`;
}

export function formatMicroUsd(micro: number): string {
  const usd = micro / 1e6;
  if (usd === 0) {
    return '$0';
  }
  if (usd >= 100) {
    return `$${usd.toFixed(0)}`;
  }
  if (usd >= 1) {
    return `$${usd.toFixed(2)}`;
  }
  // Fractions of a cent: three significant digits say more than "$0.00".
  return `$${Number(usd.toPrecision(3)).toString()}`;
}

/** A row's cost: null is unknown, shown as such, never as $0. */
export function formatRowCost(micro: number | null): string {
  return micro === null ? '?' : formatMicroUsd(micro);
}

export function formatDuration(ms: number): string {
  if (ms < 1000) {
    return `${Math.round(ms)} ms`;
  }
  if (ms < 60_000) {
    return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
  }
  const minutes = Math.floor(ms / 60_000);
  if (minutes < 60) {
    return `${minutes}m ${Math.round((ms % 60_000) / 1000)}s`;
  }
  return `${Math.floor(minutes / 60)}h ${minutes % 60}m`;
}

/** An offset from the session's start: +1.25 s, +3m 2s. */
export function formatOffset(ms: number): string {
  return `+${formatDuration(ms)}`;
}

/** Local time to the millisecond: 2025-01-01 09:00:06.845. */
export function formatTime(epochMs: number): string {
  const date = new Date(epochMs);
  const two = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${two(date.getMonth() + 1)}-${two(date.getDate())} ${two(date.getHours())}:${two(date.getMinutes())}:${two(date.getSeconds())}.${String(date.getMilliseconds()).padStart(3, '0')}`;
}

function plural(count: number, one: string, many: string): string {
  return `${formatCount(count)} ${count === 1 ? one : many}`;
}

/** A total cost: known, a lower bound with the unknown calls named, or unknown. Never $0 for unpriced calls. */
export function formatTotalCost(totals: Pick<InspectorTotals, 'costMicroUsd' | 'unknownCostCalls' | 'calls'>): string {
  if (totals.calls > 0 && totals.unknownCostCalls === totals.calls) {
    return 'cost unknown';
  }
  const known = formatMicroUsd(totals.costMicroUsd);
  return totals.unknownCostCalls > 0 ? `${known} + ${totals.unknownCostCalls} unknown` : known;
}

export interface TotalsPart {
  text: string;
  /** The full wording, for the tooltip and screen readers. */
  label: string;
}

export function totalsParts(totals: InspectorTotals): TotalsPart[] {
  const t = totals.tokens;
  const parts: TotalsPart[] = [
    { text: plural(totals.events, 'event', 'events'), label: plural(totals.events, 'event', 'events') },
    { text: plural(totals.calls, 'call', 'calls'), label: plural(totals.calls, 'model call', 'model calls') },
  ];
  if (totals.toolCalls > 0) {
    parts.push({ text: plural(totals.toolCalls, 'tool', 'tools'), label: plural(totals.toolCalls, 'tool call', 'tool calls') });
    // Apart from the wall time: tools ran, and people decided, while the turn's clock went on.
    if (totals.toolMs !== undefined) {
      parts.push({ text: `tool time ${formatDuration(totals.toolMs)}`, label: `Tools ran ${formatDuration(totals.toolMs)} in all` });
    }
  }
  if (totals.approvalWaitMs !== undefined && totals.approvalWaitMs > 0) {
    parts.push({ text: `approval wait ${formatDuration(totals.approvalWaitMs)}`, label: `Approvals waited ${formatDuration(totals.approvalWaitMs)} for a person in all` });
  }
  parts.push({ text: plural(totals.errors, 'error', 'errors'), label: plural(totals.errors, 'error', 'errors') });
  parts.push({ text: `in ${formatTokensShort(t.input)}`, label: `${formatCount(t.input)} input tokens (not cached)` });
  parts.push({ text: `out ${formatTokensShort(t.output)}`, label: `${formatCount(t.output)} output tokens` });
  if (t.cacheRead > 0 || t.cacheWrite > 0) {
    parts.push({
      text: `cache ${formatTokensShort(t.cacheRead + t.cacheWrite)}`,
      label: `${formatCount(t.cacheRead)} tokens read from the prompt cache, ${formatCount(t.cacheWrite)} written to it`,
    });
  }
  if (t.reasoning > 0) {
    parts.push({ text: `reasoning ${formatTokensShort(t.reasoning)}`, label: `${formatCount(t.reasoning)} reasoning tokens` });
  }
  // Without a model call there is no cost to speak of (rather than "$0" of something).
  if (totals.calls > 0 || totals.costMicroUsd > 0) {
    const cost = formatTotalCost(totals);
    parts.push({
      text: cost,
      label:
        totals.unknownCostCalls > 0
          ? `Known cost ${formatMicroUsd(totals.costMicroUsd)}; ${totals.unknownCostCalls} calls have no price, so the total is at least that`
          : `Cost ${cost}`,
    });
  }
  if (totals.wallMs !== null) {
    parts.push({ text: formatDuration(totals.wallMs), label: `Wall time ${formatDuration(totals.wallMs)}, first start to last end` });
  }
  return parts;
}
