import type { ResultsCellStatus, ResultsColumnSummary, ResultsProgress } from '../../../src/protocol/results';
import { formatCount, formatDuration, formatMicroUsd } from '../inspector/format';

/** How the Results panel's figures read. An unknown cost or latency stays unknown: never a made-up $0. */

export { formatCount, formatDuration };

export function formatUsd(usd: number | null): string {
  return usd === null ? '?' : formatMicroUsd(Math.round(usd * 1e6));
}

export function formatPercent(rate: number): string {
  return `${Math.round(rate * 100)}%`;
}

export function formatScore(score: number | null): string {
  return score === null ? '' : score.toFixed(2);
}

export const STATUS_LABELS: Record<ResultsCellStatus, string> = {
  pass: 'Pass',
  fail: 'Fail',
  error: 'Error',
  running: 'Running',
  queued: 'Queued',
  cancelled: 'Cancelled',
};

export const STATUS_ICONS: Record<ResultsCellStatus, string> = {
  pass: 'pass-filled',
  fail: 'error',
  error: 'warning',
  running: 'loading',
  queued: 'clock',
  cancelled: 'circle-slash',
};

/** `72% pass · 144 / 200`, with errors and pending counts when there are any. */
export function summaryPassLine(summary: ResultsColumnSummary): string {
  const parts = [summary.graded === 0 ? 'no results yet' : `${formatPercent(summary.passRate)} pass · ${formatCount(summary.passed)} / ${formatCount(summary.graded)}`];
  if (summary.errored > 0) {
    parts.push(`${formatCount(summary.errored)} ${summary.errored === 1 ? 'error' : 'errors'}`);
  }
  if (summary.pending > 0) {
    parts.push(`${formatCount(summary.pending)} pending`);
  }
  return parts.join(' · ');
}

/** `$0.41 total · $0.0021 mean`; a total with unknown costs is a lower bound and says so. */
export function summaryCostLine(summary: ResultsColumnSummary): string {
  const total = `${summary.unknownCostItems > 0 ? '≥ ' : ''}${formatUsd(summary.totalCostUsd)} total`;
  return summary.meanCostUsd === null ? `${total} · mean ?` : `${total} · ${formatUsd(summary.meanCostUsd)} mean`;
}

export function summaryLatencyLine(summary: ResultsColumnSummary): string {
  const at = (ms: number | null) => (ms === null ? '?' : formatDuration(ms));
  return `p50 ${at(summary.latencyP50)} · p95 ${at(summary.latencyP95)}`;
}

/** `412 / 2,000 done · waited 14 s for rate limits`. */
export function progressText(progress: ResultsProgress): string {
  const parts = [`${formatCount(progress.done)} / ${formatCount(progress.total)} done`];
  if (progress.running > 0) {
    parts.push(`${formatCount(progress.running)} running`);
  }
  if (progress.waitedMs > 0) {
    parts.push(`waited ${formatWait(progress.waitedMs)} for rate limits`);
  }
  return parts.join(' · ');
}

function formatWait(ms: number): string {
  const seconds = Math.round(ms / 1000);
  return seconds < 60 ? `${seconds} s` : `${Math.floor(seconds / 60)} min ${seconds % 60} s`;
}
