/* global window, document, MutationObserver -- the callbacks passed to the page run in the panel */
// bench:agent part 3, the panel's side: the built chat webview (dist/webview/chat.js) in Chromium under the panel
// CSP (the e2e harness's server), with its `acquireVsCodeApi().postMessage` going through a Playwright binding to
// the host in the benchmark's Node process (the real dispatcher and ChatService), and the host's messages posted
// back into the window in order, as webview.postMessage delivers them. The page records, on its own clock, when
// Enter went down in the composer, when the panel posted chat/send, when the first chat/delta arrived and when
// the first token was painted (in the DOM, then a frame: requestAnimationFrame + setTimeout, as bench:chat does).
import { THEMES } from '../../test/e2e/harness/theme.mjs';

/** Installed before any page script, as VS Code injects its API and theme into a webview. */
function installBenchApi({ theme, themeName }) {
  document.addEventListener('DOMContentLoaded', () => {
    for (const [name, value] of Object.entries(theme)) {
      document.documentElement.style.setProperty(name, value);
    }
    document.documentElement.style.setProperty('background-color', theme['--vscode-editor-background']);
    document.body.classList.add(`vscode-${themeName}`);
  });
  const bench = { current: undefined, errors: [] };
  window.__bench = bench;
  // Whether the code running now is an animation-frame callback: the panel renders streamed text in one (its
  // StreamScheduler), and then the text is painted in that same frame, right after the callbacks; text put in
  // the DOM by an ordinary task is painted at the next frame. A frame callback's microtasks (the observer below)
  // still see the flag: it is cleared by a microtask queued after the callback returns.
  let inFrame = false;
  const raf = window.requestAnimationFrame.bind(window);
  window.requestAnimationFrame = (callback) =>
    raf((time) => {
      inFrame = true;
      try {
        callback(time);
      } finally {
        queueMicrotask(() => (inFrame = false));
      }
    });
  // Before the bundle's own listener (this script runs first): when the first token reaches the window.
  window.addEventListener('message', (event) => {
    const data = event.data;
    const sample = bench.current;
    if (sample && sample.deltaAt === undefined && data?.kind === 'event' && data.event?.method === 'chat/delta' && data.event.params?.text) {
      sample.deltaAt = performance.now();
    }
  });
  document.addEventListener(
    'keydown',
    (event) => {
      const sample = bench.current;
      if (sample && sample.keydownAt === undefined && event.key === 'Enter' && !event.shiftKey) {
        sample.keydownAt = performance.now();
      }
    },
    true,
  );
  const watchPaint = () => {
    const observer = new MutationObserver(() => {
      const sample = bench.current;
      if (!sample || sample.seenAt !== undefined) {
        return;
      }
      const replies = document.querySelectorAll('article.message.assistant .message-body');
      const last = replies[replies.length - 1];
      if (last && last.textContent.includes(sample.marker)) {
        sample.seenAt = performance.now();
        sample.seenInFrame = inFrame;
        // The first task after the frame that paints it: this frame's if the text came in a frame callback, else
        // the next one's. bench:chat's rule (always a frame more) is kept beside it as an upper bound.
        const done = () => setTimeout(() => (sample.paintedAt = performance.now()), 0);
        if (inFrame) {
          done();
        } else {
          raf(done);
        }
        raf(() => setTimeout(() => (sample.nextFrameAt = performance.now()), 0));
      }
    });
    observer.observe(document.body, { childList: true, subtree: true, characterData: true });
  };
  document.addEventListener('DOMContentLoaded', watchPaint);
  let acquired = false;
  window.acquireVsCodeApi = () => {
    if (acquired) {
      throw new Error('An instance of the VS Code API has already been acquired');
    }
    acquired = true;
    let state;
    return {
      postMessage: (message) => {
        const sample = bench.current;
        if (sample && sample.postedAt === undefined && message?.kind === 'request' && message.method === 'chat/send') {
          sample.postedAt = performance.now();
        }
        window.__benchHost(JSON.stringify(message)).catch((err) => bench.errors.push(String(err)));
      },
      getState: () => state,
      setState: (next) => {
        state = next;
      },
    };
  };
}

/**
 * Opens the panel with `onMessage(json)` as the host (called for every message the panel posts); resolves once
 * the page has loaded. `post(messages)` delivers host messages in one go, in order.
 */
export async function openPanel(browser, origin, onMessage) {
  const context = await browser.newContext({ viewport: { width: 900, height: 700 } });
  const page = await context.newPage();
  const pageErrors = [];
  page.on("pageerror", (error) => pageErrors.push(error.message));
  if (process.env.BENCH_DEBUG) page.on("console", (m) => console.error("[page]", m.text()));
  await context.exposeBinding('__benchHost', (_source, json) => onMessage(json));
  await page.addInitScript(installBenchApi, { theme: THEMES.dark, themeName: 'dark' });
  await page.goto(`${origin}/`);
  return {
    page,
    pageErrors,
    post: (json) =>
      page.evaluate((batch) => {
        const sample = window.__bench.current;
        for (const message of JSON.parse(batch)) {
          if (sample && sample.batchAt === undefined && message.kind === 'event' && message.event.method === 'chat/delta' && message.event.params.text) {
            sample.batchAt = performance.now();
          }
          window.postMessage(message, '*');
        }
      }, json),
    /** Page -> host -> page through the same two paths the messages take, without the panel: the harness's own cost. */
    transportRoundTrip: () =>
      page.evaluate(
        () =>
          new Promise((resolve) => {
            const started = performance.now();
            window.__pong = () => resolve(performance.now() - started);
            void window.__benchHost(JSON.stringify({ kind: '__ping' }));
          }),
      ),
    /** The host's answer to a ping, delivered the way host messages are. */
    pong: () => page.evaluate(() => window.__pong()),
    /** Starts a sample: the next first-token painted that contains `marker` ends it. */
    arm: (marker) => page.evaluate((marker) => (window.__bench.current = { marker }), marker),
    /** Waits for the armed sample to be painted; returns its page-clock times. */
    painted: async () => {
      try {
        const handle = await page.waitForFunction(() => (window.__bench.current?.paintedAt !== undefined ? window.__bench.current : false), undefined, { timeout: 15_000 });
        return await handle.jsonValue();
      } catch (err) {
        const state = await page.evaluate(() => ({
          sample: window.__bench.current,
          errors: window.__bench.errors,
          replies: [...document.querySelectorAll('article.message')].map((a) => `${a.className}: ${a.textContent.slice(0, 80)}`),
          body: document.body.innerHTML.slice(0, 1500),
        }));
        throw new Error(`The first token was never painted: ${JSON.stringify(state)}; page errors: ${pageErrors.join('; ') || 'none'}`, { cause: err });
      }
    },
    /** Waits until the newest reply is shown complete (so the next sample starts from a settled panel). */
    settled: (marker) =>
      page.waitForFunction(
        (marker) => {
          const replies = document.querySelectorAll('article.message.assistant');
          const last = replies[replies.length - 1];
          return last?.classList.contains('status-complete') && last.textContent.includes(marker);
        },
        marker,
        { timeout: 15_000 },
      ),
    close: () => context.close(),
  };
}
