import type { InspectorTotals } from '../../../src/protocol/inspector';
import { h } from '../shared/dom';
import { formatCount, totalsParts } from './format';

/**
 * Totals under the timeline: the whole session, the rows that match the filter (when one is on) and the selection
 * (when there is one). An unknown cost reads as unknown, a partly known one as "$x + n unknown", never as $0.
 */
export class TotalsBar {
  readonly element: HTMLElement;
  private readonly session: HTMLElement;
  private readonly filtered: HTMLElement;
  private readonly selection: HTMLElement;

  constructor() {
    this.session = line('session', 'Session');
    this.filtered = line('filtered', 'Matching');
    this.selection = line('selection', 'Selection');
    this.element = h('footer', { id: 'totals', class: 'totals', 'aria-label': 'Totals' }, this.session, this.filtered, this.selection);
    this.filtered.hidden = true;
    this.selection.hidden = true;
  }

  setSession(totals: InspectorTotals | null): void {
    fill(this.session, totals, 'Summing…');
  }

  setFiltered(totals: InspectorTotals | null, active: boolean): void {
    this.filtered.hidden = !active;
    if (active) {
      fill(this.filtered, totals, 'Summing…');
    }
  }

  /** `rows`: the rows picked by range, shown while the host sums (turns add theirs when it answers). */
  setSelection(totals: InspectorTotals | null, rows: number, active: boolean): void {
    this.selection.hidden = !active;
    if (active) {
      fill(this.selection, totals, rows > 0 ? `${formatCount(rows)} ${rows === 1 ? 'row' : 'rows'}, summing…` : 'Summing…');
    }
  }
}

function line(scope: string, label: string): HTMLElement {
  return h('div', { class: 'totals-line', 'data-scope': scope }, h('span', { class: 'totals-label' }, label), h('span', { class: 'totals-parts' }));
}

function fill(element: HTMLElement, totals: InspectorTotals | null, pending: string): void {
  const parts = element.querySelector('.totals-parts')!;
  if (totals === null) {
    parts.replaceChildren(h('span', { class: 'totals-pending' }, pending));
    return;
  }
  parts.replaceChildren(
    ...totalsParts(totals).map((part) => h('span', { class: 'totals-part', title: part.label, 'aria-label': part.label }, part.text)),
  );
}
