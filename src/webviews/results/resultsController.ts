import { diffCells, type ResultCell, type ResultRow, type ResultsTable } from '../../core/batch/results';
import type { Logger } from '../../core/ports';
import type { RequestHandlers } from '../../protocol/rpc';
import {
  FIRST_PAGE_ROWS,
  type ResultsBatchStatus,
  type ResultsCellDetail,
  type ResultsEvent,
  type ResultsExportFormat,
  type ResultsPage,
  type ResultsProgress,
  type ResultsRequests,
  type ResultsRowView,
  type ResultsSnapshot,
} from '../../protocol/results';
import { cellDetail, countedProgress, rowSignature, rowView, shapeOf, summaryView } from './resultsViews';

/**
 * The host side of one Results panel, without VS Code: it reads a batch through the ResultsServices port, answers
 * the panel's requests and turns the batch's many changes into a few `results/changed` events a second, each
 * carrying only the rows that changed. resultsPanel.ts puts it in a webview; the e2e harness runs it in Node.
 */

/** Figures from the window carrying the batch (src/core/runs/batchCarrier.ts BatchProgress has them all). */
export interface ResultsProgressFigures {
  done: number;
  total: number;
  running?: number;
  waitedMs: number;
  rateLimited: number;
}

/**
 * What the Results panel needs from the extension: the batch as a table and a way to act on it. The lead wires
 * it to the run service; tests give it synthetic tables. Each method takes the run id, so one object serves every
 * open panel.
 */
export interface ResultsServices {
  /** The batch's name for the tab (its dataset, say); undefined when the run no longer exists (the panel closes). */
  title(runId: string): string | undefined;
  status(runId: string): ResultsBatchStatus | undefined;
  /** The table as it is now (src/core/batch/results.ts buildResultsTable); read at most a few times a second. */
  table(runId: string): ResultsTable | undefined;
  /** Live figures while this window runs the batch (waits for rate limits included); undefined otherwise. */
  progress(runId: string): ResultsProgressFigures | undefined;
  /** Fires (often: every item's step) when a batch changed; the panel coalesces. */
  onDidChange(listener: (runId: string) => void): { dispose(): void };
  /**
   * One cell whole, when the table holds outputs cut short (optional: without it the table's cell is used). The
   * cell must belong to the run.
   */
  cellDetail?(runId: string, runItemId: string): ResultCell | undefined | Promise<ResultCell | undefined>;
  openTranscript(sessionId: string): Promise<void>;
  inspect(sessionId: string): Promise<void>;
  rerun(runId: string, runItemIds: string[]): Promise<void>;
  exportResults(runId: string, format: ResultsExportFormat): Promise<void>;
  cancel(runId: string): Promise<void>;
  log: Logger;
}

export interface ResultsControllerOptions {
  /** At most one `results/changed` per this many ms (a batch changes many times a second). */
  intervalMs?: number;
  /** While the batch runs, progress is re-read this often even without a change (rate-limit waits grow quietly). */
  pollMs?: number;
  now?: () => number;
  setTimer?: (run: () => void, ms: number) => { cancel(): void };
}

export const UPDATE_INTERVAL_MS = 250;
const POLL_MS = 1000;
const RUNNING: ReadonlySet<ResultsBatchStatus> = new Set(['queued', 'running', 'waiting']);

interface State {
  version: number;
  title: string;
  status: ResultsBatchStatus;
  progress: ResultsProgress;
  table: ResultsTable;
  shape: string;
  signatures: string[];
  views: ResultsRowView[];
  /** Where each run item sits: row and column. */
  cells: Map<string, { row: number; column: number }>;
  sessions: Set<string>;
}

const EMPTY_TABLE: ResultsTable = { columns: [], rows: [], summaries: [] };

export class ResultsController {
  readonly handlers: RequestHandlers<ResultsRequests>;
  private state: State;
  private timer: { cancel(): void } | undefined;
  private poll: { cancel(): void } | undefined;
  private lastFlush = Number.NEGATIVE_INFINITY;
  private readonly subscription: { dispose(): void };
  private disposed = false;
  private readonly intervalMs: number;
  private readonly pollMs: number;
  private readonly now: () => number;
  private readonly setTimer: NonNullable<ResultsControllerOptions['setTimer']>;

  constructor(
    private readonly services: ResultsServices,
    readonly runId: string,
    /** Where events go (the webview host, which queues them until the panel is ready). */
    private readonly post: (event: ResultsEvent) => void,
    /** The run was deleted: the panel closes. */
    private readonly onGone: () => void = () => {},
    options: ResultsControllerOptions = {},
  ) {
    this.intervalMs = options.intervalMs ?? UPDATE_INTERVAL_MS;
    this.pollMs = options.pollMs ?? POLL_MS;
    this.now = options.now ?? (() => Date.now());
    this.setTimer =
      options.setTimer ??
      ((run, ms) => {
        const handle = setTimeout(run, ms);
        return { cancel: () => clearTimeout(handle) };
      });
    this.state = this.read(0, undefined) ?? this.emptyState();
    this.subscription = services.onDidChange((changed) => {
      if (changed === runId) {
        this.changed();
      }
    });
    this.schedulePoll();
    this.handlers = this.makeHandlers();
  }

  get title(): string {
    return this.state.title;
  }

  /** The full state the panel renders from; re-read first, so a panel shown again is up to date. */
  snapshot(): ResultsSnapshot {
    this.refresh();
    const state = this.state;
    return {
      runId: this.runId,
      title: state.title,
      status: state.status,
      progress: state.progress,
      columns: state.table.columns.map(({ id, label }) => ({ id, label })),
      summaries: state.table.summaries.map(summaryView),
      version: state.version,
      head: this.page(0, FIRST_PAGE_ROWS),
    };
  }

  /** The batch changed: an event follows within the interval (one for any number of changes). */
  changed(): void {
    if (this.disposed || this.timer) {
      return;
    }
    const wait = Math.max(0, this.lastFlush + this.intervalMs - this.now());
    this.timer = this.setTimer(() => {
      this.timer = undefined;
      this.flush();
    }, wait);
  }

  /** Re-reads the batch now and posts what changed, if anything did. */
  flush(): void {
    let event: ResultsEvent | undefined;
    try {
      event = this.refresh();
    } catch (err) {
      // A table that cannot be read now (the store busy, a bad item) costs this update, not the panel's timers.
      this.services.log.error(`Results: could not read batch ${this.runId}: ${err instanceof Error ? err.message : String(err)}`);
      return;
    }
    if (event) {
      this.post(event);
    }
  }

  /**
   * Re-reads the batch and returns the event that says what changed (none when nothing the panel shows did). The
   * snapshot refreshes without posting: it carries the new state itself.
   */
  private refresh(): ResultsEvent | undefined {
    if (this.disposed) {
      return undefined;
    }
    this.timer?.cancel();
    this.timer = undefined;
    this.lastFlush = this.now();
    const previous = this.state;
    const next = this.read(previous.version + 1, previous);
    if (next === undefined) {
      this.onGone();
      return undefined;
    }
    if (next.shape !== previous.shape) {
      this.state = next;
      return { method: 'results/reset', params: { version: next.version } };
    }
    const rows: ResultsRowView[] = [];
    for (let index = 0; index < next.signatures.length; index++) {
      if (next.signatures[index] !== previous.signatures[index]) {
        rows.push(next.views[index]!);
      }
    }
    const same =
      rows.length === 0 &&
      next.title === previous.title &&
      next.status === previous.status &&
      JSON.stringify(next.progress) === JSON.stringify(previous.progress) &&
      JSON.stringify(next.table.summaries) === JSON.stringify(previous.table.summaries);
    if (same) {
      // Nothing the panel shows moved: keep the version, so the panel sees no gap.
      this.state = { ...next, version: previous.version };
      return undefined;
    }
    this.state = next;
    return {
      method: 'results/changed',
      params: {
        version: next.version,
        title: next.title,
        status: next.status,
        progress: next.progress,
        summaries: next.table.summaries.map(summaryView),
        rowCount: next.table.rows.length,
        rows,
      },
    };
  }

  dispose(): void {
    this.disposed = true;
    this.timer?.cancel();
    this.poll?.cancel();
    this.subscription.dispose();
  }

  private makeHandlers(): RequestHandlers<ResultsRequests> {
    return {
      'results/rows': ({ start, count }) => this.page(start, count),
      'results/cell': async ({ runItemId }) => this.detail(runItemId),
      'results/compare': async ({ a, b }) => {
        const [left, right] = await Promise.all([this.located(a), this.located(b)]);
        if (!left || !right) {
          return null;
        }
        const differing = diffCells(left.cell, right.cell).differing.map((difference) => ({
          index: difference.index,
          type: difference.type,
          metric: difference.metric ?? null,
          a: difference.a,
          b: difference.b,
        }));
        return { a: left.detail, b: right.detail, differing };
      },
      'results/openTranscript': async ({ sessionId }) => {
        await this.services.openTranscript(this.ownSession(sessionId));
        return null;
      },
      'results/inspect': async ({ sessionId }) => {
        await this.services.inspect(this.ownSession(sessionId));
        return null;
      },
      'results/rerun': async ({ runItemIds }) => {
        const unknown = runItemIds.filter((id) => !this.state.cells.has(id));
        if (unknown.length > 0) {
          throw new Error(`${unknown.length} of the items to run again are not in this batch (${unknown.slice(0, 3).join(', ')}${unknown.length > 3 ? ', …' : ''})`);
        }
        await this.services.rerun(this.runId, runItemIds);
        this.changed();
        return { queued: runItemIds.length };
      },
      'results/export': async ({ format }) => {
        await this.services.exportResults(this.runId, format);
        return null;
      },
      'results/cancel': async () => {
        if (!RUNNING.has(this.state.status)) {
          throw new Error(`The batch is not running (it is ${this.state.status})`);
        }
        await this.services.cancel(this.runId);
        this.changed();
        return null;
      },
    };
  }

  private page(start: number, count: number): ResultsPage {
    const { views, version } = this.state;
    return { version, rowCount: views.length, start, rows: views.slice(start, start + count) };
  }

  private async detail(runItemId: string): Promise<ResultsCellDetail | null> {
    return (await this.located(runItemId))?.detail ?? null;
  }

  private async located(runItemId: string): Promise<{ cell: ResultCell; detail: ResultsCellDetail } | undefined> {
    const { table, cells } = this.state;
    const at = cells.get(runItemId);
    if (at === undefined) {
      return undefined;
    }
    const row = table.rows[at.row]!;
    const fromTable = row.cells[at.column]!;
    const full = this.services.cellDetail ? ((await this.services.cellDetail(this.runId, runItemId)) ?? undefined) : fromTable;
    if (full === undefined || full.runItemId !== runItemId) {
      return undefined;
    }
    return { cell: full, detail: cellDetail(table, row, at.column, { ...full, runItemId }) };
  }

  /** Only the conversations of this batch's items: a panel cannot open any session it names. */
  private ownSession(sessionId: string): string {
    if (!this.state.sessions.has(sessionId)) {
      throw new Error('That conversation is not one of this batch’s items');
    }
    return sessionId;
  }

  private read(version: number, previous: State | undefined): State | undefined {
    const title = this.services.title(this.runId);
    const table = this.services.table(this.runId);
    if (title === undefined || table === undefined) {
      return undefined;
    }
    const status = this.services.status(this.runId) ?? previous?.status ?? 'completed';
    const figures = this.services.progress(this.runId);
    const progress: ResultsProgress = figures
      ? { done: figures.done, total: figures.total, running: figures.running ?? 0, waitedMs: figures.waitedMs, rateLimited: figures.rateLimited, live: true }
      : { ...countedProgress(table), ...(previous?.progress.live ? { waitedMs: previous.progress.waitedMs, rateLimited: previous.progress.rateLimited } : {}) };
    const shape = shapeOf(table);
    const sameShape = previous !== undefined && previous.shape === shape;
    const signatures = table.rows.map(rowSignature);
    const views = table.rows.map((row, index) =>
      sameShape && previous.signatures[index] === signatures[index] ? previous.views[index]! : rowView(row, index),
    );
    const cells = new Map<string, { row: number; column: number }>();
    const sessions = new Set<string>();
    table.rows.forEach((row: ResultRow, rowIndex) =>
      row.cells.forEach((cell, column) => {
        if (cell.runItemId !== null) {
          cells.set(cell.runItemId, { row: rowIndex, column });
        }
        if (cell.sessionId !== null) {
          sessions.add(cell.sessionId);
        }
      }),
    );
    return { version, title, status, progress, table, shape, signatures, views, cells, sessions };
  }

  private emptyState(): State {
    return {
      version: 0,
      title: 'Batch run',
      status: 'completed',
      progress: countedProgress(undefined),
      table: EMPTY_TABLE,
      shape: shapeOf(EMPTY_TABLE),
      signatures: [],
      views: [],
      cells: new Map(),
      sessions: new Set(),
    };
  }

  private schedulePoll(): void {
    this.poll = this.setTimer(() => {
      if (this.disposed) {
        return;
      }
      if (RUNNING.has(this.state.status)) {
        this.changed();
      }
      this.schedulePoll();
    }, this.pollMs);
  }
}
