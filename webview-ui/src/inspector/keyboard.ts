/**
 * Keys on the timeline (a listbox): arrows move the active row and select it (Shift extends the selection),
 * Page Up/Down and Home/End jump, Space toggles the active row, Ctrl/Cmd+A selects every row, Enter opens its
 * detail, Escape closes the detail or clears the selection.
 */

export interface KeyboardHooks {
  count(): number;
  active(): number | undefined;
  pageRows(): number;
  moveTo(index: number, extend: boolean): void;
  toggle(index: number): void;
  selectAll(): void;
  open(): void;
  /** Returns true when Escape did something (so it is not passed on). */
  escape(): boolean;
}

export function installKeyboard(viewport: HTMLElement, hooks: KeyboardHooks): void {
  viewport.addEventListener('keydown', (event) => {
    if (event.altKey) {
      return;
    }
    const count = hooks.count();
    const active = hooks.active();
    const from = active ?? -1;
    const move = (index: number) => {
      event.preventDefault();
      hooks.moveTo(index, event.shiftKey);
    };
    switch (event.key) {
      case 'ArrowDown':
        move(Math.min(count - 1, from + 1));
        return;
      case 'ArrowUp':
        move(Math.max(0, active === undefined ? 0 : from - 1));
        return;
      case 'PageDown':
        move(Math.min(count - 1, Math.max(0, from) + hooks.pageRows()));
        return;
      case 'PageUp':
        move(Math.max(0, from - hooks.pageRows()));
        return;
      case 'Home':
        move(0);
        return;
      case 'End':
        move(count - 1);
        return;
      case 'Enter':
        event.preventDefault();
        hooks.open();
        return;
      case ' ':
        if (active !== undefined) {
          event.preventDefault();
          hooks.toggle(active);
        }
        return;
      case 'Escape':
        if (hooks.escape()) {
          event.preventDefault();
          event.stopPropagation();
        }
        return;
      default:
        if ((event.key === 'a' || event.key === 'A') && (event.ctrlKey || event.metaKey)) {
          event.preventDefault();
          hooks.selectAll();
        }
    }
  });
}
