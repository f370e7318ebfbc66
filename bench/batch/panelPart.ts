import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import type { ResultsTable } from '../../src/core/batch/results';
import type { Logger } from '../../src/core/ports';
import type { ResultsServices } from '../../src/webviews/results/resultsController';
import { repoRoot } from '../agent/host';

/**
 * Part 2: the results panel. The real bundle (dist/webview/results.js) in Chromium under the panel's CSP, opened by
 * the e2e harness (test/e2e/harness/resultsHost.mjs): the page's postMessage goes through a Playwright binding to
 * the real host code in this process (the protocol dispatcher and ResultsController), and the answers are posted
 * back into the window. The controller reads the table part 1 built from its store (batchResultsTable on the run's
 * 2,000 items, saved as JSON), through the same ResultsServices port the extension gives it. Measured on the
 * page's clock (batch/panel.mjs):
 *  - first paint: from the snapshot (the first table message: columns, summaries and the first page of rows)
 *    reaching the window, before the bundle's own listener, to the first task after the animation frame that
 *    drew the first rows with data (rows are put in the DOM in a frame callback, so that frame paints them). That
 *    task may wait behind others queued meanwhile (the row pages the panel asked for), so it is an upper bound;
 *    "rows in the DOM" (the frame callback that put them there) is the lower one;
 *  - the panel having all 1,000 rows (the snapshot's first page and the pages it then asks for);
 *  - scrolling: after a second idle (its longest frame gap is the baseline), scrollTop moved from top to bottom
 *    by SCROLL_STEP_PX at 60 steps a second on timers; the longest long task (PerformanceObserver 'longtask': only
 *    tasks over 50 ms are reported, so 0 means none was) that overlapped it, and the longest gap between
 *    animation frames.
 * The harness's transport (a Playwright binding, page.evaluate) stands in for VS Code's postMessage; it is not
 * inside the first-paint figure, which starts when the snapshot is in the window.
 */

export const SCROLL_STEP_PX = 240;
const SCROLL_HZ = 60;
const VIEWPORT = { width: 1280, height: 760 };

export interface PanelResult {
  rows: number;
  columns: number;
  cells: number;
  viewport: string;
  firstPaintMs: number;
  rowsInDomMs: number;
  rowsDrawn: number;
  /** Whether the rows went into the DOM in a frame callback (so that frame painted them). */
  inFrame: boolean;
  /** The panel's own mark (results-first-rows), from the snapshot, for comparison. */
  markMs: number;
  allRowsMs: number;
  longTasksBeforePaint: number;
  /** Host: `ready` in -> snapshot built (ResultsController over the 2,000 cells). */
  hostSnapshotMs: number;
  snapshotKb: number;
  scrollLongestTaskMs: number;
  scrollLongTasks: number;
  scrollMaxFrameGapMs: number;
  scrollFrameGapP95Ms: number;
  idleMaxFrameGapMs: number;
  scrollSteps: number;
  scrollDurationMs: number;
  scrollFrames: number;
  reachedEnd: boolean;
  errors: string[];
}

interface ProbeState {
  snapshotAt?: number;
  allRowsAt?: number;
  rowsInDomAt?: number;
  paintedAt?: number;
  rowsDrawn?: number;
  inFrame?: boolean;
  rowCount?: number;
  /** The panel's own mark (results-first-rows), page clock. */
  markAt?: number;
  longTasks: { start: number; duration: number }[];
}

interface ScrollResult {
  steps: number;
  durationMs: number;
  frames: number;
  gaps: number[];
  longTasks: number;
  longestTaskMs: number;
  reachedEnd: boolean;
}

interface HarnessHost {
  handle(message: unknown): Promise<unknown[]>;
  errors: string[];
  problems: string[];
}

interface Harness {
  startResultsServer(): Promise<{ origin: string; strayHits: string[]; close(): Promise<void> }>;
  FakeResultsHost: new (batch: { runId: string; services(log: Logger): ResultsServices }) => HarnessHost;
  ResultsPage: {
    open(browser: Browser, origin: string, host: HarnessHost, options: { viewport: typeof VIEWPORT; initScript: () => void }): Promise<{ page: Page; pageErrors: string[]; close(): Promise<void> }>;
  };
}

interface Probe {
  installPanelProbe: () => void;
  loaded: () => boolean;
  probeState: () => ProbeState;
  idleFrames: (ms: number) => Promise<number>;
  scrollThrough: (options: { stepPx: number; hz: number }) => Promise<ScrollResult>;
}

const NEEDED = ['dist/webview/results.js', 'test/e2e/harness/resultsHost.mjs', 'out/src/webviews/results/resultsController.js'];

/** Why part 2 cannot run (a file it needs is missing), or undefined when it can. */
export function panelMissing(): string | undefined {
  const missing = NEEDED.filter((file) => !existsSync(path.join(repoRoot, file)));
  return missing.length > 0 ? `missing ${missing.join(', ')}` : undefined;
}

const RUN_ID = 'bench-batch-run';

/** The results port over part 1's table: a completed batch, nothing changing. */
function storedBatch(table: ResultsTable) {
  const nothing = () => Promise.resolve();
  return {
    runId: RUN_ID,
    services: (log: Logger): ResultsServices => ({
      title: (runId) => (runId === RUN_ID ? 'bench-batch.jsonl: 1000 items × 2 columns' : undefined),
      status: (runId) => (runId === RUN_ID ? 'completed' : undefined),
      table: (runId) => (runId === RUN_ID ? table : undefined),
      progress: () => undefined,
      onDidChange: () => ({ dispose: () => undefined }),
      openTranscript: nothing,
      inspect: nothing,
      rerun: nothing,
      exportResults: nothing,
      cancel: nothing,
      log,
    }),
  };
}

export async function measurePanel(tableFile: string): Promise<PanelResult> {
  const table = JSON.parse(readFileSync(tableFile, 'utf8')) as ResultsTable;
  const importFile = (file: string) => import(pathToFileURL(path.join(repoRoot, file)).href);
  const { launchChromium } = (await importFile('scripts/host/browser.mjs')) as { launchChromium: () => Promise<Browser> };
  const harness = (await importFile('test/e2e/harness/resultsHost.mjs')) as Harness;
  const probe = (await importFile('bench/batch/panel.mjs')) as Probe;

  const server = await harness.startResultsServer();
  const browser = await launchChromium();
  try {
    const host = new harness.FakeResultsHost(storedBatch(table));
    // The host's part of the first paint, timed apart: `ready` in -> the snapshot built and serialized.
    let hostSnapshotMs = NaN;
    let snapshotKb = NaN;
    const handle = host.handle.bind(host);
    host.handle = async (message) => {
      const started = performance.now();
      const replies = await handle(message);
      if ((message as { kind?: string }).kind === 'ready') {
        snapshotKb = JSON.stringify(replies).length / 1024;
        hostSnapshotMs = performance.now() - started;
      }
      return replies;
    };
    const results = await harness.ResultsPage.open(browser, server.origin, host, { viewport: VIEWPORT, initScript: probe.installPanelProbe });
    const { page } = results;
    try {
      await page.waitForFunction(probe.loaded, undefined, { timeout: 30_000 });
    } catch (err) {
      const seen = await page.evaluate(probe.probeState);
      throw new Error(`The panel never painted its rows or never had them all: ${JSON.stringify({ ...seen, longTasks: seen.longTasks.length })}; page errors: ${results.pageErrors.join('; ') || 'none'}; host: ${[...host.errors, ...host.problems].join('; ') || 'no errors'}`, { cause: err });
    }
    const loaded = await page.evaluate(probe.probeState);
    const idleMaxFrameGapMs = await page.evaluate(probe.idleFrames, 1_000);
    const scroll = await page.evaluate(probe.scrollThrough, { stepPx: SCROLL_STEP_PX, hz: SCROLL_HZ });
    const at = (value: number | undefined) => value ?? NaN;
    const snapshotAt = at(loaded.snapshotAt);
    const sortedGaps = [...scroll.gaps].sort((a, b) => a - b);
    const errors = [...results.pageErrors, ...host.errors, ...host.problems, ...server.strayHits.filter((hit) => hit !== '/favicon.ico').map((hit) => `stray request ${hit}`)];
    await results.close();
    const columns = table.columns.length;
    return {
      rows: table.rows.length,
      columns,
      cells: table.rows.length * columns,
      viewport: `${VIEWPORT.width}×${VIEWPORT.height}`,
      firstPaintMs: at(loaded.paintedAt) - snapshotAt,
      rowsInDomMs: at(loaded.rowsInDomAt) - snapshotAt,
      rowsDrawn: loaded.rowsDrawn ?? 0,
      inFrame: loaded.inFrame === true,
      markMs: at(loaded.markAt) - snapshotAt,
      allRowsMs: at(loaded.allRowsAt) - snapshotAt,
      longTasksBeforePaint: loaded.longTasks.filter((task) => task.start >= snapshotAt && task.start < at(loaded.paintedAt)).length,
      hostSnapshotMs,
      snapshotKb,
      scrollLongestTaskMs: scroll.longestTaskMs,
      scrollLongTasks: scroll.longTasks,
      scrollMaxFrameGapMs: sortedGaps.at(-1) ?? NaN,
      scrollFrameGapP95Ms: sortedGaps[Math.floor(0.95 * (sortedGaps.length - 1))] ?? NaN,
      idleMaxFrameGapMs,
      scrollSteps: scroll.steps,
      scrollDurationMs: scroll.durationMs,
      scrollFrames: scroll.frames,
      reachedEnd: scroll.reachedEnd,
      errors: errors.slice(0, 5),
    };
  } finally {
    await browser.close();
    await server.close();
  }
}
