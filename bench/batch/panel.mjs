/* global window, document, MutationObserver -- these functions run in the panel */
// bench:batch part 2, the page's side: what the results panel (dist/webview/results.js, opened by the e2e harness
// test/e2e/harness/resultsHost.mjs) is timed with, all on the page's clock. Each function is sent to the page as
// its source text, so it uses nothing from this module (a row with data: '.rows-block .row:not(.loading):not([hidden])').

/**
 * An init script (it runs before the bundle, so its listeners see every message first): records when the first
 * table message (the snapshot) reached the window, when the panel had every row (the snapshot's first page and
 * the pages it asked for), when the first rows with data went into the DOM and when that frame was painted; and
 * every long task (> 50 ms) the page had.
 */
export function installPanelProbe() {
  const probe = { longTasks: [] };
  window.__benchPanel = probe;
  new PerformanceObserver((list) => probe.longTasks.push(...list.getEntries().map((e) => ({ start: e.startTime, duration: e.duration })))).observe({ type: 'longtask', buffered: true });
  // Whether the code running now is an animation-frame callback: the grid renders its rows in one, and then they
  // are painted in that same frame; rows put in the DOM by an ordinary task are painted at the next frame. A frame
  // callback's microtasks (the observer below) still see the flag: it is cleared by a microtask queued after it.
  let inFrame = false;
  const raf = window.requestAnimationFrame.bind(window);
  probe.raf = raf;
  window.requestAnimationFrame = (callback) =>
    raf((time) => {
      inFrame = true;
      try {
        callback(time);
      } finally {
        queueMicrotask(() => (inFrame = false));
      }
    });
  let covered;
  let missing = 0;
  const cover = (rows, rowCount) => {
    covered ??= new Uint8Array(rowCount);
    missing ||= rowCount;
    for (const row of rows) {
      if (row.index < covered.length && covered[row.index] === 0) {
        covered[row.index] = 1;
        missing--;
      }
    }
    if (missing === 0 && probe.allRowsAt === undefined) {
      probe.allRowsAt = performance.now();
    }
  };
  window.addEventListener('message', (event) => {
    const data = event.data;
    if (data?.kind === 'snapshot' && probe.snapshotAt === undefined) {
      probe.snapshotAt = performance.now();
      probe.rowCount = data.snapshot?.head?.rowCount;
      cover(data.snapshot?.head?.rows ?? [], probe.rowCount ?? 0);
    } else if (data?.kind === 'response' && Array.isArray(data.result?.rows) && probe.rowCount !== undefined) {
      cover(data.result.rows, probe.rowCount);
    }
  });
  document.addEventListener('DOMContentLoaded', () => {
    const observer = new MutationObserver(() => {
      if (probe.snapshotAt === undefined || probe.rowsInDomAt !== undefined) {
        return;
      }
      const drawn = document.querySelectorAll('.rows-block .row:not(.loading):not([hidden])').length;
      if (drawn === 0) {
        return;
      }
      observer.disconnect();
      probe.rowsInDomAt = performance.now();
      probe.rowsDrawn = drawn;
      probe.inFrame = inFrame;
      // The first task after the frame that paints them: this frame's if they came in a frame callback, else the
      // next one's.
      const done = () => setTimeout(() => (probe.paintedAt = performance.now()), 0);
      if (inFrame) {
        done();
      } else {
        raf(done);
      }
    });
    observer.observe(document.body, { childList: true, subtree: true, attributes: true, characterData: true });
  });
}

/** Whether the first rows were painted and every row reached the panel. */
export function loaded() {
  const probe = window.__benchPanel;
  return probe.paintedAt !== undefined && probe.allRowsAt !== undefined;
}

/** What the probe recorded, with the panel's own first-paint mark beside it. */
export function probeState() {
  const state = { ...window.__benchPanel };
  delete state.raf; // a function: it does not cross to Node
  return { ...state, markAt: performance.getEntriesByName('results-first-rows')[0]?.startTime };
}

/** The longest gap between animation frames while the page sits idle for `ms`: the scale of the machine. */
export function idleFrames(ms) {
  return new Promise((resolve) => {
    const raf = window.__benchPanel.raf;
    const started = performance.now();
    let last;
    let max = 0;
    const frame = (time) => {
      if (last !== undefined) {
        max = Math.max(max, time - last);
      }
      last = time;
      if (performance.now() - started < ms) {
        raf(frame);
      } else {
        resolve(max);
      }
    };
    raf(frame);
  });
}

/**
 * Scrolls the grid from top to bottom: scrollTop moved by `stepPx` at `hz` steps a second on timers (not on frames,
 * so a slow frame does not slow the scroll down: frames are dropped, as under a person's wheel). Records every
 * frame's time, and returns the long tasks (> 50 ms) that started while it scrolled, the frame gaps, and whether
 * the last row was on screen at the end.
 */
export function scrollThrough({ stepPx, hz }) {
  return new Promise((resolve) => {
    const probe = window.__benchPanel;
    const raf = probe.raf;
    const grid = document.getElementById('results-grid');
    const period = 1000 / hz;
    const frames = [];
    let scrolling = true;
    const frame = (time) => {
      frames.push(time);
      if (scrolling) {
        raf(frame);
      }
    };
    raf(frame);
    const started = performance.now();
    let step = 0;
    const finish = () => {
      scrolling = false;
      const ended = performance.now();
      const gaps = frames.slice(1).map((time, i) => time - frames[i]);
      const during = probe.longTasks.filter((task) => task.start + task.duration >= started && task.start <= ended);
      const last = document.querySelectorAll('.rows-block .row:not(.loading):not([hidden])');
      resolve({
        steps: step,
        durationMs: ended - started,
        frames: frames.length,
        gaps,
        longTasks: during.length,
        longestTaskMs: Math.max(0, ...during.map((task) => task.duration)),
        reachedEnd: [...last].some((row) => Number(row.dataset.index) === probe.rowCount - 1),
      });
    };
    const tick = () => {
      step++;
      const max = grid.scrollHeight - grid.clientHeight;
      grid.scrollTop = Math.min(max, step * stepPx);
      if (grid.scrollTop >= max - 1) {
        // Two frames more: the grid renders the last rows in the next one.
        raf(() => raf(() => setTimeout(finish, 0)));
        return;
      }
      setTimeout(tick, Math.max(0, started + step * period - performance.now()));
    };
    setTimeout(tick, period);
  });
}
