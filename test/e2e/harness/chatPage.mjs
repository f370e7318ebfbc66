/* global window, document -- the callbacks passed to page.evaluate run in the panel, not in Node */
// Drives the built chat webview in a Chromium page the way VS Code hosts it: a fake `acquireVsCodeApi` records
// what the panel posts, and the test posts host messages (snapshot, events, replies) into the window. Every wait
// is on something the panel did (a message it posted, an element it rendered), never on time.

import { THEMES } from './theme.mjs';

/** Installed before any page script, as VS Code injects its own API and theme into a webview. */
function installFakeVsCodeApi({ initialState, theme, themeName }) {
  // Through the CSSOM, as VS Code does: the page's CSP forbids inline styles but not this. The document has no
  // <html> yet when init scripts run, so this waits for it.
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
      postMessage: (message) => window.__posted.push(JSON.parse(JSON.stringify(message))),
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

export class ChatPage {
  /** @param {import('playwright-core').Page} page */
  constructor(page) {
    this.page = page;
    this.dialogs = [];
    this.pageErrors = [];
    page.on('dialog', (dialog) => {
      this.dialogs.push(dialog.message());
      void dialog.dismiss().catch(() => {});
    });
    page.on('pageerror', (error) => this.pageErrors.push(error.message));
  }

  /**
   * Opens the harness in a fresh context and waits for the panel's `ready`.
   * @param {import('playwright-core').Browser} browser
   */
  static async open(browser, origin, { csp = true, state, theme = 'dark', viewport = { width: 900, height: 700 } } = {}) {
    const context = await browser.newContext({ viewport });
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin });
    const page = await context.newPage();
    await page.addInitScript(installFakeVsCodeApi, { initialState: state, theme: THEMES[theme], themeName: theme });
    const chat = new ChatPage(page);
    await page.goto(csp ? `${origin}/` : `${origin}/?csp=off`);
    try {
      await chat.waitForPosted('ready');
    } catch (err) {
      throw new Error(`The panel never posted \`ready\` (is dist/webview/chat.js built? page errors: ${chat.pageErrors.join('; ') || 'none'})`, { cause: err });
    }
    return chat;
  }

  async close() {
    await this.page.context().close();
  }

  /** Posts one host message into the panel, as `webview.postMessage` does. */
  async post(message) {
    await this.page.evaluate((m) => window.postMessage(m, '*'), message);
  }

  async snapshot(snapshot) {
    await this.post({ kind: 'snapshot', snapshot });
  }

  async event(method, params) {
    await this.post({ kind: 'event', event: { method, params } });
  }

  /** Streams `parts` as chat/delta events, one postMessage each. */
  async stream(id, parts) {
    await this.page.evaluate(
      ({ id, parts }) => {
        for (const text of parts) {
          window.postMessage({ kind: 'event', event: { method: 'chat/delta', params: { id, text } } }, '*');
        }
      },
      { id, parts },
    );
  }

  async posted() {
    return this.page.evaluate(() => window.__posted);
  }

  /**
   * Waits for a message the panel posts, of `kind` (and for a request, `method`), skipping the first `after`
   * ones; returns it. Functions, not strings: Playwright polls a string predicate with eval, which the CSP refuses.
   */
  async waitForPosted(kind, { method, after = 0 } = {}) {
    const handle = await this.page.waitForFunction(
      ({ kind, method, after }) =>
        window.__posted.slice(after).find((m) => m.kind === kind && (method === undefined || m.method === method)) ?? false,
      { kind, method, after },
    );
    return handle.jsonValue();
  }

  /** Waits for a request to `method` and returns it (its `params` and `id`). */
  async waitForRequest(method, { after = 0 } = {}) {
    return this.waitForPosted('request', { method, after });
  }

  async postedCount() {
    return this.page.evaluate(() => window.__posted.length);
  }

  async requests(method) {
    return (await this.posted()).filter((m) => m.kind === 'request' && m.method === method);
  }

  async respond(request, result) {
    await this.post({ kind: 'response', id: request.id, result });
  }

  /** A message element by its text, once rendered. */
  message(text) {
    return this.page.locator('article.message', { hasText: text });
  }

  /** A tool step's row by its call id. */
  toolRow(callId) {
    return this.page.locator(`.tool-step[data-call-id="${callId}"]`);
  }

  /** The card of a pending question (approval or limit) by its id. */
  card(pendingId) {
    return this.page.locator(`.pending-card[data-pending-id="${pendingId}"]`);
  }

  /** A decision button of a card: approve, approveSession, deny, continue, stop. */
  decision(pendingId, decision) {
    return this.card(pendingId).locator(`vscode-button[data-decision="${decision}"]`);
  }

  /** Waits until the screen-reader announcer says something containing `text`; returns what it says. */
  async announced(text) {
    const handle = await this.page.waitForFunction((text) => {
      const said = document.getElementById('announcer')?.textContent ?? '';
      return said.includes(text) ? said : false;
    }, text);
    return handle.jsonValue();
  }

  /** What has keyboard focus: its tag, id, classes and data attributes. */
  async focused() {
    return this.page.evaluate(() => {
      const active = document.activeElement;
      return active ? { tag: active.tagName.toLowerCase(), id: active.id, className: String(active.className), data: { ...active.dataset } } : null;
    });
  }

  async violations() {
    return this.page.evaluate(() => window.__violations);
  }

  /** Posts the `chat/run` event (a RunHeaderView, or null: the session is no run's). */
  async runEvent(run) {
    await this.event('chat/run', { run });
  }

  /** The run header above the conversation. */
  runHeader() {
    return this.page.locator('#run-header');
  }

  /** A meter of the run header by its kind: steps, tokens, costUsd, minutes. */
  runMeter(kind) {
    return this.page.locator(`#run-header .run-meter[data-kind="${kind}"]`);
  }
}
