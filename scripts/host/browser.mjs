// Headless Chromium for driving the code-server workbench. Playwright's own browser builds
// cannot be downloaded here (never run `npx playwright install`): we drive Debian's
// `chromium` package with playwright-core, a root devDependency.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';

/** Flags that keep Debian's Chromium headless, sandbox-free (we run as root) and offline. */
export const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
  '--disable-dev-shm-usage',
];

/** @returns {string} the Chromium executable: $CHROMIUM_PATH or Debian's /usr/bin/chromium */
export function chromiumPath() {
  return process.env.CHROMIUM_PATH || '/usr/bin/chromium';
}

/**
 * Loads playwright-core from the project's node_modules. require() (playwright-core is
 * CommonJS) resolves from this file upwards, i.e. <repo>/node_modules.
 * @returns {typeof import('playwright-core')}
 */
function loadPlaywright() {
  try {
    return createRequire(import.meta.url)('playwright-core');
  } catch (err) {
    throw new Error('playwright-core is not installed: run `npm install` at the repo root ' +
      `(it is a devDependency). ${/** @type {Error} */ (err).message}`, { cause: err });
  }
}

/**
 * Launches headless Chromium. Options are passed to playwright's `chromium.launch`;
 * `args` are appended to CHROMIUM_ARGS.
 * @param {import('playwright-core').LaunchOptions} [opts]
 * @returns {Promise<import('playwright-core').Browser>}
 */
export async function launchChromium(opts = {}) {
  const executablePath = opts.executablePath ?? chromiumPath();
  if (!existsSync(executablePath)) {
    throw new Error(`Chromium not found at ${executablePath}: install Debian's package with ` +
      '`apt-get install -y chromium`, or set CHROMIUM_PATH.');
  }
  const { chromium } = loadPlaywright();
  return chromium.launch({
    headless: true,
    ...opts,
    executablePath,
    args: [...CHROMIUM_ARGS, ...(opts.args ?? [])],
  });
}
