import type { InspectorFilter, InspectorTypeCount } from '../../../src/protocol/inspector';
import { h } from '../shared/dom';
import { formatCount } from './format';
import type { Scale } from './rowView';

/**
 * The bar above the timeline: the text filter (applied by the host as you type, after a short pause), one toggle
 * per event type present (with its count), the time scale of the bars, and how many rows match.
 */

const TYPING_PAUSE_MS = 250;

export interface ToolbarHandlers {
  filterChanged(filter: InspectorFilter): void;
  scaleChanged(scale: Scale): void;
}

export class Toolbar {
  readonly element: HTMLElement;
  private readonly text: HTMLElementTagNameMap['vscode-textfield'];
  private readonly chips: HTMLElement;
  private readonly counter: HTMLElement;
  private readonly scaleButton: HTMLButtonElement;
  private types: string[] = [];
  private scale: Scale = 'turn';
  private timer: number | undefined;

  constructor(private readonly handlers: ToolbarHandlers) {
    this.text = h('vscode-textfield', { id: 'filter-text', placeholder: 'Filter events (type, model, payload text)', 'aria-label': 'Filter events by text', class: 'filter-text' });
    this.text.append(h('span', { slot: 'content-before', class: 'codicon codicon-filter', 'aria-hidden': 'true' }));
    this.text.addEventListener('input', () => this.changedSoon());
    this.text.addEventListener('keydown', (event) => {
      if (event.key === 'Enter') {
        this.changedNow();
      } else if (event.key === 'Escape' && this.text.value !== '') {
        event.stopPropagation();
        this.text.value = '';
        this.changedNow();
      }
    });
    this.chips = h('div', { id: 'type-filter', class: 'type-chips', role: 'group', 'aria-label': 'Show only these event types' });
    this.chips.addEventListener('click', (event) => {
      const chip = (event.target as Element).closest<HTMLButtonElement>('button[data-type]');
      if (chip) {
        chip.setAttribute('aria-pressed', String(chip.getAttribute('aria-pressed') !== 'true'));
        this.changedNow();
      }
    });
    this.scaleButton = h('button', { type: 'button', id: 'scale-toggle', class: 'action-button with-text', title: 'Bars are scaled to their turn; click to scale them to the whole session' }, h('span', { class: 'codicon codicon-clock', 'aria-hidden': 'true' }), h('span', { class: 'button-text' }, 'Turn scale'));
    this.scaleButton.addEventListener('click', () => {
      this.setScale(this.scale === 'turn' ? 'session' : 'turn');
      this.handlers.scaleChanged(this.scale);
    });
    this.counter = h('span', { id: 'row-count', class: 'row-count', role: 'status', 'aria-live': 'polite' });
    this.element = h('div', { class: 'toolbar', role: 'toolbar', 'aria-label': 'Timeline filters' }, this.text, this.chips, h('span', { class: 'spacer' }), this.counter, this.scaleButton);
  }

  get filter(): InspectorFilter {
    const types = [...this.chips.querySelectorAll<HTMLButtonElement>('button[data-type][aria-pressed="true"]')].map((chip) => chip.dataset.type ?? '');
    return { text: (this.text.value ?? '').slice(0, 200), types: types.filter(Boolean).sort() };
  }

  /** Shows a filter the host applied (a restored panel, a focus that cleared it). */
  setFilter(filter: InspectorFilter): void {
    if ((this.text.value ?? '') !== filter.text) {
      this.text.value = filter.text;
    }
    this.renderChips(filter.types);
  }

  setTypes(types: readonly InspectorTypeCount[]): void {
    const pressed = this.filter.types;
    this.types = types.map((entry) => entry.type);
    this.renderChips(pressed, types);
  }

  setCount(count: number, total: number, filtered: boolean): void {
    this.counter.textContent = filtered ? `${formatCount(count)} of ${formatCount(total)} events` : `${formatCount(total)} events`;
  }

  setScale(scale: Scale): void {
    this.scale = scale;
    this.scaleButton.querySelector('.button-text')!.textContent = scale === 'turn' ? 'Turn scale' : 'Session scale';
    this.scaleButton.title =
      scale === 'turn' ? 'Bars are scaled to their turn; click to scale them to the whole session' : 'Bars are scaled to the whole session; click to scale them to their turn';
  }

  private renderChips(pressed: readonly string[], counts?: readonly InspectorTypeCount[]): void {
    const known = new Map(counts?.map((entry) => [entry.type, entry.count]) ?? []);
    const existing = new Map([...this.chips.querySelectorAll<HTMLButtonElement>('button[data-type]')].map((chip) => [chip.dataset.type ?? '', chip]));
    const types = [...new Set([...this.types, ...pressed])];
    const chips = types.map((type) => {
      const chip =
        existing.get(type) ??
        h('button', { type: 'button', class: 'chip', 'data-type': type, 'aria-pressed': 'false' }, h('span', { class: 'chip-type' }), h('span', { class: 'chip-count' }));
      chip.setAttribute('aria-pressed', String(pressed.includes(type)));
      chip.querySelector('.chip-type')!.textContent = shortType(type);
      const count = known.get(type);
      if (count !== undefined) {
        chip.querySelector('.chip-count')!.textContent = formatCount(count);
      }
      chip.title = `Show only ${type} events (toggle; several can be on)`;
      return chip;
    });
    this.chips.replaceChildren(...chips);
  }

  private changedSoon(): void {
    window.clearTimeout(this.timer);
    this.timer = window.setTimeout(() => this.changedNow(), TYPING_PAUSE_MS);
  }

  private changedNow(): void {
    window.clearTimeout(this.timer);
    this.handlers.filterChanged(this.filter);
  }
}

/** `llm.response.completed` reads as `response.completed`, `tool.call.approved` as `call.approved` in a chip; the tooltip has the full type. */
function shortType(type: string): string {
  return type.startsWith('llm.') || type.startsWith('message.') || type.startsWith('tool.') ? type.slice(type.indexOf('.') + 1) : type;
}
