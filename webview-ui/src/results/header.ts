import type { ResultsColumn, ResultsColumnSummary } from '../../../src/protocol/results';
import { h } from '../shared/dom';
import { summaryCostLine, summaryLatencyLine, summaryPassLine } from './format';

/**
 * The grid's header row: the item column (with a checkbox that selects every row shown) and, per column, its label
 * and summary: pass rate, total and mean cost, p50 and p95 latency. It stays on top while the rows scroll.
 */

interface ColumnHeader {
  element: HTMLElement;
  label: Text;
  pass: Text;
  cost: Text;
  latency: Text;
}

export class GridHeader {
  readonly element: HTMLElement;
  readonly selectAll: HTMLInputElement;
  private readonly itemHeader: HTMLElement;
  private headers: ColumnHeader[] = [];

  constructor() {
    this.selectAll = h('input', { type: 'checkbox', id: 'select-all', class: 'row-check', 'aria-label': 'Select every row shown' });
    this.itemHeader = h('div', { class: 'columnheader item-header', role: 'columnheader', 'aria-colindex': '1' }, this.selectAll, h('span', { class: 'header-label' }, 'Item'));
    this.element = h('div', { class: 'row header-row', role: 'row', 'aria-rowindex': '1' }, this.itemHeader);
  }

  setColumns(columns: readonly ResultsColumn[]): void {
    this.headers = columns.map((column, index) => {
      const texts = ['header-label', 'summary-pass', 'summary-cost', 'summary-latency'].map((name) => {
        const node = document.createTextNode('');
        return { node, element: h('span', { class: `line ${name}` }, node) };
      });
      const element = h(
        'div',
        { class: 'columnheader', role: 'columnheader', 'aria-colindex': String(index + 2), 'data-column': column.id, title: column.label },
        ...texts.map((entry) => entry.element),
      );
      texts[0]!.node.data = column.label;
      return { element, label: texts[0]!.node, pass: texts[1]!.node, cost: texts[2]!.node, latency: texts[3]!.node };
    });
    this.element.replaceChildren(this.itemHeader, ...this.headers.map((header) => header.element));
  }

  setSummaries(summaries: readonly ResultsColumnSummary[]): void {
    summaries.forEach((summary, index) => {
      const header = this.headers[index];
      if (!header) {
        return;
      }
      header.label.data = summary.label;
      header.pass.data = summaryPassLine(summary);
      header.cost.data = summaryCostLine(summary);
      header.latency.data = summaryLatencyLine(summary);
      header.element.title = `${summary.label}\n${header.pass.data}\n${header.cost.data}${summary.unknownCostItems > 0 ? ` (${summary.unknownCostItems} without a known cost)` : ''}\n${header.latency.data}`;
    });
  }

  /** The select-all box: checked when every row shown is selected, mixed when some are. */
  setSelection(selected: number, shown: number): void {
    this.selectAll.checked = shown > 0 && selected >= shown;
    this.selectAll.indeterminate = selected > 0 && selected < shown;
  }
}
