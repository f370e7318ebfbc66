import * as assert from 'node:assert/strict';
import type { Logger } from '../../../src/core/ports';
import { FIRST_PAGE_ROWS, PREVIEW_CHARS, type ResultsEvent } from '../../../src/protocol/results';
import { ResultsController, UPDATE_INTERVAL_MS } from '../../../src/webviews/results/resultsController';
import { SyntheticBatch, runItemIdOf } from './resultsFixture';

/**
 * The host side of the Results panel over a synthetic batch: what the panel is sent (trimmed rows, whole cells on
 * demand) and how a batch's stream of changes becomes a few events, each with only the rows that changed.
 */

const silentLog: Logger = { trace: () => {}, debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };

/** Timers the test runs by hand, with a clock it moves. */
class ManualTimers {
  now = 0;
  private tasks: { at: number; run: () => void; cancelled: boolean }[] = [];

  setTimer = (run: () => void, ms: number) => {
    const task = { at: this.now + ms, run, cancelled: false };
    this.tasks.push(task);
    return { cancel: () => (task.cancelled = true) };
  };

  advance(ms: number): void {
    const until = this.now + ms;
    for (;;) {
      const due = this.tasks.filter((task) => !task.cancelled && task.at <= until).sort((a, b) => a.at - b.at)[0];
      if (!due) {
        break;
      }
      this.now = due.at;
      due.cancelled = true;
      due.run();
    }
    this.now = until;
    this.tasks = this.tasks.filter((task) => !task.cancelled);
  }
}

function setup(options: { items?: number; columns?: number; outputOf?: (item: number, column: number) => string } = {}) {
  const batch = new SyntheticBatch('run-1', { items: options.items ?? 300, columns: options.columns ?? 4, ...(options.outputOf ? { outputOf: options.outputOf } : {}) });
  const timers = new ManualTimers();
  const events: ResultsEvent[] = [];
  let gone = 0;
  const controller = new ResultsController(batch.services(silentLog), 'run-1', (event) => events.push(event), () => gone++, { now: () => timers.now, setTimer: timers.setTimer });
  return { batch, timers, events, controller, gone: () => gone };
}

describe('results panel host side', () => {
  it('snapshots the summaries and the first page of rows, with outputs trimmed to a one-line preview', () => {
    const long = 'word '.repeat(5_000);
    const { controller, batch } = setup({ outputOf: (item) => (item === 3 ? long : `line one\n\n  line two ${item}`) });
    const snapshot = controller.snapshot();
    const table = batch.table();
    assert.equal(snapshot.head.rowCount, 300);
    assert.equal(snapshot.head.rows.length, FIRST_PAGE_ROWS);
    assert.deepEqual(snapshot.columns.map((column) => column.label), table.columns.map((column) => column.label));
    assert.equal(snapshot.summaries[0]!.passRate, table.summaries[0]!.passRate);
    assert.equal(snapshot.summaries[2]!.latencyP95, table.summaries[2]!.latencyP95);
    const passing = snapshot.head.rows[0]!.cells.find((cell) => cell.status === 'pass')!;
    assert.equal(passing.preview, 'line one line two 0');
    const trimmed = snapshot.head.rows[3]!.cells.find((cell) => cell.status === 'pass' || cell.status === 'fail')!;
    assert.equal(trimmed.preview!.length, PREVIEW_CHARS);
    assert.ok(trimmed.preview!.endsWith('…'));
    assert.equal(trimmed.outputChars, long.length);
    // The whole snapshot stays small: no full output travels with the rows.
    assert.ok(JSON.stringify(snapshot).length < 400_000, `${JSON.stringify(snapshot).length} characters`);
    assert.equal(snapshot.progress.live, false);
    assert.equal(snapshot.progress.total, 1200);
    assert.equal(snapshot.progress.done, 1200);
  });

  it('serves the rest of the rows by page, and a cell whole with its assertions’ reasons', async () => {
    const long = 'x'.repeat(50_000);
    const { controller } = setup({ outputOf: () => long });
    const page = controller.handlers['results/rows']({ start: 250, count: 500 }) as { rows: { index: number }[]; rowCount: number };
    assert.deepEqual([page.rows[0]!.index, page.rows.at(-1)!.index, page.rowCount], [250, 299, 300]);
    const failing = runItemIdOf(1, 0);
    const detail = await controller.handlers['results/cell']({ runItemId: failing });
    assert.ok(detail);
    assert.equal(detail.status, 'fail');
    assert.equal(detail.output, long);
    assert.deepEqual(
      detail.assertions.map((a) => [a.type, a.pass, a.reason]),
      [
        ['contains', false, 'Expected the output to contain "2"'],
        ['latency', true, '237 ms is within 5000 ms'],
      ],
    );
    assert.equal(detail.columnLabel, 'support-bot v1 · gpt-4o');
    assert.match(detail.vars, /"query": "What is 1 \+ 1\?"/);
  });

  it('compares two cells: both outputs, and the assertions that differ', async () => {
    const { controller } = setup();
    // Item 1: column 0 fails (slot 7), column 1 passes (slot 0).
    const comparison = await controller.handlers['results/compare']({ a: runItemIdOf(1, 0), b: runItemIdOf(1, 1) });
    assert.ok(comparison);
    assert.deepEqual([comparison.a.status, comparison.b.status], ['fail', 'pass']);
    assert.deepEqual(
      comparison.differing.map((d) => [d.type, d.a?.pass, d.b?.pass]),
      [['contains', false, true]],
    );
  });

  it('coalesces a burst of changes into one event per interval, carrying only the rows that changed', () => {
    const { batch, timers, events, controller } = setup();
    const version = controller.snapshot().version;
    // Idle for longer than the interval: the first change goes on the next tick.
    timers.now = 1000;
    batch.status = 'running';
    for (let i = 0; i < 50; i++) {
      batch.set(10, 2, i % 2 === 0 ? 'running' : 'queued');
      batch.set(20, 0, 'running');
      batch.emit();
    }
    assert.equal(events.length, 0, 'nothing is sent in the same tick');
    timers.advance(0);
    assert.equal(events.length, 1);
    const first = events[0]!;
    assert.equal(first.method, 'results/changed');
    if (first.method !== 'results/changed') {
      return;
    }
    assert.equal(first.params.version, version + 1);
    assert.deepEqual(first.params.rows.map((row) => row.index), [10, 20]);
    assert.equal(first.params.rows[1]!.cells[0]!.status, 'running');
    assert.equal(first.params.status, 'running');
    // More changes right after: they wait for the interval, then go as one.
    batch.set(20, 0, 'pass');
    batch.emit();
    batch.set(30, 1, 'fail');
    batch.emit();
    timers.advance(UPDATE_INTERVAL_MS - 1);
    assert.equal(events.length, 1);
    timers.advance(1);
    assert.equal(events.length, 2);
    const second = events[1]!;
    assert.ok(second.method === 'results/changed');
    assert.deepEqual(second.params.rows.map((row) => row.index), [20, 30]);
    assert.equal(second.params.version, version + 2);
    // A change event that changes nothing sends nothing.
    batch.emit();
    timers.advance(UPDATE_INTERVAL_MS);
    assert.equal(events.length, 2);
  });

  it('re-reads progress while the batch runs, so rate-limit waits show without item changes', () => {
    const { batch, timers, events, controller } = setup({ items: 10, columns: 2 });
    batch.status = 'running';
    batch.figures = { done: 3, total: 20, running: 2, waitedMs: 0, rateLimited: 0 };
    controller.snapshot();
    batch.figures = { done: 3, total: 20, running: 2, waitedMs: 14_000, rateLimited: 2 };
    timers.advance(1000);
    assert.equal(events.length, 1);
    const event = events[0]!;
    assert.ok(event.method === 'results/changed');
    assert.deepEqual(event.params.progress, { done: 3, total: 20, running: 2, waitedMs: 14_000, rateLimited: 2, live: true });
    assert.deepEqual(event.params.rows, []);
    // Ended: no more polling.
    batch.status = 'completed';
    batch.emit();
    timers.advance(UPDATE_INTERVAL_MS);
    const count = events.length;
    timers.advance(10_000);
    assert.equal(events.length, count);
  });

  it('asks the panel to start over when the table changes shape, and closes when the run is gone', () => {
    const { batch, timers, events, controller, gone } = setup({ items: 5, columns: 2 });
    controller.snapshot();
    batch.items.push({ id: 'item-new', description: 'New', vars: {} });
    batch.emit();
    timers.advance(UPDATE_INTERVAL_MS);
    assert.deepEqual(events.map((event) => event.method), ['results/reset']);
    batch.title = undefined as unknown as string;
    batch.emit();
    timers.advance(UPDATE_INTERVAL_MS);
    assert.equal(gone(), 1);
    controller.dispose();
  });
});
