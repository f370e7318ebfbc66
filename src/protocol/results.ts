import { z } from 'zod';
import type { RequestMap } from './rpc';

/**
 * The batch Results panel's protocol: one batch run as a table, a row per dataset item and a cell per column
 * (agent × model), with a summary per column.
 *
 * Rows travel trimmed: a cell carries the first PREVIEW_CHARS characters of its output and a short reason, so
 * 1,000 items × 4 columns fit in a few hundred kilobytes; the full output and every assertion's verdict come when a
 * cell is opened (`results/cell`) or compared (`results/compare`). The snapshot carries the first page of rows and
 * the panel asks for the rest (`results/rows`). While the batch runs, `results/changed` brings the rows that
 * changed, the summaries and the progress, at most a few times a second. Every message has a `version`: a page
 * answered at an older version never overwrites a row an event already brought newer.
 *
 * Every value from the panel is bounded and every object strict, so a hostile message cannot make the host scan,
 * allocate or act without limit; the host checks too that ids belong to the panel's run.
 */

/** Characters of a cell's output in a row (whitespace folded to one line). */
export const PREVIEW_CHARS = 200;
/** Characters of an item's vars (as JSON) and description in a row. */
export const ROW_TEXT_CHARS = 300;
/** Characters of a cell's reason in a row; the detail has it whole. */
export const REASON_PREVIEW_CHARS = 300;
/** Longest output a detail carries; past it the output is cut and says so. */
export const DETAIL_OUTPUT_CHARS = 1_000_000;
/** Rows that come with the snapshot: a first screenful and more, so the panel paints without a round trip. */
export const FIRST_PAGE_ROWS = 200;
/** Rows per `results/rows` request the panel makes, and the most one may ask for. */
export const PAGE_ROWS = 500;
export const MAX_ROWS_PER_REQUEST = 1_000;
/** As many run items as a batch can have (src/core/batch/matrix.ts MAX_MATRIX_ITEMS). */
export const MAX_RERUN_IDS = 20_000;

export type ResultsCellStatus = 'pass' | 'fail' | 'error' | 'running' | 'queued' | 'cancelled';
/** The batch run's own status (src/db/repositories/runs.ts RunStatus). */
export type ResultsBatchStatus = 'queued' | 'running' | 'waiting' | 'completed' | 'failed' | 'cancelled';
export type ResultsExportFormat = 'jsonl' | 'csv';

export interface ResultsColumn {
  id: string;
  label: string;
}

/** A column's figures (src/core/batch/results.ts ColumnSummary). Costs in US dollars; unknown stays null. */
export interface ResultsColumnSummary {
  columnId: string;
  label: string;
  pending: number;
  graded: number;
  passed: number;
  failed: number;
  errored: number;
  /** passed / graded; 0 while nothing is graded. */
  passRate: number;
  /** Of the known costs: a lower bound when unknownCostItems > 0. */
  totalCostUsd: number;
  meanCostUsd: number | null;
  unknownCostItems: number;
  latencyP50: number | null;
  latencyP95: number | null;
}

/** One cell as a row carries it: the figures, and the output only as a preview. */
export interface ResultsCellView {
  status: ResultsCellStatus;
  score: number | null;
  costUsd: number | null;
  latencyMs: number | null;
  /** null for a cell no run item was made for. */
  runItemId: string | null;
  sessionId: string | null;
  /** The output's start on one line (PREVIEW_CHARS at most, `…` when cut); null: no output (yet). */
  preview: string | null;
  /** The whole output's length, so the panel can say there is more. */
  outputChars: number;
  /** Why it passed or failed, cut at REASON_PREVIEW_CHARS. */
  reason: string | null;
  passedAssertions: number;
  assertions: number;
}

export interface ResultsRowView {
  /** Position in the table (dataset order). */
  index: number;
  datasetItemId: string;
  description: string | null;
  /** The item's vars as JSON, cut at ROW_TEXT_CHARS. */
  vars: string;
  /** In the table's column order. */
  cells: ResultsCellView[];
}

/** Rows `start` to `start + rows.length` of the table, as they were at `version`. */
export interface ResultsPage {
  version: number;
  rowCount: number;
  start: number;
  rows: ResultsRowView[];
}

export interface ResultsProgress {
  /** Cells ended (passed, failed, errored or cancelled). */
  done: number;
  total: number;
  running: number;
  /** How long the batch was held back by rate limits, in all. */
  waitedMs: number;
  /** Rate limits (and overloads) the provider reported. */
  rateLimited: number;
  /** The figures come from the window running the batch; false: counted from the table (no wait figures). */
  live: boolean;
}

export interface ResultsSnapshot {
  runId: string;
  title: string;
  status: ResultsBatchStatus;
  progress: ResultsProgress;
  columns: ResultsColumn[];
  summaries: ResultsColumnSummary[];
  version: number;
  /** The first FIRST_PAGE_ROWS rows; `head.rowCount` is the table's length. */
  head: ResultsPage;
}

/** One assertion's verdict (src/core/batch/assertions.ts AssertionResult). */
export interface ResultsAssertion {
  type: string;
  pass: boolean;
  score: number;
  reason: string;
  weight: number;
  metric: string | null;
  /** The run did not complete, so the assertion was not evaluated (it counts as failed). */
  notRun: boolean;
}

/** One cell whole: its output (up to DETAIL_OUTPUT_CHARS) and every assertion. */
export interface ResultsCellDetail {
  runItemId: string;
  sessionId: string | null;
  datasetItemId: string;
  description: string | null;
  columnId: string;
  columnLabel: string;
  status: ResultsCellStatus;
  score: number | null;
  costUsd: number | null;
  latencyMs: number | null;
  output: string | null;
  outputTruncated: boolean;
  reason: string | null;
  assertions: ResultsAssertion[];
  /** The item's vars as formatted JSON. */
  vars: string;
}

export interface ResultsAssertionVerdict {
  pass: boolean;
  score: number;
  reason: string;
}

/** An assertion whose verdict or score differs between two cells (src/core/batch/results.ts diffCells). */
export interface ResultsAssertionDifference {
  index: number;
  type: string;
  metric: string | null;
  a: ResultsAssertionVerdict | null;
  b: ResultsAssertionVerdict | null;
}

export interface ResultsComparison {
  a: ResultsCellDetail;
  b: ResultsCellDetail;
  differing: ResultsAssertionDifference[];
}

/** Run item and session ids: ULIDs in the store; tests and imports may use other short ids. */
const itemId = z.string().regex(/^[\w.:-]{1,128}$/, 'not a run item id');
const sessionId = z.string().regex(/^[\w.:-]{1,128}$/, 'not a session id');
const index = z.number().int().nonnegative().max(100_000_000);
const object = <T>() => z.custom<T>((value) => typeof value === 'object' && value !== null);
const objectOrNull = <T>() => z.custom<T | null>((value) => typeof value === 'object');
const nothing = z.custom<null>((value) => value === null || value === undefined);

export const rerunParamsSchema = z.strictObject({
  runItemIds: z
    .array(itemId)
    .min(1, 'name at least one run item to run again')
    .max(MAX_RERUN_IDS)
    .refine((ids) => new Set(ids).size === ids.length, 'lists a run item more than once'),
});

export const resultsRequests = {
  /** Rows `start` to `start + count` (fewer at the end), as the table is now. */
  'results/rows': {
    params: z.strictObject({ start: index, count: z.number().int().min(1).max(MAX_ROWS_PER_REQUEST) }),
    result: object<ResultsPage>(),
  },
  /** One cell whole: its output and each assertion's verdict and reason; null when the item is no longer there. */
  'results/cell': { params: z.strictObject({ runItemId: itemId }), result: objectOrNull<ResultsCellDetail>() },
  /** Two cells side by side, with the assertions on which they differ; null when either is gone. */
  'results/compare': {
    params: z.strictObject({ a: itemId, b: itemId }).refine((pair) => pair.a !== pair.b, 'compare two different cells'),
    result: objectOrNull<ResultsComparison>(),
  },
  /** Opens the chat panel on a cell's conversation (a session of this batch). */
  'results/openTranscript': { params: z.strictObject({ sessionId }), result: nothing },
  /** Opens the Inspector on a cell's conversation (a session of this batch). */
  'results/inspect': { params: z.strictObject({ sessionId }), result: nothing },
  /** Runs these items of this batch again (the failed ones, or those selected). */
  'results/rerun': { params: rerunParamsSchema, result: object<{ queued: number }>() },
  /** Saves the table as JSON Lines or CSV (the host asks where). */
  'results/export': { params: z.strictObject({ format: z.enum(['jsonl', 'csv']) }), result: nothing },
  /** Stops the batch: items under way are cancelled, queued ones skipped. */
  'results/cancel': { params: z.strictObject({}), result: nothing },
} satisfies RequestMap;
export type ResultsRequests = typeof resultsRequests;

/** Host -> panel, after the snapshot. */
export type ResultsEvent =
  /**
   * The batch moved on: the rows whose cells changed since `version - 1` (possibly none: progress alone), and the
   * figures as they are now. A panel that missed a version asks for a fresh snapshot.
   */
  | {
      method: 'results/changed';
      params: {
        version: number;
        title: string;
        status: ResultsBatchStatus;
        progress: ResultsProgress;
        summaries: ResultsColumnSummary[];
        rowCount: number;
        rows: ResultsRowView[];
      };
    }
  /** The table's shape changed (columns or items): the panel re-reads the snapshot. */
  | { method: 'results/reset'; params: { version: number } };
