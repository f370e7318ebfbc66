import type { Request } from './actions';
import type { ChatStore } from './store';
import { setStepExpanded } from './toolSteps';
import type { ToolUiState } from './toolUi';
import { setUndoMenu, undoOutcome } from './undoControls';

/**
 * The tool steps' part of the conversation's delegated click handling (actions.ts): opening a step, a changed
 * file's diff, undo and its overflow menu.
 */

export interface ToolActionDeps {
  store: ChatStore;
  request: Request;
  ui: ToolUiState;
  /** Rebuilds one message's element (its undo state changed). */
  refresh(messageId: string): void;
  announce(text: string): void;
  showError(what: string, error: unknown): void;
}

/** Runs a tool action; false when `button` is not one. */
export function runToolAction(button: HTMLElement, messageId: string, deps: ToolActionDeps): boolean {
  switch (button.dataset.action) {
    case 'toggle-tool': {
      const row = button.closest<HTMLElement>('.tool-step');
      const callId = button.dataset.callId;
      if (row && callId) {
        const open = button.getAttribute('aria-expanded') !== 'true';
        deps.ui.setExpanded(messageId, callId, open);
        setStepExpanded(row, open);
      }
      return true;
    }
    case 'open-diff': {
      const callId = button.dataset.callId;
      const path = button.dataset.path;
      if (callId && path) {
        deps.request('chat/openDiff', { messageId, callId, path }).catch((error: unknown) => deps.showError('Could not open the diff', error));
      }
      return true;
    }
    case 'undo-menu': {
      const group = button.closest('.undo-group');
      if (group) {
        setUndoMenu(group, button.getAttribute('aria-expanded') !== 'true', true);
      }
      return true;
    }
    case 'undo-turn':
    case 'undo-since':
      undo(messageId, button.dataset.action === 'undo-turn' ? 'turn' : 'since', deps);
      return true;
    default:
      return false;
  }
}

function undo(messageId: string, scope: 'turn' | 'since', deps: ToolActionDeps): void {
  if (deps.ui.isUndoBusy(messageId)) {
    return;
  }
  deps.ui.setUndoBusy(messageId, true);
  deps.refresh(messageId);
  deps.request('chat/undo', { messageId, scope }).then(
    ({ restored, skipped }) => {
      const outcome = undoOutcome(restored, skipped);
      deps.ui.setUndoBusy(messageId, false);
      deps.ui.setNotice(messageId, outcome);
      deps.refresh(messageId);
      deps.announce(`${outcome}.`);
    },
    (error: unknown) => {
      deps.ui.setUndoBusy(messageId, false);
      deps.refresh(messageId);
      deps.showError('Could not undo the changes', error);
    },
  );
}

/** Keyboard and outside clicks for the undo menu: Esc closes it (focus back on its button), so does leaving it. */
export function installUndoMenuKeys(feed: HTMLElement): void {
  feed.addEventListener('keydown', (event) => {
    const group = event.target instanceof Element ? event.target.closest('.undo-group') : null;
    const menu = group?.querySelector<HTMLElement>('.undo-menu');
    if (!group || !menu || menu.hidden) {
      return;
    }
    if (event.key === 'Escape') {
      // Before the panel's Esc (stop a streaming reply): this Esc only closes the menu.
      event.preventDefault();
      event.stopPropagation();
      setUndoMenu(group, false, true);
    } else if (event.key === 'ArrowDown' || event.key === 'ArrowUp' || event.key === 'Home' || event.key === 'End') {
      event.preventDefault();
      const items = [...menu.querySelectorAll<HTMLElement>('[role="menuitem"]')];
      const index = items.indexOf(document.activeElement as HTMLElement);
      const next = event.key === 'Home' ? 0 : event.key === 'End' ? items.length - 1 : (index + (event.key === 'ArrowDown' ? 1 : -1) + items.length) % items.length;
      items[next]?.focus();
    }
  });
  feed.addEventListener('focusout', (event) => {
    const group = event.target instanceof Element ? event.target.closest('.undo-group') : null;
    if (group && !(event.relatedTarget instanceof Node && group.contains(event.relatedTarget))) {
      setUndoMenu(group, false, false);
    }
  });
  document.addEventListener('pointerdown', (event) => {
    for (const group of feed.querySelectorAll('.undo-group')) {
      if (!(event.target instanceof Node && group.contains(event.target))) {
        setUndoMenu(group, false, false);
      }
    }
  });
}
