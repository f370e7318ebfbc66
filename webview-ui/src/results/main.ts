import '@vscode-elements/elements/dist/vscode-progress-bar/index.js';
import '@vscode-elements/elements/dist/vscode-progress-ring/index.js';
import type { ResultsBatchStatus, ResultsColumn, ResultsEvent, ResultsRequests, ResultsSnapshot } from '../../../src/protocol/results';
import { rateLimited } from '../chat/problemReporter';
import { RpcClient, RpcRequestError } from '../shared/rpcClient';
import { vscodeApi } from '../shared/vscodeApi';
import { DetailPane } from './detailPane';
import { formatCount } from './format';
import { Grid, ROW_HEIGHT } from './grid';
import { parseComparison, parseDetail, parseEvent, parsePage, parseSnapshot } from './guards';
import { installGridKeys } from './keyboard';
import { buildLayout } from './layout';
import { RowStore } from './rowStore';
import { Toolbar } from './toolbar';
import '../shared/fullPanel.css';
import '../shared/actionButton.css';
import './results.css';

/**
 * The batch Results panel: a grid of items × columns with each column's summary, filled in as the batch runs.
 * The host sends the first rows with the snapshot and the panel asks for the rest by page; live changes bring only
 * the rows that changed. A cell's output and assertions come when it is opened. Everything from the host is
 * validated first (guards.ts); a bad message is dropped and reported to the AI Studio log, and the panel carries on.
 */

/** Rows per page asked for (src/protocol/results.ts PAGE_ROWS: the webview may import only its types). */
const PAGE_ROWS = 500;
const RUNNING: ReadonlySet<ResultsBatchStatus> = new Set(['queued', 'running', 'waiting']);

interface SavedState {
  runId?: string;
  failuresOnly?: boolean;
}

const api = vscodeApi();
const saved: SavedState = (() => {
  const state: unknown = api.getState();
  const record = typeof state === 'object' && state !== null ? (state as Record<string, unknown>) : {};
  return { ...(typeof record['runId'] === 'string' ? { runId: record['runId'] } : {}), failuresOnly: record['failuresOnly'] === true };
})();

const layout = buildLayout(document.getElementById('app')!);
const store = new RowStore();
store.failuresOnly = saved.failuresOnly === true;

let snapshot: ResultsSnapshot | undefined;
let columns: ResultsColumn[] = [];
let status: ResultsBatchStatus = 'completed';
/** The cell holding the grid's tab stop: a row index and a grid column (0: the item). */
let focus = { index: 0, column: 1 };
/** Cells marked for comparison (row index, result column), two at most. */
let marked: { index: number; column: number }[] = [];
/** The cell whose detail is open. */
let open: { index: number; column: number } | undefined;
let detailSeq = 0;
let loadGeneration = 0;
/** A snapshot was asked for (a missed version): events wait for it. */
let awaitingSnapshot = false;
let firstPaint = false;

const client = new RpcClient<ResultsRequests, ResultsEvent, ResultsSnapshot>(api, {
  onSnapshot: (raw: unknown) => guarded('snapshot', () => applySnapshot(raw)),
  onEvent: (raw: unknown) => guarded('event', () => applyEvent(raw)),
});
const reportProblem = rateLimited((message) => client.reportProblem(message));

const grid = new Grid({
  count: () => store.count,
  indexAt: (position) => store.indexAt(position),
  row: (index) => store.row(index),
  state: (_position, index) => ({
    selected: store.selected.has(index),
    focusColumn: focus.index === index ? focus.column : undefined,
    marked: marked.filter((cell) => cell.index === index).map((cell) => cell.column),
    open: open?.index === index ? open.column : undefined,
  }),
  focus: () => {
    const position = store.positionOf(focus.index);
    return position < 0 ? undefined : { position, column: focus.column };
  },
});
grid.onRendered = () => {
  if (!firstPaint) {
    firstPaint = true;
    // The e2e test times the first paint from this mark.
    performance.mark('results-first-rows');
  }
};

const toolbar = new Toolbar({
  failuresOnly: (on) => setFailuresOnly(on),
  rerunFailed: () => void rerun(store.failingRunItemIds(), 'failed'),
  rerunSelected: () => void rerun(store.selectedRunItemIds(), 'selected'),
  // The host asks where to save and says when it did.
  exportAs: (format) => void act('results/export', { format }),
  cancel: () => void act('results/cancel', {}, 'Cancelling the batch…'),
});
toolbar.setFailuresOnly(store.failuresOnly);

const detail = new DetailPane({
  close: () => closeDetail(),
  openTranscript: (sessionId) => void act('results/openTranscript', { sessionId }),
  inspect: (sessionId) => void act('results/inspect', { sessionId }),
  compareWith: (runItemId) => {
    const row = open && store.row(open.index);
    const column = row?.cells.findIndex((cell) => cell.runItemId === runItemId) ?? -1;
    if (open && column >= 0) {
      marked = [open, { index: open.index, column }];
      void compare();
    }
  },
});

layout.mount({ header: toolbar.header, toolbar: toolbar.element, grid: grid.element, detail: detail.element });
layout.setState('loading');
layout.onShowAll(() => setFailuresOnly(false));

grid.header.selectAll.addEventListener('change', () => {
  store.toggleAll();
  selectionChanged();
});

grid.element.addEventListener('click', (event) => {
  const target = event.target as Element;
  const rowElement = target.closest<HTMLElement>('.rows-block .row');
  if (!rowElement?.dataset.index || rowElement.classList.contains('loading')) {
    return;
  }
  const index = Number(rowElement.dataset.index);
  const position = Number(rowElement.dataset.position);
  if (target.closest('.row-check')) {
    // The selection drives the box (the grid re-renders it): the browser's own toggle is undone.
    event.preventDefault();
    if (event.shiftKey) {
      store.extendTo(index);
    } else {
      store.toggle(index);
    }
    focus = { index, column: 0 };
    selectionChanged();
    requestAnimationFrame(() => grid.focusCell(position, 0));
    return;
  }
  const column = Number(target.closest<HTMLElement>('[data-col]')?.dataset.col ?? '0');
  const mod = event.ctrlKey || event.metaKey;
  focus = { index, column };
  if (event.shiftKey) {
    store.extendTo(index);
    selectionChanged();
  } else if (mod && column > 0) {
    mark(index, column - 1);
  } else if (mod || column === 0) {
    store.toggle(index);
    selectionChanged();
  } else {
    void openCell(index, column - 1);
  }
  grid.invalidate();
  grid.focusCell(position, column);
});

installGridKeys(grid.element, {
  count: () => store.count,
  columns: () => columns.length,
  focus: () => ({ position: Math.max(0, store.positionOf(focus.index)), column: focus.column }),
  pageRows: () => grid.pageRows(),
  moveTo: (position, column) => {
    focus = { index: store.indexAt(position), column };
    grid.invalidate();
    grid.focusCell(position, column);
  },
  open: (position, column) => void openCell(store.indexAt(position), column - 1),
  toggleRow: (position) => {
    store.toggle(store.indexAt(position));
    selectionChanged();
  },
  mark: (position, column) => mark(store.indexAt(position), column - 1),
  selectAll: () => {
    store.toggleAll();
    selectionChanged();
  },
  escape: () => {
    if (detail.isOpen) {
      closeDetail();
      return true;
    }
    if (marked.length > 0) {
      marked = [];
      grid.invalidate();
      return true;
    }
    if (store.selected.size > 0) {
      store.selected.clear();
      selectionChanged();
      return true;
    }
    return false;
  },
});

function applySnapshot(raw: unknown): void {
  const parsed = parseSnapshot(raw);
  if (!parsed) {
    reportProblem('results panel: ignored a snapshot that does not match the protocol');
    layout.showError('The Results panel received data it cannot read. Close and reopen it; the AI Studio log has details.');
    return;
  }
  awaitingSnapshot = false;
  const sameColumns = snapshot !== undefined && JSON.stringify(columns) === JSON.stringify(parsed.columns);
  snapshot = parsed;
  columns = parsed.columns;
  if (!sameColumns) {
    grid.setColumns(columns);
    focus = { index: 0, column: Math.min(1, columns.length) };
    marked = [];
  }
  store.reset(parsed.head.rowCount, parsed.version, parsed.head);
  grid.header.setSummaries(parsed.summaries);
  toolbar.setTitle(parsed.title);
  status = parsed.status;
  toolbar.setStatus(parsed.status, parsed.progress);
  if (saved.runId !== parsed.runId) {
    saved.runId = parsed.runId;
    api.setState({ ...saved });
  }
  layout.hideError();
  refreshList();
  void loadRest(++loadGeneration);
}

function applyEvent(raw: unknown): void {
  const event = parseEvent(raw);
  if (!event) {
    reportProblem('results panel: ignored an event that does not match the protocol');
    return;
  }
  if (!snapshot || awaitingSnapshot || event.params.version <= store.version) {
    return;
  }
  if (event.method === 'results/reset' || event.params.version !== store.version + 1 || event.params.rowCount !== store.rowCount) {
    // The table changed shape, or an update was missed: re-read the truth rather than show a wrong table.
    awaitingSnapshot = true;
    client.requestSnapshot();
    return;
  }
  const { params } = event;
  store.applyChanged(params.rows, params.version);
  grid.header.setSummaries(params.summaries);
  toolbar.setTitle(params.title);
  status = params.status;
  toolbar.setStatus(params.status, params.progress);
  refreshList();
  if (open && params.rows.some((row) => row.index === open?.index)) {
    void openCell(open.index, open.column, { quiet: true });
  }
}

/** Loads the rows the snapshot left out, a page at a time, those around the screen first. */
async function loadRest(generation: number): Promise<void> {
  while (generation === loadGeneration) {
    const near = store.indexAt(Math.floor(grid.element.scrollTop / ROW_HEIGHT));
    const start = store.firstMissing(Math.max(0, near)) ?? store.firstMissing(0);
    if (start === undefined) {
      return;
    }
    try {
      const page = parsePage(await client.request('results/rows', { start, count: PAGE_ROWS }));
      if (generation !== loadGeneration) {
        return;
      }
      if (!page) {
        throw new Error('the host sent rows that do not match the protocol');
      }
      if (page.rowCount !== store.rowCount) {
        awaitingSnapshot = true;
        client.requestSnapshot();
        return;
      }
      store.putPage(page);
      refreshList();
    } catch (error) {
      if (generation === loadGeneration) {
        layout.showError(`Could not load the rows: ${messageOf(error)}`, () => void loadRest(++loadGeneration));
      }
      return;
    }
  }
}

function refreshList(): void {
  if (store.positionOf(focus.index) < 0 && store.count > 0) {
    focus = { index: store.indexAt(0), column: focus.column };
  }
  grid.setCount(store.count);
  grid.invalidate();
  layout.setState(store.rowCount === 0 ? 'empty' : store.count === 0 ? (store.failuresOnly ? 'no-failures' : 'loading') : 'rows');
  updateCounts();
}

function updateCounts(): void {
  grid.header.setSelection(store.selected.size, store.count);
  toolbar.setCounts(store.complete ? store.failingRunItemIds().length : undefined, store.selected.size, RUNNING.has(status));
  toolbar.setExportsEnabled(store.rowCount > 0);
}

function selectionChanged(): void {
  grid.invalidate();
  updateCounts();
}

function setFailuresOnly(on: boolean): void {
  store.setFailuresOnly(on);
  toolbar.setFailuresOnly(on);
  saved.failuresOnly = on;
  api.setState({ ...saved });
  grid.element.scrollTop = 0;
  refreshList();
}

function mark(index: number, column: number): void {
  if (store.row(index)?.cells[column]?.runItemId == null) {
    layout.flash('That cell has not run yet: there is nothing to compare.');
    return;
  }
  const at = marked.findIndex((cell) => cell.index === index && cell.column === column);
  marked = at >= 0 ? marked.filter((_, i) => i !== at) : [...marked, { index, column }].slice(-2);
  grid.invalidate();
  if (marked.length === 2) {
    layout.flash('');
    void compare();
  } else if (marked.length === 1) {
    layout.flash('Marked for comparison: Ctrl+click (or Ctrl+Enter on) another cell to compare the two.');
  }
}

async function openCell(index: number, column: number, options: { quiet?: boolean } = {}): Promise<void> {
  const row = store.row(index);
  const cell = row?.cells[column];
  if (!row || !cell) {
    return;
  }
  if (cell.runItemId === null) {
    layout.flash('That cell has not run yet.');
    return;
  }
  const runItemId = cell.runItemId;
  const seq = ++detailSeq;
  open = { index, column };
  if (!options.quiet) {
    detail.showLoading(`${row.description ?? row.datasetItemId} · ${columns[column]?.label ?? ''}`, { kind: 'cell', runItemId });
    layout.setDetailOpen(true);
    grid.invalidate();
  }
  try {
    const parsed = parseDetail(await client.request('results/cell', { runItemId }));
    if (seq !== detailSeq) {
      return;
    }
    if (parsed === undefined) {
      throw new Error('the host sent a cell that does not match the protocol');
    }
    if (parsed === null) {
      detail.showError('This item is no longer part of the batch.');
      return;
    }
    const siblings = row.cells.flatMap((other, i) => (i !== column && other.runItemId !== null ? [{ label: columns[i]?.label ?? '', runItemId: other.runItemId }] : []));
    detail.showCell(parsed, siblings);
  } catch (error) {
    if (seq === detailSeq) {
      detail.showError(`Could not load the cell: ${messageOf(error)}`);
    }
  }
}

async function compare(): Promise<void> {
  const [a, b] = marked.map((cell) => store.row(cell.index)?.cells[cell.column]?.runItemId ?? null);
  if (!a || !b) {
    return;
  }
  const seq = ++detailSeq;
  open = undefined;
  detail.showLoading('Compare', { kind: 'compare', a, b });
  layout.setDetailOpen(true);
  grid.invalidate();
  try {
    const parsed = parseComparison(await client.request('results/compare', { a, b }));
    if (seq !== detailSeq) {
      return;
    }
    if (parsed === undefined) {
      throw new Error('the host sent a comparison that does not match the protocol');
    }
    if (parsed === null) {
      detail.showError('One of these items is no longer part of the batch.');
      return;
    }
    detail.showComparison(parsed);
  } catch (error) {
    if (seq === detailSeq) {
      detail.showError(`Could not compare the cells: ${messageOf(error)}`);
    }
  }
}

function closeDetail(): void {
  detailSeq++;
  detail.close();
  open = undefined;
  marked = [];
  layout.setDetailOpen(false);
  grid.invalidate();
  const position = store.positionOf(focus.index);
  if (position >= 0) {
    grid.focusCell(position, focus.column);
  }
}

async function rerun(runItemIds: string[], which: 'failed' | 'selected'): Promise<void> {
  if (runItemIds.length === 0) {
    layout.flash(which === 'failed' ? 'Nothing failed: there is nothing to run again.' : 'Select items first: their cells run again.');
    return;
  }
  try {
    await client.request('results/rerun', { runItemIds });
    layout.flash(`Running ${formatCount(runItemIds.length)} ${runItemIds.length === 1 ? 'cell' : 'cells'} again`);
    if (which === 'selected') {
      store.selected.clear();
      selectionChanged();
    }
  } catch (error) {
    layout.flash(`Could not run them again: ${messageOf(error)}`);
  }
}

async function act<K extends 'results/export' | 'results/cancel' | 'results/openTranscript' | 'results/inspect'>(method: K, params: Parameters<typeof client.request<K>>[1], done?: string): Promise<void> {
  try {
    await client.request(method, params);
    if (done) {
      layout.flash(done);
    }
  } catch (error) {
    layout.flash(messageOf(error));
  }
}

function messageOf(error: unknown): string {
  return error instanceof RpcRequestError || error instanceof Error ? error.message : String(error);
}

function guarded(what: string, action: () => void): void {
  try {
    action();
  } catch (error) {
    reportProblem(`results panel: failed to apply a host ${what}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  }
}

client.start();
