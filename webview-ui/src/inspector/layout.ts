import { h } from '../shared/dom';
import type { Scale } from './rowView';

/**
 * The panel's frame: a header (title, Live badge), the toolbar, the column header, the timeline (or the loading,
 * empty and no-match states in its place), the detail pane beside it, an error banner and the totals underneath.
 */

export type ListState = 'loading' | 'empty' | 'empty-live' | 'no-match' | 'rows';

export interface Layout {
  viewport: HTMLElement;
  sizer: HTMLElement;
  mount(toolbar: HTMLElement, detail: HTMLElement, totals: HTMLElement): void;
  setTitle(title: string, live: boolean): void;
  setState(state: ListState): void;
  setBusy(busy: boolean): void;
  setDetailOpen(open: boolean): void;
  setScaleHeader(scale: Scale): void;
  setActiveDescendant(id: string | undefined): void;
  showError(message: string, retry?: () => void): void;
  hideError(): void;
  /** A short notice that fades (a jump that found nothing). */
  flash(message: string): void;
  onClearFilter(handler: () => void): void;
}

export function buildLayout(app: HTMLElement): Layout {
  const title = h('h1', { id: 'inspector-title', class: 'inspector-title' }, 'Inspector');
  const live = h('span', { id: 'live-badge', class: 'live-badge', title: 'New events appear as the session runs', hidden: '' }, h('span', { class: 'live-dot', 'aria-hidden': 'true' }), 'Live');
  const header = h('header', { class: 'inspector-header' }, h('span', { class: 'codicon codicon-pulse', 'aria-hidden': 'true' }), title, live);
  const waterfallHeader = h('span', { class: 'cell waterfall', id: 'waterfall-header' }, 'Timeline (turn)');
  const columns = h(
    'div',
    { class: 'row column-header', 'aria-hidden': 'true' },
    h('span', { class: 'cell turn', title: 'Turn' }, 'Turn'),
    h('span', { class: 'cell status' }),
    h('span', { class: 'cell label' }, 'Event'),
    h('span', { class: 'cell type' }, 'Type'),
    h('span', { class: 'cell num start', title: 'Start, from the first event of the session' }, 'Start'),
    h('span', { class: 'cell num duration' }, 'Duration'),
    h('span', { class: 'cell num tokens', title: 'Input tokens (+ cached) / output tokens' }, 'Tokens in/out'),
    h('span', { class: 'cell num cost' }, 'Cost'),
    waterfallHeader,
  );
  const sizer = h('div', { class: 'rows-sizer' });
  const viewport = h(
    'div',
    { id: 'timeline', class: 'rows-viewport', role: 'listbox', tabindex: '0', 'aria-label': 'Events, in the order they started', 'aria-multiselectable': 'true' },
    sizer,
  );
  const loading = h('div', { class: 'state loading', role: 'status' }, h('vscode-progress-ring', {}), 'Loading the timeline…');
  const empty = h(
    'div',
    { id: 'empty-state', class: 'state empty', hidden: '' },
    h('span', { class: 'codicon codicon-pulse state-icon', 'aria-hidden': 'true' }),
    h('p', { class: 'state-title' }, 'No events yet'),
    h('p', { class: 'state-text' }, ''),
  );
  const clear = h('vscode-button', { id: 'clear-filter', secondary: '' }, 'Clear filter');
  const noMatch = h(
    'div',
    { id: 'no-match', class: 'state empty', hidden: '' },
    h('span', { class: 'codicon codicon-filter state-icon', 'aria-hidden': 'true' }),
    h('p', { class: 'state-title' }, 'No events match the filter'),
    clear,
  );
  const busy = h('div', { id: 'busy', class: 'busy', hidden: '', role: 'status' }, h('vscode-progress-ring', {}), 'Filtering…');
  const errorText = h('span', { class: 'error-text' });
  const retry = h('button', { type: 'button', class: 'action-button with-text', id: 'error-retry' }, 'Retry');
  const error = h('div', { id: 'error-banner', class: 'error-banner', role: 'alert', hidden: '' }, h('span', { class: 'codicon codicon-error', 'aria-hidden': 'true' }), errorText, retry);
  const notice = h('div', { id: 'notice', class: 'notice', role: 'status', 'aria-live': 'polite' });
  const list = h('div', { class: 'list' }, columns, viewport, loading, empty, noMatch, busy);
  const main = h('div', { class: 'main' }, list);
  let retryHandler: (() => void) | undefined;
  retry.addEventListener('click', () => {
    error.hidden = true;
    retryHandler?.();
  });
  let noticeTimer: number | undefined;

  app.removeAttribute('aria-busy');
  app.append(header, error, main, notice);
  viewport.hidden = true;

  return {
    viewport,
    sizer,
    mount(toolbar, detail, totals) {
      header.after(toolbar);
      main.append(detail);
      app.append(totals);
    },
    setTitle(text, isLive) {
      title.textContent = `Inspector: ${text}`;
      title.title = text;
      live.hidden = !isLive;
    },
    setState(state) {
      loading.hidden = state !== 'loading';
      empty.hidden = state !== 'empty' && state !== 'empty-live';
      noMatch.hidden = state !== 'no-match';
      viewport.hidden = state !== 'rows';
      columns.hidden = state !== 'rows';
      if (state === 'empty' || state === 'empty-live') {
        empty.querySelector('.state-text')!.textContent =
          state === 'empty-live'
            ? 'Events appear here as the session runs: each question, model call, tool call and reply, with its time, tokens and cost.'
            : 'This trace has no events.';
      }
    },
    setBusy(isBusy) {
      busy.hidden = !isBusy;
      app.setAttribute('aria-busy', String(isBusy));
    },
    setDetailOpen(open) {
      main.classList.toggle('with-detail', open);
    },
    setScaleHeader(scale) {
      waterfallHeader.textContent = scale === 'turn' ? 'Timeline (each turn)' : 'Timeline (whole session)';
    },
    setActiveDescendant(id) {
      if (id === undefined) {
        viewport.removeAttribute('aria-activedescendant');
      } else {
        viewport.setAttribute('aria-activedescendant', id);
      }
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
      noticeTimer = window.setTimeout(() => (notice.textContent = ''), 3000);
    },
    onClearFilter(handler) {
      clear.addEventListener('click', handler);
    },
  };
}
