/* global window, document -- the callbacks passed to page.evaluate / addInitScript run in the panel, not in Node */
// The batch Results webview (dist/webview/results.js) in Chromium the way VS Code hosts it, with the host side in
// this Node process: the page's `acquireVsCodeApi().postMessage` goes through a Playwright binding to the REAL host
// code (out/src: the protocol dispatcher and ResultsController) over a ResultsServices made from a synthetic batch
// (test/unit/webviews/resultsFixture.ts, tables built by the real buildResultsTable). Answers are posted back into
// the window as VS Code would, and the controller's live events follow them in order. Every wait is on something
// the panel did (a message it posted, an element it rendered), never on time.
import { readFile } from 'node:fs/promises';
import http from 'node:http';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { THEMES } from './theme.mjs';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const require = createRequire(import.meta.url);
// RESULTS_WEBVIEW_DIST points the harness at another build of the webviews; by default, what `node esbuild.mjs` wrote.
export const webviewDist = path.resolve(process.env.RESULTS_WEBVIEW_DIST ?? path.join(repoRoot, 'dist', 'webview'));
const TYPES = { '.js': 'text/javascript', '.css': 'text/css', '.ttf': 'font/ttf', '.map': 'application/json' };
const GIF = Buffer.from('R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7', 'base64');

/** The compiled host code and the synthetic batch (run `npx tsc -p tsconfig.test.json` first). */
export function hostModules() {
  const out = (file) => {
    const full = path.join(repoRoot, 'out', file);
    try {
      return require(full);
    } catch (err) {
      throw new Error(`${full} is missing or broken: run \`npx tsc -p tsconfig.test.json\` first (${err.message})`, { cause: err });
    }
  };
  return {
    ...out('src/webviews/results/resultsController.js'),
    ...out('src/webviews/html.js'),
    ...out('src/protocol/dispatcher.js'),
    ...out('src/protocol/results.js'),
    ...out('src/protocol/common.js'),
    ...out('test/unit/webviews/resultsFixture.js'),
  };
}

/**
 * Serves `/` (the Results panel's HTML under the CSP src/webviews/html.ts sets) and `/webview/*` from dist/webview,
 * on 127.0.0.1. Any other request is counted in `strayHits`: nothing but the bundle, its stylesheets and fonts may be
 * asked for.
 */
export async function startResultsServer() {
  const { renderPanelHtml, createNonce } = hostModules();
  const strayHits = [];
  let origin = '';
  const server = http.createServer(async (req, res) => {
    const url = new URL(req.url, origin);
    if (url.pathname === '/') {
      const html = renderPanelHtml({
        title: 'Results harness',
        cspSource: origin,
        nonce: createNonce(),
        scriptUri: `${origin}/webview/results.js`,
        styleUris: [`${origin}/webview/results.css`],
        codiconsUri: `${origin}/webview/codicons/codicon.css`,
      });
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
      res.end(html);
      return;
    }
    const file = path.normalize(path.join(webviewDist, decodeURIComponent(url.pathname.replace(/^\/webview\//, ''))));
    if (url.pathname.startsWith('/webview/') && file.startsWith(webviewDist + path.sep)) {
      try {
        const body = await readFile(file);
        res.writeHead(200, { 'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream' });
        res.end(body);
        return;
      } catch {
        // Falls through to 404.
      }
    }
    strayHits.push(req.url);
    res.writeHead(404, { 'content-type': 'image/gif' });
    res.end(GIF);
  });
  origin = await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${server.address().port}`));
  });
  return { origin, strayHits, close: () => new Promise((resolve) => server.close(resolve)) };
}

/** Installed before any page script, as VS Code injects its API and theme into a webview. */
function installFakeVsCodeApi({ initialState, theme, themeName }) {
  document.addEventListener('DOMContentLoaded', () => {
    for (const [name, value] of Object.entries(theme)) {
      document.documentElement.style.setProperty(name, value);
    }
    document.documentElement.style.setProperty('background-color', theme['--vscode-editor-background']);
    document.body.classList.add(`vscode-${themeName}`);
  });
  window.__posted = [];
  window.__violations = [];
  window.__state = initialState;
  let acquired = false;
  window.acquireVsCodeApi = () => {
    if (acquired) {
      throw new Error('An instance of the VS Code API has already been acquired');
    }
    acquired = true;
    return {
      postMessage: (message) => {
        const copy = JSON.parse(JSON.stringify(message));
        window.__posted.push(copy);
        // As JSON text: Playwright serializes a string far faster than an object graph.
        void window.__resultsHost(JSON.stringify(copy)).then((text) => {
          for (const reply of JSON.parse(text)) {
            window.postMessage(reply, '*');
          }
        });
      },
      getState: () => window.__state,
      setState: (state) => {
        window.__state = state;
      },
    };
  };
  document.addEventListener('securitypolicyviolation', (event) => {
    window.__violations.push(`${event.violatedDirective} ${event.blockedURI}`);
  });
}

/**
 * The host side of one panel: the real dispatcher and a real ResultsController over `batch` (a SyntheticBatch),
 * made when the panel first says ready, as the extension's panel makes it when it opens. The controller's events
 * (coalesced live changes) are posted into the page in the order it makes them.
 */
export class FakeResultsHost {
  constructor(batch, options = {}) {
    const m = hostModules();
    this.m = m;
    this.batch = batch;
    this.options = options;
    this.controller = undefined;
    /** Requests the dispatcher refused (the panel sent something the protocol does not allow). */
    this.errors = [];
    /** What the panel reported through webview/reportProblem (its own errors, bad host messages). */
    this.problems = [];
    /** Events the controller posted, in order. */
    this.events = [];
    this.page = undefined;
    this.delivery = Promise.resolve();
    const log = { trace: () => {}, debug: () => {}, info: () => {}, warn: () => {}, error: (message) => this.errors.push(String(message)) };
    this.services = batch.services(log);
    const common = { 'webview/reportProblem': ({ message }) => (this.problems.push(message), null) };
    // Handlers resolved per call: the controller is made on the first `ready`.
    const handlers = Object.fromEntries(Object.keys(m.resultsRequests).map((method) => [method, (params) => this.controller.handlers[method](params)]));
    this.dispatch = m.createDispatcher('Results (harness)', { ...m.commonRequests, ...m.resultsRequests }, { ...common, ...handlers }, { error: (msg) => this.errors.push(msg), trace: () => {} });
  }

  async handle(message) {
    const outcome = await this.dispatch(message);
    if (outcome.kind === 'ready') {
      this.controller ??= new this.m.ResultsController(this.services, this.batch.runId, (event) => this.deliver(event), () => {}, this.options.controller ?? {});
      return [{ kind: 'snapshot', snapshot: this.controller.snapshot() }];
    }
    return outcome.kind === 'reply' ? [outcome.message] : [];
  }

  /** Posts a controller event into the page, after any before it. */
  deliver(event) {
    this.events.push(event);
    const page = this.page;
    if (!page) {
      return;
    }
    this.delivery = this.delivery.then(() => page.evaluate((m) => window.postMessage(m, '*'), { kind: 'event', event }).catch(() => {}));
  }

  /** Posts anything into the page, as if the host had (hostile or broken messages). */
  async push(message) {
    await this.page.evaluate((m) => window.postMessage(m, '*'), message);
  }

  dispose() {
    this.controller?.dispose();
  }
}

export class ResultsPage {
  /** @param {import('playwright-core').Page} page */
  constructor(page, host) {
    this.page = page;
    this.host = host;
    this.dialogs = [];
    this.pageErrors = [];
    page.on('dialog', (dialog) => {
      this.dialogs.push(dialog.message());
      void dialog.dismiss().catch(() => {});
    });
    page.on('pageerror', (error) => this.pageErrors.push(error.message));
  }

  /**
   * Opens the panel in a fresh context with `host` answering it, and waits for its `ready`.
   * @param {import('playwright-core').Browser} browser
   */
  static async open(browser, origin, host, { state, theme = 'dark', viewport = { width: 1280, height: 760 }, initScript } = {}) {
    const context = await browser.newContext({ viewport });
    const page = await context.newPage();
    host.page = page;
    await page.exposeBinding('__resultsHost', async (_source, text) => JSON.stringify(await host.handle(JSON.parse(text))));
    await page.addInitScript(installFakeVsCodeApi, { initialState: state, theme: THEMES[theme], themeName: theme });
    if (initScript) {
      await page.addInitScript(initScript);
    }
    const results = new ResultsPage(page, host);
    await page.goto(`${origin}/`);
    try {
      await results.waitForPosted('ready');
    } catch (err) {
      throw new Error(`The panel never posted \`ready\` (is dist/webview/results.js built? page errors: ${results.pageErrors.join('; ') || 'none'})`, { cause: err });
    }
    return results;
  }

  async close() {
    this.host.dispose();
    await this.page.context().close();
  }

  async waitForPosted(kind, { method, after = 0 } = {}) {
    const handle = await this.page.waitForFunction(
      ({ kind, method, after }) => window.__posted.slice(after).find((m) => m.kind === kind && (method === undefined || m.method === method)) ?? false,
      { kind, method, after },
    );
    return handle.jsonValue();
  }

  async postedCount() {
    return this.page.evaluate(() => window.__posted.length);
  }

  async requests(method) {
    return this.page.evaluate((m) => window.__posted.filter((p) => p.kind === 'request' && p.method === m), method);
  }

  /** The rendered row showing row `index`, once it has its data. */
  row(index) {
    return this.page.locator(`.rows-block .row[data-index="${index}"]:not(.loading):not([hidden])`);
  }

  /** A cell of a rendered row: column 0 is the item, 1.. the results. */
  cell(index, column) {
    return this.row(index).locator(`[data-col="${column}"]`);
  }

  /** Row indexes in the DOM, in list order. */
  async renderedIndexes() {
    return this.page.evaluate(() =>
      [...document.querySelectorAll('.rows-block .row:not([hidden])')].map((row) => Number(row.dataset.index)).sort((a, b) => a - b),
    );
  }

  /** The focused cell: its row index and column, and its tabindex. */
  async focused() {
    return this.page.evaluate(() => {
      const active = document.activeElement;
      const row = active?.closest('.rows-block .row');
      return row ? { index: Number(row.dataset.index), column: Number(active.dataset.col), tabIndex: active.tabIndex } : { tag: active?.tagName ?? null, id: active?.id ?? null };
    });
  }

  async violations() {
    return this.page.evaluate(() => window.__violations);
  }
}
