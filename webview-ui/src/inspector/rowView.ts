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
  /** A turn's first row shows a badge that selects the turn; the others show the turn number as text. */
  turnBadge: HTMLButtonElement;
  turnBadgeText: Text;
  turnText: Text;
  icon: HTMLElement;
  label: HTMLElement;
  labelText: Text;
  type: Text;
  start: HTMLElement;
  startText: Text;
  duration: HTMLElement;
  durationText: Text;
  tokens: HTMLElement;
  tokensIn: Text;
  tokensCache: Text;
  tokensOut: Text;
  cost: HTMLElement;
  costText: Text;
  bar: HTMLElement;
  ttft: HTMLElement;
  /**
   * What the slot shows now, so an unchanged row is not re-filled: the row object (a page that arrives brings new
   * objects, so only its rows are re-filled) and the state around it. '' when the slot must be re-filled.
   */
  shownRow: InspectorRow | undefined;
  shownState: string;
  /** The row index the slot is placed at; -1 when unused. */
  index: number;
}

/*
 * While the list scrolls, every frame re-fills the rows that came into view, so a fill writes only what changed:
 * each cell keeps one Text node whose data is replaced (setting textContent would swap the node and rebuild its
 * layout object), and attributes and classes are compared before they are set.
 */
function text(parent: HTMLElement): Text {
  const node = document.createTextNode('');
  parent.append(node);
  return node;
}

function setText(node: Text, value: string): void {
  if (node.data !== value) {
    node.data = value;
  }
}

function setAttr(element: Element, name: string, value: string): void {
  if (element.getAttribute(name) !== value) {
    element.setAttribute(name, value);
  }
}

function setClass(element: Element, value: string): void {
  if (element.className !== value) {
    element.className = value;
  }
}

function setHidden(element: HTMLElement, hidden: boolean): void {
  if (element.hidden !== hidden) {
    element.hidden = hidden;
  }
}

export function createSlot(): RowSlot {
  const turnBadge = h('button', { type: 'button', class: 'turn-badge', tabindex: '-1', hidden: '' });
  const turn = h('span', { class: 'cell turn' }, turnBadge);
  const icon = h('span', { class: 'codicon', 'aria-hidden': 'true' });
  const label = h('span', { class: 'label-text' });
  const type = h('span', { class: 'cell type' });
  const start = h('span', { class: 'cell num start' });
  const duration = h('span', { class: 'cell num duration' });
  const tokensIn = h('span', { class: 'tokens-in' });
  const tokensCache = h('span', { class: 'tokens-cache' });
  const tokensOut = h('span', { class: 'tokens-out' });
  const tokens = h('span', { class: 'cell num tokens' }, tokensIn, tokensCache, h('span', { class: 'tokens-sep' }, '/'), tokensOut);
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
    tokens,
    cost,
    h('span', { class: 'cell waterfall', 'aria-hidden': 'true' }, h('span', { class: 'track' }, bar)),
  );
  return {
    element,
    turnBadge,
    turnBadgeText: text(turnBadge),
    turnText: text(turn),
    icon,
    label,
    labelText: text(label),
    type: text(type),
    start,
    startText: text(start),
    duration,
    durationText: text(duration),
    tokens,
    tokensIn: text(tokensIn),
    tokensCache: text(tokensCache),
    tokensOut: text(tokensOut),
    cost,
    costText: text(cost),
    bar,
    ttft,
    shownRow: undefined,
    shownState: '',
    index: -1,
  };
}

/** Shows row `index` (its data when loaded, a placeholder while its page is on the way). */
export function fillSlot(slot: RowSlot, index: number, row: InspectorRow | undefined, state: RowState): void {
  const key = `${index}|${state.selected}|${state.active}|${state.scale}|${state.scale === 'session' ? state.sessionSpanMs : 0}|${state.setSize}`;
  if (slot.shownState === key && slot.shownRow === row) {
    return;
  }
  slot.shownState = key;
  slot.shownRow = row;
  const element = slot.element;
  setAttr(element, 'id', `row-${index}`);
  setAttr(element, 'data-index', String(index));
  setAttr(element, 'aria-posinset', String(index + 1));
  setAttr(element, 'aria-setsize', String(state.setSize));
  setAttr(element, 'aria-selected', String(state.selected));
  const selection = `${state.selected ? ' selected' : ''}${state.active ? ' active' : ''}`;
  if (!row) {
    setClass(element, `row loading${selection}`);
    element.removeAttribute('data-id');
    element.removeAttribute('data-turn');
    setAttr(element, 'aria-label', `Row ${index + 1}, loading`);
    setHidden(slot.turnBadge, true);
    for (const cell of [slot.turnText, slot.type, slot.startText, slot.durationText, slot.tokensIn, slot.tokensCache, slot.tokensOut, slot.costText]) {
      setText(cell, '');
    }
    setText(slot.labelText, '…');
    setAttr(slot.label, 'title', '');
    setClass(slot.icon, 'codicon');
    setClass(slot.bar, 'bar hidden');
    return;
  }
  setClass(element, `row kind-${row.kind} status-${row.status}${row.turnHead ? ' turn-head' : ''}${selection}`);
  setAttr(element, 'data-id', row.id);
  setAttr(element, 'data-turn', String(row.turn));
  fillTurn(slot, row);
  setClass(slot.icon, `codicon codicon-${iconOf(row)}`);
  setText(slot.labelText, row.label);
  setAttr(slot.label, 'title', row.error ? `${row.label}\n${row.error}` : row.label);
  setText(slot.type, row.type);
  setText(slot.startText, formatOffset(row.offsetMs));
  setAttr(slot.start, 'title', new Date(row.startedAt).toISOString());
  fillDuration(slot, row);
  fillTokens(slot, row);
  setText(slot.costText, row.kind === 'llm' ? formatRowCost(row.costMicroUsd) : row.costMicroUsd === null ? '' : formatRowCost(row.costMicroUsd));
  setAttr(slot.cost, 'title', row.kind === 'llm' && row.costMicroUsd === null ? 'Cost unknown: no price for this model' : '');
  fillBar(slot, row, state);
  setAttr(element, 'aria-label', describe(row));
}

function fillTurn(slot: RowSlot, row: InspectorRow): void {
  setHidden(slot.turnBadge, !row.turnHead);
  if (row.turnHead) {
    setText(slot.turnText, '');
    setText(slot.turnBadgeText, `T${row.turn}`);
    setAttr(slot.turnBadge, 'data-turn', String(row.turn));
    setAttr(slot.turnBadge, 'title', `Turn ${row.turn}: click to select the whole turn (Ctrl-click to add it)`);
  } else {
    setText(slot.turnText, row.turn === 0 ? '' : String(row.turn));
  }
}

function fillDuration(slot: RowSlot, row: InspectorRow): void {
  if (row.turnHead) {
    setText(slot.durationText, formatDuration(row.turnSpanMs));
    setAttr(slot.duration, 'title', `Turn ${row.turn} took ${formatDuration(row.turnSpanMs)}, first start to last end`);
    setClass(slot.duration, 'cell num duration turn-span');
    return;
  }
  setClass(slot.duration, 'cell num duration');
  setText(slot.durationText, row.durationMs === null ? '' : formatDuration(row.durationMs));
  setAttr(slot.duration, 'title', row.ttftMs === null ? '' : `Time to first token ${formatDuration(row.ttftMs)}`);
}

function fillTokens(slot: RowSlot, row: InspectorRow): void {
  const t = row.tokens;
  const known = t.input !== null || t.output !== null;
  const cached = (t.cacheRead ?? 0) + (t.cacheWrite ?? 0);
  setText(slot.tokensIn, known ? formatTokensShort(t.input ?? 0) : '');
  setText(slot.tokensCache, known && cached > 0 ? `+${formatTokensShort(cached)}` : '');
  setText(slot.tokensOut, known ? formatTokensShort(t.output ?? 0) : '');
  setClass(slot.tokens, known ? 'cell num tokens' : 'cell num tokens empty');
  const parts = known
    ? [
        `${formatCount(t.input ?? 0)} input tokens${cached > 0 ? ` + ${formatCount(t.cacheRead ?? 0)} read from cache${t.cacheWrite ? `, ${formatCount(t.cacheWrite)} written to it` : ''}` : ''}`,
        row.promptTokens === null ? '' : `(prompt ${formatCount(row.promptTokens)})`,
        `${formatCount(t.output ?? 0)} output${t.reasoning ? ` (${formatCount(t.reasoning)} reasoning)` : ''}`,
      ]
    : [];
  setAttr(slot.tokens, 'title', parts.filter(Boolean).join(', '));
}

function fillBar(slot: RowSlot, row: InspectorRow, state: RowState): void {
  const span = state.scale === 'turn' ? row.turnSpanMs : Math.max(1, state.sessionSpanMs);
  const offset = state.scale === 'turn' ? row.turnOffsetMs : row.offsetMs;
  const duration = row.turnHead ? row.turnSpanMs : (row.durationMs ?? 0);
  const left = clampPercent(offset / span);
  const width = Math.min(clampPercent(duration / span), 100 - left);
  const bar = slot.bar;
  setClass(bar, `bar ${row.turnHead ? 'turn-extent' : duration > 0 ? 'timed' : 'instant'}${row.status === 'running' ? ' running' : ''}`);
  // An instant marker at the very end stays inside the track.
  bar.style.left = duration > 0 ? `${left}%` : `min(${left}%, calc(100% - 4px))`;
  bar.style.width = duration > 0 ? `${width}%` : '';
  const ttftFraction = row.ttftMs !== null && row.durationMs !== null && row.durationMs > 0 && !row.turnHead ? row.ttftMs / row.durationMs : null;
  if (ttftFraction !== null) {
    slot.ttft.style.width = `${clampPercent(ttftFraction)}%`;
  }
  setHidden(slot.ttft, ttftFraction === null);
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
