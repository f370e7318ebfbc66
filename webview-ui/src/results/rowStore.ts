import type { ResultsCellStatus, ResultsPage, ResultsRowView } from '../../../src/protocol/results';

/**
 * Every row of the batch, as the host sent it (rows are small: outputs travel as previews), with the version each
 * came at: a page answered before an event must not undo the newer row the event brought. The "Failures only"
 * filter and the row selection live here too, since both are about rows rather than the screen.
 */

const FAILING: ReadonlySet<ResultsCellStatus> = new Set(['fail', 'error']);

export function isFailing(row: ResultsRowView): boolean {
  return row.cells.some((cell) => FAILING.has(cell.status));
}

export class RowStore {
  private rows: (ResultsRowView | undefined)[] = [];
  private versions: number[] = [];
  private loadedRows = 0;
  /** Positions in the filtered list -> row index; null when every row shows. */
  private visible: number[] | null = null;
  private failingRows = 0;
  rowCount = 0;
  version = 0;
  failuresOnly = false;
  readonly selected = new Set<number>();
  /** The row a shift-click extends from. */
  anchor: number | undefined;

  reset(rowCount: number, version: number, head: ResultsPage): void {
    this.rowCount = rowCount;
    this.version = version;
    this.rows = new Array<ResultsRowView | undefined>(rowCount);
    this.versions = new Array<number>(rowCount).fill(-1);
    this.loadedRows = 0;
    for (const index of [...this.selected]) {
      if (index >= rowCount) {
        this.selected.delete(index);
      }
    }
    this.put(head.rows, head.version);
    this.refilter();
  }

  /** A page of rows; rows an event already brought newer are kept. */
  putPage(page: ResultsPage): void {
    this.put(page.rows, page.version);
    this.refilter();
  }

  /** Rows an event brought (loaded yet or not: a page answered earlier must not overwrite them). */
  applyChanged(rows: readonly ResultsRowView[], version: number): void {
    this.version = version;
    this.put(rows, version);
    this.refilter();
  }

  get complete(): boolean {
    return this.loadedRows === this.rowCount;
  }

  get loaded(): number {
    return this.loadedRows;
  }

  /** The first row not loaded yet, from `from` on; undefined when all are. */
  firstMissing(from = 0): number | undefined {
    for (let index = from; index < this.rowCount; index++) {
      if (this.rows[index] === undefined) {
        return index;
      }
    }
    return undefined;
  }

  row(index: number): ResultsRowView | undefined {
    return this.rows[index];
  }

  /** Rows in the list as it shows now (the filter applied). */
  get count(): number {
    return this.visible === null ? this.rowCount : this.visible.length;
  }

  get failingCount(): number {
    return this.failingRows;
  }

  indexAt(position: number): number {
    return this.visible === null ? position : (this.visible[position] ?? -1);
  }

  positionOf(index: number): number {
    if (this.visible === null) {
      return index;
    }
    // The filtered list is in row order: a binary search finds the row, or tells it is filtered out.
    let low = 0;
    let high = this.visible.length - 1;
    while (low <= high) {
      const middle = (low + high) >> 1;
      const at = this.visible[middle]!;
      if (at === index) {
        return middle;
      }
      if (at < index) {
        low = middle + 1;
      } else {
        high = middle - 1;
      }
    }
    return -1;
  }

  setFailuresOnly(on: boolean): void {
    this.failuresOnly = on;
    this.refilter();
  }

  /** The run items that failed or errored, in table order. */
  failingRunItemIds(): string[] {
    const ids: string[] = [];
    for (const row of this.rows) {
      for (const cell of row?.cells ?? []) {
        if (FAILING.has(cell.status) && cell.runItemId !== null) {
          ids.push(cell.runItemId);
        }
      }
    }
    return ids;
  }

  /** The run items of the selected rows, in table order. */
  selectedRunItemIds(): string[] {
    return [...this.selected]
      .sort((a, b) => a - b)
      .flatMap((index) => this.rows[index]?.cells.flatMap((cell) => (cell.runItemId === null ? [] : [cell.runItemId])) ?? []);
  }

  toggle(index: number): void {
    if (this.selected.has(index)) {
      this.selected.delete(index);
    } else {
      this.selected.add(index);
    }
    this.anchor = index;
  }

  /** Selects every row shown between the anchor and `index` (positions in the filtered list). */
  extendTo(index: number): void {
    const from = this.positionOf(this.anchor ?? index);
    const to = this.positionOf(index);
    if (from < 0 || to < 0) {
      this.toggle(index);
      return;
    }
    for (let position = Math.min(from, to); position <= Math.max(from, to); position++) {
      this.selected.add(this.indexAt(position));
    }
  }

  /** Selects every row shown, or clears them when they all are. */
  toggleAll(): void {
    const shown = Array.from({ length: this.count }, (_, position) => this.indexAt(position));
    if (shown.length > 0 && shown.every((index) => this.selected.has(index))) {
      this.selected.clear();
    } else {
      for (const index of shown) {
        this.selected.add(index);
      }
    }
  }

  private put(rows: readonly ResultsRowView[], version: number): void {
    for (const row of rows) {
      const index = row.index;
      if (index >= this.rowCount || (this.versions[index] ?? -1) > version) {
        continue;
      }
      if (this.rows[index] === undefined) {
        this.loadedRows++;
      }
      this.rows[index] = row;
      this.versions[index] = version;
    }
  }

  private refilter(): void {
    let failing = 0;
    const visible: number[] = [];
    for (let index = 0; index < this.rowCount; index++) {
      const row = this.rows[index];
      if (row !== undefined && isFailing(row)) {
        failing++;
        visible.push(index);
      }
    }
    this.failingRows = failing;
    this.visible = this.failuresOnly ? visible : null;
  }
}
