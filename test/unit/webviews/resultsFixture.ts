import type { AssertionResult } from '../../../src/core/batch/assertions';
import type { ItemGrade } from '../../../src/core/batch/grade';
import { buildResultsTable, type CellInput, type ResultsTable } from '../../../src/core/batch/results';
import type { ResultsBatchStatus } from '../../../src/protocol/results';
import type { ResultsProgressFigures, ResultsServices } from '../../../src/webviews/results/resultsController';

/**
 * A synthetic batch for the Results panel's tests (unit, and the e2e harness through out/): `items` dataset items
 * under `columns` columns, each cell passed, failed or errored by a fixed rule, with costs, latencies and
 * assertion reasons, built into a table by the real buildResultsTable. Cells can be changed while "running", and a
 * ResultsServices over it records what the panel asked for.
 */

export type FixtureOutcome = 'pass' | 'fail' | 'error' | 'running' | 'queued';

export interface FixtureOptions {
  items: number;
  columns: number;
  /** What each cell is; default: every third item passes throughout, the others 7 cells in 10 pass, 2 fail, 1 errors. */
  outcome?: (item: number, column: number) => FixtureOutcome;
  /** An item's vars and its outputs may carry text (hostile strings, say). */
  varsOf?: (item: number) => Record<string, string | number>;
  descriptionOf?: (item: number) => string;
  outputOf?: (item: number, column: number) => string;
}

export const COLUMN_LABELS = ['support-bot v1 · gpt-4o', 'support-bot v2 · gpt-4o', 'support-bot v2 · claude-sonnet-4', 'support-bot v2 · llama3.1:8b', 'support-bot v3 · o3-mini'];

export function defaultOutcome(item: number, column: number): FixtureOutcome {
  const slot = (item * 7 + column * 3) % 10;
  if (item % 3 === 0) {
    return 'pass';
  }
  return slot < 7 ? 'pass' : slot < 9 ? 'fail' : 'error';
}

export const runItemIdOf = (item: number, column: number): string => `ri-${item}-${column}`;
export const sessionIdOf = (item: number, column: number): string => `s-${item}-${column}`;
export const costOf = (item: number, column: number): number => 0.0001 * (1 + (item % 5)) * (column + 1);
export const latencyOf = (item: number, column: number): number => 200 + ((item * 37) % 900) + column * 100;

export class SyntheticBatch {
  readonly items: { id: string; description: string; vars: Record<string, string | number> }[];
  readonly columns: { id: string; label: string }[];
  private readonly cells = new Map<string, CellInput>();
  title = 'support-questions.jsonl';
  status: ResultsBatchStatus = 'completed';
  figures: ResultsProgressFigures | undefined;
  private readonly listeners = new Set<(runId: string) => void>();
  /** Calls the panel made through the port, in order. */
  readonly calls: { method: string; args: unknown[] }[] = [];

  constructor(
    readonly runId: string,
    private readonly options: FixtureOptions,
  ) {
    this.items = Array.from({ length: options.items }, (_, i) => ({
      id: `item-${i}`,
      description: options.descriptionOf?.(i) ?? `Question ${i}`,
      vars: options.varsOf?.(i) ?? { query: `What is ${i} + ${i}?`, n: i },
    }));
    this.columns = Array.from({ length: options.columns }, (_, c) => ({ id: `col-${c}`, label: COLUMN_LABELS[c % COLUMN_LABELS.length]! }));
    for (let i = 0; i < options.items; i++) {
      for (let c = 0; c < options.columns; c++) {
        this.set(i, c, (options.outcome ?? defaultOutcome)(i, c));
      }
    }
  }

  /** Puts a cell in a state (as the runner would), with the grade that state has. */
  set(item: number, column: number, outcome: FixtureOutcome, output?: string): void {
    const text = output ?? this.options.outputOf?.(item, column) ?? outputFor(item, column, outcome);
    const cell: CellInput = {
      datasetItemId: `item-${item}`,
      columnId: `col-${column}`,
      runItemId: runItemIdOf(item, column),
      sessionId: outcome === 'queued' ? null : sessionIdOf(item, column),
      status: outcome === 'queued' ? 'queued' : outcome === 'running' ? 'running' : outcome === 'error' ? 'failed' : 'completed',
    };
    if (outcome === 'pass' || outcome === 'fail' || outcome === 'error') {
      cell.output = outcome === 'error' ? '' : text;
      cell.grade = gradeFor(item, column, outcome);
    }
    this.cells.set(`${item}/${column}`, cell);
  }

  table(): ResultsTable {
    return buildResultsTable(this.items, this.columns, [...this.cells.values()]);
  }

  /** The run item ids of the cells that failed or errored, in table order. */
  failingIds(): string[] {
    return this.table().rows.flatMap((row) => row.cells.filter((cell) => cell.status === 'fail' || cell.status === 'error').map((cell) => cell.runItemId!));
  }

  emit(): void {
    for (const listener of this.listeners) {
      listener(this.runId);
    }
  }

  services(log: ResultsServices['log']): ResultsServices {
    const record = (method: string, ...args: unknown[]) => {
      this.calls.push({ method, args });
      return Promise.resolve();
    };
    return {
      title: (runId) => (runId === this.runId ? this.title : undefined),
      status: (runId) => (runId === this.runId ? this.status : undefined),
      table: (runId) => (runId === this.runId ? this.table() : undefined),
      progress: (runId) => (runId === this.runId ? this.figures : undefined),
      onDidChange: (listener) => {
        this.listeners.add(listener);
        return { dispose: () => this.listeners.delete(listener) };
      },
      openTranscript: (sessionId) => record('openTranscript', sessionId),
      inspect: (sessionId) => record('inspect', sessionId),
      rerun: (runId, ids) => record('rerun', runId, ids),
      exportResults: (runId, format) => record('exportResults', runId, format),
      cancel: (runId) => record('cancel', runId),
      log,
    };
  }
}

function outputFor(item: number, column: number, outcome: FixtureOutcome): string {
  if (outcome === 'pass') {
    return `The answer is ${item * 2}.\n\nTo add ${item} and ${item}, double it: ${item} × 2 = ${item * 2}. (${COLUMN_LABELS[column % COLUMN_LABELS.length]})`;
  }
  return `I think the answer is ${item * 2 + 1}.\nLet me explain: ${item} plus ${item} is roughly ${item * 2 + 1}.`;
}

function gradeFor(item: number, column: number, outcome: 'pass' | 'fail' | 'error'): ItemGrade {
  if (outcome === 'error') {
    const notRun = (type: AssertionResult['type']): AssertionResult => ({ type, pass: false, score: 0, reason: 'The run failed: provider returned 500', weight: 1, notRun: true });
    return { itemId: `item-${item}`, pass: false, score: 0, results: [notRun('contains'), notRun('latency')], reason: 'The run failed: provider returned 500', errored: true };
  }
  const expected = String(item * 2);
  const contains: AssertionResult =
    outcome === 'pass'
      ? { type: 'contains', pass: true, score: 1, reason: `The output contains "${expected}"`, weight: 1 }
      : { type: 'contains', pass: false, score: 0, reason: `Expected the output to contain "${expected}"`, weight: 1 };
  const latency: AssertionResult = { type: 'latency', pass: true, score: 1, reason: `${latencyOf(item, column)} ms is within 5000 ms`, weight: 1, metric: 'speed' };
  return {
    itemId: `item-${item}`,
    pass: outcome === 'pass',
    score: outcome === 'pass' ? 1 : 0.5,
    results: [contains, latency],
    reason: outcome === 'pass' ? 'All assertions passed' : contains.reason,
    errored: false,
    costUsd: costOf(item, column),
    latencyMs: latencyOf(item, column),
  };
}
