import type { RunItemStatus } from '../../db/repositories/runs';
import type { AssertionResult, Vars } from './assertions';
import type { DatasetItem } from './dataset';
import { summarize, type ItemGrade } from './grade';
import type { MatrixColumn } from './matrix';

/**
 * The results panel's table: a row per dataset item, a cell per column, filled in as items run and are graded,
 * with a summary per column and exports. Built from plain data, so the panel only draws it.
 */

export type CellStatus = 'pass' | 'fail' | 'error' | 'running' | 'queued' | 'cancelled';

/** One run item as the table needs it: where it sits, how far it got, and its grade once graded. */
export interface CellInput {
  datasetItemId: string;
  columnId: string;
  runItemId: string;
  sessionId: string | null;
  status: RunItemStatus;
  output?: string;
  grade?: ItemGrade;
}

export interface ResultCell {
  status: CellStatus;
  score: number | null;
  costUsd: number | null;
  latencyMs: number | null;
  /** null for a cell no run item was made for (yet). */
  runItemId: string | null;
  sessionId: string | null;
  output: string | null;
  /** Why it passed or failed, from the grade. */
  reason: string | null;
  results: AssertionResult[];
}

export interface ResultRow {
  datasetItemId: string;
  description?: string;
  vars: Vars;
  /** In the table's column order. */
  cells: ResultCell[];
}

export interface ColumnSummary {
  columnId: string;
  label: string;
  /** Cells not graded yet (queued, running, or completed and being graded). */
  pending: number;
  graded: number;
  passed: number;
  failed: number;
  errored: number;
  /** passed / graded; 0 while nothing is graded. */
  passRate: number;
  /** Of the known costs; a lower bound when unknownCostItems > 0. */
  totalCostUsd: number;
  /** Over the graded cells whose cost is known; null when none is. */
  meanCostUsd: number | null;
  unknownCostItems: number;
  latencyP50: number | null;
  latencyP95: number | null;
}

export interface ResultsTable {
  columns: Pick<MatrixColumn, 'id' | 'label'>[];
  rows: ResultRow[];
  summaries: ColumnSummary[];
}

export function buildResultsTable(
  items: readonly Pick<DatasetItem, 'id' | 'description' | 'vars'>[],
  columns: readonly Pick<MatrixColumn, 'id' | 'label'>[],
  cells: readonly CellInput[],
): ResultsTable {
  const byKey = new Map(cells.map((cell) => [cellKey(cell.datasetItemId, cell.columnId), cell]));
  const rows = items.map((item): ResultRow => ({
    datasetItemId: item.id,
    ...(item.description !== undefined ? { description: item.description } : {}),
    vars: item.vars,
    cells: columns.map((column) => toCell(byKey.get(cellKey(item.id, column.id)))),
  }));
  const summaries = columns.map((column) => {
    const grades = items.flatMap((item) => byKey.get(cellKey(item.id, column.id))?.grade ?? []);
    return summarizeColumn(column, grades, rows.length - grades.length);
  });
  return { columns: columns.map(({ id, label }) => ({ id, label })), rows, summaries };
}

const cellKey = (itemId: string, columnId: string) => JSON.stringify([itemId, columnId]);

function toCell(input: CellInput | undefined): ResultCell {
  const grade = input?.grade;
  return {
    status: cellStatus(input),
    score: grade?.score ?? null,
    costUsd: grade?.costUsd ?? null,
    latencyMs: grade?.latencyMs ?? null,
    runItemId: input?.runItemId ?? null,
    sessionId: input?.sessionId ?? null,
    output: input?.output ?? null,
    reason: grade?.reason ?? null,
    results: grade?.results ?? [],
  };
}

function cellStatus(input: CellInput | undefined): CellStatus {
  if (input === undefined) {
    return 'queued';
  }
  const cancelled = input.status === 'cancelled' || input.status === 'skipped';
  if (input.grade !== undefined) {
    return input.grade.errored ? (cancelled ? 'cancelled' : 'error') : input.grade.pass ? 'pass' : 'fail';
  }
  if (cancelled) {
    return 'cancelled';
  }
  if (input.status === 'failed') {
    return 'error';
  }
  // A completed item without a grade is being graded: still in progress to the person.
  return input.status === 'queued' ? 'queued' : 'running';
}

function summarizeColumn(column: Pick<MatrixColumn, 'id' | 'label'>, grades: ItemGrade[], pending: number): ColumnSummary {
  const summary = summarize(grades);
  const knownCosts = summary.items - summary.unknownCostItems;
  return {
    columnId: column.id,
    label: column.label,
    pending,
    graded: summary.items,
    passed: summary.passed,
    failed: summary.failed,
    errored: summary.errored,
    passRate: summary.passRate,
    totalCostUsd: summary.costUsd,
    meanCostUsd: knownCosts > 0 ? summary.costUsd / knownCosts : null,
    unknownCostItems: summary.unknownCostItems,
    latencyP50: summary.latencyP50 ?? null,
    latencyP95: summary.latencyP95 ?? null,
  };
}

/** The rows worth a second look: any cell that failed its assertions or whose run errored. */
export function filterFailures(rows: readonly ResultRow[]): ResultRow[] {
  return rows.filter((row) => row.cells.some((cell) => cell.status === 'fail' || cell.status === 'error'));
}

// ---------------------------------------------------------------------------------------------------- exports

interface FlatRecord {
  item_id: string;
  description: string | null;
  vars: Vars;
  column_id: string;
  column: string;
  status: CellStatus;
  score: number | null;
  cost_usd: number | null;
  latency_ms: number | null;
  output: string | null;
  reason: string | null;
  run_item_id: string | null;
  session_id: string | null;
}

const FIELDS: readonly (keyof FlatRecord)[] = [
  'item_id', 'description', 'vars', 'column_id', 'column', 'status', 'score', 'cost_usd', 'latency_ms', 'output', 'reason', 'run_item_id', 'session_id',
];

/** One record per item × column, items in dataset order, columns in table order. */
function flatten(table: ResultsTable): FlatRecord[] {
  return table.rows.flatMap((row) =>
    row.cells.map((cell, index): FlatRecord => {
      const column = table.columns[index]!;
      return {
        item_id: row.datasetItemId,
        description: row.description ?? null,
        vars: row.vars,
        column_id: column.id,
        column: column.label,
        status: cell.status,
        score: cell.score,
        cost_usd: cell.costUsd,
        latency_ms: cell.latencyMs,
        output: cell.output,
        reason: cell.reason,
        run_item_id: cell.runItemId,
        session_id: cell.sessionId,
      };
    }),
  );
}

/** One JSON object a line, with a final newline. */
export function exportJsonl(table: ResultsTable): string {
  return flatten(table).map((record) => `${JSON.stringify(record)}\n`).join('');
}

/** RFC 4180: a header row, CRLF line ends, vars as JSON in one field, nulls as empty fields. */
export function exportCsv(table: ResultsTable): string {
  const lines = [FIELDS.join(','), ...flatten(table).map((record) => FIELDS.map((field) => csvField(record[field])).join(','))];
  return lines.map((line) => `${line}\r\n`).join('');
}

function csvField(value: FlatRecord[keyof FlatRecord]): string {
  const text = value === null ? '' : typeof value === 'object' ? JSON.stringify(value) : String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

// ---------------------------------------------------------------------------------------------------- compare

export interface AssertionDifference {
  /** Position in the item's assertion list (both cells are the same dataset item). */
  index: number;
  type: string;
  metric?: string;
  a: Pick<AssertionResult, 'pass' | 'score' | 'reason'> | null;
  b: Pick<AssertionResult, 'pass' | 'score' | 'reason'> | null;
}

export interface CellComparison {
  a: { status: CellStatus; output: string | null };
  b: { status: CellStatus; output: string | null };
  /** The assertions whose verdict or score differ between the two; empty when they agree. */
  differing: AssertionDifference[];
}

/** Two cells side by side (typically one item under two columns), for the compare view. */
export function diffCells(a: ResultCell, b: ResultCell): CellComparison {
  const differing: AssertionDifference[] = [];
  for (let index = 0; index < Math.max(a.results.length, b.results.length); index++) {
    const left = a.results[index];
    const right = b.results[index];
    if (left !== undefined && right !== undefined && left.pass === right.pass && left.score === right.score) {
      continue;
    }
    const named = (left ?? right)!;
    differing.push({
      index,
      type: named.type,
      ...(named.metric !== undefined ? { metric: named.metric } : {}),
      a: left ? { pass: left.pass, score: left.score, reason: left.reason } : null,
      b: right ? { pass: right.pass, score: right.score, reason: right.reason } : null,
    });
  }
  return { a: { status: a.status, output: a.output }, b: { status: b.status, output: b.output }, differing };
}
