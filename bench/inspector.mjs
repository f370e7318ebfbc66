/* global window, document, requestAnimationFrame, MutationObserver -- page.evaluate callbacks run in the panel */
// npm run bench:inspector: the Inspector on a session of 100,000 events, figures printed (never asserted).
// The real webview bundle (dist/webview/inspector.js) in Chromium under the panel CSP, through the e2e harness, with
// the host side answering in this process from the real code: dispatcher, InspectorController and the store-backed
// source (StoreInspectorSource over a sql.js database with the real schema and indexes, seeded through the real
// event writes like a chat session: question, request, tool calls, response or error, reply). Per size (10,000 and
// 100,000 events):
//  1. first paint, counted as bench:chat counts it: the host building the snapshot (StoreInspectorSource on the
//     real store) plus the webview from the snapshot's arrival to the first rows painted. Printed beside it:
//     from the panel document starting to load (the bundle's evaluation and the harness's Playwright transport,
//     which VS Code's own postMessage replaces, included);
//  2. scrolling from the top to the end at 1,500 px a frame (a fast wheel; the list fetches nothing while it
//     flies past rows, and the rows where it stops): the longest main-thread task (PerformanceObserver 'longtask',
//     >= 50 ms) and the longest gap between frames; this is the summary's figure;
//  3. in a panel opened afresh, scrolling at 330 px (15 rows) a frame over the first 20,000 rows, where every
//     page is fetched and painted on the way: the same two figures;
//  4. the webview's JS heap after a forced GC, and its DOM size, after that pass (its page cache full).
// The last line is one summary. Only 127.0.0.1 traffic.
//   node bench/inspector.mjs            (after `npm run build && tsc -p tsconfig.test.json`)
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { launchChromium } from '../scripts/host/browser.mjs';
import { FakeInspectorHost, InspectorPage, hostModules, startInspectorServer } from '../test/e2e/harness/inspectorHost.mjs';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const SCROLL_STEP_PX = 1500;
/** Reading speed: 15 rows a frame (~900 rows a second), so every page is fetched and painted on the way. */
const READ_STEP_PX = 330;
const READ_ROWS = 20_000;
const ROW_HEIGHT_PX = 22;
const SIZES = [10_000, 100_000];

/** Records, in the panel, when the first real row is painted (a frame after it is in the DOM). */
function recordFirstPaint() {
  const check = () => {
    if (document.querySelector('.rows-block .row[data-id]:not([hidden])')) {
      observer.disconnect();
      requestAnimationFrame(() => setTimeout(() => (window.__firstPaintMs = performance.now()), 0));
    }
  };
  const observer = new MutationObserver(check);
  // When the snapshot reaches the panel: from there on the time is the webview's own, whatever the transport.
  window.addEventListener('message', (event) => {
    if (event.data?.kind === 'snapshot' && window.__snapshotAt === undefined) {
      window.__snapshotAt = performance.now();
    }
  });
  document.addEventListener('DOMContentLoaded', () => observer.observe(document.body, { childList: true, subtree: true }));
}

/**
 * Scrolls the timeline by `step` px a frame until `distance` px or the end, recording main-thread long tasks
 * (PerformanceObserver 'longtask', >= 50 ms) and the longest gap between frames.
 */
function scrollPass(page, step, distance) {
  return page.evaluate(
    ({ step, distance }) =>
      new Promise((resolve) => {
        const viewport = document.getElementById('timeline');
        const longTasks = [];
        const observer = new PerformanceObserver((list) => longTasks.push(...list.getEntries().map((e) => e.duration)));
        observer.observe({ type: 'longtask' });
        let maxGap = 0;
        let frames = 0;
        let last = 0;
        const from = viewport.scrollTop;
        const started = performance.now();
        const tick = (now) => {
          if (last > 0) {
            maxGap = Math.max(maxGap, now - last);
          }
          last = now;
          frames++;
          if (viewport.scrollTop + viewport.clientHeight >= viewport.scrollHeight - 1 || viewport.scrollTop - from >= distance) {
            const scrollMs = performance.now() - started;
            // A few more frames with the last rows, then stop measuring.
            setTimeout(() => {
              observer.disconnect();
              resolve({ longTasks, maxGap, frames, scrollMs });
            }, 300);
            return;
          }
          viewport.scrollTop += step;
          requestAnimationFrame(tick);
        };
        requestAnimationFrame(tick);
      }),
    { step, distance: Number.isFinite(distance) ? distance : Number.MAX_SAFE_INTEGER },
  );
}

async function seed(m, store, events) {
  const session = await new m.SessionsRepository(store, m.seedClock).create({ title: `Bench ${events.toLocaleString('en-US')}` });
  const started = performance.now();
  const written = await m.seedSession(store, { sessionId: session.id, events });
  return { session, count: written.length, seedMs: performance.now() - started };
}

async function measure(m, h, store, seeded) {
  const open = (initScript) => {
    const host = new FakeInspectorHost(
      () => new m.StoreInspectorSource({ store, scope: { sessionId: seeded.session.id }, title: seeded.session.title }),
      { kind: 'session', sessionId: seeded.session.id },
    );
    return InspectorPage.open(h.browser, h.origin, host, { viewport: { width: 1280, height: 800 }, initScript });
  };
  // The totals follow the first paint; scrolling starts once they show, as a person would see them.
  const totalsShown = (page) => page.locator('.totals-line[data-scope="session"] .totals-part').first().waitFor();
  // Panel 1: first paint, then the fling from the top to the end.
  const first = await open(recordFirstPaint);
  let paint;
  let scroll;
  let lastRow;
  let flingTimings;
  try {
    const page = first.page;
    await page.waitForFunction(() => window.__firstPaintMs !== undefined);
    paint = await page.evaluate(() => ({ firstPaintMs: window.__firstPaintMs, readyAt: window.__readyAt, snapshotAt: window.__snapshotAt }));
    await totalsShown(page);
    scroll = await scrollPass(page, SCROLL_STEP_PX, Infinity);
    // Where the fling stopped, the rows arrive.
    await page.waitForFunction(
      () => document.querySelectorAll('.rows-block .row:not([hidden])').length > 0 && document.querySelectorAll('.rows-block .row.loading:not([hidden])').length === 0,
    );
    lastRow = await page.evaluate(() => Math.max(...[...document.querySelectorAll('.rows-block .row:not([hidden])')].map((r) => Number(r.dataset.index))));
    flingTimings = first.host.timings;
    if (first.pageErrors.length + first.host.errors.length + first.host.problems.length > 0) {
      throw new Error(`the panel failed: ${[...first.pageErrors, ...first.host.errors, ...first.host.problems].slice(0, 3).join('; ')}`);
    }
  } finally {
    await first.close();
  }
  // Panel 2, opened afresh (a cold start, like panel 1): the read-speed scroll, then memory with the cache full.
  const inspector = await open(undefined);
  const host = inspector.host;
  try {
    const page = inspector.page;
    await totalsShown(page);
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Performance.enable');
    const read = await scrollPass(page, READ_STEP_PX, READ_ROWS * ROW_HEIGHT_PX);
    const readPages = host.timings.filter((t) => t.method === 'inspector/rows').length;
    await cdp.send('HeapProfiler.collectGarbage');
    const { metrics } = await cdp.send('Performance.getMetrics');
    const metric = (name) => metrics.find((x) => x.name === name)?.value ?? NaN;
    const rowsInDom = await page.locator('.rows-block .row:not([hidden])').count();
    const of = (timings, method) => timings.filter((t) => t.method === method).map((t) => t.ms);
    const rowsMs = [...of(flingTimings, 'inspector/rows'), ...of(host.timings, 'inspector/rows')];
    return {
      events: seeded.count,
      seedMs: seeded.seedMs,
      firstPaintMs: paint.firstPaintMs,
      readyToPaintMs: paint.firstPaintMs - paint.readyAt,
      snapshotToPaintMs: paint.firstPaintMs - paint.snapshotAt,
      hostSnapshotMs: of(flingTimings, 'ready')[0] ?? NaN,
      hostFiguresMs: of(flingTimings, 'figures')[0] ?? NaN,
      readLongestTaskMs: read.longTasks.length ? Math.max(...read.longTasks) : 0,
      readLongTaskCount: read.longTasks.length,
      readMaxFrameGapMs: read.maxGap,
      readFrames: read.frames,
      readScrollMs: read.scrollMs,
      readPages,
      longestTaskMs: scroll.longTasks.length ? Math.max(...scroll.longTasks) : 0,
      longTaskCount: scroll.longTasks.length,
      maxFrameGapMs: scroll.maxGap,
      frames: scroll.frames,
      scrollMs: scroll.scrollMs,
      pageRequests: of(flingTimings, 'inspector/rows').length,
      pageMsMean: rowsMs.length ? rowsMs.reduce((a, b) => a + b, 0) / rowsMs.length : 0,
      pageMsMax: rowsMs.length ? Math.max(...rowsMs) : 0,
      reachedEnd: lastRow === seeded.count - 1,
      heapMb: metric('JSHeapUsedSize') / 2 ** 20,
      nodes: metric('Nodes'),
      rowsInDom,
      errors: inspector.pageErrors.length + host.errors.length + host.problems.length,
      problems: [...inspector.pageErrors, ...host.errors, ...host.problems].slice(0, 3),
    };
  } finally {
    await inspector.close();
  }
}

async function main() {
  const bundle = path.join(repoRoot, 'dist', 'webview', 'inspector.js');
  if (!existsSync(bundle)) {
    throw new Error(`${bundle} is missing: run \`npm run build\` first`);
  }
  const load = () => os.loadavg().map((l) => l.toFixed(2)).join(' ');
  console.log(`bench inspector: ${os.cpus().length} cores, load average ${load()} (before)`);
  const m = hostModules();
  const store = await m.openMemoryStore();
  const sessions = [];
  for (const size of SIZES) {
    sessions.push(await seed(m, store, size));
  }
  const warmup = await seed(m, store, 1000);
  const server = await startInspectorServer();
  const browser = await launchChromium();
  const results = [];
  try {
    const h = { browser, origin: server.origin };
    // A warm-up open, so the first measured one does not pay for Chromium's cold start.
    await measure(m, h, store, warmup);
    for (const seeded of sessions) {
      results.push(await measure(m, h, store, seeded));
    }
  } finally {
    await browser.close();
    await server.close();
    store.close();
  }

  const [small, large] = results;
  const r1 = (n) => (Number.isFinite(n) ? Math.round(n * 10) / 10 : NaN);
  const k = (r) => `${Math.round(r.events / 1000)}k`;
  const rAll = (r) => r.pageRequests + r.readPages;
  const rows = [];
  for (const r of results) {
    rows.push(
      [`${k(r)}: first paint, host snapshot + webview (as bench:chat)`, `${r1(r.hostSnapshotMs + r.snapshotToPaintMs)} ms (${r1(r.snapshotToPaintMs)} in the webview)`, '< 500 ms'],
      [`${k(r)}: first paint from document start (bundle, harness transport)`, `${r1(r.firstPaintMs)} ms`, '-'],
      [`${k(r)}:   of which ready -> painted / host snapshot`, `${r1(r.readyToPaintMs)} / ${r1(r.hostSnapshotMs)} ms`, '-'],
      [`${k(r)}:   host totals (after the paint, one pass)`, `${r1(r.hostFiguresMs)} ms`, '-'],
      [`${k(r)}: read ${READ_STEP_PX} px/frame over ${Math.min(r.events, READ_ROWS).toLocaleString('en-US')} rows (new panel): long tasks`, `${r.readLongTaskCount}, longest ${r1(r.readLongestTaskMs)} ms`, 'none'],
      [`${k(r)}: read: longest gap between frames, pages fetched`, `${r1(r.readMaxFrameGapMs)} ms (${r.readFrames} frames), ${r.readPages} pages`, '< 50 ms'],
      [`${k(r)}: fling ${SCROLL_STEP_PX} px/frame, top to end (rows fetched where it stops): long tasks`, `${r.longTaskCount}, longest ${r1(r.longestTaskMs)} ms`, 'none'],
      [`${k(r)}: fling: longest gap between frames`, `${r1(r.maxFrameGapMs)} ms (${r.frames} frames, ${Math.round(r.scrollMs)} ms)`, '< 50 ms'],
      [`${k(r)}: pages fetched (all), host ms mean / max`, `${rAll(r)}, ${r1(r.pageMsMean)} / ${r1(r.pageMsMax)} ms`, '-'],
      [`${k(r)}: reached the last row`, String(r.reachedEnd), 'true'],
      [`${k(r)}: webview JS heap after GC (after the read pass)`, `${r1(r.heapMb)} MB`, 'flat'],
      [`${k(r)}: DOM nodes / rows in the DOM`, `${r.nodes} / ${r.rowsInDom}`, 'flat'],
      [`${k(r)}: seeding the store (real event writes)`, `${Math.round(r.seedMs)} ms`, '-'],
    );
  }
  rows.push(['heap 100k / 10k', `x${r1(large.heapMb / small.heapMb)}`, '~1']);
  const width = [Math.max(...rows.map((r) => r[0].length)), Math.max(...rows.map((r) => r[1].length))];
  console.log(`${'figure'.padEnd(width[0])}  ${'value'.padEnd(width[1])}  target`);
  for (const [figure, value, target] of rows) {
    console.log(`${figure.padEnd(width[0])}  ${value.padEnd(width[1])}  ${target}`);
  }
  const errors = results.reduce((sum, r) => sum + r.errors, 0);
  if (errors) {
    console.log(`errors: ${errors}: ${results.flatMap((r) => r.problems).join('; ')}`);
  }
  console.log(`load average ${load()} (after)`);
  // The measure, scrolling from the top to the bottom: the fling's longest task, or with none, its longest
  // gap between frames (a bound on any task). The read-speed pass is in the table above.
  const longest = large.longTaskCount ? large.longestTaskMs : large.maxFrameGapMs;
  // First paint as bench:chat counts it: the host building the snapshot plus the webview painting it. The
  // document-start figure above adds the bundle's evaluation and the harness's Playwright transport.
  console.log(`bench inspector: first_paint_ms_100k=${Math.round(large.hostSnapshotMs + large.snapshotToPaintMs)} longest_task_ms_scroll=${Math.round(longest)} webview_mb_100k=${r1(large.heapMb)}`);
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
