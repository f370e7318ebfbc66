import type { ResultsColumn, ResultsRowView } from '../../../src/protocol/results';
import { h } from '../shared/dom';
import { GridHeader } from './header';
import { createSlot, fillSlot, type RowSlot, type RowState } from './rowView';

/**
 * The virtualized results grid, built like the Inspector's timeline: rows have one fixed height, so the first
 * visible row is scrollTop / ROW_HEIGHT and a fixed ring of row slots (a screenful plus overscan) is moved to it
 * and re-filled. The DOM holds the same few dozen rows for 10 items or 20,000. The header row is sticky inside the
 * same scroller, so it scrolls sideways with the columns.
 *
 * Focus: one cell is the grid's tab stop (roving tabindex). When its row is scrolled out of the DOM, the scroller
 * itself takes the tab stop, and keys keep working there (they are handled on the scroller).
 */

export const ROW_HEIGHT = 48;
const OVERSCAN = 6;
const ITEM_WIDTH = 260;
const CELL_WIDTH = 230;

export interface GridHooks {
  /** Rows in the list as shown (the filter applied). */
  count(): number;
  indexAt(position: number): number;
  row(index: number): ResultsRowView | undefined;
  state(position: number, index: number): Omit<RowState, 'index' | 'rowCount'>;
  /** The cell holding the tab stop. */
  focus(): { position: number; column: number } | undefined;
}

export class Grid {
  readonly element: HTMLElement;
  readonly header = new GridHeader();
  private readonly body: HTMLElement;
  private readonly block: HTMLElement;
  private columns: readonly ResultsColumn[] = [];
  private slots: RowSlot[] = [];
  private frame: number | undefined;
  private count = 0;
  /** Called after each render that showed rows with data (the panel's first paint is timed from it). */
  onRendered: (() => void) | undefined;

  constructor(private readonly hooks: GridHooks) {
    this.block = h('div', { class: 'rows-block', role: 'presentation' });
    this.body = h('div', { class: 'grid-body', role: 'rowgroup' }, this.block);
    const head = h('div', { class: 'grid-header', role: 'rowgroup' }, this.header.element);
    this.element = h(
      'div',
      { id: 'results-grid', class: 'grid', role: 'grid', tabindex: '0', 'aria-label': 'Batch results: a row per item, a column per agent and model', 'aria-multiselectable': 'true' },
      head,
      this.body,
    );
    this.element.addEventListener('scroll', () => this.schedule(), { passive: true });
    new ResizeObserver(() => this.schedule()).observe(this.element);
  }

  get rowCount(): number {
    return this.count;
  }

  setColumns(columns: readonly ResultsColumn[]): void {
    this.columns = columns;
    this.header.setColumns(columns);
    const template = [`minmax(${ITEM_WIDTH}px, 1.2fr)`, ...columns.map(() => `minmax(${CELL_WIDTH}px, 1fr)`)].join(' ');
    this.element.style.setProperty('--grid-columns', template);
    this.element.style.setProperty('--grid-min-width', `${ITEM_WIDTH + columns.length * CELL_WIDTH}px`);
    this.element.setAttribute('aria-colcount', String(columns.length + 1));
    for (const slot of this.slots.splice(0)) {
      slot.element.remove();
    }
    this.schedule();
  }

  setCount(count: number): void {
    this.count = count;
    this.body.style.height = `${count * ROW_HEIGHT}px`;
    this.element.setAttribute('aria-rowcount', String(count + 1));
    this.schedule();
  }

  schedule(): void {
    this.frame ??= requestAnimationFrame(() => {
      this.frame = undefined;
      this.render();
    });
  }

  /** Forces every slot to be re-filled (the rows behind them or their state changed). */
  invalidate(): void {
    for (const slot of this.slots) {
      slot.shownState = '';
    }
    this.schedule();
  }

  /** The height the rows have under the sticky header. */
  private rowsHeight(): number {
    return Math.max(ROW_HEIGHT, (this.element.clientHeight || 600) - this.body.offsetTop);
  }

  render(): void {
    const size = Math.ceil(this.rowsHeight() / ROW_HEIGHT) + 1 + 2 * OVERSCAN;
    if (size !== this.slots.length) {
      for (const slot of this.slots.splice(0)) {
        slot.element.remove();
      }
      for (let i = 0; i < size; i++) {
        const slot = createSlot(this.columns.length);
        slot.element.hidden = true;
        this.slots.push(slot);
        this.block.append(slot.element);
      }
    }
    // The body starts below the header; the header is sticky, so rows under it are hidden: in the body's own
    // coordinates the rows on screen start at scrollTop.
    const top = this.element.scrollTop;
    const first = Math.max(0, Math.min(Math.floor(top / ROW_HEIGHT) - OVERSCAN, this.count - 1));
    const shown = Math.max(0, Math.min(size, this.count - first));
    const focus = this.hooks.focus();
    let focusLost = false;
    let painted = false;
    const used = new Set<RowSlot>();
    for (let position = first; position < first + shown; position++) {
      const slot = this.slots[position % size]!;
      used.add(slot);
      if (slot.position !== position) {
        focusLost ||= slot.element.contains(document.activeElement);
        slot.position = position;
        slot.shownState = '';
        slot.element.style.transform = `translateY(${position * ROW_HEIGHT}px)`;
        slot.element.hidden = false;
      }
      const index = this.hooks.indexAt(position);
      const row = this.hooks.row(index);
      painted ||= row !== undefined;
      fillSlot(slot, position, row, { ...this.hooks.state(position, index), index, rowCount: this.count }, this.columns);
    }
    for (const slot of this.slots) {
      if (!used.has(slot) && slot.position !== -1) {
        focusLost ||= slot.element.contains(document.activeElement);
        slot.position = -1;
        slot.shownRow = undefined;
        slot.shownState = '';
        slot.element.hidden = true;
      }
    }
    const focusShown = focus !== undefined && this.cellElement(focus.position, focus.column) !== undefined;
    // The tab stop: the focused cell when it is in the DOM, else the grid itself.
    this.element.tabIndex = focusShown ? -1 : 0;
    if (focusLost) {
      this.element.focus({ preventScroll: true });
    }
    if (painted) {
      this.onRendered?.();
    }
  }

  /** Scrolls so the row at `position` is fully visible below the header, and renders now. */
  scrollToPosition(position: number): void {
    const top = position * ROW_HEIGHT;
    const height = this.rowsHeight();
    if (top < this.element.scrollTop) {
      this.element.scrollTop = top;
    } else if (top + ROW_HEIGHT > this.element.scrollTop + height) {
      this.element.scrollTop = top + ROW_HEIGHT - height;
    }
    this.render();
  }

  /** Moves focus to a cell: scrolled to (both ways), rendered, focused. */
  focusCell(position: number, column: number): void {
    this.scrollToPosition(position);
    const cell = this.cellElement(position, column);
    if (!cell) {
      return;
    }
    const left = cell.offsetLeft;
    const right = left + cell.offsetWidth;
    if (left < this.element.scrollLeft) {
      this.element.scrollLeft = left;
    } else if (right > this.element.scrollLeft + this.element.clientWidth) {
      this.element.scrollLeft = right - this.element.clientWidth;
    }
    cell.focus({ preventScroll: true });
  }

  /** The element of a cell (column 0: the item) when its row is in the DOM. */
  cellElement(position: number, column: number): HTMLElement | undefined {
    const slot = this.slots.length > 0 ? this.slots[position % this.slots.length] : undefined;
    if (slot?.position !== position) {
      return undefined;
    }
    return column === 0 ? slot.item : slot.cells[column - 1]?.element;
  }

  pageRows(): number {
    return Math.max(1, Math.floor(this.rowsHeight() / ROW_HEIGHT) - 1);
  }
}
