import type { InspectorSelection } from '../../../src/protocol/inspector';

/**
 * Which rows are selected, as index ranges of the filtered list plus whole turns: a shift-click across 50,000 rows
 * is one range, not 50,000 ids, and the host sums it with one query. Click selects one row, Ctrl/Cmd-click toggles
 * one, Shift-click extends from the anchor; a turn's badge selects the whole turn.
 */

export interface Range {
  start: number;
  /** Exclusive. */
  end: number;
}

export class Selection {
  private ranges: Range[] = [];
  private turns = new Set<number>();
  anchor: number | undefined;

  get isEmpty(): boolean {
    return this.ranges.length === 0 && this.turns.size === 0;
  }

  /** Rows selected by range (turns are counted by the host). */
  get rangeRows(): number {
    return this.ranges.reduce((sum, range) => sum + range.end - range.start, 0);
  }

  get selectedTurns(): readonly number[] {
    return [...this.turns];
  }

  clear(): void {
    this.ranges = [];
    this.turns.clear();
    this.anchor = undefined;
  }

  /** A plain click (or arrow key): this row alone. */
  select(index: number): void {
    this.ranges = [{ start: index, end: index + 1 }];
    this.turns.clear();
    this.anchor = index;
  }

  /** Ctrl/Cmd-click: this row in or out, the rest kept. */
  toggle(index: number): void {
    if (this.hasIndex(index)) {
      this.ranges = subtract(this.ranges, index);
    } else {
      this.ranges = merge([...this.ranges, { start: index, end: index + 1 }]);
    }
    this.anchor = index;
  }

  /** Shift-click (or Shift+arrow): from the anchor to this row; with `add`, kept beside the rest. */
  extend(index: number, add = false): void {
    const anchor = this.anchor ?? index;
    const range = { start: Math.min(anchor, index), end: Math.max(anchor, index) + 1 };
    this.ranges = add ? merge([...this.ranges, range]) : [range];
    if (!add) {
      this.turns.clear();
    }
    this.anchor = anchor;
  }

  /** A turn's badge: the whole turn (with `add`, beside the rest). */
  selectTurn(turn: number, add = false): void {
    if (!add) {
      this.ranges = [];
      this.turns.clear();
    }
    if (add && this.turns.has(turn)) {
      this.turns.delete(turn);
    } else {
      this.turns.add(turn);
    }
  }

  selectAll(count: number): void {
    this.ranges = count > 0 ? [{ start: 0, end: count }] : [];
    this.turns.clear();
  }

  hasIndex(index: number): boolean {
    return this.ranges.some((range) => range.start <= index && index < range.end);
  }

  isSelected(index: number, turn: number): boolean {
    return this.hasIndex(index) || this.turns.has(turn);
  }

  toProtocol(): InspectorSelection {
    return { ranges: this.ranges.slice(0, 500).map((range) => ({ ...range })), turns: [...this.turns].slice(0, 500), ids: [] };
  }
}

function merge(ranges: Range[]): Range[] {
  const sorted = ranges.filter((range) => range.end > range.start).sort((a, b) => a.start - b.start);
  const merged: Range[] = [];
  for (const range of sorted) {
    const last = merged.at(-1);
    if (last && range.start <= last.end) {
      last.end = Math.max(last.end, range.end);
    } else {
      merged.push({ ...range });
    }
  }
  return merged;
}

function subtract(ranges: Range[], index: number): Range[] {
  return ranges.flatMap((range) => {
    if (index < range.start || index >= range.end) {
      return [range];
    }
    return [
      { start: range.start, end: index },
      { start: index + 1, end: range.end },
    ].filter((part) => part.end > part.start);
  });
}
