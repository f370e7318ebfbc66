import type { ResultsBatchStatus, ResultsProgress } from '../../../src/protocol/results';
import { h } from '../shared/dom';
import { formatCount, formatDuration, progressText } from './format';

/**
 * The panel's header and toolbar: the batch's name and status, the "Failures only" filter, re-running the failed
 * or the selected items, the two exports, Cancel while the batch runs, and its progress in words and as a bar.
 */

export interface ToolbarHandlers {
  failuresOnly(on: boolean): void;
  rerunFailed(): void;
  rerunSelected(): void;
  exportAs(format: 'jsonl' | 'csv'): void;
  cancel(): void;
}

const STATUS_TEXT: Record<ResultsBatchStatus, string> = {
  queued: 'Queued',
  running: 'Running',
  waiting: 'Waiting',
  completed: 'Completed',
  failed: 'Failed',
  cancelled: 'Cancelled',
};

const RUNNING: ReadonlySet<ResultsBatchStatus> = new Set(['queued', 'running', 'waiting']);

function button(id: string, icon: string, label: string, title: string): HTMLButtonElement {
  return h('button', { type: 'button', id, class: 'action-button with-text', title }, h('span', { class: `codicon codicon-${icon}`, 'aria-hidden': 'true' }), h('span', { class: 'button-text' }, label));
}

export class Toolbar {
  readonly header: HTMLElement;
  readonly element: HTMLElement;
  private readonly title: HTMLElement;
  private readonly status: HTMLElement;
  private readonly failures: HTMLButtonElement;
  private readonly rerunFailed: HTMLButtonElement;
  private readonly rerunSelected: HTMLButtonElement;
  private readonly cancel: HTMLButtonElement;
  private readonly exports: HTMLButtonElement[];
  private readonly progress: HTMLElement;
  private readonly bar: HTMLElementTagNameMap['vscode-progress-bar'];

  constructor(handlers: ToolbarHandlers) {
    this.title = h('h1', { id: 'results-title', class: 'results-title' }, 'Batch results');
    this.status = h('span', { id: 'batch-status', class: 'status-badge' });
    this.header = h('header', { class: 'results-header' }, h('span', { class: 'codicon codicon-beaker', 'aria-hidden': 'true' }), this.title, this.status);

    this.failures = button('failures-only', 'filter', 'Failures only', 'Show only the items with a failed or errored cell');
    this.failures.setAttribute('aria-pressed', 'false');
    this.failures.addEventListener('click', () => {
      const on = this.failures.getAttribute('aria-pressed') !== 'true';
      this.setFailuresOnly(on);
      handlers.failuresOnly(on);
    });
    this.rerunFailed = button('rerun-failed', 'debug-rerun', 'Re-run failed', 'Run every failed or errored cell again');
    this.rerunFailed.addEventListener('click', () => handlers.rerunFailed());
    this.rerunSelected = button('rerun-selected', 'run-all', 'Re-run selected', 'Run every cell of the selected items again');
    this.rerunSelected.addEventListener('click', () => handlers.rerunSelected());
    const jsonl = button('export-jsonl', 'export', 'Export JSONL', 'Save the results as JSON Lines, one record per item and column');
    jsonl.addEventListener('click', () => handlers.exportAs('jsonl'));
    const csv = button('export-csv', 'table', 'Export CSV', 'Save the results as CSV, one row per item and column');
    csv.addEventListener('click', () => handlers.exportAs('csv'));
    this.exports = [jsonl, csv];
    this.cancel = button('cancel-batch', 'debug-stop', 'Cancel', 'Stop the batch: items under way are cancelled, queued ones skipped');
    this.cancel.addEventListener('click', () => handlers.cancel());
    this.progress = h('span', { id: 'progress', class: 'progress-text', role: 'status', 'aria-live': 'polite' });
    this.bar = h('vscode-progress-bar', { id: 'progress-bar', class: 'progress-bar', 'aria-label': 'Batch progress' });
    this.element = h(
      'div',
      { class: 'toolbar', role: 'toolbar', 'aria-label': 'Results actions' },
      this.failures,
      h('span', { class: 'separator', 'aria-hidden': 'true' }),
      this.rerunFailed,
      this.rerunSelected,
      h('span', { class: 'separator', 'aria-hidden': 'true' }),
      jsonl,
      csv,
      this.cancel,
      h('span', { class: 'spacer' }),
      this.progress,
      this.bar,
    );
  }

  setTitle(title: string): void {
    this.title.textContent = `Results: ${title}`;
    this.title.title = title;
  }

  setStatus(status: ResultsBatchStatus, progress: ResultsProgress): void {
    const running = RUNNING.has(status);
    this.status.textContent = STATUS_TEXT[status];
    this.status.dataset.status = status;
    this.cancel.hidden = !running;
    this.progress.textContent = progressText(progress);
    this.progress.title =
      progress.rateLimited > 0
        ? `Rate limited ${formatCount(progress.rateLimited)} ${progress.rateLimited === 1 ? 'time' : 'times'}, waited ${formatDuration(progress.waitedMs)} in all (items are asked again, not failed)`
        : '';
    this.bar.hidden = !running;
    this.bar.max = Math.max(1, progress.total);
    this.bar.value = progress.done;
  }

  setFailuresOnly(on: boolean): void {
    this.failures.setAttribute('aria-pressed', String(on));
  }

  /** The re-run buttons say how many cells they would run; while rows are still loading, failed ones are not known. */
  setCounts(failing: number | undefined, selected: number, running: boolean): void {
    this.rerunFailed.disabled = failing === undefined || failing === 0 || running;
    this.label(this.rerunFailed, failing === undefined ? 'Re-run failed' : `Re-run failed (${formatCount(failing)})`);
    this.rerunFailed.title = failing === undefined ? 'Still loading the rows…' : running ? 'Wait for the batch to end, or cancel it' : 'Run every failed or errored cell again';
    this.rerunSelected.disabled = selected === 0 || running;
    this.label(this.rerunSelected, selected === 0 ? 'Re-run selected' : `Re-run selected (${formatCount(selected)})`);
    this.rerunSelected.title = running ? 'Wait for the batch to end, or cancel it' : selected === 0 ? 'Select items with their checkboxes first' : 'Run every cell of the selected items again';
  }

  setExportsEnabled(enabled: boolean): void {
    for (const exportButton of this.exports) {
      exportButton.disabled = !enabled;
    }
  }

  private label(target: HTMLButtonElement, text: string): void {
    target.querySelector('.button-text')!.textContent = text;
  }
}
