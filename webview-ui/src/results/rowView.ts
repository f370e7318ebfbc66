import type { ResultsCellView, ResultsColumn, ResultsRowView } from '../../../src/protocol/results';
import { h } from '../shared/dom';
import { STATUS_ICONS, STATUS_LABELS, formatDuration, formatScore, formatUsd } from './format';

/**
 * One row of the results grid: the item (a checkbox, its description and vars) and a cell per column, built once
 * per slot and re-filled as the slot shows another row (the grid recycles slots while it scrolls). Everything from
 * the host goes in through Text nodes: outputs and vars are model and dataset text, never markup.
 */

export interface CellSlot {
  element: HTMLElement;
  icon: HTMLElement;
  verdict: Text;
  figures: Text;
  preview: Text;
}

export interface RowSlot {
  element: HTMLElement;
  item: HTMLElement;
  checkbox: HTMLInputElement;
  title: Text;
  vars: Text;
  cells: CellSlot[];
  /** The list position shown; -1 when unused. */
  position: number;
  shownRow: ResultsRowView | undefined;
  shownState: string;
}

export interface RowState {
  index: number;
  selected: boolean;
  /** The column (0: the item) holding the grid's one tab stop, when it is in this row. */
  focusColumn: number | undefined;
  /** Result columns (0-based) marked for comparison. */
  marked: readonly number[];
  /** The result column whose detail is open. */
  open: number | undefined;
  rowCount: number;
}

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

export function createSlot(columns: number): RowSlot {
  const checkbox = h('input', { type: 'checkbox', class: 'row-check', tabindex: '-1' });
  const titleLine = h('span', { class: 'line item-title' });
  const varsLine = h('span', { class: 'line item-vars' });
  const item = h('div', { class: 'gridcell item-cell', role: 'gridcell', 'aria-colindex': '1', tabindex: '-1', 'data-col': '0' }, checkbox, h('span', { class: 'item-text' }, titleLine, varsLine));
  const cells: CellSlot[] = [];
  for (let column = 0; column < columns; column++) {
    const icon = h('span', { class: 'codicon', 'aria-hidden': 'true' });
    const head = h('span', { class: 'line cell-head' }, icon);
    const verdict = text(h('span', { class: 'verdict' }));
    head.append(verdict.parentElement!);
    const figures = text(h('span', { class: 'figures' }));
    head.append(figures.parentElement!);
    const previewLine = h('span', { class: 'line cell-preview' });
    const preview = text(previewLine);
    const element = h('div', { class: 'gridcell result-cell', role: 'gridcell', 'aria-colindex': String(column + 2), tabindex: '-1', 'data-col': String(column + 1) }, head, previewLine);
    cells.push({ element, icon, verdict, figures, preview });
  }
  const element = h('div', { class: 'row', role: 'row' }, item, ...cells.map((cell) => cell.element));
  return { element, item, checkbox, title: text(titleLine), vars: text(varsLine), cells, position: -1, shownRow: undefined, shownState: '' };
}

/** Fills a slot for `row` (undefined: not loaded yet); skipped when neither the row nor its state changed. */
export function fillSlot(slot: RowSlot, position: number, row: ResultsRowView | undefined, state: RowState, columns: readonly ResultsColumn[]): void {
  const key = `${position}|${state.index}|${state.selected}|${state.focusColumn}|${state.marked.join(',')}|${state.open}|${state.rowCount}`;
  if (slot.shownRow === row && slot.shownState === key && row !== undefined) {
    return;
  }
  slot.shownRow = row;
  slot.shownState = key;
  const element = slot.element;
  element.dataset.position = String(position);
  element.dataset.index = String(state.index);
  element.setAttribute('aria-rowindex', String(position + 2));
  element.setAttribute('aria-selected', String(state.selected));
  element.classList.toggle('selected', state.selected);
  element.classList.toggle('loading', row === undefined);
  slot.checkbox.checked = state.selected;
  slot.item.tabIndex = state.focusColumn === 0 ? 0 : -1;
  if (row === undefined) {
    setText(slot.title, 'Loading…');
    setText(slot.vars, '');
    slot.checkbox.disabled = true;
    slot.checkbox.setAttribute('aria-label', 'Loading');
    for (const cell of slot.cells) {
      clearCell(cell);
    }
    return;
  }
  slot.checkbox.disabled = false;
  const title = row.description ?? row.datasetItemId;
  setText(slot.title, title);
  setText(slot.vars, row.vars);
  slot.checkbox.setAttribute('aria-label', `Select ${title}`);
  slot.item.setAttribute('aria-label', `${title}: ${row.vars}${state.selected ? ', selected' : ''}`);
  slot.item.title = `${row.datasetItemId}\n${row.vars}`;
  slot.cells.forEach((cellSlot, column) => {
    const cell = row.cells[column];
    cellSlot.element.tabIndex = state.focusColumn === column + 1 ? 0 : -1;
    cellSlot.element.classList.toggle('marked', state.marked.includes(column));
    cellSlot.element.classList.toggle('open', state.open === column);
    if (cell === undefined) {
      clearCell(cellSlot);
      return;
    }
    fillCell(cellSlot, cell, `${columns[column]?.label ?? ''}, ${title}`);
  });
}

function fillCell(slot: CellSlot, cell: ResultsCellView, where: string): void {
  const status = cell.status;
  slot.element.dataset.status = status;
  slot.icon.className = `codicon codicon-${STATUS_ICONS[status]}${status === 'running' ? ' codicon-modifier-spin' : ''}`;
  const score = status === 'fail' || (status === 'pass' && cell.score !== null && cell.score < 1) ? formatScore(cell.score) : '';
  setText(slot.verdict, score === '' ? STATUS_LABELS[status] : `${STATUS_LABELS[status]} ${score}`);
  const figures: string[] = [];
  if (cell.assertions > 0) {
    figures.push(`${cell.passedAssertions}/${cell.assertions}`);
  }
  if (cell.costUsd !== null || status === 'pass' || status === 'fail') {
    figures.push(formatUsd(cell.costUsd));
  }
  if (cell.latencyMs !== null) {
    figures.push(formatDuration(cell.latencyMs));
  }
  setText(slot.figures, figures.join(' · '));
  const preview = status === 'error' ? (cell.reason ?? 'The run failed') : (cell.preview ?? '');
  setText(slot.preview, preview);
  slot.element.title = cell.reason ?? '';
  slot.element.setAttribute(
    'aria-label',
    `${where}: ${STATUS_LABELS[status]}${score ? `, score ${score}` : ''}${cell.assertions > 0 ? `, ${cell.passedAssertions} of ${cell.assertions} assertions passed` : ''}` +
      `${cell.costUsd !== null ? `, cost ${formatUsd(cell.costUsd)}` : ''}${cell.latencyMs !== null ? `, ${formatDuration(cell.latencyMs)}` : ''}${cell.reason ? `. ${cell.reason}` : ''}`,
  );
}

function clearCell(slot: CellSlot): void {
  delete slot.element.dataset.status;
  slot.icon.className = 'codicon';
  setText(slot.verdict, '');
  setText(slot.figures, '');
  setText(slot.preview, '');
  slot.element.removeAttribute('aria-label');
  slot.element.title = '';
}
