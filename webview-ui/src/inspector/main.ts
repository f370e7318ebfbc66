import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-progress-ring/index.js';
import '@vscode-elements/elements/dist/vscode-textfield/index.js';
import type { InspectorEvent, InspectorFilter, InspectorRequests, InspectorSnapshot, InspectorTotals } from '../../../src/protocol/inspector';
import { rateLimited } from '../chat/problemReporter';
import { RpcClient, RpcRequestError } from '../shared/rpcClient';
import { vscodeApi } from '../shared/vscodeApi';
import { DetailPane } from './detailPane';
import { parseDetail, parseEvent, parseLocate, parsePage, parseSnapshot, parseTotals } from './guards';
import { buildLayout } from './layout';
import { loadPanelState, savePanelState } from './panelState';
import { RowCache } from './rowCache';
import type { Scale } from './rowView';
import { Selection } from './selection';
import { Timeline } from './timeline';
import { ReplayEditor } from './replayEditor';
import { Toolbar } from './toolbar';
import { TotalsBar } from './totalsBar';
import { installKeyboard } from './keyboard';
import '../shared/fullPanel.css';
import '../shared/actionButton.css';
import './inspector.css';

/**
 * The Inspector panel: the timeline of a session's events. It holds only what it shows: the host sends the counts,
 * the totals and the first and last page; rows come by page as the list scrolls (RowCache, bounded); one event's
 * JSON comes when it is opened. Everything from the host is validated first (guards.ts); a bad message is dropped
 * and reported to the AI Studio log, and the panel carries on.
 */

const api = vscodeApi();
const panelState = loadPanelState(api);
const layout = buildLayout(document.getElementById('app')!);
const selection = new Selection();
const totalsBar = new TotalsBar();

let snapshot: InspectorSnapshot | undefined;
let filter: InspectorFilter = { text: '', types: [] };
let total = 0;
let sessionTotals: InspectorTotals | null = null;
let filteredTotals: InspectorTotals | null = null;
let active: number | undefined;
let scale: Scale = panelState.scale ?? 'turn';
/** The newest filter query, so a slow answer to an older one is ignored. */
let querySeq = 0;
let detailSeq = 0;
let selectionSeq = 0;
let selectionTimer: number | undefined;
let detailTimer: number | undefined;

const client = new RpcClient<InspectorRequests, InspectorEvent, InspectorSnapshot>(api, {
  onSnapshot: (raw: unknown) => guarded('snapshot', () => applySnapshot(raw)),
  onEvent: (raw: unknown) => guarded('event', () => applyEvent(raw)),
});
const reportProblem = rateLimited((message) => client.reportProblem(message));

const cache = new RowCache(
  async (start, count) => parsePage(await client.request('inspector/rows', { filter, start, count })),
  (countChanged) => {
    if (countChanged) {
      timeline.setCount(cache.count, { follow: true });
      updateStates();
    }
    // The page's rows are new objects: only the slots showing them are re-filled.
    timeline.schedule();
  },
  (error) => layout.showError(`Could not load rows: ${messageOf(error)}`, () => timeline.invalidate()),
);

const timeline = new Timeline(layout.viewport, layout.sizer, {
  row: (index) => cache.row(index),
  want: (first, last) => cache.want(first, last),
  isSelected: (index, turn) => selection.isSelected(index, turn),
  activeIndex: () => active,
  scale: () => scale,
  sessionSpanMs: () => sessionSpan(),
});

const toolbar = new Toolbar({
  filterChanged: (next) => void applyFilter(next),
  scaleChanged: (next) => {
    scale = next;
    panelState.scale = next;
    savePanelState(api, panelState);
    layout.setScaleHeader(next);
    timeline.invalidate();
  },
});
toolbar.setScale(scale);
layout.setScaleHeader(scale);

const detail = new DetailPane({
  close: () => closeDetail(),
  jumpTo: (eventId) => void jumpTo(eventId),
});

const replay = new ReplayEditor(
  {
    open: async (eventId) => objectOf(await client.request('inspector/replay/open', { eventId }), 'replay') as never,
    run: async (request) => objectOf(await client.request('inspector/replay/run', { request }), 'comparison') as never,
    stop: async () => {
      await client.request('inspector/replay/stop', {});
    },
    continueAsBranch: async (replayEventId) => objectOf(await client.request('inspector/replay/continue', { replayEventId }), 'branch') as never,
  },
  () => (snapshot?.scope.kind === 'session' ? undefined : 'An imported trace is read-only: its calls cannot be replayed.'),
);
detail.attach(replay.element);

layout.mount(toolbar.element, detail.element, totalsBar.element);
layout.onClearFilter(() => {
  toolbar.setFilter({ text: '', types: [] });
  void applyFilter({ text: '', types: [] });
});

installKeyboard(layout.viewport, {
  count: () => timeline.rowCount,
  active: () => active,
  pageRows: () => timeline.pageRows(),
  moveTo: (index, extend) => moveTo(index, extend ? 'extend' : 'select'),
  toggle: (index) => {
    selection.toggle(index);
    selectionChanged();
  },
  selectAll: () => {
    selection.selectAll(timeline.rowCount);
    selectionChanged();
  },
  open: () => {
    if (active !== undefined) {
      openDetail(active);
    }
  },
  escape: () => {
    if (detail.isOpen) {
      closeDetail();
      return true;
    }
    if (!selection.isEmpty) {
      selection.clear();
      selectionChanged();
      return true;
    }
    return false;
  },
});

layout.viewport.addEventListener('click', (event) => {
  const target = event.target as Element;
  const rowElement = target.closest<HTMLElement>('.row');
  if (!rowElement?.dataset.index) {
    return;
  }
  const index = Number(rowElement.dataset.index);
  const badge = target.closest<HTMLElement>('.turn-badge');
  if (badge?.dataset.turn) {
    selection.selectTurn(Number(badge.dataset.turn), event.ctrlKey || event.metaKey);
    active = index;
    selectionChanged();
  } else if (event.shiftKey) {
    selection.extend(index, event.ctrlKey || event.metaKey);
    active = index;
    selectionChanged();
  } else if (event.ctrlKey || event.metaKey) {
    selection.toggle(index);
    active = index;
    selectionChanged();
  } else {
    moveTo(index, 'select');
    openDetail(index);
  }
  layout.viewport.focus({ preventScroll: true });
});

function applySnapshot(raw: unknown): void {
  const parsed = parseSnapshot(raw);
  if (!parsed) {
    reportProblem('inspector panel: ignored a snapshot that does not match the protocol');
    layout.showError('The Inspector received data it cannot read. Close and reopen it; the AI Studio log has details.');
    return;
  }
  snapshot = parsed;
  layout.setTitle(parsed.title, parsed.live);
  if (parsed.scope.kind === 'session' && panelState.sessionId !== parsed.scope.sessionId) {
    panelState.sessionId = parsed.scope.sessionId;
    savePanelState(api, panelState);
  }
  total = parsed.total;
  sessionTotals = parsed.totals;
  if (parsed.types) {
    toolbar.setTypes(parsed.types);
  }
  applyView(parsed.view.filter, parsed.view.count, parsed.view.totals, [parsed.view.head, parsed.view.tail]);
  layout.hideError();
  if (parsed.focus) {
    focusRow(parsed.focus.index, parsed.focus.eventId);
  }
}

function applyView(next: InspectorFilter, count: number, totals: InspectorTotals | null, pages: Parameters<RowCache['reset']>[1]): void {
  filter = next;
  toolbar.setFilter(next);
  filteredTotals = totals;
  cache.reset(count, pages);
  selection.clear();
  active = undefined;
  layout.viewport.scrollTop = 0;
  timeline.setCount(count);
  timeline.invalidate();
  updateTotals();
  updateStates();
}

function applyEvent(raw: unknown): void {
  const event = parseEvent(raw);
  if (!event) {
    reportProblem('inspector panel: ignored an event that does not match the protocol');
    return;
  }
  switch (event.method) {
    case 'inspector/changed': {
      const params = event.params;
      total = params.total;
      // Null while the host is still summing: the panel keeps what it shows.
      sessionTotals = params.totals ?? sessionTotals;
      if (params.types) {
        toolbar.setTypes(params.types);
      }
      if (filterKey(params.filter) === filterKey(filter)) {
        filteredTotals = params.filteredTotals ?? filteredTotals;
        cache.invalidateFrom(params.from, params.count);
        timeline.setCount(params.count, { follow: true });
        timeline.invalidate();
        if (!selection.isEmpty) {
          selectionChanged();
        }
      }
      updateTotals();
      updateStates();
      return;
    }
    case 'inspector/focus': {
      const { index, eventId } = event.params;
      if (filterKey(event.params.filter) !== filterKey(filter)) {
        void applyFilter(event.params.filter).then(() => focusRow(index, eventId));
      } else {
        focusRow(index, eventId);
      }
      return;
    }
    case 'inspector/title':
      layout.setTitle(event.params.title, snapshot?.live ?? false);
      return;
  }
}

async function applyFilter(next: InspectorFilter): Promise<void> {
  const seq = ++querySeq;
  toolbar.setFilter(next);
  layout.setBusy(true);
  try {
    const view = await client.request('inspector/query', { filter: next });
    const head = parsePage((view as { head?: unknown }).head);
    const tail = parsePage((view as { tail?: unknown }).tail);
    if (seq !== querySeq) {
      return;
    }
    if (!head || !tail || typeof view.count !== 'number') {
      throw new Error('the host answered with rows that do not match the protocol');
    }
    applyView(next, view.count, view.totals === null ? null : (parseTotals(view.totals) ?? null), [head, tail]);
    layout.hideError();
  } catch (error) {
    if (seq === querySeq) {
      layout.showError(`Could not apply the filter: ${messageOf(error)}`, () => void applyFilter(next));
    }
  } finally {
    if (seq === querySeq) {
      layout.setBusy(false);
    }
  }
}

function moveTo(index: number, mode: 'select' | 'extend'): void {
  const count = timeline.rowCount;
  if (count === 0) {
    return;
  }
  const clamped = Math.max(0, Math.min(index, count - 1));
  if (mode === 'extend') {
    selection.extend(clamped);
  } else {
    selection.select(clamped);
  }
  active = clamped;
  timeline.scrollToIndex(clamped);
  selectionChanged();
  if (detail.isOpen && mode === 'select') {
    // The detail follows the active row, once the keys settle.
    window.clearTimeout(detailTimer);
    detailTimer = window.setTimeout(() => openDetail(clamped), 120);
  }
}

function focusRow(index: number, eventId: string): void {
  selection.select(index);
  active = index;
  timeline.scrollToIndex(index, 'center');
  selectionChanged();
  void showDetail(eventId, 'Event');
  layout.viewport.focus({ preventScroll: true });
}

function openDetail(index: number): void {
  const row = cache.row(index);
  if (row) {
    void showDetail(row.id, row.label);
  }
}

/** A replay answer is an object (the editor reads its fields defensively); anything else is a protocol fault. */
function objectOf(value: unknown, what: string): object {
  if (typeof value !== 'object' || value === null) {
    throw new Error(`the host sent a ${what} that does not match the protocol`);
  }
  return value;
}

async function showDetail(eventId: string, label: string): Promise<void> {
  const seq = ++detailSeq;
  detail.showLoading(eventId, label);
  layout.setDetailOpen(true);
  try {
    const parsed = parseDetail(await client.request('inspector/detail', { eventId }));
    if (seq !== detailSeq) {
      return;
    }
    if (parsed === undefined) {
      throw new Error('the host sent a detail that does not match the protocol');
    }
    detail.show(parsed, eventId);
    if (parsed === null) {
      replay.hide();
    } else {
      replay.showFor(detail.replaySlot, eventId, parsed.type);
    }
  } catch (error) {
    if (seq === detailSeq) {
      detail.showError(`Could not load the event: ${messageOf(error)}`);
    }
  }
}

function closeDetail(): void {
  detailSeq++;
  replay.hide();
  detail.close();
  layout.setDetailOpen(false);
  layout.viewport.focus({ preventScroll: true });
}

async function jumpTo(eventId: string): Promise<void> {
  try {
    const found = parseLocate(await client.request('inspector/locate', { filter, eventId }));
    if (found) {
      focusRow(found.index, eventId);
    } else {
      layout.flash('That event is hidden by the filter.');
    }
  } catch (error) {
    layout.flash(`Could not find the event: ${messageOf(error)}`);
  }
}

function selectionChanged(): void {
  timeline.invalidate();
  layout.setActiveDescendant(active === undefined ? undefined : `row-${active}`);
  window.clearTimeout(selectionTimer);
  if (selection.isEmpty) {
    totalsBar.setSelection(null, 0, false);
    return;
  }
  const seq = ++selectionSeq;
  totalsBar.setSelection(null, selection.rangeRows, true);
  selectionTimer = window.setTimeout(() => {
    client.request('inspector/totals', { filter, selection: selection.toProtocol() }).then(
      (raw) => {
        if (seq === selectionSeq) {
          totalsBar.setSelection(parseTotals(raw) ?? null, selection.rangeRows, !selection.isEmpty);
        }
      },
      (error: unknown) => reportProblem(`inspector panel: selection totals failed: ${messageOf(error)}`),
    );
  }, 100);
}

function updateTotals(): void {
  totalsBar.setSession(sessionTotals);
  totalsBar.setFiltered(filteredTotals, isFiltered());
  toolbar.setCount(timeline.rowCount, total, isFiltered());
}

function updateStates(): void {
  if (!snapshot) {
    return;
  }
  const count = timeline.rowCount;
  layout.setState(total === 0 ? (snapshot.live ? 'empty-live' : 'empty') : count === 0 ? 'no-match' : 'rows');
  toolbar.setCount(count, total, isFiltered());
}

function sessionSpan(): number {
  return Math.max(1, sessionTotals?.wallMs ?? cache.maxEndMs);
}

function isFiltered(): boolean {
  return filter.text.trim() !== '' || filter.types.length > 0;
}

function filterKey(value: InspectorFilter): string {
  return JSON.stringify([value.text.trim(), [...value.types].sort()]);
}

function messageOf(error: unknown): string {
  return error instanceof RpcRequestError || error instanceof Error ? error.message : String(error);
}

function guarded(what: string, action: () => void): void {
  try {
    action();
  } catch (error) {
    reportProblem(`inspector panel: failed to apply a host ${what}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  }
}

client.start();
