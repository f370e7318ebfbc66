/* global window, document, requestAnimationFrame -- the callbacks passed to page.evaluate run in the panel */
// The batch Results webview (dist/webview/results.js) in real Chromium under the CSP src/webviews/html.ts sets,
// answered by the real host code (out/src: dispatcher and ResultsController) over a synthetic batch whose tables the
// real buildResultsTable builds: what it shows (summaries, rows, a window of them), filtering, details, compare,
// keyboard, the requests it sends (export, re-run, cancel), live updates, and that hostile strings in outputs and
// vars render as text and never run or call home. It also measures the first paint and the longest task while
// scrolling, and prints them (timings vary by machine: they are reported, not asserted).
import assert from 'node:assert/strict';
import { existsSync, mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { launchChromium } from '../../scripts/host/browser.mjs';
import { FakeResultsHost, ResultsPage, hostModules, startResultsServer, webviewDist } from './harness/resultsHost.mjs';
import { xssPayloads } from './harness/payloads.mjs';
import { startCountingServer } from './harness/servers.mjs';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const screenshots = path.join(repoRoot, '.test-results', 'screenshots');
const ROW_HEIGHT = 48;

/** The panel's figures as it writes them (webview-ui/src/inspector/format.ts), to compare with the table's. */
const count = (n) => n.toLocaleString('en-US');
const duration = (ms) => (ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`);
const usd = (value) => {
  const rounded = Math.round(value * 1e6) / 1e6;
  return rounded === 0 ? '$0' : rounded >= 100 ? `$${rounded.toFixed(0)}` : rounded >= 1 ? `$${rounded.toFixed(2)}` : `$${Number(rounded.toPrecision(3))}`;
};

describe('Results webview in Chromium (harness)', function () {
  this.timeout(120_000);
  let browser;
  let server;
  let leak;
  /** @type {ResultsPage | undefined} */
  let results;
  let m;

  before(async function () {
    const bundle = path.join(webviewDist, 'results.js');
    if (!existsSync(bundle)) {
      throw new Error(`${bundle} is missing: run \`node esbuild.mjs\` first`);
    }
    m = hostModules();
    server = await startResultsServer();
    leak = await startCountingServer();
    browser = await launchChromium();
  });

  afterEach(async function () {
    if (this.currentTest?.state === 'failed' && results) {
      mkdirSync(screenshots, { recursive: true });
      const file = path.join(screenshots, `results-${this.currentTest.title.replace(/[^\w-]+/g, '_').slice(0, 80)}.png`);
      await results.page.screenshot({ path: file }).catch(() => {});
      console.log(`    screenshot: ${path.relative(repoRoot, file)}`);
    }
    if (results) {
      const { pageErrors, host } = results;
      await results.close();
      results = undefined;
      assert.deepEqual(pageErrors, [], 'uncaught errors in the panel');
      assert.deepEqual(host.errors, [], 'requests the host refused');
    }
  });

  after(async () => {
    await browser?.close();
    await server?.close();
    await leak?.close();
  });

  /** A synthetic batch of `items` × `columns` and its panel. */
  async function openBatch({ items = 1000, columns = 4, status = 'completed', fixture = {}, page } = {}) {
    const batch = new m.SyntheticBatch('run-harness', { items, columns, ...fixture });
    batch.status = status;
    const host = new FakeResultsHost(batch);
    results = await ResultsPage.open(browser, server.origin, host, page);
    return { batch, host };
  }

  const grid = () => results.page.locator('#results-grid');
  /** Waits until the panel has every row (the Re-run failed button then says how many cells failed). */
  const allRowsLoaded = () => results.page.locator('#rerun-failed .button-text').filter({ hasText: /\(\d[\d,]*\)$/ }).waitFor();

  describe('rendering', () => {
    it('shows each column’s summary, renders only a window of rows, and scrolls to the last item; dark screenshot', async () => {
      const { batch } = await openBatch();
      const table = batch.table();
      await results.row(0).waitFor();
      assert.match(await results.page.locator('#results-title').innerText(), /Results: support-questions\.jsonl/);
      assert.equal(await results.page.locator('#batch-status').innerText(), 'Completed');
      // The header: each column's label, pass rate, costs and latency percentiles, as the table has them.
      const headers = results.page.locator('.header-row .columnheader[data-column]');
      assert.equal(await headers.count(), 4);
      for (const [index, summary] of table.summaries.entries()) {
        const text = await headers.nth(index).innerText();
        assert.match(text, new RegExp(summary.label.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));
        assert.ok(text.includes(`${Math.round(summary.passRate * 100)}% pass · ${count(summary.passed)} / ${count(summary.graded)}`), text);
        assert.ok(text.includes(`${count(summary.errored)} errors`), text);
        assert.ok(text.includes(`≥ ${usd(summary.totalCostUsd)} total · ${usd(summary.meanCostUsd)} mean`), text);
        assert.ok(text.includes(`p50 ${duration(summary.latencyP50)} · p95 ${duration(summary.latencyP95)}`), text);
      }
      // A row: the item, its vars, and each cell's verdict, assertions, cost and latency.
      assert.match(await results.cell(0, 0).innerText(), /Question 0\s+\{"query":"What is 0 \+ 0\?","n":0\}/);
      const first = await results.cell(0, 1).innerText();
      assert.match(first, /^Pass\s+2\/2 · \$0\.0001 · 200 ms\s+The answer is 0\. To add 0 and 0/);
      assert.equal(await results.cell(1, 1).getAttribute('data-status'), 'fail');
      assert.match(await results.cell(1, 1).innerText(), /^Fail 0\.50\s+1\/2 · \$0\.0002 · 237 ms/);
      assert.equal(await results.cell(1, 2).getAttribute('data-status'), 'pass');
      // ARIA: a grid of 1,000 rows (+ the header) and 5 columns, its cells labelled.
      assert.equal(await grid().getAttribute('role'), 'grid');
      assert.equal(await grid().getAttribute('aria-rowcount'), '1001');
      assert.equal(await grid().getAttribute('aria-colcount'), '5');
      assert.match(await results.cell(1, 1).getAttribute('aria-label'), /^support-bot v1 · gpt-4o, Question 1: Fail, score 0\.50, 1 of 2 assertions passed/);
      // Only a window of the 1,000 rows is in the DOM.
      const rendered = await results.renderedIndexes();
      assert.ok(rendered.length > 5 && rendered.length < 50, `${rendered.length} rows in the DOM`);
      assert.equal(await results.page.locator('.gridcell').count(), rendered.length * 5);

      await grid().evaluate((el) => (el.scrollTop = el.scrollHeight));
      await results.row(999).waitFor();
      assert.match(await results.cell(999, 0).innerText(), /^Question 999/);
      assert.ok(await results.row(999).isVisible());
      const atEnd = await results.renderedIndexes();
      assert.ok(atEnd.length < 50 && atEnd.includes(999) && !atEnd.includes(0), `${atEnd.length} rows: ${atEnd[0]}..${atEnd.at(-1)}`);

      // The screenshot: back at the top, a failing cell's detail open.
      await grid().evaluate((el) => (el.scrollTop = 0));
      await results.cell(1, 1).click();
      await results.page.locator('#detail .assertion').first().waitFor();
      mkdirSync(screenshots, { recursive: true });
      await results.page.screenshot({ path: path.join(screenshots, 'results-panel.png') });
    });

    it('shows only the failing rows with “Failures only”, and all of them again', async () => {
      const { batch } = await openBatch();
      await allRowsLoaded();
      const failing = batch
        .table()
        .rows.map((row, index) => (row.cells.some((cell) => cell.status === 'fail' || cell.status === 'error') ? index : -1))
        .filter((index) => index >= 0);
      assert.ok(failing.length > 0 && failing.length < 1000);
      await results.page.locator('#failures-only').click();
      assert.equal(await results.page.locator('#failures-only').getAttribute('aria-pressed'), 'true');
      await results.page.waitForFunction((n) => document.getElementById('results-grid').getAttribute('aria-rowcount') === String(n + 1), failing.length);
      await results.row(failing[0]).waitFor();
      const shown = await results.renderedIndexes();
      assert.deepEqual(shown, failing.slice(0, shown.length), 'the failing rows, in order, and no others');
      const statuses = await results.page.evaluate(() =>
        [...document.querySelectorAll('.rows-block .row:not([hidden])')].map((row) => [...row.querySelectorAll('.result-cell')].map((cell) => cell.dataset.status)),
      );
      assert.ok(statuses.every((cells) => cells.some((s) => s === 'fail' || s === 'error')), JSON.stringify(statuses));
      await grid().evaluate((el) => (el.scrollTop = el.scrollHeight));
      await results.row(failing.at(-1)).waitFor();
      await results.page.locator('#failures-only').click();
      await results.page.waitForFunction(() => document.getElementById('results-grid').getAttribute('aria-rowcount') === '1001');
      await results.row(0).waitFor();
      assert.ok((await results.renderedIndexes()).includes(0));
    });
  });

  describe('detail and compare', () => {
    it('opens a cell’s output and each assertion’s verdict and reason; Open transcript and Inspect reach the host', async () => {
      const { batch } = await openBatch({ items: 300 });
      await results.row(1).waitFor();
      await results.cell(1, 1).click();
      const detail = results.page.locator('#detail');
      await detail.locator('.assertion').first().waitFor();
      assert.equal(await results.page.locator('#detail-title').innerText(), 'Question 1 · support-bot v1 · gpt-4o');
      assert.match(await detail.locator('.detail-meta').first().innerText(), /Fail\s+score 0\.50\s+cost \$0\.0002\s+237 ms/);
      const assertions = await detail.locator('.assertion').allInnerTexts();
      assert.equal(assertions.length, 2);
      assert.match(assertions[0], /contains\s+fail 0\.00\s+Expected the output to contain "2"/);
      assert.match(assertions[1], /latency \(speed\)\s+pass 1\.00\s+237 ms is within 5000 ms/);
      assert.equal(await detail.locator('[data-section="output"] pre').innerText(), 'I think the answer is 3.\nLet me explain: 1 plus 1 is roughly 3.');
      assert.match(await detail.locator('[data-section="vars"] pre').innerText(), /"query": "What is 1 \+ 1\?"/);
      assert.ok(await results.cell(1, 1).evaluate((el) => el.classList.contains('open')), 'the open cell is marked in the grid');

      await detail.locator('[data-action="open-transcript"]').click();
      await results.waitForPosted('request', { method: 'results/openTranscript' });
      await detail.locator('[data-action="inspect"]').click();
      await results.waitForPosted('request', { method: 'results/inspect' });
      await waitFor(() => batch.calls.length === 2);
      assert.deepEqual(batch.calls, [
        { method: 'openTranscript', args: ['s-1-0'] },
        { method: 'inspect', args: ['s-1-0'] },
      ]);

      // An errored cell says why it has no output.
      const errored = batch.table().rows.findIndex((row) => row.cells[0].status === 'error');
      await grid().evaluate((el, top) => (el.scrollTop = top), errored * ROW_HEIGHT);
      await results.cell(errored, 1).click();
      await detail.locator('.assertion.not-run').first().waitFor();
      assert.match(await detail.locator('[data-section="output"]').innerText(), /The run failed: provider returned 500/);
      await results.page.keyboard.press('Escape');
      await detail.waitFor({ state: 'hidden' });
    });

    it('compares two cells side by side: from the detail, and by Ctrl+clicking two cells', async () => {
      await openBatch({ items: 300 });
      await results.row(1).waitFor();
      await results.cell(1, 1).click();
      const detail = results.page.locator('#detail');
      await detail.getByRole('button', { name: 'Compare with support-bot v2 · gpt-4o' }).click();
      await detail.locator('.compare-sides').waitFor();
      assert.equal(await results.page.locator('#detail-title').innerText(), 'Compare · Question 1');
      const sides = detail.locator('.compare-side');
      assert.match(await sides.nth(0).innerText(), /A · support-bot v1 · gpt-4o\s+Fail/);
      assert.match(await sides.nth(1).innerText(), /B · support-bot v2 · gpt-4o\s+Pass/);
      assert.ok((await sides.nth(0).locator('.diff-line.changed').count()) > 0, 'the lines B lacks are marked in A');
      const differing = await detail.locator('.differing tbody tr').allInnerTexts();
      assert.equal(differing.length, 1);
      assert.match(differing[0], /contains\s+fail 0\.00: Expected the output to contain "2"\s+pass 1\.00: The output contains "2"/);

      await results.cell(4, 1).click({ modifiers: ['Control'] });
      await results.cell(4, 3).click({ modifiers: ['Control'] });
      await results.page.locator('#detail-title').getByText('Compare · Question 4').waitFor();
      const posted = (await results.requests('results/compare')).at(-1);
      assert.deepEqual(posted.params, { a: 'ri-4-0', b: 'ri-4-2' });
      assert.equal(await results.page.locator('.result-cell.marked').count(), 2);
      await results.page.keyboard.press('Escape');
      await detail.waitFor({ state: 'hidden' });
      assert.equal(await results.page.locator('.result-cell.marked').count(), 0);
    });
  });

  describe('keyboard', () => {
    it('moves focus between cells with the arrows (one tab stop), opens with Enter, closes with Escape', async () => {
      await openBatch();
      await results.row(0).waitFor();
      await results.cell(0, 1).click();
      await results.page.locator('#detail').waitFor();
      await results.page.keyboard.press('Escape');
      await results.page.locator('#detail').waitFor({ state: 'hidden' });
      assert.deepEqual(await results.focused(), { index: 0, column: 1, tabIndex: 0 });
      await results.page.keyboard.press('ArrowDown');
      assert.deepEqual(await results.focused(), { index: 1, column: 1, tabIndex: 0 });
      await results.page.keyboard.press('ArrowRight');
      await results.page.keyboard.press('ArrowRight');
      assert.deepEqual(await results.focused(), { index: 1, column: 3, tabIndex: 0 });
      for (let i = 0; i < 5; i++) {
        await results.page.keyboard.press('ArrowLeft');
      }
      assert.deepEqual(await results.focused(), { index: 1, column: 0, tabIndex: 0 });
      assert.equal(await results.page.locator('.rows-block [tabindex="0"]').count(), 1, 'one tab stop in the grid (roving tabindex)');
      await results.page.keyboard.press('Space');
      await results.page.locator('.rows-block .row.selected[data-index="1"]').waitFor();
      assert.match(await results.page.locator('#rerun-selected').innerText(), /Re-run selected \(1\)/);
      await results.page.keyboard.press('End');
      assert.deepEqual(await results.focused(), { index: 1, column: 4, tabIndex: 0 });
      await results.page.keyboard.press('Control+End');
      assert.deepEqual(await results.focused(), { index: 999, column: 4, tabIndex: 0 });
      await results.page.keyboard.press('Enter');
      await results.page.locator('#detail-title').getByText('Question 999 · support-bot v2 · llama3.1:8b').waitFor();
      await results.page.keyboard.press('Escape');
      assert.deepEqual(await results.focused(), { index: 999, column: 4, tabIndex: 0 }, 'focus returns to the cell');
      await results.page.keyboard.press('Control+Home');
      assert.deepEqual(await results.focused(), { index: 0, column: 0, tabIndex: 0 });
      await results.page.keyboard.press('PageDown');
      const paged = await results.focused();
      assert.ok(paged.index > 5 && paged.column === 0, JSON.stringify(paged));
    });
  });

  describe('actions', () => {
    it('sends exports in the format asked, re-runs exactly the failing cells, and the selected items’ cells', async () => {
      const { batch } = await openBatch();
      await allRowsLoaded();
      await results.page.locator('#export-jsonl').click();
      assert.deepEqual((await results.waitForPosted('request', { method: 'results/export' })).params, { format: 'jsonl' });
      const after = await results.postedCount();
      await results.page.locator('#export-csv').click();
      assert.deepEqual((await results.waitForPosted('request', { method: 'results/export', after })).params, { format: 'csv' });

      const failing = batch.failingIds();
      assert.match(await results.page.locator('#rerun-failed').innerText(), new RegExp(`Re-run failed \\(${count(failing.length)}\\)`));
      await results.page.locator('#rerun-failed').click();
      const rerun = await results.waitForPosted('request', { method: 'results/rerun' });
      assert.deepEqual(rerun.params.runItemIds, failing);
      await results.page.locator('#notice').getByText(`Running ${count(failing.length)} cells again`).waitFor();

      // Rows 0 to 3 (a click, then a shift-click on the checkboxes): their 16 cells.
      await results.row(0).locator('.row-check').click();
      await results.row(3).locator('.row-check').click({ modifiers: ['Shift'] });
      await results.page.locator('#rerun-selected').getByText('Re-run selected (4)').waitFor();
      // The grid re-draws the rows on the next frame.
      await results.page.waitForFunction(() => document.querySelectorAll('.rows-block .row.selected:not([hidden])').length === 4);
      assert.deepEqual(await results.page.evaluate(() => [...document.querySelectorAll('.rows-block .row.selected')].map((row) => Number(row.dataset.index)).sort()), [0, 1, 2, 3]);
      const before = await results.postedCount();
      await results.page.locator('#rerun-selected').click();
      const selected = await results.waitForPosted('request', { method: 'results/rerun', after: before });
      assert.deepEqual(selected.params.runItemIds, [0, 1, 2, 3].flatMap((item) => [0, 1, 2, 3].map((column) => `ri-${item}-${column}`)));
      await waitFor(() => batch.calls.filter((call) => call.method === 'rerun').length === 2);
      assert.deepEqual(
        batch.calls.map((call) => [call.method, call.method === 'rerun' ? call.args[1].length : call.args[1]]),
        [
          ['exportResults', 'jsonl'],
          ['exportResults', 'csv'],
          ['rerun', failing.length],
          ['rerun', 16],
        ],
      );
      // The selection is done with once its items run again.
      await results.page.locator('.rows-block .row.selected').first().waitFor({ state: 'detached' });
    });
  });

  describe('live', () => {
    it('shows progress and rate-limit waits, a cell changing as it runs, new summaries, and Cancel while running', async () => {
      const { batch, host } = await openBatch({ items: 200, status: 'running' });
      batch.figures = { done: 412, total: 2000, running: 4, waitedMs: 14_000, rateLimited: 3 };
      batch.emit();
      const progress = results.page.locator('#progress');
      await progress.getByText('412 / 2,000 done · 4 running · waited 14 s for rate limits').waitFor();
      assert.match(await progress.getAttribute('title'), /Rate limited 3 times/);
      assert.equal(await results.page.locator('#batch-status').innerText(), 'Running');
      assert.equal(await results.page.locator('#cancel-batch').isVisible(), true);
      assert.equal(await results.page.locator('#rerun-failed').isDisabled(), true, 'no re-run while the batch runs');

      const passedBefore = batch.table().summaries[0].passed;
      batch.set(0, 0, 'running');
      batch.emit();
      await results.page.locator('.rows-block .row[data-index="0"] [data-col="1"][data-status="running"] .codicon-loading').waitFor();
      assert.match(await results.cell(0, 1).innerText(), /^Running/);
      batch.set(0, 0, 'fail');
      batch.emit();
      await results.page.locator('.rows-block .row[data-index="0"] [data-col="1"][data-status="fail"]').waitFor();
      assert.match(await results.cell(0, 1).innerText(), /^Fail 0\.50/);
      const summary = batch.table().summaries[0];
      assert.equal(summary.passed, passedBefore - 1);
      await results.page.locator('.header-row .columnheader[data-column="col-0"]').getByText(`${Math.round(summary.passRate * 100)}% pass · ${summary.passed} / ${summary.graded}`).waitFor();
      // Every change went as one event with only the changed row.
      const changed = host.events.filter((event) => event.method === 'results/changed' && event.params.rows.length > 0);
      assert.ok(changed.every((event) => event.params.rows.length === 1 && event.params.rows[0].index === 0), JSON.stringify(changed.map((e) => e.params.rows.map((r) => r.index))));

      await results.page.locator('#cancel-batch').click();
      await results.waitForPosted('request', { method: 'results/cancel' });
      await waitFor(() => batch.calls.some((call) => call.method === 'cancel'));
      batch.status = 'cancelled';
      batch.emit();
      await results.page.locator('#batch-status').getByText('Cancelled').waitFor();
      assert.equal(await results.page.locator('#cancel-batch').isVisible(), false);
    });
  });

  describe('hostile content', () => {
    it('renders hostile strings in outputs, vars and descriptions as text: nothing runs, nothing loads, no dialog', async () => {
      const payloads = xssPayloads();
      const text = (i) => `${payloads[i % payloads.length].text} <img src="${leak.origin}/leak-${payloads[i % payloads.length].name}">`;
      await openBatch({
        items: payloads.length,
        columns: 2,
        fixture: {
          outcome: (item, column) => (column === 0 ? 'fail' : 'pass'),
          varsOf: (i) => ({ query: text(i), n: i }),
          descriptionOf: (i) => text(i),
          outputOf: (i, column) => `${text(i)}\n${column === 0 ? payloads[(i + 1) % payloads.length].text : 'fine'}`,
        },
      });
      await results.row(0).waitFor();
      for (let index = 0; index < payloads.length; index++) {
        await grid().evaluate((el, top) => (el.scrollTop = top), index * ROW_HEIGHT);
        await results.cell(index, 1).click();
        await results.page.locator('#detail [data-section="output"] pre').waitFor();
        assert.equal(await results.page.locator('#detail [data-section="output"] pre').innerText(), `${text(index)}\n${payloads[(index + 1) % payloads.length].text}`);
      }
      // The comparison view too.
      await results.page.locator('#detail .compare-with').click();
      await results.page.locator('#detail .compare-sides').waitFor();
      assert.match(await results.cell(0, 0).innerText(), /<script>window\.__xss_script=1<\/script>/);
      const found = await results.page.evaluate(() => ({
        flags: Object.keys(window).filter((key) => key.startsWith('__xss_')),
        images: document.images.length,
        scripts: document.querySelectorAll('body script').length,
        iframes: document.querySelectorAll('iframe, object, embed, svg:not(.codicon)').length,
        handlers: [...document.querySelectorAll('#app *')].flatMap((el) => [...el.attributes].filter((a) => /^on/i.test(a.name)).map((a) => a.name)),
      }));
      assert.deepEqual(found, { flags: [], images: 0, scripts: 1, iframes: 0, handlers: [] });
      assert.deepEqual(results.dialogs, []);
      assert.deepEqual(leak.hits, []);
      assert.deepEqual(server.strayHits.filter((hit) => hit !== '/favicon.ico'), []);
      assert.deepEqual(await results.violations(), []);
    });

    it('drops host messages that do not match the protocol and keeps working', async () => {
      const { batch, host } = await openBatch({ items: 50, status: 'running' });
      await results.row(0).waitFor();
      const garbage = [
        null,
        42,
        { kind: 'event', event: { method: 'results/changed', params: { version: 'next' } } },
        { kind: 'event', event: { method: 'results/changed', params: { version: 99, rows: 'all' } } },
        { kind: 'event', event: { method: '__proto__', params: { version: 1 } } },
        { kind: 'snapshot', snapshot: { runId: 'x', head: 'nope' } },
        { kind: 'response', id: 99_999, result: {} },
        JSON.parse('{"kind":"event","event":{"method":"results/changed","params":{"__proto__":{"polluted":true},"version":1}}}'),
      ];
      for (const message of garbage) {
        await host.push(message);
      }
      batch.set(2, 1, 'fail');
      batch.emit();
      await results.page.locator('.rows-block .row[data-index="2"] [data-col="2"][data-status="fail"]').waitFor();
      assert.equal(await results.page.evaluate(() => ({}).polluted), undefined);
      assert.ok(host.problems.length > 0, 'the panel reported what it dropped');
    });
  });

  describe('performance (reported, not asserted)', () => {
    for (const [items, columns] of [
      [500, 4],
      [1000, 4],
    ]) {
      it(`first paint and the longest task while scrolling through ${count(items * columns)} cells`, async () => {
        await openBatch({
          items,
          columns,
          page: {
            initScript: () => {
              window.__longTasks = [];
              // The panel's own JavaScript per frame (its grid renders in animation-frame callbacks), apart from the
              // browser's style, layout and paint, which the long tasks include.
              window.__frameJs = [];
              const raf = window.requestAnimationFrame.bind(window);
              window.requestAnimationFrame = (callback) =>
                raf((time) => {
                  const started = performance.now();
                  callback(time);
                  window.__frameJs.push(performance.now() - started);
                });
              new PerformanceObserver((list) => window.__longTasks.push(...list.getEntries().map((e) => ({ start: e.startTime, duration: e.duration })))).observe({ type: 'longtask', buffered: true });
            },
          },
        });
        await results.row(0).waitFor();
        await allRowsLoaded();
        const paint = await results.page.evaluate(() => ({
          firstRows: performance.getEntriesByName('results-first-rows')[0]?.startTime ?? null,
          fcp: performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? null,
          loadTasks: window.__longTasks.map((t) => Math.round(t.duration)),
        }));
        const scroll = await results.page.evaluate(
          () =>
            new Promise((resolve) => {
              const el = document.getElementById('results-grid');
              const started = performance.now();
              window.__frameJs = [];
              let frames = 0;
              const tick = () => {
                frames++;
                if (el.scrollTop + el.clientHeight >= el.scrollHeight - 1) {
                  requestAnimationFrame(() => {
                    const during = window.__longTasks.filter((t) => t.start >= started);
                    resolve({
                      frames,
                      ms: performance.now() - started,
                      longTasks: during.length,
                      longest: Math.max(0, ...during.map((t) => t.duration)),
                      frameJsMax: Math.max(0, ...window.__frameJs),
                      frameJsMean: window.__frameJs.reduce((sum, t) => sum + t, 0) / Math.max(1, window.__frameJs.length),
                    });
                  });
                  return;
                }
                el.scrollTop += 240;
                requestAnimationFrame(tick);
              };
              requestAnimationFrame(tick);
            }),
        );
        await results.row(items - 1).waitFor();
        console.log(
          `      ${count(items * columns)} cells: first rows painted at ${Math.round(paint.firstRows)} ms (first contentful paint ${Math.round(paint.fcp)} ms; long tasks while loading: ${paint.loadTasks.join(', ') || 'none'}); ` +
            `scrolled to the end in ${scroll.frames} frames / ${Math.round(scroll.ms)} ms, ${scroll.longTasks} long tasks, longest ${Math.round(scroll.longest)} ms; ` +
            `the panel's JavaScript per frame: mean ${scroll.frameJsMean.toFixed(2)} ms, max ${scroll.frameJsMax.toFixed(1)} ms (load average ${os.loadavg()[0].toFixed(2)} on ${os.cpus().length} cores)`,
        );
        assert.ok(paint.firstRows !== null, 'the panel marked its first paint');
        assert.ok((await results.renderedIndexes()).includes(items - 1));
      });
    }
  });
});

/** Waits (briefly) for the host side to have seen something: it runs in this process, a moment after the panel posts. */
async function waitFor(predicate, timeoutMs = 5000) {
  const until = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > until) {
      throw new Error('timed out waiting for the host');
    }
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
