// Runs an extension's mocha suite (its `run()` entry) inside the real VS Code extension host
// of code-server, driven by headless Chromium. The web workbench starts the tests from the
// URL `payload` when the server has the smoke-test driver enabled, then reports through
// window.codeAutomationLog / window.codeAutomationExit, which we expose from playwright.
// CLI: node scripts/host/runExtensionTests.mjs --extensionDevelopmentPath DIR --extensionTestsPath FILE
import { mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs, format } from 'node:util';
import { launchChromium } from './browser.mjs';
import { startCodeServer } from './codeServer.mjs';
import { REPO_ROOT } from './install.mjs';

const SCREENSHOTS = path.join(REPO_ROOT, '.test-results', 'screenshots');

/**
 * codeAutomationLog(type, args): `type` is a log level name ('trace'|'debug'|'info'|'warn'|
 * 'error'); `args` is the argument array of one console/log call, printf-style, e.g. mocha's
 * ['    ✔ %s (%dms)', 'runs its command', 875] or ['  %d passing (%s)', 2, '1s']. The
 * workbench's own log lines (connection, storage migration, ...) arrive the same way.
 * util.format renders them like console.log would; a stray %c (CSS) is dropped defensively.
 * @param {unknown[]} args
 */
export function formatAutomationArgs(args) {
  if (!Array.isArray(args)) return String(args);
  const [first, ...rest] = args;
  if (typeof first !== 'string' || !first.includes('%c')) return format(...args);
  const cssCount = (first.match(/%c/g) ?? []).length;
  return format(first.replace(/%c/g, ''), ...rest.slice(cssCount));
}

/**
 * @typedef {object} ExtensionTestOptions
 * @property {string} extensionDevelopmentPath folder with the extension's package.json
 * @property {string} extensionTestsPath module exporting `run(): Promise<void>`
 * @property {string} [workspaceFolder] folder to open (default: an empty one under root)
 * @property {string} [root] throwaway server state (default: a temp dir, removed after a pass)
 * @property {number} [timeoutMs] whole run, default 5 min
 * @property {(line: string, type: string) => void} [onLog] test output (default: stdout)
 * @property {(line: string) => void} [serverLog] code-server output (default: dropped)
 * @property {Record<string, unknown>} [settings] extra user settings
 */

/**
 * Starts code-server + Chromium, runs the suite, always tears both down.
 * @param {ExtensionTestOptions} o
 * @returns {Promise<number>} the exit code the extension host reported (0 = all passed)
 */
export async function runExtensionTestsInCodeServer(o) {
  const t0 = Date.now();
  const mark = (/** @type {string} */ what) => console.log(`[host] ${what} after ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  const onLog = o.onLog ?? ((line) => console.log(line));
  const extDir = path.resolve(o.extensionDevelopmentPath);
  const testsPath = path.resolve(o.extensionTestsPath);
  const ownRoot = !o.root;
  const root = path.resolve(o.root ?? mkdtempSync(path.join(os.tmpdir(), 'ais-ext-')));
  const ws = path.resolve(o.workspaceFolder ?? path.join(root, 'workspace'));
  mkdirSync(ws, { recursive: true });
  const timeoutMs = o.timeoutMs ?? 300_000;

  /** @type {Awaited<ReturnType<typeof startCodeServer>> | undefined} */ let server;
  /** @type {import('playwright-core').Browser | undefined} */ let browser;
  let code = -1;
  try {
    // Start both at once (saves the browser's ~2 s launch); keep whichever came up so
    // `finally` tears it down if the other one failed.
    const [srv, brw] = await Promise.allSettled([
      startCodeServer({ root, folder: ws, smokeTestDriver: true, log: o.serverLog, settings: o.settings })
        .then((s) => { server = s; mark(`code-server ready at ${s.url}`); return s; }),
      launchChromium().then((b) => { browser = b; mark('chromium launched'); return b; }),
    ]);
    if (srv.status === 'rejected') throw srv.reason;
    if (brw.status === 'rejected') throw brw.reason;
    server = srv.value;
    const page = await brw.value.newPage({ viewport: { width: 1280, height: 800 } });

    /** @type {(code: number) => void} */ let finish = () => {};
    const exited = new Promise((resolve) => { finish = resolve; });
    await page.exposeFunction('codeAutomationLog', (/** @type {string} */ type, /** @type {unknown[]} */ args) =>
      onLog(formatAutomationArgs(args), type));
    await page.exposeFunction('codeAutomationExit', (/** @type {number} */ c, /** @type {{relativePath: string, contents: string}[]} */ logs) => {
      saveLogs(root, logs);
      finish(c);
    });
    page.on('pageerror', (err) => onLog(`[page error] ${err.message}`, 'error'));

    const { port } = server;
    const remote = (/** @type {string} */ p) => `vscode-remote://127.0.0.1:${port}${p}`;
    const payload = JSON.stringify([['extensionDevelopmentPath', remote(extDir)],
      ['extensionTestsPath', remote(testsPath)], ['skipWelcome', 'true']]);
    await page.goto(`${server.url}/?folder=${encodeURIComponent(ws)}&payload=${encodeURIComponent(payload)}`);
    mark('page loaded');
    page.waitForSelector('.monaco-workbench', { timeout: timeoutMs })
      .then(() => mark('workbench ready'), () => {});

    let timer;
    const timedOut = new Promise((resolve) => { timer = setTimeout(() => resolve('timeout'), timeoutMs - (Date.now() - t0)); });
    const winner = await Promise.race([exited, timedOut, server.exited, new Promise((r) => page.once('crash', () => r('page crashed')))]);
    clearTimeout(timer);
    if (typeof winner === 'number') {
      code = winner;
      mark(`tests finished with exit code ${code}`);
      return code;
    }
    const shot = await screenshot(page);
    const why = winner === 'timeout' ? `timed out after ${timeoutMs} ms` : winner === 'page crashed' ? winner : `server ${winner}`;
    throw new Error(`extension tests did not finish: ${why}` +
      `${shot ? ` (screenshot: ${shot})` : ''}\n--- last server output ---\n${server.output()}`);
  } finally {
    await browser?.close().catch(() => {});
    await server?.stop();
    if (ownRoot && code === 0) rmSync(root, { recursive: true, force: true });
    else console.log(`[host] server state kept in ${root} (browser logs in ${path.join(root, 'browser-logs')})`);
  }
}

/** @param {import('playwright-core').Page} page @returns {Promise<string | undefined>} */
async function screenshot(page) {
  try {
    mkdirSync(SCREENSHOTS, { recursive: true });
    const file = path.join(SCREENSHOTS, `extension-tests-${new Date().toISOString().replace(/[:.]/g, '-')}.png`);
    await page.screenshot({ path: file, timeout: 10_000 });
    return file;
  } catch {
    return undefined;
  }
}

/** The web workbench keeps its logs in IndexedDB and hands them over on exit: keep them on disk. */
function saveLogs(/** @type {string} */ root, /** @type {{relativePath: string, contents: string}[]} */ logs) {
  for (const { relativePath, contents } of logs ?? []) {
    const file = path.join(root, 'browser-logs', path.normalize(relativePath).replace(/^(\.\.[/\\])+/, ''));
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, contents);
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(realpathSync(process.argv[1])).href) {
  const { values } = parseArgs({ options: {
    extensionDevelopmentPath: { type: 'string' }, extensionTestsPath: { type: 'string' },
    workspace: { type: 'string' }, root: { type: 'string' }, timeout: { type: 'string' },
    'server-log': { type: 'boolean' },
  } });
  if (!values.extensionDevelopmentPath || !values.extensionTestsPath) {
    console.error('usage: node scripts/host/runExtensionTests.mjs --extensionDevelopmentPath DIR ' +
      '--extensionTestsPath FILE [--workspace DIR] [--root DIR] [--timeout MS] [--server-log]');
    process.exit(2);
  }
  runExtensionTestsInCodeServer({
    extensionDevelopmentPath: values.extensionDevelopmentPath, extensionTestsPath: values.extensionTestsPath,
    workspaceFolder: values.workspace, root: values.root, timeoutMs: values.timeout ? Number(values.timeout) : undefined,
    serverLog: values['server-log'] ? (l) => console.log(`  [server] ${l}`) : undefined,
  }).then((c) => { process.exitCode = c; }, (err) => { console.error(`[host] ${err.message}`); process.exitCode = 1; });
}
