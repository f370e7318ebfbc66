import type { InspectorDetail } from '../../../src/protocol/inspector';
import { copyText, flashStatus } from '../chat/clipboard';
import { h } from '../shared/dom';
import { formatTime } from './format';

/**
 * The detail pane: one event's request and response (and the message it produced) as formatted JSON, already
 * redacted by the host, highlighted by splitting it into text spans (never markup), with Copy and, per section,
 * a jump to the event it shows. The actions row holds Replay… (replayEditor.ts) for a model call's events.
 */

/** JSON past this many characters is shown as plain text: highlighting a megabyte would stall the panel. */
const HIGHLIGHT_LIMIT = 100_000;
const TOKEN = /("(?:[^"\\]|\\.)*")(\s*:)?|(-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)|\b(true|false)\b|\b(null)\b/g;

export interface DetailHandlers {
  close(): void;
  /** Selects and scrolls to another event of the list (a response's request). */
  jumpTo(eventId: string): void;
}

export class DetailPane {
  readonly element: HTMLElement;
  private readonly title: HTMLElement;
  private readonly meta: HTMLElement;
  private readonly body: HTMLElement;
  private readonly status: HTMLElement;
  /** Where the Replay… button goes (replayEditor.ts). */
  readonly replaySlot: HTMLElement;
  private detail: InspectorDetail | undefined;
  /** Shown below the sections of every event (the replay editor). */
  private extra: HTMLElement | undefined;
  shownId: string | undefined;

  constructor(private readonly handlers: DetailHandlers) {
    this.title = h('h2', { class: 'detail-title', id: 'detail-title' });
    this.meta = h('div', { class: 'detail-meta' });
    this.status = h('span', { class: 'detail-status', role: 'status', 'aria-live': 'polite' });
    this.replaySlot = h('span', { class: 'replay-slot', id: 'replay-slot', 'data-slot': 'replay' });
    const copy = iconButton('copy', 'Copy the JSON', 'copy-detail');
    const close = iconButton('close', 'Close the detail (Esc)', 'close-detail');
    copy.addEventListener('click', () => void this.copy());
    close.addEventListener('click', () => this.handlers.close());
    this.body = h('div', { class: 'detail-body' });
    this.element = h(
      'aside',
      { id: 'detail', class: 'detail', 'aria-labelledby': 'detail-title', hidden: '' },
      h('div', { class: 'detail-header' }, h('div', { class: 'detail-heading' }, this.title, this.meta), h('div', { class: 'detail-actions' }, this.replaySlot, this.status, copy, close)),
      this.body,
    );
    this.body.addEventListener('click', (event) => {
      const target = (event.target as Element).closest<HTMLElement>('[data-jump]');
      if (target?.dataset.jump) {
        this.handlers.jumpTo(target.dataset.jump);
      }
    });
  }

  /** An element kept below the event's sections (the replay editor), re-attached on every show. */
  attach(element: HTMLElement): void {
    this.extra = element;
  }

  get isOpen(): boolean {
    return !this.element.hidden;
  }

  showLoading(eventId: string, label: string): void {
    this.open();
    this.shownId = eventId;
    this.detail = undefined;
    this.replaySlot.replaceChildren();
    this.title.textContent = label;
    this.meta.textContent = '';
    this.body.replaceChildren(h('div', { class: 'detail-loading', role: 'status' }, h('vscode-progress-ring', {}), 'Loading the event…'));
  }

  showError(message: string): void {
    this.open();
    this.body.replaceChildren(h('div', { class: 'detail-error', role: 'alert' }, h('span', { class: 'codicon codicon-error', 'aria-hidden': 'true' }), message));
  }

  show(detail: InspectorDetail | null, eventId: string): void {
    this.open();
    this.shownId = eventId;
    if (detail === null) {
      this.detail = undefined;
      this.body.replaceChildren(h('div', { class: 'detail-error', role: 'alert' }, 'This event no longer exists.'));
      return;
    }
    this.detail = detail;
    this.title.textContent = detail.label;
    this.meta.textContent = `${detail.type} · ${formatTime(detail.startedAt)}`;
    this.body.replaceChildren(
      ...detail.sections.map((section) => {
        const heading = h('h3', {}, section.name);
        const header = h('div', { class: 'section-header' }, heading);
        if (section.eventId !== null && section.eventId !== eventId) {
          header.append(
            h('button', { type: 'button', class: 'action-button with-text', 'data-jump': section.eventId, title: `Show this ${section.name.toLowerCase()} in the list` }, `Go to ${section.name.toLowerCase()}`),
          );
        }
        return h('section', { class: 'detail-section', 'data-section': section.name }, header, highlightJson(section.json));
      }),
    );
    if (this.extra) {
      this.body.append(this.extra);
    }
  }

  close(): void {
    this.element.hidden = true;
    this.shownId = undefined;
  }

  private open(): void {
    this.element.hidden = false;
  }

  private async copy(): Promise<void> {
    if (!this.detail) {
      return;
    }
    const text = this.detail.sections.map((section) => `// ${section.name}\n${section.json}`).join('\n\n');
    flashStatus(this.status, (await copyText(text)) ? 'Copied' : 'Could not copy');
  }
}

function iconButton(icon: string, label: string, id: string): HTMLButtonElement {
  return h('button', { type: 'button', class: 'action-button', id, title: label, 'aria-label': label }, h('span', { class: `codicon codicon-${icon}`, 'aria-hidden': 'true' }));
}

/** Formatted JSON as a <pre> of text spans: keys, strings, numbers, booleans, null. */
export function highlightJson(json: string): HTMLElement {
  const pre = h('pre', { class: 'json', tabindex: '0' });
  const limit = Math.min(json.length, HIGHLIGHT_LIMIT);
  const head = json.slice(0, limit);
  let last = 0;
  const parts: Node[] = [];
  for (const match of head.matchAll(TOKEN)) {
    const at = match.index;
    if (at > last) {
      parts.push(document.createTextNode(head.slice(last, at)));
    }
    const [whole, string, colon, number, boolean, nil] = match;
    if (string !== undefined) {
      parts.push(h('span', { class: colon ? 'json-key' : 'json-string' }, string));
      if (colon) {
        parts.push(document.createTextNode(colon));
      }
    } else if (number !== undefined) {
      parts.push(h('span', { class: 'json-number' }, number));
    } else if (boolean !== undefined) {
      parts.push(h('span', { class: 'json-boolean' }, boolean));
    } else if (nil !== undefined) {
      parts.push(h('span', { class: 'json-null' }, nil));
    }
    last = at + whole.length;
  }
  parts.push(document.createTextNode(head.slice(last) + json.slice(limit)));
  pre.append(...parts);
  return pre;
}
