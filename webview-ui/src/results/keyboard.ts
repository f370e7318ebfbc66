/**
 * Keys on the results grid, as a data grid reads them: arrows move between cells, Home/End to the row's first or
 * last cell (with Ctrl/Cmd: the first or last row), Page Up/Down by a screen, Enter opens a cell's detail (on the
 * item: toggles its row), Space toggles the row's selection, Ctrl/Cmd+Enter marks a cell for comparison,
 * Ctrl/Cmd+A selects every row shown, Escape closes the detail or clears the marks.
 */

export interface GridKeyHooks {
  count(): number;
  columns(): number;
  /** The focused cell: list position and column (0: the item). */
  focus(): { position: number; column: number };
  pageRows(): number;
  moveTo(position: number, column: number): void;
  open(position: number, column: number): void;
  toggleRow(position: number): void;
  mark(position: number, column: number): void;
  selectAll(): void;
  /** Returns true when Escape did something (so it goes no further). */
  escape(): boolean;
}

export function installGridKeys(grid: HTMLElement, hooks: GridKeyHooks): void {
  grid.addEventListener('keydown', (event) => {
    // The header's select-all box keeps its own keys (Space checks it).
    if (event.altKey || (event.target as Element).id === 'select-all') {
      return;
    }
    const count = hooks.count();
    if (count === 0) {
      return;
    }
    const last = hooks.columns();
    const { position, column } = hooks.focus();
    const mod = event.ctrlKey || event.metaKey;
    const move = (to: number, toColumn = column) => {
      event.preventDefault();
      hooks.moveTo(Math.max(0, Math.min(count - 1, to)), Math.max(0, Math.min(last, toColumn)));
    };
    switch (event.key) {
      case 'ArrowDown':
        move(position + 1);
        return;
      case 'ArrowUp':
        move(position - 1);
        return;
      case 'ArrowRight':
        move(position, column + 1);
        return;
      case 'ArrowLeft':
        move(position, column - 1);
        return;
      case 'Home':
        move(mod ? 0 : position, 0);
        return;
      case 'End':
        move(mod ? count - 1 : position, last);
        return;
      case 'PageDown':
        move(position + hooks.pageRows());
        return;
      case 'PageUp':
        move(position - hooks.pageRows());
        return;
      case 'Enter':
        event.preventDefault();
        if (mod && column > 0) {
          hooks.mark(position, column);
        } else if (column === 0) {
          hooks.toggleRow(position);
        } else {
          hooks.open(position, column);
        }
        return;
      case ' ':
        event.preventDefault();
        hooks.toggleRow(position);
        return;
      case 'Escape':
        if (hooks.escape()) {
          event.preventDefault();
          event.stopPropagation();
        }
        return;
      default:
        if ((event.key === 'a' || event.key === 'A') && mod) {
          event.preventDefault();
          hooks.selectAll();
        }
    }
  });
}
