import type {
  ResultsAssertion,
  ResultsAssertionDifference,
  ResultsAssertionVerdict,
  ResultsBatchStatus,
  ResultsCellDetail,
  ResultsCellStatus,
  ResultsCellView,
  ResultsColumn,
  ResultsColumnSummary,
  ResultsComparison,
  ResultsEvent,
  ResultsPage,
  ResultsProgress,
  ResultsRowView,
  ResultsSnapshot,
} from '../../../src/protocol/results';

/**
 * Runtime checks for what the host posts. The host is trusted, but a bug there (or something else posting into the
 * frame) must cost one dropped message, not a broken panel: every value is checked and copied into a fresh object,
 * so a getter, a `__proto__` key or a 10 MB label never reaches the renderer. Strings are cut to the lengths the
 * host promises (src/protocol/results.ts), with some slack.
 */

type Unknown = Record<string, unknown>;

const CELL_STATUSES = new Set<ResultsCellStatus>(['pass', 'fail', 'error', 'running', 'queued', 'cancelled']);
const BATCH_STATUSES = new Set<ResultsBatchStatus>(['queued', 'running', 'waiting', 'completed', 'failed', 'cancelled']);
const MAX_ID = 128;
const MAX_LABEL = 500;
const MAX_ROW_TEXT = 1_000;
const MAX_COLUMNS = 100;
/** More than any page or event carries; a longer list is not one of them. */
const MAX_ROWS = 25_000;
const MAX_OUTPUT = 1_100_000;
const MAX_ASSERTIONS = 500;

function isRecord(value: unknown): value is Unknown {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function text(value: unknown, max: number): string | undefined {
  return typeof value === 'string' ? value.slice(0, max) : undefined;
}

function nullableText(value: unknown, max: number): string | null {
  return text(value, max) ?? null;
}

function id(value: unknown): string | undefined {
  return typeof value === 'string' && value.length > 0 && value.length <= MAX_ID ? value : undefined;
}

function count(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 ? value : undefined;
}

function finite(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

function list<T>(value: unknown, max: number, parse: (entry: unknown) => T | undefined): T[] | undefined {
  if (!Array.isArray(value) || value.length > max) {
    return undefined;
  }
  const parsed: T[] = [];
  for (const entry of value) {
    const item = parse(entry);
    if (item === undefined) {
      return undefined;
    }
    parsed.push(item);
  }
  return parsed;
}

function parseColumn(value: unknown): ResultsColumn | undefined {
  if (!isRecord(value)) {
    return undefined;
  }
  const columnId = id(value.id);
  const label = text(value.label, MAX_LABEL);
  return columnId === undefined || label === undefined ? undefined : { id: columnId, label };
}

function parseSummary(value: unknown): ResultsColumnSummary | undefined {
  if (!isRecord(value)) {
    return undefined;
  }
  const columnId = id(value.columnId);
  const label = text(value.label, MAX_LABEL);
  if (columnId === undefined || label === undefined) {
    return undefined;
  }
  return {
    columnId,
    label,
    pending: count(value.pending) ?? 0,
    graded: count(value.graded) ?? 0,
    passed: count(value.passed) ?? 0,
    failed: count(value.failed) ?? 0,
    errored: count(value.errored) ?? 0,
    passRate: Math.min(1, Math.max(0, finite(value.passRate) ?? 0)),
    totalCostUsd: Math.max(0, finite(value.totalCostUsd) ?? 0),
    meanCostUsd: finite(value.meanCostUsd),
    unknownCostItems: count(value.unknownCostItems) ?? 0,
    latencyP50: finite(value.latencyP50),
    latencyP95: finite(value.latencyP95),
  };
}

function parseCell(value: unknown): ResultsCellView | undefined {
  if (!isRecord(value) || !CELL_STATUSES.has(value.status as ResultsCellStatus)) {
    return undefined;
  }
  return {
    status: value.status as ResultsCellStatus,
    score: finite(value.score),
    costUsd: finite(value.costUsd),
    latencyMs: finite(value.latencyMs),
    runItemId: id(value.runItemId) ?? null,
    sessionId: id(value.sessionId) ?? null,
    preview: nullableText(value.preview, MAX_ROW_TEXT),
    outputChars: count(value.outputChars) ?? 0,
    reason: nullableText(value.reason, MAX_ROW_TEXT),
    passedAssertions: count(value.passedAssertions) ?? 0,
    assertions: count(value.assertions) ?? 0,
  };
}

export function parseRow(value: unknown): ResultsRowView | undefined {
  if (!isRecord(value)) {
    return undefined;
  }
  const index = count(value.index);
  const datasetItemId = text(value.datasetItemId, MAX_LABEL);
  const cells = list(value.cells, MAX_COLUMNS, parseCell);
  if (index === undefined || datasetItemId === undefined || cells === undefined) {
    return undefined;
  }
  return { index, datasetItemId, description: nullableText(value.description, MAX_ROW_TEXT), vars: text(value.vars, MAX_ROW_TEXT) ?? '', cells };
}

export function parsePage(value: unknown): ResultsPage | undefined {
  if (!isRecord(value)) {
    return undefined;
  }
  const version = count(value.version);
  const rowCount = count(value.rowCount);
  const start = count(value.start);
  const rows = list(value.rows, MAX_ROWS, parseRow);
  if (version === undefined || rowCount === undefined || start === undefined || rows === undefined) {
    return undefined;
  }
  return { version, rowCount, start, rows };
}

function parseProgress(value: unknown): ResultsProgress | undefined {
  if (!isRecord(value)) {
    return undefined;
  }
  return {
    done: count(value.done) ?? 0,
    total: count(value.total) ?? 0,
    running: count(value.running) ?? 0,
    waitedMs: count(value.waitedMs) ?? 0,
    rateLimited: count(value.rateLimited) ?? 0,
    live: value.live === true,
  };
}

function batchStatus(value: unknown): ResultsBatchStatus | undefined {
  return BATCH_STATUSES.has(value as ResultsBatchStatus) ? (value as ResultsBatchStatus) : undefined;
}

export function parseSnapshot(value: unknown): ResultsSnapshot | undefined {
  if (!isRecord(value)) {
    return undefined;
  }
  const runId = id(value.runId);
  const title = text(value.title, MAX_LABEL);
  const status = batchStatus(value.status);
  const progress = parseProgress(value.progress);
  const columns = list(value.columns, MAX_COLUMNS, parseColumn);
  const summaries = list(value.summaries, MAX_COLUMNS, parseSummary);
  const version = count(value.version);
  const head = parsePage(value.head);
  if (
    runId === undefined ||
    title === undefined ||
    status === undefined ||
    progress === undefined ||
    columns === undefined ||
    summaries === undefined ||
    version === undefined ||
    head === undefined ||
    head.rows.some((row) => row.cells.length !== columns.length)
  ) {
    return undefined;
  }
  return { runId, title, status, progress, columns, summaries, version, head };
}

export function parseEvent(value: unknown): ResultsEvent | undefined {
  if (!isRecord(value) || !isRecord(value.params)) {
    return undefined;
  }
  const params = value.params;
  const version = count(params.version);
  if (version === undefined) {
    return undefined;
  }
  if (value.method === 'results/reset') {
    return { method: 'results/reset', params: { version } };
  }
  if (value.method !== 'results/changed') {
    return undefined;
  }
  const title = text(params.title, MAX_LABEL);
  const status = batchStatus(params.status);
  const progress = parseProgress(params.progress);
  const summaries = list(params.summaries, MAX_COLUMNS, parseSummary);
  const rowCount = count(params.rowCount);
  const rows = list(params.rows, MAX_ROWS, parseRow);
  if (title === undefined || status === undefined || progress === undefined || summaries === undefined || rowCount === undefined || rows === undefined) {
    return undefined;
  }
  return { method: 'results/changed', params: { version, title, status, progress, summaries, rowCount, rows } };
}

function parseAssertion(value: unknown): ResultsAssertion | undefined {
  if (!isRecord(value) || typeof value.pass !== 'boolean') {
    return undefined;
  }
  const type = text(value.type, 100);
  if (type === undefined) {
    return undefined;
  }
  return {
    type,
    pass: value.pass,
    score: finite(value.score) ?? 0,
    reason: text(value.reason, 20_000) ?? '',
    weight: finite(value.weight) ?? 1,
    metric: nullableText(value.metric, 200),
    notRun: value.notRun === true,
  };
}

/** A cell's detail; null when the host says it is gone; undefined when the answer is malformed. */
export function parseDetail(value: unknown): ResultsCellDetail | null | undefined {
  if (value === null) {
    return null;
  }
  if (!isRecord(value) || !CELL_STATUSES.has(value.status as ResultsCellStatus)) {
    return undefined;
  }
  const runItemId = id(value.runItemId);
  const datasetItemId = text(value.datasetItemId, MAX_LABEL);
  const assertions = list(value.assertions, MAX_ASSERTIONS, parseAssertion);
  if (runItemId === undefined || datasetItemId === undefined || assertions === undefined) {
    return undefined;
  }
  return {
    runItemId,
    sessionId: id(value.sessionId) ?? null,
    datasetItemId,
    description: nullableText(value.description, 5_000),
    columnId: text(value.columnId, MAX_ID) ?? '',
    columnLabel: text(value.columnLabel, MAX_LABEL) ?? '',
    status: value.status as ResultsCellStatus,
    score: finite(value.score),
    costUsd: finite(value.costUsd),
    latencyMs: finite(value.latencyMs),
    output: nullableText(value.output, MAX_OUTPUT),
    outputTruncated: value.outputTruncated === true,
    reason: nullableText(value.reason, 20_000),
    assertions,
    vars: text(value.vars, 200_000) ?? '',
  };
}

function parseVerdict(value: unknown): ResultsAssertionVerdict | null | undefined {
  if (value === null) {
    return null;
  }
  if (!isRecord(value) || typeof value.pass !== 'boolean') {
    return undefined;
  }
  return { pass: value.pass, score: finite(value.score) ?? 0, reason: text(value.reason, 20_000) ?? '' };
}

function parseDifference(value: unknown): ResultsAssertionDifference | undefined {
  if (!isRecord(value)) {
    return undefined;
  }
  const index = count(value.index);
  const type = text(value.type, 100);
  const a = parseVerdict(value.a);
  const b = parseVerdict(value.b);
  if (index === undefined || type === undefined || a === undefined || b === undefined) {
    return undefined;
  }
  return { index, type, metric: nullableText(value.metric, 200), a, b };
}

export function parseComparison(value: unknown): ResultsComparison | null | undefined {
  if (value === null) {
    return null;
  }
  if (!isRecord(value)) {
    return undefined;
  }
  const a = parseDetail(value.a);
  const b = parseDetail(value.b);
  const differing = list(value.differing, MAX_ASSERTIONS, parseDifference);
  if (!a || !b || differing === undefined) {
    return undefined;
  }
  return { a, b, differing };
}
