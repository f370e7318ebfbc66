/* global window, document, requestAnimationFrame -- the callbacks passed to page.evaluate run in the panel, not in Node */
// The Inspector's webview (dist/webview/inspector.js) in real Chromium under the CSP src/webviews/html.ts sets,
// answered by the real host code (out/src: dispatcher, controller, the store-backed source over a real sql.js store
// seeded like a chat session): what it renders, how it pages, filters, selects and opens details, that live appends
// show up, and that hostile strings in events render as text and never run or call home.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { launchChromium } from '../../scripts/host/browser.mjs';
import { FakeInspectorHost, InspectorPage, hostModules, seededStore, startInspectorServer, toolTurnSession } from './harness/inspectorHost.mjs';
import { xssPayloads } from './harness/payloads.mjs';
import { startCountingServer } from './harness/servers.mjs';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const screenshots = path.join(repoRoot, '.test-results', 'screenshots');
const SENTINEL = 'sk-inspector-SENTINEL-0123456789';

describe('Inspector webview in Chromium (harness)', function () {
  this.timeout(120_000);
  let browser;
  let server;
  let leak;
  /** @type {InspectorPage | undefined} */
  let inspector;
  const stores = [];
  let m;

  before(async function () {
    const bundle = path.join(process.env.INSPECTOR_WEBVIEW_DIST ?? path.join(repoRoot, 'dist/webview'), 'inspector.js');
    if (!existsSync(bundle)) {
      throw new Error(`${bundle} is missing: run \`npm run build\` first`);
    }
    m = hostModules();
    server = await startInspectorServer();
    leak = await startCountingServer();
    browser = await launchChromium();
  });

  afterEach(async function () {
    if (this.currentTest?.state === 'failed' && inspector) {
      mkdirSync(screenshots, { recursive: true });
      const file = path.join(screenshots, `inspector-${this.currentTest.title.replace(/[^\w-]+/g, '_').slice(0, 80)}.png`);
      await inspector.page.screenshot({ path: file }).catch(() => {});
      console.log(`    screenshot: ${path.relative(repoRoot, file)}`);
    }
    if (inspector) {
      assert.deepEqual(inspector.pageErrors, [], 'uncaught errors in the panel');
      assert.deepEqual(inspector.host.errors, [], 'requests the host refused');
      await inspector.close();
      inspector = undefined;
    }
    for (const store of stores.splice(0)) {
      store.close();
    }
  });

  after(async () => {
    await browser?.close();
    await server?.close();
    await leak?.close();
  });

  /** A session of `events` seeded events behind a store-backed source, and its panel. */
  async function openSession(events, options = {}) {
    const seeded = await seededStore(events, options);
    stores.push(seeded.store);
    const source = new m.StoreInspectorSource({ store: seeded.store, scope: { sessionId: seeded.session.id }, title: options.title ?? 'Harness session' });
    const host = new FakeInspectorHost(source, { kind: 'session', sessionId: seeded.session.id }, options.focus);
    inspector = await InspectorPage.open(browser, server.origin, host, options.page);
    return { ...seeded, source, host };
  }

  const countText = () => inspector.page.locator('#row-count').innerText();
  /** The text of one cell of every row on screen, in list order (the list recycles rows, so DOM order is not it). */
  const shownRows = (cell) =>
    inspector.page.evaluate(
      (selector) =>
        [...document.querySelectorAll('.rows-block .row:not([hidden]):not(.loading)')]
          .sort((a, b) => Number(a.dataset.index) - Number(b.dataset.index))
          .map((row) => row.querySelector(selector).textContent),
      cell,
    );

  describe('rendering', () => {
    it('renders a session as a waterfall grouped by turn, with its totals; dark and light screenshots', async () => {
      const { source, events } = await openSession(2000);
      await inspector.row(0).waitFor();
      assert.match(await inspector.page.locator('#inspector-title').innerText(), /Inspector: Harness session/);
      assert.equal(await inspector.page.locator('#live-badge').isVisible(), true);
      const first = inspector.row(0);
      assert.equal(await first.locator('.turn-badge').innerText(), 'T1');
      assert.match(await first.innerText(), /User message/);
      const call = inspector.row(2);
      assert.match(await call.locator('.label').innerText(), /^chat gpt-4o$/);
      assert.match(await call.locator('.tokens').innerText(), /1,010\s*\/\s*101/);
      assert.match(await call.locator('.cost').innerText(), /^\$0\.00\d+$/);
      assert.equal(await call.locator('.bar.timed .ttft').isVisible(), true, 'a model call shows its time to first token');
      // The totals arrive after the rows: the first paint does not wait for a pass over every event.
      const session = inspector.page.locator('.totals-line[data-scope="session"]');
      await session.getByText(`${events.length.toLocaleString('en-US')} events`).waitFor();
      assert.match(await session.innerText(), /calls.*errors.*in .*out .*\$\d+\.\d+ \+ \d+ unknown/s);
      assert.equal(await countText(), `${source.total().toLocaleString('en-US')} events`);
      // Only a screenful of rows is in the DOM.
      assert.ok((await inspector.renderedIndexes()).length < 80);

      await inspector.row(6).click();
      await inspector.page.locator('.detail-section[data-section="Response"]').waitFor();
      mkdirSync(screenshots, { recursive: true });
      await inspector.page.screenshot({ path: path.join(screenshots, 'inspector-dark.png') });
      await inspector.close();

      const light = await openSession(2000, { page: { theme: 'light' } });
      await inspector.row(0).waitFor();
      await inspector.row(6).click();
      await inspector.page.locator('.detail-section[data-section="Response"]').waitFor();
      await inspector.page.locator('.totals-line[data-scope="session"] .totals-part').first().waitFor();
      await inspector.page.screenshot({ path: path.join(screenshots, 'inspector-light.png') });
      assert.ok(light.source.total() > 0);
    });

    it('shows an empty state for a session without events', async () => {
      await openSession(0);
      await inspector.page.locator('#empty-state').getByText('No events yet').waitFor();
      assert.match(await inspector.page.locator('#empty-state').innerText(), /appear here as the session runs/);
      assert.equal(await inspector.page.locator('#timeline').isVisible(), false);
    });
  });

  describe('paging', () => {
    it('fetches pages as the list scrolls, keeps the DOM to a screenful, and reaches the last row', async () => {
      const { source } = await openSession(5000);
      await inspector.row(0).waitFor();
      const before = (await inspector.requests('inspector/rows')).length;
      assert.equal(before, 0, 'the first and last pages came with the snapshot');
      const count = source.total();
      // The middle: not in the snapshot, so it is fetched.
      await inspector.page.locator('#timeline').evaluate((el) => (el.scrollTop = el.scrollHeight / 2));
      const middle = Math.floor(count / 2);
      await inspector.row(middle).waitFor();
      const asked = await inspector.requests('inspector/rows');
      assert.ok(asked.length >= 1 && asked.length <= 4, `${asked.length} page requests`);
      assert.ok(asked.every((r) => r.params.count === 100 && r.params.start % 100 === 0));
      const label = await inspector.row(middle).locator('.label').innerText();
      assert.equal(label, source.rows({ text: '', types: [] }, middle, 1)[0].label);
      // The end (its page came with the snapshot).
      await inspector.page.locator('#timeline').evaluate((el) => (el.scrollTop = el.scrollHeight));
      await inspector.row(count - 1).waitFor();
      const rendered = await inspector.renderedIndexes();
      assert.ok(rendered.length < 80, `${rendered.length} rows in the DOM`);
      assert.ok(rendered.includes(count - 1));
    });

    it('fetches nothing for the rows a fling flies past, then the rows where it stops', async () => {
      const { source } = await openSession(20_000);
      await inspector.row(0).waitFor();
      // 40 frames at 1,500 px a frame (68 rows, more than the list holds): ~2,700 rows, 27 pages flown past.
      const fling = await inspector.page.evaluate(
        () =>
          new Promise((resolve) => {
            const viewport = document.getElementById('timeline');
            const asked = () => window.__posted.filter((p) => p.kind === 'request' && p.method === 'inspector/rows').length;
            let frames = 0;
            const tick = () => {
              if (++frames > 40) {
                resolve({ asked: asked(), stoppedAt: Math.floor(viewport.scrollTop / 22) });
                return;
              }
              viewport.scrollTop += 1500;
              requestAnimationFrame(tick);
            };
            requestAnimationFrame(tick);
          }),
      );
      // A frame slower than the pause (a loaded machine) may fetch once on the way; never page after page.
      assert.ok(fling.asked <= 2, `${fling.asked} page requests during the fling`);
      const stop = fling.stoppedAt + 5;
      await inspector.row(stop).waitFor();
      assert.equal(await inspector.row(stop).locator('.label').innerText(), source.rows({ text: '', types: [] }, stop, 1)[0].label);
      const asked = await inspector.requests('inspector/rows');
      assert.ok(asked.length - fling.asked <= 2, `${asked.length - fling.asked} page requests once it stopped`);
      assert.ok(asked.some((r) => r.params.start <= stop && stop < r.params.start + r.params.count), 'the page where it stopped was fetched');
    });

    it('keeps up with the keyboard: arrows, End, Home, Enter opens the detail, Escape closes it', async () => {
      const { source } = await openSession(600);
      await inspector.row(0).waitFor();
      await inspector.row(0).click();
      await inspector.page.locator('#detail').waitFor();
      await inspector.page.keyboard.press('Escape');
      await inspector.page.locator('#detail').waitFor({ state: 'hidden' });
      await inspector.page.keyboard.press('ArrowDown');
      await inspector.page.keyboard.press('ArrowDown');
      await inspector.page.locator('.row.active[data-index="2"]').waitFor();
      assert.equal(await inspector.page.locator('#timeline').getAttribute('aria-activedescendant'), 'row-2');
      await inspector.page.keyboard.press('Enter');
      await inspector.page.locator('#detail-title').getByText('chat gpt-4o').waitFor();
      await inspector.page.keyboard.press('End');
      await inspector.page.locator(`.row.active[data-index="${source.total() - 1}"]`).waitFor();
      await inspector.page.keyboard.press('Home');
      await inspector.page.locator('.row.active[data-index="0"]').waitFor();
      // The bars' scale: each turn, or the whole session (the third turn's call moves right, and shrinks).
      const bar = inspector.row(10).locator('.bar');
      const turnScale = await bar.evaluate((el) => [parseFloat(el.style.left), parseFloat(el.style.width)]);
      await inspector.page.locator('#scale-toggle').click();
      await inspector.page.locator('#waterfall-header').getByText('Timeline (whole session)').waitFor();
      await inspector.page.waitForFunction((left) => parseFloat(document.querySelector('.rows-block .row[data-index="10"] .bar').style.left) !== left, turnScale[0]);
      const sessionScale = await bar.evaluate((el) => [parseFloat(el.style.left), parseFloat(el.style.width)]);
      assert.ok(sessionScale[0] > turnScale[0] && sessionScale[1] < turnScale[1], JSON.stringify({ turnScale, sessionScale }));
    });
  });

  describe('filters', () => {
    it('filters by text on the host: a new count, matching rows only, then back', async () => {
      const { source } = await openSession(800);
      await inspector.row(0).waitFor();
      const after = await inspector.postedCount();
      await inspector.page.locator('#filter-text input').fill('claude');
      const query = await inspector.waitForPosted('request', { method: 'inspector/query', after });
      assert.deepEqual(query.params.filter, { text: 'claude', types: [] });
      const matching = source.count({ text: 'claude', types: [] });
      await inspector.page.locator('#row-count').getByText(`${matching.toLocaleString('en-US')} of`).waitFor();
      await inspector.row(0).waitFor();
      const labels = await shownRows('.label');
      const expected = source.rows({ text: 'claude', types: [] }, 0, labels.length).map((row) => row.label);
      assert.deepEqual(labels, expected);
      assert.ok(labels.some((l) => /chat claude/.test(l)) && !labels.some((l) => /gpt/.test(l)), labels.join(', '));
      await inspector.page.locator('.totals-line[data-scope="filtered"]').getByText(`${matching} events`).waitFor();
      await inspector.page.locator('#filter-text input').fill('');
      await inspector.page.locator('#row-count').getByText(`${source.total().toLocaleString('en-US')} events`, { exact: true }).waitFor();
      assert.equal(await inspector.page.locator('.totals-line[data-scope="filtered"]').isVisible(), false);
    });

    it('filters by event type with the chips, and says when nothing matches', async () => {
      const { source } = await openSession(800);
      await inspector.row(0).waitFor();
      const chip = inspector.page.locator('#type-filter button[data-type="llm.error"]');
      await chip.waitFor();
      await chip.click();
      assert.equal(await chip.getAttribute('aria-pressed'), 'true');
      const errors = source.count({ text: '', types: ['llm.error'] });
      await inspector.page.locator('#row-count').getByText(`${errors} of`).waitFor();
      await inspector.row(0).waitFor();
      const types = await shownRows('.type');
      assert.ok(types.every((t) => t === 'llm.error'), types.join(', '));
      await inspector.page.locator('#filter-text input').fill('nothing matches this at all');
      await inspector.page.locator('#no-match').waitFor();
      await inspector.page.locator('#clear-filter').click();
      await inspector.page.locator('#row-count').getByText(`${source.total().toLocaleString('en-US')} events`, { exact: true }).waitFor();
      assert.equal(await chip.getAttribute('aria-pressed'), 'false');
    });
  });

  describe('detail and selection', () => {
    it('opens a call’s request and response as JSON, jumps between them, and copies it', async () => {
      const { source } = await openSession(400);
      await inspector.row(2).waitFor();
      await inspector.row(2).click();
      const detail = inspector.page.locator('#detail');
      await detail.locator('.detail-section[data-section="Response"]').waitFor();
      assert.deepEqual(await detail.locator('.detail-section h3').allInnerTexts(), ['Request', 'Response']);
      assert.match(await detail.locator('.detail-section[data-section="Response"] pre').innerText(), /"type": "llm.response.completed"/);
      assert.ok((await detail.locator('.json-key').count()) > 5, 'keys are highlighted');
      assert.equal(await inspector.page.locator('#replay-slot').count(), 1, 'a place is kept for Replay');
      await detail.getByRole('button', { name: 'Go to request' }).click();
      await inspector.page.locator('.row.active[data-index="1"]').waitFor();
      await inspector.page.locator('#copy-detail').click();
      await detail.locator('.detail-status').getByText('Copied').waitFor();
      const copied = await inspector.page.evaluate(() => navigator.clipboard.readText());
      assert.match(copied, /\/\/ Request\n\{/);
      assert.ok(source.total() > 0);
    });

    it('totals a selection: click, shift-click, ctrl-click and a whole turn', async () => {
      const { source } = await openSession(400);
      await inspector.row(0).waitFor();
      const selectionLine = inspector.page.locator('.totals-line[data-scope="selection"]');
      await inspector.row(1).click();
      await inspector.row(6).click({ modifiers: ['Shift'] });
      await selectionLine.getByText('6 events').waitFor();
      await inspector.row(9).click({ modifiers: ['Control'] });
      await selectionLine.getByText('7 events').waitFor();
      assert.equal(await inspector.page.locator('.rows-block .row.selected:not([hidden])').count(), 7);
      const expected = source.totals({ text: '', types: [] }, { ranges: [{ start: 1, end: 7 }, { start: 9, end: 10 }], turns: [], ids: [] });
      assert.match(await selectionLine.innerText(), new RegExp(`${expected.calls} calls`));
      // A turn's badge selects the whole turn.
      await inspector.row(4).locator('.turn-badge').click();
      const turn = source.totals({ text: '', types: [] }, { ranges: [], turns: [2], ids: [] });
      await selectionLine.getByText(`${turn.events} events`).waitFor();
      // Escape closes the detail the first click opened, then clears the selection.
      await inspector.page.keyboard.press('Escape');
      await inspector.page.locator('#detail').waitFor({ state: 'hidden' });
      await inspector.page.keyboard.press('Escape');
      await selectionLine.waitFor({ state: 'hidden' });
    });

    it('opens focused on an event (the chat’s Inspect button): scrolled to, selected, its detail shown', async () => {
      const seeded = await seededStore(3000);
      stores.push(seeded.store);
      const target = seeded.events[2400];
      const source = new m.StoreInspectorSource({ store: seeded.store, scope: { sessionId: seeded.session.id }, title: 'Focus' });
      const host = new FakeInspectorHost(source, { kind: 'session', sessionId: seeded.session.id }, target.id);
      inspector = await InspectorPage.open(browser, server.origin, host);
      const index = source.locate({ text: '', types: [] }, target.id).index;
      await inspector.page.locator(`.row.active.selected[data-index="${index}"]`).waitFor();
      await inspector.page.locator('#detail .detail-section').first().waitFor();
      assert.match(await inspector.page.locator('#detail').innerText(), new RegExp(target.id));
    });
  });

  describe('tool calls', () => {
    it('draws a tool call as one row with its approval wait apart from its run, its steps under it, and tool totals', async () => {
      const { turn, source, session } = await toolTurnSession();
      try {
        const host = new FakeInspectorHost(source, { kind: 'session', sessionId: session.id });
        inspector = await InspectorPage.open(browser, server.origin, host);
        const all = source.rows({ text: '', types: [] }, 0, source.count({ text: '', types: [] }));
        const edit = all.find((row) => row.tool?.head && row.tool.name === 'replace_in_file');
        const run = all.find((row) => row.tool?.head && row.tool.name === 'run_command');
        const row = inspector.row(edit.index);
        await row.waitFor();
        assert.match(await row.locator('.label').innerText(), /^replace_in_file · Edit calc\.js/);
        assert.equal(await inspector.page.locator('.rows-block .row.turn-head:not([hidden])').count(), 1, 'the whole turn is one turn');
        // The bar: the approval wait drawn as its own segment, as wide as the wait is of the whole call.
        const wait = row.locator('.bar.timed .wait');
        assert.equal(await wait.isVisible(), true, 'the approval wait is drawn');
        const widths = await row.locator('.bar.timed').evaluate((bar) => ({ bar: bar.getBoundingClientRect().width, wait: bar.querySelector('.wait').getBoundingClientRect().width }));
        const expected = edit.tool.waitMs / edit.durationMs;
        assert.ok(Math.abs(widths.wait / widths.bar - expected) < 0.05, `wait segment ${widths.wait}/${widths.bar}, expected ${expected}`);
        assert.ok(widths.wait < widths.bar, 'the run follows the wait');
        assert.match(await row.locator('.label-text').getAttribute('title'), /approved by person, waited \d+ ms for approval, ran \d+ ms/);
        // A call's steps sit under it; the command shows its exit code, and never the secret on its command line.
        const approved = inspector.row(edit.index + 1);
        assert.match(await approved.getAttribute('class'), /tool-step/);
        assert.match(await approved.locator('.label').innerText(), /replace_in_file · approved by person/);
        const command = inspector.row(run.index);
        await command.waitFor();
        assert.equal(await command.locator('.tool-meta').innerText(), 'exit 0');
        assert.match(await command.locator('.label').innerText(), /API_TOKEN=\[redacted\] node test\.js/);
        const totals = inspector.page.locator('.totals-line[data-scope="session"]');
        await totals.getByText('3 tools').waitFor();
        assert.match(await totals.innerText(), /tool time \d+ ms.*approval wait \d+ ms/s);
        mkdirSync(screenshots, { recursive: true });
        await inspector.page.screenshot({ path: path.join(screenshots, 'inspector-tools-dark.png') });

        // The detail: the call, its steps, its tool message; redacted.
        await command.click();
        const detail = inspector.page.locator('#detail');
        await detail.locator('.detail-section[data-section="Tool call"]').waitFor();
        assert.deepEqual(await detail.locator('.detail-section h3').allInnerTexts(), ['Tool call', 'Requested', 'Approved', 'Completed', 'Message']);
        assert.ok(!(await detail.innerText()).includes('hunter2'), 'no secret in the detail');
        assert.ok(!(await inspector.page.content()).includes('hunter2-s3cr3t'), 'no secret anywhere in the panel');

        // Filter by a tool event type: the calls alone.
        await inspector.page.keyboard.press('Escape');
        const chip = inspector.page.locator('#type-filter button[data-type="tool.call.requested"]');
        await chip.click();
        await inspector.page.locator('#row-count').getByText(`3 of ${source.total()} events`).waitFor();
        // The count is written before the rows are re-filled (next frame): wait for the rows themselves.
        const calls = ['read_file · Read calc.js', edit.label, run.label];
        await inspector.page.waitForFunction(
          (expected) =>
            JSON.stringify(
              [...document.querySelectorAll('.rows-block .row:not([hidden]):not(.loading)')]
                .sort((a, b) => Number(a.dataset.index) - Number(b.dataset.index))
                .map((row) => row.querySelector('.label-text')?.textContent),
            ) === JSON.stringify(expected),
          calls,
        );
        assert.deepEqual(await shownRows('.label-text'), calls);
        assert.deepEqual(inspector.pageErrors, [], 'uncaught errors in the panel');
        assert.deepEqual(host.errors, [], 'requests the host refused');
      } finally {
        // The recording's store closes here: the panel goes first, so it asks nothing of a closed store.
        await inspector?.close();
        inspector = undefined;
        source.dispose();
        await turn.close();
      }
    });
  });

  describe('live', () => {
    it('shows events appended while the session streams, following the end of the list', async () => {
      const { store, session, source, host } = await openSession(300);
      await inspector.row(0).waitFor();
      await inspector.page.locator('#timeline').evaluate((el) => (el.scrollTop = el.scrollHeight));
      const before = source.total();
      await inspector.row(before - 1).waitFor();
      const events = new m.EventsRepository(store, m.seedClock);
      const at = m.SEED_START + 50_000_000;
      await events.append({ type: 'message.user', sessionId: session.id, startedAt: at });
      const request = await events.append({ type: 'llm.request.started', sessionId: session.id, startedAt: at, model: 'live-model', payload: {} });
      await host.push(host.controller.changed(source.check()));
      await inspector.row(before + 1).locator('.codicon-loading').waitFor();
      await events.append({
        type: 'llm.response.completed',
        sessionId: session.id,
        parentEventId: request.id,
        startedAt: at,
        endedAt: at + 1500,
        model: 'live-model',
        tokens: { input: 50, output: 20 },
        costMicroUsd: 1234,
        payload: { timeToFirstTokenMs: 400 },
      });
      await host.push(host.controller.changed(source.check()));
      await inspector.row(before + 2).getByText('chat live-model').waitFor();
      assert.equal(await inspector.row(before + 1).locator('.codicon-loading').count(), 0, 'the request is answered now');
      await inspector.page.locator('#row-count').getByText(`${(before + 3).toLocaleString('en-US')} events`, { exact: true }).waitFor();
    });
  });

  describe('hostile content', () => {
    it('renders hostile strings in events as text: nothing runs, nothing loads, no dialog', async () => {
      const seeded = await seededStore(0, { title: '<img src=x onerror="window.__xss_title=1">' });
      stores.push(seeded.store);
      const events = new m.EventsRepository(seeded.store, m.seedClock);
      let at = m.SEED_START;
      for (const payload of xssPayloads()) {
        at += 1000;
        await events.append({ type: 'message.user', sessionId: seeded.session.id, startedAt: at, payload: { note: payload.text } });
        await events.append({
          type: 'tool.call.completed',
          sessionId: seeded.session.id,
          startedAt: at,
          endedAt: at + 10,
          payload: { name: payload.text, output: `${payload.text} <img src="${leak.origin}/leak-${payload.name}">`, isError: true, message: payload.text },
        });
        await events.append({ type: 'llm.error', sessionId: seeded.session.id, startedAt: at, endedAt: at + 5, model: payload.text, payload: { kind: payload.text, message: payload.text } });
      }
      const source = new m.StoreInspectorSource({ store: seeded.store, scope: { sessionId: seeded.session.id }, title: seeded.session.title });
      const host = new FakeInspectorHost(source, { kind: 'session', sessionId: seeded.session.id });
      inspector = await InspectorPage.open(browser, server.origin, host);
      await inspector.row(0).waitFor();
      // Every row, and the detail of each hostile tool call.
      for (let index = 0; index < source.total(); index += 3) {
        await inspector.page.locator('#timeline').evaluate((el, i) => (el.scrollTop = i * 22), index);
        await inspector.row(index + 1).click();
        await inspector.page.locator(`#detail .detail-section pre`).first().waitFor();
      }
      assert.match(await inspector.page.locator('#inspector-title').innerText(), /<img src=x onerror=/);
      const found = await inspector.page.evaluate(() => ({
        flags: Object.keys(window).filter((key) => key.startsWith('__xss_')),
        images: document.images.length,
        scripts: document.querySelectorAll('body script').length,
        handlers: [...document.querySelectorAll('#app *')].flatMap((el) => [...el.attributes].filter((a) => /^on/i.test(a.name)).map((a) => a.name)),
      }));
      assert.deepEqual(found, { flags: [], images: 0, scripts: 1, handlers: [] });
      assert.deepEqual(inspector.dialogs, []);
      assert.deepEqual(leak.hits, []);
      assert.deepEqual(server.strayHits.filter((hit) => hit !== '/favicon.ico'), []);
      assert.deepEqual(await inspector.violations(), []);
    });

    it('never shows a key: the detail of an event that carries one is redacted before it leaves the host', async () => {
      const seeded = await seededStore(0);
      stores.push(seeded.store);
      const events = new m.EventsRepository(seeded.store, m.seedClock);
      await events.append({
        type: 'llm.request.started',
        sessionId: seeded.session.id,
        startedAt: m.SEED_START,
        model: 'gpt-4o',
        payload: { apiKey: SENTINEL, headers: { Authorization: `Bearer ${SENTINEL}`, 'x-api-key': SENTINEL }, note: `echo ${SENTINEL}` },
      });
      const source = new m.StoreInspectorSource({ store: seeded.store, scope: { sessionId: seeded.session.id }, title: 'Keys' });
      const host = new FakeInspectorHost(source, { kind: 'session', sessionId: seeded.session.id });
      const replies = [];
      const handle = host.handle.bind(host);
      host.handle = async (message) => {
        const out = await handle(message);
        replies.push(...out);
        return out;
      };
      inspector = await InspectorPage.open(browser, server.origin, host);
      await inspector.row(0).click();
      await inspector.page.locator('#detail .detail-section pre').waitFor();
      assert.match(await inspector.page.locator('#detail').innerText(), /\[redacted\]/);
      assert.ok(!(await inspector.page.content()).includes(SENTINEL), 'the key is in the panel');
      const detailReplies = JSON.stringify(replies.filter((r) => r.kind === 'response'));
      assert.ok(!detailReplies.includes(SENTINEL), 'the key crossed into the panel');
    });

    it('drops host messages that do not match the protocol and keeps working', async () => {
      const { source } = await openSession(200);
      await inspector.row(0).waitFor();
      const garbage = [
        null,
        42,
        { kind: 'event', event: { method: 'inspector/changed', params: { total: 'many' } } },
        { kind: 'event', event: { method: 'inspector/focus', params: { eventId: 'x'.repeat(100_000), index: 1 } } },
        { kind: 'event', event: { method: '__proto__', params: {} } },
        { kind: 'snapshot', snapshot: { view: 'nope' } },
        { kind: 'response', id: 99_999, result: {} },
        JSON.parse('{"kind":"event","event":{"method":"inspector/title","params":{"__proto__":{"polluted":true},"title":"still fine"}}}'),
      ];
      for (const message of garbage) {
        await inspector.page.evaluate((mm) => window.postMessage(mm, '*'), message);
      }
      await inspector.page.locator('#inspector-title').getByText('still fine').waitFor();
      assert.equal(await inspector.page.evaluate(() => ({}).polluted), undefined);
      await inspector.row(3).click();
      await inspector.page.locator('#detail .detail-section').first().waitFor();
      assert.ok(source.total() > 0);
      assert.ok(inspector.host.problems.length > 0, 'the panel reported what it dropped');
    });
  });
});
