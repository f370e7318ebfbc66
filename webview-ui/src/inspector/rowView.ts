import type { InspectorRow } from '../../../src/protocol/inspector';
import { h } from '../shared/dom';
import { formatCount, formatDuration, formatOffset, formatRowCost, formatTokensShort } from './format';

/**
 * One row of the timeline: a fixed set of cells whose text and classes are re-filled as the row slot shows another
 * event (the list recycles slots rather than building elements while it scrolls). Everything from the host goes
 * in through textContent and the CSSOM (bar positions), never as markup.
 */

export type Scale = 'turn' | 'session';

export interface RowState {
  selected: boolean;
  active: boolean;
  scale: Scale;
  /** Session span for the session scale: first start to last end. */
  sessionSpanMs: number;
  setSize: number;
}

const KIND_ICONS: Record<InspectorRow['kind'], string> = {
  message: 'comment',
  request: 'arrow-small-right',
  llm: 'sparkle',
  tool: 'tools',
  run: 'play',
  route: 'git-compare',
  other: 'circle-small',
};

export interface RowSlot {
  element: HTMLElement;
  turn: HTMLElement;
  icon: HTMLElement;
  label: HTMLElement;
  type: HTMLElement;
  start: HTMLElement;
  duration: HTMLElement;
  tokensIn: HTMLElement;
  tokensCache: HTMLElement;
  tokensOut: HTMLElement;
  cost: HTMLElement;
  bar: HTMLElement;
  ttft: HTMLElement;
  /** What the slot shows now, so an unchanged row is not re-filled. */
  shown: string;
  /** The row index the slot is placed at; -1 when unused. */
  index: number;
}

export function createSlot(): RowSlot {
  const turn = h('span', { class: 'cell turn' });
  const icon = h('span', { class: 'codicon', 'aria-hidden': 'true' });
  const label = h('span', { class: 'label-text' });
  const type = h('span', { class: 'cell type' });
  const start = h('span', { class: 'cell num start' });
  const duration = h('span', { class: 'cell num duration' });
  const tokensIn = h('span', { class: 'tokens-in' });
  const tokensCache = h('span', { class: 'tokens-cache' });
  const tokensOut = h('span', { class: 'tokens-out' });
  const cost = h('span', { class: 'cell num cost' });
  const ttft = h('span', { class: 'ttft' });
  const bar = h('span', { class: 'bar' }, ttft);
  const element = h(
    'div',
    { class: 'row', role: 'option' },
    turn,
    h('span', { class: 'cell status' }, icon),
    h('span', { class: 'cell label' }, label),
    type,
    start,
    duration,
    h('span', { class: 'cell num tokens' }, tokensIn, tokensCache, h('span', { class: 'tokens-sep' }, '/'), tokensOut),
    cost,
    h('span', { class: 'cell waterfall', 'aria-hidden': 'true' }, h('span', { class: 'track' }, bar)),
  );
  return { element, turn, icon, label, type, start, duration, tokensIn, tokensCache, tokensOut, cost, bar, ttft, shown: '', index: -1 };
}

/** Shows row `index` (its data when loaded, a placeholder while its page is on the way). */
export function fillSlot(slot: RowSlot, index: number, row: InspectorRow | undefined, state: RowState): void {
  const key = row
    ? `${index}|${row.id}|${row.status}|${row.turnSpanMs}|${state.selected}|${state.active}|${state.scale}|${state.scale === 'session' ? state.sessionSpanMs : 0}|${state.setSize}`
    : `${index}|-|${state.selected}|${state.active}|${state.setSize}`;
  if (slot.shown === key) {
    return;
  }
  slot.shown = key;
  const element = slot.element;
  element.id = `row-${index}`;
  element.dataset.index = String(index);
  element.setAttribute('aria-posinset', String(index + 1));
  element.setAttribute('aria-setsize', String(state.setSize));
  element.setAttribute('aria-selected', String(state.selected));
  element.classList.toggle('selected', state.selected);
  element.classList.toggle('active', state.active);
  if (!row) {
    element.className = `row loading${state.selected ? ' selected' : ''}${state.active ? ' active' : ''}`;
    element.removeAttribute('data-id');
    element.removeAttribute('data-turn');
    element.setAttribute('aria-label', `Row ${index + 1}, loading`);
    for (const cell of [slot.turn, slot.label, slot.type, slot.start, slot.duration, slot.tokensIn, slot.tokensCache, slot.tokensOut, slot.cost]) {
      cell.textContent = '';
    }
    slot.label.textContent = '…';
    slot.icon.className = 'codicon';
    slot.bar.className = 'bar hidden';
    return;
  }
  element.className = [
    'row',
    `kind-${row.kind}`,
    `status-${row.status}`,
    row.turnHead ? 'turn-head' : '',
    state.selected ? 'selected' : '',
    state.active ? 'active' : '',
  ]
    .filter(Boolean)
    .join(' ');
  element.dataset.id = row.id;
  element.dataset.turn = String(row.turn);
  fillTurn(slot.turn, row);
  slot.icon.className = `codicon codicon-${iconOf(row)}`;
  slot.label.textContent = row.label;
  slot.label.title = row.error ? `${row.label}\n${row.error}` : row.label;
  slot.type.textContent = row.type;
  slot.start.textContent = formatOffset(row.offsetMs);
  slot.start.title = new Date(row.startedAt).toISOString();
  fillDuration(slot, row);
  fillTokens(slot, row);
  slot.cost.textContent = row.kind === 'llm' ? formatRowCost(row.costMicroUsd) : row.costMicroUsd === null ? '' : formatRowCost(row.costMicroUsd);
  slot.cost.title = row.kind === 'llm' && row.costMicroUsd === null ? 'Cost unknown: no price for this model' : '';
  fillBar(slot, row, state);
  element.setAttribute('aria-label', describe(row));
}

function fillTurn(cell: HTMLElement, row: InspectorRow): void {
  cell.textContent = '';
  if (row.turnHead) {
    const badge = document.createElement('button');
    badge.type = 'button';
    badge.className = 'turn-badge';
    badge.tabIndex = -1;
    badge.dataset.turn = String(row.turn);
    badge.textContent = `T${row.turn}`;
    badge.title = `Turn ${row.turn}: click to select the whole turn (Ctrl-click to add it)`;
    cell.append(badge);
  } else {
    cell.textContent = row.turn === 0 ? '' : String(row.turn);
  }
}

function fillDuration(slot: RowSlot, row: InspectorRow): void {
  if (row.turnHead) {
    slot.duration.textContent = formatDuration(row.turnSpanMs);
    slot.duration.title = `Turn ${row.turn} took ${formatDuration(row.turnSpanMs)}, first start to last end`;
    slot.duration.classList.add('turn-span');
    return;
  }
  slot.duration.classList.remove('turn-span');
  slot.duration.textContent = row.durationMs === null ? '' : formatDuration(row.durationMs);
  slot.duration.title = row.ttftMs === null ? '' : `Time to first token ${formatDuration(row.ttftMs)}`;
}

function fillTokens(slot: RowSlot, row: InspectorRow): void {
  const t = row.tokens;
  const known = t.input !== null || t.output !== null;
  const cached = (t.cacheRead ?? 0) + (t.cacheWrite ?? 0);
  slot.tokensIn.textContent = known ? formatTokensShort(t.input ?? 0) : '';
  slot.tokensCache.textContent = known && cached > 0 ? `+${formatTokensShort(cached)}` : '';
  slot.tokensOut.textContent = known ? formatTokensShort(t.output ?? 0) : '';
  slot.tokensOut.parentElement!.classList.toggle('empty', !known);
  const parts = known
    ? [
        `${formatCount(t.input ?? 0)} input tokens${cached > 0 ? ` + ${formatCount(t.cacheRead ?? 0)} read from cache${t.cacheWrite ? `, ${formatCount(t.cacheWrite)} written to it` : ''}` : ''}`,
        row.promptTokens === null ? '' : `(prompt ${formatCount(row.promptTokens)})`,
        `${formatCount(t.output ?? 0)} output${t.reasoning ? ` (${formatCount(t.reasoning)} reasoning)` : ''}`,
      ]
    : [];
  slot.tokensOut.parentElement!.title = parts.filter(Boolean).join(', ');
}

function fillBar(slot: RowSlot, row: InspectorRow, state: RowState): void {
  const span = state.scale === 'turn' ? row.turnSpanMs : Math.max(1, state.sessionSpanMs);
  const offset = state.scale === 'turn' ? row.turnOffsetMs : row.offsetMs;
  const duration = row.turnHead ? row.turnSpanMs : (row.durationMs ?? 0);
  const left = clampPercent(offset / span);
  const width = Math.min(clampPercent(duration / span), 100 - left);
  const bar = slot.bar;
  bar.className = `bar ${row.turnHead ? 'turn-extent' : duration > 0 ? 'timed' : 'instant'}${row.status === 'running' ? ' running' : ''}`;
  // An instant marker at the very end stays inside the track.
  bar.style.left = duration > 0 ? `${left}%` : `min(${left}%, calc(100% - 4px))`;
  bar.style.width = duration > 0 ? `${width}%` : '';
  if (row.ttftMs !== null && row.durationMs !== null && row.durationMs > 0 && !row.turnHead) {
    slot.ttft.style.width = `${clampPercent(row.ttftMs / row.durationMs)}%`;
    slot.ttft.hidden = false;
  } else {
    slot.ttft.hidden = true;
  }
}

function clampPercent(fraction: number): number {
  return Number.isFinite(fraction) ? Math.max(0, Math.min(100, fraction * 100)) : 0;
}

function iconOf(row: InspectorRow): string {
  switch (row.status) {
    case 'error':
      return 'error';
    case 'cancelled':
      return 'debug-stop';
    case 'running':
      return 'loading codicon-modifier-spin';
    default:
      if (row.type === 'message.user') {
        return 'account';
      }
      if (row.type === 'message.assistant') {
        return 'hubot';
      }
      return KIND_ICONS[row.kind];
  }
}

function describe(row: InspectorRow): string {
  const parts = [row.turnHead ? `Turn ${row.turn}` : '', row.label, row.status === 'ok' ? '' : row.status, formatOffset(row.offsetMs)];
  if (row.durationMs !== null) {
    parts.push(`took ${formatDuration(row.durationMs)}`);
  }
  if (row.error) {
    parts.push(row.error);
  }
  return parts.filter(Boolean).join(', ');
}
