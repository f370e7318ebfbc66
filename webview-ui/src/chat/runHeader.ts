import type { RunFileView, RunHeaderState, RunHeaderView, RunMeterView } from '../../../src/protocol/runHeader';
import { h } from '../shared/dom';
import type { Request } from './actions';
import { actionButton } from './buttons';
import { undoOutcome } from './undoControls';

/**
 * The run header (issue 13): shown above the conversation when the panel's session belongs to a run. It says what
 * the run is doing (state in words, the task, one meter per budget limit), offers Cancel or Resume, and once the
 * run ended its result (or error), totals, the files it changed (each opens its diff) and Undo All. Everything
 * it shows comes from the host and goes in as text; it is updated in place, so keyboard focus on one of its
 * buttons survives the updates that arrive while a run works.
 */

export interface RunHeaderDeps {
  request: Request;
  announce(text: string): void;
  showError(what: string, error: unknown): void;
}

const ICONS: Record<RunHeaderState, string> = {
  queued: 'clock',
  running: 'sync codicon-modifier-spin',
  waiting: 'bell',
  interrupted: 'debug-restart',
  completed: 'pass',
  failed: 'error',
  cancelled: 'circle-slash',
};

const METER_NAMES: Record<RunMeterView['kind'], string> = { steps: 'Steps', tokens: 'Tokens', costUsd: 'Cost', minutes: 'Time' };
const CHANGE_ICONS: Record<RunFileView['change'], string> = { created: 'diff-added', modified: 'diff-modified', deleted: 'diff-removed' };

export class RunHeader {
  readonly element: HTMLElement;
  private readonly icon = h('span', { class: 'codicon run-state-icon', 'aria-hidden': 'true' });
  private readonly task = h('span', { class: 'run-task' });
  private readonly state = h('span', { class: 'run-state' });
  private readonly cancel = h('vscode-button', { class: 'run-cancel', secondary: '', icon: 'debug-stop', title: 'Cancel the run' }, 'Cancel');
  private readonly resume = h('vscode-button', { class: 'run-resume', icon: 'debug-continue', title: 'Carry the run on from its last step' }, 'Resume');
  private readonly meters = h('div', { class: 'run-meters' });
  private readonly toggle = h('button', { type: 'button', class: 'action-button with-text run-summary-toggle', 'aria-expanded': 'true', 'aria-controls': 'run-summary' });
  private readonly summary = h('div', { id: 'run-summary', class: 'run-summary' });
  private readonly result = h('div', { class: 'run-result', role: 'region', 'aria-label': 'Result', tabindex: '0' });
  private readonly error = h('div', { class: 'run-error' });
  private readonly totals = h('div', { class: 'run-totals' });
  private readonly filesTitle = h('h2', { id: 'run-files-title', class: 'run-files-title' });
  private readonly files = h('ul', { class: 'run-files', 'aria-labelledby': 'run-files-title' });
  private readonly undoAll = h('vscode-button', { class: 'run-undo-all', secondary: '', icon: 'discard', title: 'Restore every file the run changed to what it was before the run' }, 'Undo All');
  private readonly undoNotice = h('span', { class: 'run-undo-notice', role: 'status' });
  private run: RunHeaderView | null = null;
  private filesKey = '';
  private metersKey = '';
  private busy: 'cancel' | 'resume' | 'undo' | undefined;
  private expanded = true;

  constructor(private readonly deps: RunHeaderDeps) {
    const title = h('div', { class: 'run-title' }, this.icon, h('span', { class: 'run-label' }, 'Run'), this.task, h('span', { class: 'run-actions' }, this.cancel, this.resume));
    const status = h('div', { class: 'run-status' }, this.state, this.meters);
    const undoRow = h('div', { class: 'run-undo' }, this.undoAll, this.undoNotice);
    const filesPart = h('div', { class: 'run-files-part' }, this.filesTitle, this.files, undoRow);
    this.summary.append(this.result, this.error, this.totals, filesPart);
    this.element = h('section', { id: 'run-header', class: 'run-header', 'aria-label': 'Run', hidden: '' }, title, status, this.toggle, this.summary);
    this.cancel.addEventListener('click', () => this.act('cancel'));
    this.resume.addEventListener('click', () => this.act('resume'));
    this.undoAll.addEventListener('click', () => this.undo());
    this.toggle.addEventListener('click', () => {
      this.expanded = !this.expanded;
      this.render();
    });
    this.files.addEventListener('click', (event) => {
      const button = event.target instanceof Element ? event.target.closest<HTMLElement>('[data-action="open-run-diff"]') : null;
      const file = this.run?.ended?.files[Number(button?.dataset.index)];
      if (button && file) {
        this.deps.request('chat/openDiff', { messageId: file.messageId, callId: file.callId, path: file.path }).catch((error: unknown) => this.deps.showError('Could not open the diff', error));
      }
    });
  }

  /** The host's newest word on the run; null hides the header. */
  show(run: RunHeaderView | null): void {
    const before = this.run;
    this.run = run;
    if (before?.state !== run?.state || before?.runId !== run?.runId) {
      // A new state settles what Cancel or Resume asked for.
      this.busy = this.busy === 'undo' ? 'undo' : undefined;
      if (before !== null && run !== null) {
        this.deps.announce(`Run: ${run.stateLabel}.${run.ended?.error ? ` ${run.ended.error}` : ''}`);
      }
    }
    this.render();
  }

  private render(): void {
    const run = this.run;
    this.element.hidden = run === null;
    if (run === null) {
      return;
    }
    this.element.dataset.state = run.state;
    this.icon.className = `codicon codicon-${ICONS[run.state]} run-state-icon`;
    setText(this.task, firstLine(run.task));
    this.task.title = run.task;
    setText(this.state, run.stateLabel);
    this.renderMeters(run.meters);
    this.setButton(this.cancel, run.canCancel, this.busy === 'cancel');
    this.setButton(this.resume, run.canResume, this.busy === 'resume');

    const ended = run.ended;
    this.toggle.hidden = ended === undefined;
    this.summary.hidden = ended === undefined || !this.expanded;
    if (ended === undefined) {
      return;
    }
    this.toggle.setAttribute('aria-expanded', String(this.expanded));
    this.toggle.replaceChildren(h('span', { class: `codicon codicon-chevron-${this.expanded ? 'down' : 'right'}`, 'aria-hidden': 'true' }), h('span', { class: 'button-text' }, 'Summary'));
    this.result.hidden = ended.result === undefined;
    setText(this.result, ended.result ? `${ended.result.text}${ended.result.truncated ? '\n\n(The whole answer is in the conversation below.)' : ''}` : '');
    this.error.hidden = ended.error === undefined;
    if (ended.error !== undefined && this.error.textContent !== ended.error) {
      this.error.replaceChildren(h('span', { class: 'codicon codicon-error', 'aria-hidden': 'true' }), h('span', {}, ended.error));
    }
    setText(this.totals, `Totals: ${ended.totals.label}`);
    setText(this.filesTitle, ended.files.length === 0 ? 'No files changed' : `Files changed (${ended.files.length})`);
    this.renderFiles(ended.files);
    this.setButton(this.undoAll, ended.files.length > 0 && run.firstMessageId !== null, this.busy === 'undo');
  }

  /** Rebuilt only when the limits change; the figures move in place. */
  private renderMeters(meters: readonly RunMeterView[]): void {
    const key = meters.map((meter) => meter.kind).join(',');
    if (key !== this.metersKey) {
      this.metersKey = key;
      this.meters.replaceChildren(
        ...meters.map((meter) =>
          h(
            'div',
            { class: 'run-meter', role: 'meter', 'aria-valuemin': '0', 'aria-label': METER_NAMES[meter.kind], 'data-kind': meter.kind },
            h('span', { class: 'run-meter-track', 'aria-hidden': 'true' }, h('span', { class: 'run-meter-bar' })),
            h('span', { class: 'run-meter-text', 'aria-hidden': 'true' }),
          ),
        ),
      );
    }
    meters.forEach((meter, index) => {
      const element = this.meters.children[index] as HTMLElement;
      element.setAttribute('aria-valuenow', String(Math.min(meter.used, meter.limit)));
      element.setAttribute('aria-valuemax', String(meter.limit));
      element.setAttribute('aria-valuetext', meter.label);
      element.title = meter.label;
      element.classList.toggle('warning', meter.warning);
      element.classList.toggle('reached', meter.used >= meter.limit);
      // Through the CSSOM: the CSP allows no inline style attribute.
      (element.querySelector('.run-meter-bar') as HTMLElement).style.width = `${Math.min(100, (meter.used / meter.limit) * 100).toFixed(1)}%`;
      setText(element.querySelector('.run-meter-text') as HTMLElement, meter.text);
    });
  }

  private renderFiles(files: readonly RunFileView[]): void {
    const key = JSON.stringify(files);
    if (key === this.filesKey) {
      return;
    }
    this.filesKey = key;
    this.files.replaceChildren(
      ...files.map((file, index) => {
        const button = actionButton({ icon: CHANGE_ICONS[file.change], label: `Open the diff of ${file.shown} (${file.change})`, text: file.shown, action: 'open-run-diff', data: { index: String(index) } });
        button.classList.add('run-file', `change-${file.change}`);
        return h('li', {}, button);
      }),
    );
  }

  private setButton(button: HTMLElement, shown: boolean, busy: boolean): void {
    button.hidden = !shown;
    // aria-disabled, not disabled: the button keeps focus while its request runs (clicks are ignored meanwhile).
    if (busy) {
      button.setAttribute('aria-disabled', 'true');
    } else {
      button.removeAttribute('aria-disabled');
    }
  }

  private act(what: 'cancel' | 'resume'): void {
    const run = this.run;
    if (!run || this.busy !== undefined) {
      return;
    }
    this.busy = what;
    this.render();
    const method = what === 'cancel' ? 'chat/cancelRun' : 'chat/resumeRun';
    this.deps.request(method, { runId: run.runId }).then(
      () => this.deps.announce(what === 'cancel' ? 'Cancelling the run.' : 'Resuming the run.'),
      (error: unknown) => {
        this.busy = undefined;
        this.render();
        this.deps.showError(what === 'cancel' ? 'Could not cancel the run' : 'Could not resume the run', error);
      },
    );
  }

  private undo(): void {
    const messageId = this.run?.firstMessageId;
    if (!messageId || this.busy === 'undo') {
      return;
    }
    this.busy = 'undo';
    setText(this.undoNotice, 'Restoring…');
    this.render();
    // The existing undo: the host asks about files edited since, and restores only what the run's turns touched.
    this.deps.request('chat/undo', { messageId, scope: 'since' }).then(
      ({ restored, skipped }) => {
        this.busy = undefined;
        const outcome = undoOutcome(restored, skipped);
        setText(this.undoNotice, outcome);
        this.render();
        this.deps.announce(`${outcome}.`);
      },
      (error: unknown) => {
        this.busy = undefined;
        setText(this.undoNotice, '');
        this.render();
        this.deps.showError('Could not undo the changes', error);
      },
    );
  }
}

function firstLine(text: string): string {
  return text.split(/\r?\n/).map((line) => line.trim()).find((line) => line !== '') ?? 'Untitled run';
}

/** Only when it changed: a screen reader re-reads a node whose text is set again. */
function setText(element: HTMLElement, text: string): void {
  if (element.textContent !== text) {
    element.textContent = text;
  }
}
