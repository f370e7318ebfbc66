/* global window, document -- the callbacks passed to page.evaluate / addInitScript run in the panel, not in Node */
// The Inspector webview (dist/webview/inspector.js) in Chromium the way VS Code hosts it, with the host side in
// this Node process: the page's `acquireVsCodeApi().postMessage` goes through a Playwright binding to the REAL
// host code (out/src: the protocol dispatcher, InspectorController and a source: the store-backed one over a real
// sql.js store, or the in-memory one), and the answers are posted back into the window as VS Code would. So the
// panel talks to exactly what the extension runs, minus VS Code's own postMessage transport. Every wait is on
// something the panel did (a message it posted, an element it rendered), never on time.
import { readFile } from 'node:fs/promises';
import http from 'node:http';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadPanelHtml } from './servers.mjs';
import { THEMES } from './theme.mjs';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const require = createRequire(import.meta.url);
const webviewDist = path.resolve(process.env.INSPECTOR_WEBVIEW_DIST ?? path.join(repoRoot, 'dist', 'webview'));
const TYPES = { '.js': 'text/javascript', '.css': 'text/css', '.ttf': 'font/ttf', '.map': 'application/json' };
const GIF = Buffer.from('R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7', 'base64');

/** The compiled host code (run `tsc -p tsconfig.test.json` first). */
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
    ...out('src/core/inspector/inspectorController.js'),
    ...out('src/core/inspector/storeSource.js'),
    ...out('src/core/inspector/memorySource.js'),
    ...out('src/protocol/dispatcher.js'),
    ...out('src/protocol/inspector.js'),
    ...out('src/protocol/common.js'),
    ...out('test/unit/db/support/memoryStore.js'),
    ...out('test/unit/core/inspector/seedEvents.js'),
    ...out('src/db/repositories/sessions.js'),
    ...out('src/db/repositories/events.js'),
  };
}

/** A store with one session of `events` seeded events; returns the store, the session and the events. */
export async function seededStore(events, options = {}) {
  const m = hostModules();
  const store = await m.openMemoryStore();
  const session = await new m.SessionsRepository(store, m.seedClock).create({ title: options.title ?? 'Harness session' });
  const written = events > 0 ? await m.seedSession(store, { sessionId: session.id, events, ...options.seed }) : [];
  return { store, session, events: written };
}

/**
 * A session with a multi-step tool turn recorded by the REAL agent loop (the chat service, the real OpenAI SDK
 * against the scripted loopback fake, the real tools on a temporary workspace; the person approves the edit and
 * the command after a pause): see test/unit/core/inspector/toolTurnRecording.ts. Returns the recording (its
 * store, session and `close()`) and a store-backed source over it.
 */
export async function toolTurnSession() {
  const m = hostModules();
  const { recordToolTurn } = require(path.join(repoRoot, 'out/test/unit/core/inspector/toolTurnRecording.js'));
  const turn = await recordToolTurn();
  const { harness } = turn;
  const source = new m.StoreInspectorSource({ store: harness.store, scope: { sessionId: harness.session.id }, title: 'Tool turn', messages: harness.repos.messages });
  return { turn, source, session: harness.session };
}


/**
 * Serves `/` (the Inspector's panel HTML under its CSP) and `/webview/*` from dist/webview, on 127.0.0.1. Any other
 * request is counted in `strayHits`: nothing but the bundle, its stylesheets and fonts may be asked for.
 */
export async function startInspectorServer() {
  const { renderPanelHtml, createNonce } = await loadPanelHtml();
  const strayHits = [];
  let origin = '';
  const server = http.createServer(async (req, res) => {
    const url = new URL(req.url, origin);
    if (url.pathname === '/') {
      const html = renderPanelHtml({
        title: 'Inspector harness',
        cspSource: origin,
        nonce: createNonce(),
        scriptUri: `${origin}/webview/inspector.js`,
        styleUris: [`${origin}/webview/inspector.css`],
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
        if (copy.kind === 'ready' && window.__readyAt === undefined) {
          window.__readyAt = performance.now();
        }
        // To the host in Node; its answers come back as window messages, in order, as webview.postMessage's do.
        // As JSON text: Playwright serializes a string far faster than an object graph (a page of rows: ~10 ms
        // against ~90 ms), and VS Code's own postMessage is faster still; the harness should not be the bottleneck.
        const ask = async (message) => JSON.parse(await window.__inspectorHost(JSON.stringify(message)));
        void ask(copy).then(async (replies) => {
          for (const reply of replies) {
            window.postMessage(reply, '*');
          }
          if (copy.kind === 'ready') {
            // What the host sends right after a snapshot (the totals it left out), in that order.
            for (const reply of await ask({ kind: '__afterReady' })) {
              window.postMessage(reply, '*');
            }
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
 * The host side of one panel: the real dispatcher and controller over `source`. `pending` collects events the
 * controller produces between requests (figures after a snapshot, live changes), delivered with the next answer
 * or pushed with `push()`.
 */
export class FakeInspectorHost {
  /** `source`: an InspectorSource, or a function that makes one when the panel first says ready (as the panel does). */
  /** `replay`: the controller's replay hooks (InspectorReplayHooks), for a panel that can replay. */
  constructor(source, scope = { kind: 'session', sessionId: 'harness' }, focus, replay) {
    const m = hostModules();
    this.makeSource = typeof source === 'function' ? source : () => source;
    this.replay = replay;
    this.controller = typeof source === 'function' ? undefined : new m.InspectorController(source, scope, focus, replay);
    this.scope = scope;
    this.focus = focus;
    this.errors = [];
    /** How long the host took for each message: `{ method, ms }` ('ready' for the snapshot). */
    this.timings = [];
    /** What the panel reported through webview/reportProblem (its own errors, bad host messages). */
    this.problems = [];
    const common = { 'webview/reportProblem': ({ message }) => (this.problems.push(message), null) };
    // Handlers resolved per call: the controller may be made on the first `ready`.
    const handlers = Object.fromEntries(Object.keys(m.inspectorRequests).map((method) => [method, (params) => this.controller.handlers[method](params)]));
    this.dispatch = m.createDispatcher(
      'Inspector (harness)',
      { ...m.commonRequests, ...m.inspectorRequests },
      { ...common, ...handlers },
      { error: (msg) => this.errors.push(msg), trace: () => {} },
    );
    this.requests = [];
    this.delay = 0;
    this.page = undefined;
  }

  async handle(message) {
    if (this.delay > 0) {
      await new Promise((resolve) => setTimeout(resolve, this.delay));
    }
    const started = performance.now();
    if (message?.kind === '__afterReady') {
      // The panel host posts the totals a snapshot left out right after it (InspectorPanel: a timer).
      if (!this.controller?.figuresPending) {
        return [];
      }
      const event = await this.controller.figures();
      this.timings.push({ method: 'figures', ms: performance.now() - started });
      return [{ kind: 'event', event }];
    }
    const outcome = await this.dispatch(message);
    if (outcome.kind === 'ready') {
      this.controller ??= new (hostModules().InspectorController)(this.makeSource(), this.scope, this.focus, this.replay);
      const replies = [{ kind: 'snapshot', snapshot: this.controller.snapshot() }];
      this.timings.push({ method: 'ready', ms: performance.now() - started });
      return replies;
    }
    if (outcome.kind === 'reply') {
      if (message.kind === 'request') {
        this.requests.push({ method: message.method, params: message.params });
        this.timings.push({ method: message.method, ms: performance.now() - started });
      }
      return [outcome.message];
    }
    return [];
  }

  /** Posts a host event into the page now (live updates). */
  async push(event) {
    await this.page.evaluate((m) => window.postMessage(m, '*'), { kind: 'event', event });
  }
}

/** The compiled chat loop, replay and loopback fake provider (for replay against a real provider SDK). */
export function replayModules() {
  const out = (file) => require(path.join(repoRoot, 'out', file));
  return {
    ...out('src/core/inspector/replayService.js'),
    ...out('test/unit/core/chat/chatHarness.js'),
    ...out('test/fakes/providers/fakeServer.js'),
    ...out('test/fakes/providers/openaiProtocol.js'),
  };
}

/** The model that makes the harness's fake provider answer `XSS_MODEL_TEXT` (hostile markup), for replays. */
export const XSS_MODEL = 'fake-xss-markup';
export const XSS_MODEL_TEXT = 'Injected <img src=x onerror="window.__xss = (window.__xss || 0) + 1"> <script>window.__xss = 1</script> done.';

/**
 * A chat session recorded by the REAL chat loop against the loopback fake OpenAI server (the real SDK), and a
 * REAL ReplayService over the same store for the panel's replay requests. `turns` chat turns are run first.
 * Returns the pieces and a FakeInspectorHost wired with replay; `branches` records what "Continue as branch" showed.
 */
export async function replaySession({ turns = 2 } = {}) {
  const m = hostModules();
  const r = replayModules();
  const server = await r.FakeProviderServer.start(async (exchange, scenarioOf) => {
    const body = exchange.body ?? {};
    if (exchange.req.method === 'POST' && exchange.url.pathname === '/v1/chat/completions' && body.model === XSS_MODEL) {
      const chunk = (delta, finish = null) => ({ id: 'chatcmpl-xss', object: 'chat.completion.chunk', created: 0, model: XSS_MODEL, choices: [{ index: 0, delta, finish_reason: finish }] });
      r.startSse(exchange.res);
      r.writeSse(exchange.res, chunk({ role: 'assistant', content: '' }));
      r.writeSse(exchange.res, chunk({ content: XSS_MODEL_TEXT }));
      r.writeSse(exchange.res, chunk({}, 'stop'));
      r.writeSse(exchange.res, { id: 'chatcmpl-xss', object: 'chat.completion.chunk', created: 0, model: XSS_MODEL, choices: [], usage: { prompt_tokens: 20, completion_tokens: 9, total_tokens: 29 } });
      r.writeSse(exchange.res, '[DONE]');
      exchange.res.end();
      return true;
    }
    return r.openAiProtocol(exchange, scenarioOf);
  });
  const h = await r.openHarness(server);
  let parentId = null;
  const calls = [];
  for (let i = 0; i < turns; i++) {
    const { assistantId } = await h.service.send(h.session.id, { parentId, text: i === 0 ? 'Say hello.' : 'And again, shorter.' });
    await h.service.whenIdle(h.session.id);
    const events = h.repos.events.list({ sessionId: h.session.id });
    const started = events.find((event) => event.type === 'llm.request.started' && event.messageId === assistantId);
    calls.push({ assistantId, started, outcome: events.find((event) => event.parentEventId === started.id && event.type.startsWith('llm.')) });
    parentId = assistantId;
  }
  const service = new r.ReplayService({ repos: h.repos, providers: h.providers, clock: h.clock, log: r.silentLog });
  const branches = [];
  const hooks = {
    service,
    providers: () => [{ id: 'fake-openai', label: 'Fake OpenAI (loopback)' }],
    showBranch: async (sessionId, messageId) => {
      branches.push({ sessionId, messageId });
      await h.service.selectBranch(messageId, { sessionId });
    },
  };
  const source = new m.StoreInspectorSource({
    store: h.store,
    scope: { sessionId: h.session.id },
    title: 'Replay session',
    messages: h.repos.messages,
  });
  const makeHost = (focus) => new FakeInspectorHost(source, { kind: 'session', sessionId: h.session.id }, focus, hooks);
  return {
    server,
    harness: h,
    calls,
    service,
    branches,
    makeHost,
    close: async () => {
      service.dispose();
      source.dispose?.();
      await h.service.shutdown();
      h.store.close();
      await server.close();
    },
  };
}

export class InspectorPage {
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
  static async open(browser, origin, host, { state, theme = 'dark', viewport = { width: 1200, height: 720 }, initScript } = {}) {
    const context = await browser.newContext({ viewport });
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin });
    const page = await context.newPage();
    host.page = page;
    await page.exposeBinding('__inspectorHost', async (_source, text) => JSON.stringify(await host.handle(JSON.parse(text))));
    await page.addInitScript(installFakeVsCodeApi, { initialState: state, theme: THEMES[theme], themeName: theme });
    if (initScript) {
      await page.addInitScript(initScript);
    }
    const inspector = new InspectorPage(page, host);
    await page.goto(`${origin}/`);
    try {
      await inspector.waitForPosted('ready');
    } catch (err) {
      throw new Error(`The panel never posted \`ready\` (is dist/webview/inspector.js built? page errors: ${inspector.pageErrors.join('; ') || 'none'})`, { cause: err });
    }
    return inspector;
  }

  async close() {
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

  /** The rendered row showing `index`, once it has its data. */
  row(index) {
    return this.page.locator(`.rows-block .row[data-index="${index}"]:not(.loading):not([hidden])`);
  }

  /** Indexes of the rows in the DOM. */
  async renderedIndexes() {
    return this.page.evaluate(() => [...document.querySelectorAll('.rows-block .row:not([hidden])')].map((row) => Number(row.dataset.index)));
  }

  async violations() {
    return this.page.evaluate(() => window.__violations);
  }
}
