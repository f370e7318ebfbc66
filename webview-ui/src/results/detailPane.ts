import type { ResultsAssertion, ResultsAssertionVerdict, ResultsCellDetail, ResultsComparison } from '../../../src/protocol/results';
import { h } from '../shared/dom';
import { STATUS_ICONS, STATUS_LABELS, formatCount, formatDuration, formatScore, formatUsd } from './format';
import { lineDiff, type MarkedLine } from './lineDiff';

/**
 * The pane beside the grid: one cell whole (its output, each assertion's verdict and reason, the item's vars, and
 * buttons to open its conversation in the chat or the Inspector), or two cells compared side by side (their
 * outputs with the lines the other lacks marked, and the assertions on which they differ). Outputs are model text:
 * they go in as text nodes, never as markup.
 */

export interface DetailHandlers {
  close(): void;
  openTranscript(sessionId: string): void;
  inspect(sessionId: string): void;
  /** Compares the cell shown with another (the same item in another column). */
  compareWith(runItemId: string): void;
}

export interface Sibling {
  label: string;
  runItemId: string;
}

export class DetailPane {
  readonly element: HTMLElement;
  private readonly title: HTMLElement;
  private readonly meta: HTMLElement;
  private readonly actions: HTMLElement;
  private readonly body: HTMLElement;
  /** The cell (or the pair) shown. */
  shown: { kind: 'cell'; runItemId: string } | { kind: 'compare'; a: string; b: string } | undefined;

  constructor(private readonly handlers: DetailHandlers) {
    this.title = h('h2', { class: 'detail-title', id: 'detail-title' });
    this.meta = h('div', { class: 'detail-meta' });
    this.actions = h('div', { class: 'detail-actions' });
    const close = h('button', { type: 'button', class: 'action-button', id: 'close-detail', title: 'Close (Esc)', 'aria-label': 'Close the detail (Esc)' }, h('span', { class: 'codicon codicon-close', 'aria-hidden': 'true' }));
    close.addEventListener('click', () => this.handlers.close());
    this.body = h('div', { class: 'detail-body' });
    this.element = h(
      'aside',
      { id: 'detail', class: 'detail', 'aria-labelledby': 'detail-title', hidden: '' },
      h('div', { class: 'detail-header' }, h('div', { class: 'detail-heading' }, this.title, this.meta), this.actions, close),
      this.body,
    );
  }

  get isOpen(): boolean {
    return !this.element.hidden;
  }

  showLoading(title: string, shown: DetailPane['shown']): void {
    this.element.hidden = false;
    this.shown = shown;
    this.title.textContent = title;
    this.meta.replaceChildren();
    this.actions.replaceChildren();
    this.body.replaceChildren(h('div', { class: 'detail-loading', role: 'status' }, h('vscode-progress-ring', {}), 'Loading…'));
  }

  showError(message: string): void {
    this.element.hidden = false;
    this.body.replaceChildren(h('div', { class: 'detail-error', role: 'alert' }, h('span', { class: 'codicon codicon-error', 'aria-hidden': 'true' }), message));
  }

  showCell(detail: ResultsCellDetail, siblings: readonly Sibling[]): void {
    this.element.hidden = false;
    this.shown = { kind: 'cell', runItemId: detail.runItemId };
    this.title.textContent = `${detail.description ?? detail.datasetItemId} · ${detail.columnLabel}`;
    this.meta.replaceChildren(...verdictParts(detail));
    this.actions.replaceChildren(...this.sessionButtons(detail));
    const sections: HTMLElement[] = [];
    if (siblings.length > 0) {
      const buttons = siblings.map((sibling) => {
        const button = h('button', { type: 'button', class: 'action-button with-text compare-with', 'data-run-item': sibling.runItemId }, h('span', { class: 'codicon codicon-diff', 'aria-hidden': 'true' }), `Compare with ${sibling.label}`);
        button.addEventListener('click', () => this.handlers.compareWith(sibling.runItemId));
        return button;
      });
      sections.push(h('div', { class: 'compare-buttons' }, ...buttons));
    }
    if (detail.reason) {
      sections.push(section('Verdict', 'verdict', h('p', { class: 'reason' }, detail.reason)));
    }
    sections.push(section('Assertions', 'assertions', assertionList(detail.assertions)));
    sections.push(section('Output', 'output', outputBlock(detail)));
    sections.push(section('Vars', 'vars', h('pre', { class: 'output vars', tabindex: '0' }, detail.vars)));
    this.body.replaceChildren(...sections);
  }

  showComparison(comparison: ResultsComparison): void {
    const { a, b } = comparison;
    this.element.hidden = false;
    this.shown = { kind: 'compare', a: a.runItemId, b: b.runItemId };
    this.title.textContent = a.datasetItemId === b.datasetItemId ? `Compare · ${a.description ?? a.datasetItemId}` : 'Compare two cells';
    this.meta.textContent = `${a.columnLabel} ↔ ${b.columnLabel}`;
    this.actions.replaceChildren();
    const diff = lineDiff(a.output ?? '', b.output ?? '');
    const side = (detail: ResultsCellDetail, lines: MarkedLine[], which: 'a' | 'b') =>
      h(
        'div',
        { class: 'compare-side', 'data-side': which },
        h('h3', { class: 'compare-label' }, `${which.toUpperCase()} · ${detail.columnLabel}`),
        h('div', { class: 'detail-meta' }, ...verdictParts(detail)),
        h('div', { class: 'compare-actions' }, ...this.sessionButtons(detail)),
        detail.output === null || detail.output === ''
          ? h('p', { class: 'muted' }, detail.status === 'error' ? (detail.reason ?? 'The run failed before it answered.') : 'No output.')
          : h('pre', { class: 'output compared', tabindex: '0', 'aria-label': `Output of ${detail.columnLabel}` }, ...lines.map((line) => h('span', { class: `diff-line ${line.kind}` }, line.text === '' ? ' ' : line.text))),
      );
    const note = diff.compared ? 'Lines the other output lacks are marked.' : 'These outputs are too long to mark their differences line by line.';
    this.body.replaceChildren(
      h('p', { class: 'muted compare-note' }, note),
      h('div', { class: 'compare-sides' }, side(a, diff.a, 'a'), side(b, diff.b, 'b')),
      section('Assertions that differ', 'differing', differences(comparison)),
    );
  }

  close(): void {
    this.element.hidden = true;
    this.shown = undefined;
  }

  private sessionButtons(detail: ResultsCellDetail): HTMLElement[] {
    const sessionId = detail.sessionId;
    const open = h('button', { type: 'button', class: 'action-button with-text', 'data-action': 'open-transcript', title: 'Open the conversation in the chat panel' }, h('span', { class: 'codicon codicon-comment-discussion', 'aria-hidden': 'true' }), 'Open transcript');
    const inspect = h('button', { type: 'button', class: 'action-button with-text', 'data-action': 'inspect', title: 'Open the conversation in the Inspector' }, h('span', { class: 'codicon codicon-pulse', 'aria-hidden': 'true' }), 'Inspect');
    if (sessionId === null) {
      open.disabled = true;
      inspect.disabled = true;
      open.title = inspect.title = 'This item has not run yet';
    } else {
      open.addEventListener('click', () => this.handlers.openTranscript(sessionId));
      inspect.addEventListener('click', () => this.handlers.inspect(sessionId));
    }
    return [open, inspect];
  }
}

function section(name: string, key: string, content: HTMLElement): HTMLElement {
  return h('section', { class: 'detail-section', 'data-section': key }, h('h3', {}, name), content);
}

function verdictParts(detail: ResultsCellDetail): HTMLElement[] {
  const parts = [
    h('span', { class: `verdict-badge status-${detail.status}` }, h('span', { class: `codicon codicon-${STATUS_ICONS[detail.status]}`, 'aria-hidden': 'true' }), STATUS_LABELS[detail.status]),
  ];
  if (detail.score !== null) {
    parts.push(h('span', {}, `score ${formatScore(detail.score)}`));
  }
  parts.push(h('span', {}, `cost ${formatUsd(detail.costUsd)}`));
  if (detail.latencyMs !== null) {
    parts.push(h('span', {}, formatDuration(detail.latencyMs)));
  }
  return parts;
}

function assertionList(assertions: readonly ResultsAssertion[]): HTMLElement {
  if (assertions.length === 0) {
    return h('p', { class: 'muted' }, 'No assertions were checked for this item.');
  }
  return h(
    'ul',
    { class: 'assertions' },
    ...assertions.map((assertion) => {
      const verdict = assertion.notRun ? 'not run' : assertion.pass ? 'pass' : 'fail';
      const icon = assertion.notRun ? 'circle-slash' : assertion.pass ? 'pass-filled' : 'error';
      return h(
        'li',
        { class: `assertion ${verdict.replace(' ', '-')}`, 'aria-label': `${assertion.type}: ${verdict}. ${assertion.reason}` },
        h('span', { class: `codicon codicon-${icon}`, 'aria-hidden': 'true' }),
        h('span', { class: 'assertion-type' }, assertion.metric ? `${assertion.type} (${assertion.metric})` : assertion.type),
        h('span', { class: 'assertion-verdict' }, assertion.notRun ? 'not run' : `${verdict} ${formatScore(assertion.score)}`),
        h('span', { class: 'assertion-reason' }, assertion.reason),
      );
    }),
  );
}

function outputBlock(detail: ResultsCellDetail): HTMLElement {
  if (detail.output === null || detail.output === '') {
    return h('p', { class: 'muted' }, detail.status === 'error' ? (detail.reason ?? 'The run failed before it answered.') : 'No output yet.');
  }
  const pre = h('pre', { class: 'output', tabindex: '0', 'aria-label': 'Output' }, detail.output);
  return detail.outputTruncated ? h('div', {}, pre, h('p', { class: 'muted' }, `Cut at ${formatCount(detail.output.length)} characters.`)) : pre;
}

function differences(comparison: ResultsComparison): HTMLElement {
  if (comparison.differing.length === 0) {
    return h('p', { class: 'muted' }, 'The assertions agree.');
  }
  const verdict = (value: ResultsAssertionVerdict | null) =>
    value === null ? h('td', { class: 'muted' }, '—') : h('td', { class: value.pass ? 'pass' : 'fail' }, `${value.pass ? 'pass' : 'fail'} ${formatScore(value.score)}: ${value.reason}`);
  return h(
    'table',
    { class: 'differing' },
    h('thead', {}, h('tr', {}, h('th', {}, 'Assertion'), h('th', {}, `A · ${comparison.a.columnLabel}`), h('th', {}, `B · ${comparison.b.columnLabel}`))),
    h(
      'tbody',
      {},
      ...comparison.differing.map((difference) =>
        h('tr', {}, h('td', {}, difference.metric ? `${difference.type} (${difference.metric})` : difference.type), verdict(difference.a), verdict(difference.b)),
      ),
    ),
  );
}
