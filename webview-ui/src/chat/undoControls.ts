import { h } from '../shared/dom';
import { actionButton } from './buttons';

/**
 * "Undo changes of this turn" on the last reply of a turn whose tool steps changed files, and in its overflow
 * menu "Undo changes since this message". The host restores exactly the files the turns touched (and asks about
 * any the person edited since); the outcome shows next to the buttons and is announced.
 */

export function undoControls(busy: boolean, notice: string | undefined): HTMLElement[] {
  const turn = actionButton({ icon: 'discard', label: 'Undo changes of this turn', text: 'Undo changes of this turn', action: 'undo-turn' });
  const more = actionButton({ icon: 'ellipsis', label: 'More undo actions', action: 'undo-menu' });
  if (busy) {
    // aria-disabled, not disabled: the button keeps focus while its undo runs (clicks are ignored meanwhile).
    turn.setAttribute('aria-disabled', 'true');
    more.setAttribute('aria-disabled', 'true');
  }
  more.setAttribute('aria-haspopup', 'menu');
  more.setAttribute('aria-expanded', 'false');
  const since = h(
    'button',
    { type: 'button', class: 'menu-item', role: 'menuitem', 'data-action': 'undo-since', tabindex: '-1' },
    h('span', { class: 'codicon codicon-discard', 'aria-hidden': 'true' }),
    h('span', {}, 'Undo changes since this message'),
  );
  const menu = h('div', { class: 'undo-menu', role: 'menu', 'aria-label': 'Undo' }, since);
  menu.hidden = true;
  const group = h('span', { class: 'undo-group' }, turn, more, menu);
  const parts: HTMLElement[] = [group];
  if (busy) {
    parts.push(h('span', { class: 'undo-notice' }, h('span', { class: 'codicon codicon-loading codicon-modifier-spin', 'aria-hidden': 'true' }), ' Restoring…'));
  } else if (notice) {
    parts.push(h('span', { class: 'undo-notice' }, h('span', { class: 'codicon codicon-check', 'aria-hidden': 'true' }), ` ${notice}`));
  }
  return parts;
}

/** Opens or closes the overflow menu of an undo group; opening moves focus to its item. */
export function setUndoMenu(group: Element, open: boolean, focus: boolean): void {
  const button = group.querySelector<HTMLElement>('[data-action="undo-menu"]');
  const menu = group.querySelector<HTMLElement>('.undo-menu');
  if (!button || !menu) {
    return;
  }
  menu.hidden = !open;
  button.setAttribute('aria-expanded', String(open));
  group.closest('.message')?.classList.toggle('menu-open', open);
  if (focus) {
    (open ? menu.querySelector<HTMLElement>('[role="menuitem"]') : button)?.focus();
  }
}

/** "Restored 2 files, 1 skipped". */
export function undoOutcome(restored: number, skipped: number): string {
  if (restored === 0 && skipped === 0) {
    return 'Nothing to restore';
  }
  const files = `Restored ${restored} ${restored === 1 ? 'file' : 'files'}`;
  return skipped > 0 ? `${files}, ${skipped} skipped` : files;
}
