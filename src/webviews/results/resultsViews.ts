import type { ColumnSummary, ResultCell, ResultRow, ResultsTable } from '../../core/batch/results';
import {
  DETAIL_OUTPUT_CHARS,
  PREVIEW_CHARS,
  REASON_PREVIEW_CHARS,
  ROW_TEXT_CHARS,
  type ResultsCellDetail,
  type ResultsCellView,
  type ResultsColumnSummary,
  type ResultsProgress,
  type ResultsRowView,
} from '../../protocol/results';

/**
 * The results table as the panel's protocol carries it: rows trimmed to previews (the panel holds every row, so
 * each must stay small), a cell whole only when it is opened. Pure, so the e2e harness runs it in Node as is.
 */

export function rowView(row: ResultRow, index: number): ResultsRowView {
  return {
    index,
    datasetItemId: row.datasetItemId,
    description: row.description === undefined ? null : cut(row.description, ROW_TEXT_CHARS),
    vars: cut(safeJson(row.vars), ROW_TEXT_CHARS),
    cells: row.cells.map(cellView),
  };
}

function cellView(cell: ResultCell): ResultsCellView {
  return {
    status: cell.status,
    score: finiteOrNull(cell.score),
    costUsd: finiteOrNull(cell.costUsd),
    latencyMs: finiteOrNull(cell.latencyMs),
    runItemId: cell.runItemId,
    sessionId: cell.sessionId,
    preview: cell.output === null ? null : preview(cell.output),
    outputChars: cell.output?.length ?? 0,
    reason: cell.reason === null ? null : cut(cell.reason, REASON_PREVIEW_CHARS),
    passedAssertions: cell.results.filter((result) => result.pass).length,
    assertions: cell.results.length,
  };
}

/**
 * What decides whether a row must be sent again: everything its view shows, computed without building the view
 * (a 20,000-cell batch is compared a few times a second while it runs). Vars and description never change for an
 * item; the output is compared by length and start, since it only ever grows from nothing to its final text.
 */
export function rowSignature(row: ResultRow): string {
  let signature = '';
  for (const cell of row.cells) {
    signature += `${cell.status}|${cell.score}|${cell.costUsd}|${cell.latencyMs}|${cell.runItemId}|${cell.sessionId}|${cell.output?.length ?? -1}|${cell.output?.slice(0, 32) ?? ''}|${cell.reason ?? ''}|${cell.results.length}\u0000`;
  }
  return signature;
}

/** The table's shape: its columns and items. A change means the panel starts over from a snapshot. */
export function shapeOf(table: ResultsTable): string {
  return JSON.stringify([table.columns.map((column) => [column.id, column.label]), table.rows.map((row) => row.datasetItemId)]);
}

export function summaryView(summary: ColumnSummary): ResultsColumnSummary {
  return {
    columnId: summary.columnId,
    label: summary.label,
    pending: summary.pending,
    graded: summary.graded,
    passed: summary.passed,
    failed: summary.failed,
    errored: summary.errored,
    passRate: finiteOrNull(summary.passRate) ?? 0,
    totalCostUsd: finiteOrNull(summary.totalCostUsd) ?? 0,
    meanCostUsd: finiteOrNull(summary.meanCostUsd),
    unknownCostItems: summary.unknownCostItems,
    latencyP50: finiteOrNull(summary.latencyP50),
    latencyP95: finiteOrNull(summary.latencyP95),
  };
}

export function cellDetail(table: ResultsTable, row: ResultRow, column: number, cell: ResultCell & { runItemId: string }): ResultsCellDetail {
  const output = cell.output;
  return {
    runItemId: cell.runItemId,
    sessionId: cell.sessionId,
    datasetItemId: row.datasetItemId,
    description: row.description ?? null,
    columnId: table.columns[column]?.id ?? '',
    columnLabel: table.columns[column]?.label ?? '',
    status: cell.status,
    score: finiteOrNull(cell.score),
    costUsd: finiteOrNull(cell.costUsd),
    latencyMs: finiteOrNull(cell.latencyMs),
    output: output === null ? null : output.slice(0, DETAIL_OUTPUT_CHARS),
    outputTruncated: output !== null && output.length > DETAIL_OUTPUT_CHARS,
    reason: cell.reason,
    assertions: cell.results.map((result) => ({
      type: result.type,
      pass: result.pass,
      score: result.score,
      reason: result.reason,
      weight: result.weight,
      metric: result.metric ?? null,
      notRun: result.notRun === true,
    })),
    vars: safeJson(row.vars, 2),
  };
}

/** Progress counted from the table, for a batch no window here is carrying (ended, or run by another window). */
export function countedProgress(table: ResultsTable | undefined): ResultsProgress {
  let done = 0;
  let running = 0;
  let total = 0;
  for (const row of table?.rows ?? []) {
    for (const cell of row.cells) {
      total++;
      if (cell.status === 'running') {
        running++;
      } else if (cell.status !== 'queued') {
        done++;
      }
    }
  }
  return { done, total, running, waitedMs: 0, rateLimited: 0, live: false };
}

/** The output's start on one line: model output is often many lines, and a row has room for one. */
function preview(output: string): string {
  const head = output.slice(0, PREVIEW_CHARS * 4).replace(/\s+/g, ' ').trim();
  return head.length > PREVIEW_CHARS || output.length > PREVIEW_CHARS * 4 ? `${head.slice(0, PREVIEW_CHARS - 1)}…` : head;
}

function cut(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

function safeJson(value: unknown, indent?: number): string {
  try {
    return JSON.stringify(value, null, indent) ?? 'null';
  } catch {
    return '(vars that cannot be shown)';
  }
}

function finiteOrNull(value: number | null | undefined): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}
