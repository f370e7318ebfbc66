import { h } from '../shared/dom';

/**
 * The panel's frame: the header and toolbar, an error banner, the grid (or the loading, empty and no-failures
 * states in its place) with the detail pane beside it, and a notice line for what an action did.
 */

export type ListState = 'loading' | 'empty' | 'no-failures' | 'rows';

export interface Layout {
  mount(parts: { header: HTMLElement; toolbar: HTMLElement; grid: HTMLElement; detail: HTMLElement }): void;
  setState(state: ListState): void;
  setDetailOpen(open: boolean): void;
  showError(message: string, retry?: () => void): void;
  hideError(): void;
  /** A short notice that fades (what an action did, or why it did not). */
  flash(message: string): void;
  onShowAll(handler: () => void): void;
}

export function buildLayout(app: HTMLElement): Layout {
  const loading = h('div', { class: 'state loading', role: 'status' }, h('vscode-progress-ring', {}), 'Loading the results…');
  const empty = h(
    'div',
    { id: 'empty-state', class: 'state empty', hidden: '' },
    h('span', { class: 'codicon codicon-beaker state-icon', 'aria-hidden': 'true' }),
    h('p', { class: 'state-title' }, 'This batch has no items'),
  );
  const showAll = h('button', { type: 'button', id: 'show-all', class: 'action-button with-text' }, 'Show all items');
  const noFailures = h(
    'div',
    { id: 'no-failures', class: 'state empty', hidden: '' },
    h('span', { class: 'codicon codicon-pass state-icon', 'aria-hidden': 'true' }),
    h('p', { class: 'state-title' }, 'No failures'),
    h('p', { class: 'state-text' }, 'Every cell graded so far passed.'),
    showAll,
  );
  const errorText = h('span', { class: 'error-text' });
  const retry = h('button', { type: 'button', class: 'action-button with-text', id: 'error-retry' }, 'Retry');
  const error = h('div', { id: 'error-banner', class: 'error-banner', role: 'alert', hidden: '' }, h('span', { class: 'codicon codicon-error', 'aria-hidden': 'true' }), errorText, retry);
  const notice = h('div', { id: 'notice', class: 'notice', role: 'status', 'aria-live': 'polite' });
  const list = h('div', { class: 'list' }, loading, empty, noFailures);
  const main = h('div', { class: 'main' }, list);
  let gridElement: HTMLElement | undefined;
  let retryHandler: (() => void) | undefined;
  let noticeTimer: number | undefined;
  retry.addEventListener('click', () => {
    error.hidden = true;
    retryHandler?.();
  });
  app.removeAttribute('aria-busy');
  app.append(error, main, notice);

  return {
    mount({ header, toolbar, grid, detail }) {
      gridElement = grid;
      grid.hidden = true;
      app.prepend(header, toolbar);
      list.prepend(grid);
      main.append(detail);
    },
    setState(state) {
      loading.hidden = state !== 'loading';
      empty.hidden = state !== 'empty';
      noFailures.hidden = state !== 'no-failures';
      if (gridElement) {
        gridElement.hidden = state !== 'rows';
      }
    },
    setDetailOpen(open) {
      main.classList.toggle('with-detail', open);
    },
    showError(message, onRetry) {
      errorText.textContent = message;
      retry.hidden = onRetry === undefined;
      retryHandler = onRetry;
      error.hidden = false;
    },
    hideError() {
      error.hidden = true;
    },
    flash(message) {
      notice.textContent = message;
      window.clearTimeout(noticeTimer);
      noticeTimer = window.setTimeout(() => (notice.textContent = ''), 4000);
    },
    onShowAll(handler) {
      showAll.addEventListener('click', handler);
    },
  };
}
