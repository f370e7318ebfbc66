// The setup every workbench e2e suite shares: the packaged .vsix installed into a throwaway code-server profile
// on 127.0.0.1 (with the user settings a suite needs written before launch), Debian's Chromium on it, and a
// screenshot of the page when a test fails.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { launchChromium } from '../../../scripts/host/browser.mjs';
import { startCodeServer } from '../../../scripts/host/codeServer.mjs';
import { packageVsix } from '../../../scripts/package.mjs';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const screenshots = path.join(repoRoot, '.test-results', 'screenshots');

/**
 * Starts the workbench and waits until it takes input (its activity bar is drawn).
 * @param {{ prefix: string, settings?: Record<string, unknown>, files?: Record<string, string> }} options
 */
export async function openWorkbench({ prefix, settings, files = {} }) {
  const { vsixPath } = packageVsix({ quiet: true });
  const root = mkdtempSync(path.join(os.tmpdir(), prefix));
  const workspace = path.join(root, 'workspace');
  mkdirSync(workspace, { recursive: true });
  for (const [name, text] of Object.entries(files)) {
    writeFileSync(path.join(workspace, name), text);
  }
  const server = await startCodeServer({ root, folder: workspace, vsix: [vsixPath], ...(settings ? { settings } : {}) });
  const browser = await launchChromium();
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  await page.goto(`${server.url}/?folder=${encodeURIComponent(workspace)}`);
  await page.locator('.part.activitybar').waitFor({ timeout: 90_000 });
  return {
    server,
    browser,
    page,
    root,
    workspace,
    async close() {
      await browser.close();
      await server.stop();
      rmSync(root, { recursive: true, force: true });
    },
  };
}

/** In an afterEach: keeps a picture of the page when the test failed, named after the test. */
export async function screenshotIfFailed(test, page, prefix = '') {
  if (test?.state !== 'failed' || !page) {
    return;
  }
  mkdirSync(screenshots, { recursive: true });
  const file = path.join(screenshots, `${prefix}${test.title.replace(/[^\w-]+/g, '_').slice(0, 80)}.png`);
  await page.screenshot({ path: file }).catch(() => {});
  console.log(`    screenshot: ${path.relative(repoRoot, file)}`);
}

/**
 * What a person does in the workbench, shared by the suites: the side bar, expanding a view, running a command
 * from the palette, the quick input with a title, and the webview frame that holds an element.
 */
export function workbenchActions(page) {
  const sidebar = () => page.locator('.part.sidebar');
  return {
    sidebar,
    async expandView(name) {
      const header = sidebar().locator('.pane-header', { hasText: name });
      await header.waitFor();
      if ((await header.getAttribute('aria-expanded')) === 'false') {
        await header.click();
      }
    },
    async runCommand(title) {
      await page.keyboard.press('F1');
      await page.locator('.quick-input-widget input').fill(`>${title}`);
      await page.locator('.quick-input-list .monaco-list-row', { hasText: title }).first().waitFor();
      await page.keyboard.press('Enter');
    },
    async quickInputTitled(title) {
      await page.locator('.quick-input-widget .quick-input-title', { hasText: title }).waitFor();
      return page.locator('.quick-input-widget input');
    },
    /**
     * The inner frame of the webview whose document has `selector`. A webview is an iframe in an iframe; the
     * workbench creates them as panels open, so this re-checks the page's frames until one has the element.
     */
    async webview(selector, timeoutMs = 60_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        for (const frame of page.frames()) {
          if (!frame.isDetached() && frame.url().includes('fake.html') && (await frame.$(selector).catch(() => null))) {
            return frame;
          }
        }
        if (Date.now() > deadline) {
          throw new Error(`No webview with ${selector} appeared within ${timeoutMs} ms`);
        }
        await page.waitForTimeout(100);
      }
    },
  };
}
