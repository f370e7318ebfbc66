// End to end: "AI Studio: Set API Key" and "AI Studio: Ask…" driven from the palette in Chromium, against the
// packaged .vsix in a throwaway code-server profile and an OpenAI-compatible fake provider on 127.0.0.1 (the real
// openai SDK inside the extension talks to it). Every wait is on something the person would see.
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { FAKE_ANSWER, FakeProviderServer, SENTINEL_KEY } from '../../out/test/fakes/providers/fakeServer.js';
import { openAiProtocol } from '../../out/test/fakes/providers/openaiProtocol.js';
import { openWorkbench, screenshotIfFailed, screenshots } from './support/workbench.mjs';

const SAMPLE = 'export function add(a, b) {\n  return a + b;\n}\n';

describe('Ask an OpenAI-compatible endpoint from the palette (e2e)', function () {
  this.timeout(120_000);
  let fake;
  let workbench;
  let page;
  let root;

  before(async function () {
    this.timeout(300_000);
    fake = await FakeProviderServer.start(openAiProtocol);
    workbench = await openWorkbench({
      prefix: 'ais-e2e-ask-',
      files: { 'sample.js': SAMPLE },
      settings: {
        'aiStudio.providers.openaiCompatible': [
          { name: 'fake', baseUrl: `${fake.origin}/v1`, defaultModel: 'fake-ok' },
          // No default model and no key: Ask lists the server's models, and sends no key of ours.
          { name: 'fake2', baseUrl: `${fake.origin}/v1` },
        ],
        'aiStudio.defaultProvider': 'openai-compatible:fake',
      },
    });
    ({ page, root } = workbench);
  });

  afterEach(async function () {
    await screenshotIfFailed(this.currentTest, page);
  });

  after(async () => {
    await workbench?.close();
    await fake?.close();
  });

  /** Runs a palette command by its full title. */
  async function runCommand(title) {
    await page.keyboard.press('F1');
    const input = page.locator('.quick-input-widget input');
    await input.fill(`>${title}`);
    await page.locator('.quick-input-list .monaco-list-row', { hasText: title }).first().waitFor();
    await page.keyboard.press('Enter');
  }

  /** Waits for the quick input to show the given title (the next step of a command), then returns its input. */
  async function quickInputTitled(title) {
    await page.locator('.quick-input-widget .quick-input-title', { hasText: title }).waitFor();
    return page.locator('.quick-input-widget input');
  }

  it('shows the configured endpoint in the Providers view', async () => {
    await page.locator('.part.activitybar a.action-label[aria-label^="AI Studio"]').click();
    const sidebar = page.locator('.part.sidebar');
    const header = sidebar.locator('.pane-header', { hasText: 'Providers' });
    await header.waitFor();
    if ((await header.getAttribute('aria-expanded')) === 'false') {
      await header.click();
    }
    // The row exists only once the extension has activated and read the settings: the readiness signal.
    await sidebar.getByRole('treeitem', { name: /^fake, default, no key \(optional\)/ }).waitFor({ timeout: 90_000 });
  });

  it('sets the API key from the palette, masked, and the row shows it', async () => {
    await runCommand('AI Studio: Set API Key');
    const picker = await quickInputTitled('AI Studio: Set API Key');
    await picker.fill('fake');
    await page.locator('.quick-input-list .monaco-list-row', { hasText: 'openai-compatible:fake' }).first().waitFor();
    await page.keyboard.press('Enter');

    const keyBox = await quickInputTitled('AI Studio: API key for fake');
    assert.equal(await keyBox.getAttribute('type'), 'password', 'the key is masked while typed');
    await keyBox.fill(SENTINEL_KEY);
    await page.keyboard.press('Enter');
    await page.locator('.part.sidebar').getByRole('treeitem', { name: /^fake, default, key set/ }).waitFor();
  });

  it('asks about the selected code and streams the answer into a Markdown document beside it', async () => {
    // Quick Open (the palette without ">"), then select the whole file.
    await page.keyboard.press('F1');
    await page.locator('.quick-input-widget input').fill('sample.js');
    await page.locator('.quick-input-list .monaco-list-row', { hasText: 'sample.js' }).first().waitFor();
    await page.keyboard.press('Enter');
    await page.locator('.editor-instance .monaco-editor .view-lines', { hasText: 'return a + b;' }).waitFor();
    await page.locator('.editor-instance .monaco-editor .view-lines').first().click();
    await page.keyboard.press('ControlOrMeta+A');

    await runCommand('AI Studio: Ask…');
    const question = await quickInputTitled('AI Studio: Ask fake-ok (fake)');
    await page.locator('.quick-input-widget', { hasText: 'The selection (lines 1-3 of sample.js) is sent along as context.' }).waitFor();
    await question.fill('Say hello, please.');
    await page.keyboard.press('Enter');

    await page.locator('.tabs-container .tab', { hasText: 'Answer 1 (fake-ok).md' }).waitFor();
    const text = await answerText(page, 'Question to fake-ok** (fake)');
    assert.match(text, /`fake-ok`·fake·42tokensin\/12out·\$0·firsttoken[\d.]+m?s·total[\d.]+m?s·complete$/);
    assert.match(text, /Withlines1-3of`sample\.js`ascontext/);
    mkdirSync(screenshots, { recursive: true });
    await page.screenshot({ path: path.join(screenshots, 'ask-answer.png') });

    const chat = fake.requests.find((r) => r.url === '/v1/chat/completions');
    assert.ok(chat, fake.requests.map((r) => r.url).join(', '));
    assert.equal(chat.headers.authorization, `Bearer ${SENTINEL_KEY}`, 'the key typed into the box reached the endpoint');
    assert.ok(JSON.stringify(chat.body).includes('Say hello, please.'));
    assert.ok(JSON.stringify(chat.body).includes('return a + b;'), 'the selection went along as context');
  });

  it('tests the connection from the row\'s inline action, and the row shows the result', async () => {
    const sidebar = page.locator('.part.sidebar');
    const row = sidebar.getByRole('treeitem', { name: /^fake, default, key set/ });
    await row.hover();
    await row.locator('.action-label[aria-label="Test Connection"]').click();
    await sidebar.getByRole('treeitem', { name: /^fake, default, key set, last test passed in \d+ ms$/ }).waitFor();
    await page.locator('.notifications-toasts', { hasText: 'fake: connection works' }).waitFor();
  });

  it('asks another endpoint from its row, choosing from the models it lists', async () => {
    await page.locator('.part.sidebar').getByRole('treeitem', { name: /^fake2, no key \(optional\)/ }).click({ button: 'right' });
    // Hover and Enter rather than a click: a menu ignores a mouse-up that comes right after it opened.
    await page.locator('.context-view .monaco-menu .action-label', { hasText: 'Ask…' }).hover();
    await page.keyboard.press('Enter');
    const models = await quickInputTitled('AI Studio: Ask fake2: which model?');
    await page.locator('.quick-input-list .monaco-list-row', { hasText: 'fake-tool' }).waitFor();
    await models.fill('fake-ok');
    await page.locator('.quick-input-list .monaco-list-row', { hasText: 'fake-ok' }).first().waitFor();
    await page.keyboard.press('Enter');
    const question = await quickInputTitled('AI Studio: Ask fake-ok (fake2)');
    await question.fill('And once more?');
    await page.keyboard.press('Enter');
    const text = await answerText(page, 'Question to fake-ok** (fake2)');
    assert.match(text, /`fake-ok`·fake2·42tokensin\/12out·.*·complete$/);
  });

  it('opens the settings of exactly that endpoint from the row', async () => {
    const row = page.locator('.part.sidebar').getByRole('treeitem', { name: /^fake, default/ });
    await row.hover();
    await row.locator('.action-label[aria-label="Open Provider Settings"]').click();
    const settings = page.locator('.settings-editor');
    await settings.locator('.setting-item-contents', { hasText: 'Openai Compatible' }).waitFor();
    await settings.locator('.setting-item-contents', { hasText: 'First Byte Timeout Seconds' }).waitFor();
    assert.equal(await settings.locator('.setting-item-contents', { hasText: 'Anthropic' }).count(), 0, 'other providers are filtered out');
    await page.screenshot({ path: path.join(screenshots, 'provider-settings.png') });
  });

  it('keeps the key out of every file the server wrote: logs, settings, state', () => {
    const files = listFiles(root).filter((file) => !file.includes(`${path.sep}extensions${path.sep}`));
    const logs = files.filter((file) => file.endsWith('AI Studio.log'));
    const logText = logs.map((file) => readFileSync(file, 'utf8')).join('\n');
    assert.match(logText, /Ask fake \(openai-compatible:fake\), model fake-ok: question of \d+ characters/, `no Ask line in ${logs.join(', ')}`);
    for (const file of files) {
      if (statSync(file).size < 64 * 1024 * 1024) {
        assert.ok(!readFileSync(file).includes(SENTINEL_KEY), `the key appears in ${path.relative(root, file)}`);
      }
    }
    console.log(`    checked ${files.length} files for the key`);
  });
});

/**
 * Waits until an answer editor whose text includes `marker` shows the whole answer and, below it, the final footer,
 * and returns its text without whitespace. Monaco positions its .view-line elements absolutely and reuses them, so
 * their DOM order is not the line order (sorted by `top` here), and long lines wrap into several of them.
 */
async function answerText(page, marker) {
  const handle = await page.waitForFunction(
    ([answer, marker]) => {
      // eslint-disable-next-line no-undef -- runs in the page, where `document` exists
      for (const lines of document.querySelectorAll('.editor-instance .monaco-editor .view-lines')) {
        const text = [...lines.querySelectorAll('.view-line')]
          .sort((a, b) => parseFloat(a.style.top) - parseFloat(b.style.top))
          .map((line) => line.textContent)
          .join('')
          .replace(/\s+/g, '');
        if (text.includes(marker) && text.includes(answer) && /·complete$/.test(text)) {
          return text;
        }
      }
      return undefined;
    },
    [FAKE_ANSWER.replace(/\s+/g, ''), marker.replace(/\s+/g, '')],
  );
  return handle.jsonValue();
}

function listFiles(dir) {
  let found = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      found = found.concat(listFiles(full));
    } else if (entry.isFile()) {
      found.push(full);
    }
  }
  return found;
}
