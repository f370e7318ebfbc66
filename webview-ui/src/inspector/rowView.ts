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
  /** A tool call's state beside its label: `exit 1`, `denied`, `awaiting approval`. */
  meta: HTMLElement;
  metaText: Text;
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
  /** A tool call's approval wait: the first segment of its bar (a model call's is its time to first token). */
  wait: HTMLElement;
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
  const meta = h('span', { class: 'tool-meta', hidden: '' });
  const type = h('span', { class: 'cell type' });
  const start = h('span', { class: 'cell num start' });
  const duration = h('span', { class: 'cell num duration' });
  const tokensIn = h('span', { class: 'tokens-in' });
  const tokensCache = h('span', { class: 'tokens-cache' });
  const tokensOut = h('span', { class: 'tokens-out' });
  const tokens = h('span', { class: 'cell num tokens' }, tokensIn, tokensCache, h('span', { class: 'tokens-sep' }, '/'), tokensOut);
  const cost = h('span', { class: 'cell num cost' });
  const ttft = h('span', { class: 'ttft' });
  const wait = h('span', { class: 'wait', hidden: '' });
  const bar = h('span', { class: 'bar' }, ttft, wait);
  const element = h(
    'div',
    { class: 'row', role: 'option' },
    turn,
    h('span', { class: 'cell status' }, icon),
    h('span', { class: 'cell label' }, label, meta),
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
    meta,
    metaText: text(meta),
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
    wait,
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
    setHidden(slot.meta, true);
    setClass(slot.icon, 'codicon');
    setClass(slot.bar, 'bar hidden');
    return;
  }
  const tool = row.tool === undefined ? '' : ` tool-${row.tool.head ? 'head' : 'step'} tool-${row.tool.state}`;
  setClass(element, `row kind-${row.kind} status-${row.status}${row.turnHead ? ' turn-head' : ''}${tool}${selection}`);
  setAttr(element, 'data-id', row.id);
  setAttr(element, 'data-turn', String(row.turn));
  fillTurn(slot, row);
  setClass(slot.icon, `codicon codicon-${iconOf(row)}`);
  setText(slot.labelText, row.label);
  const toolLine = toolSummary(row);
  setAttr(slot.label, 'title', [row.label, toolLine, row.error].filter(Boolean).join('\n'));
  fillMeta(slot, row);
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
  setAttr(slot.duration, 'title', row.ttftMs === null ? (toolSummary(row) ?? '') : `Time to first token ${formatDuration(row.ttftMs)}`);
}

const STATE_TEXT: Record<NonNullable<InspectorRow['tool']>['state'], string> = {
  pending: 'pending',
  awaiting_approval: 'awaiting approval',
  running: 'running',
  completed: '',
  failed: 'failed',
  denied: 'denied',
  interrupted: 'interrupted',
};

/** Beside a call's label: how it ended (when not simply completed) and its exit code. */
function fillMeta(slot: RowSlot, row: InspectorRow): void {
  const tool = row.tool;
  const parts = tool?.head ? [STATE_TEXT[tool.state], tool.timedOut ? 'timed out' : '', tool.exitCode === null ? '' : `exit ${tool.exitCode}`].filter(Boolean) : [];
  setText(slot.metaText, parts.join(' · '));
  setHidden(slot.meta, parts.length === 0);
  setClass(slot.meta, `tool-meta${tool?.exitCode !== null && tool?.exitCode !== undefined && tool.exitCode !== 0 ? ' nonzero' : ''}`);
}

/** A call's figures in words: who decided, how long the approval waited, how long it ran. */
function toolSummary(row: InspectorRow): string | undefined {
  const tool = row.tool;
  if (!tool?.head) {
    return undefined;
  }
  const parts = [
    tool.decidedBy === null ? '' : `${tool.state === 'denied' ? 'denied' : 'approved'} by ${tool.decidedBy}`,
    tool.waitMs === null || tool.waitMs === 0 ? '' : `waited ${formatDuration(tool.waitMs)} for approval`,
    tool.runMs === null ? '' : `ran ${formatDuration(tool.runMs)}`,
    tool.exitCode === null ? '' : `exit code ${tool.exitCode}`,
    tool.files === null || tool.files === 0 ? '' : `${tool.files} ${tool.files === 1 ? 'file' : 'files'} changed`,
  ];
  return parts.filter(Boolean).join(', ');
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
  const waitFraction = waitFractionOf(row);
  if (waitFraction !== null) {
    slot.wait.style.width = `${clampPercent(waitFraction)}%`;
  }
  setHidden(slot.wait, waitFraction === null);
}

/**
 * The part of a tool row's bar that is the approval wait: of the whole call for its head, all of it for its
 * approval (or denial) step; null when nobody waited.
 */
function waitFractionOf(row: InspectorRow): number | null {
  const tool = row.tool;
  if (tool === undefined || row.durationMs === null || row.durationMs <= 0) {
    return null;
  }
  if (!tool.head) {
    return tool.step === 'approved' || tool.step === 'denied' ? 1 : null;
  }
  return tool.waitMs === null || tool.waitMs <= 0 ? null : Math.min(1, tool.waitMs / row.durationMs);
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
  const tool = toolSummary(row);
  if (tool) {
    parts.push(tool);
  }
  if (row.tool?.head && STATE_TEXT[row.tool.state]) {
    parts.push(STATE_TEXT[row.tool.state]);
  }
  if (row.error) {
    parts.push(row.error);
  }
  return parts.filter(Boolean).join(', ');
}
