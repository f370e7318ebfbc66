/* global document -- the callbacks passed to frame.waitForFunction run in the panel, not in Node */
// End to end: the chat loop as a person uses it, in Chromium against the packaged .vsix in a throwaway code-server
// profile and an OpenAI-compatible fake on 127.0.0.1 configured in the user settings before launch. Key from the
// palette, agent from the agent editor, session from the palette, then the chat panel's own controls: send, Stop
// mid-stream, edit an earlier message, the ‹ › branch switcher, a window reload, and Search Sessions. Every wait
// is on something visible (a tree row, a rendered message, a button state), never on time alone.
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { FAKE_ANSWER, FakeProviderServer, SENTINEL_KEY, SLOW_CHUNK_MS, fakeTiming } from '../../out/test/fakes/providers/fakeServer.js';
import { openAiProtocol } from '../../out/test/fakes/providers/openaiProtocol.js';
import { openWorkbench, screenshotIfFailed, screenshots, workbenchActions } from './support/workbench.mjs';

const FIRST = 'Tell me about lighthouses';
const EDITED = 'Tell me about harbours';
const SLOW = 'Speak slowly, please';

describe('Chat with an agent in the workbench (e2e)', function () {
  this.timeout(120_000);
  let fake;
  let workbench;
  let page;
  let root;

  before(async function () {
    this.timeout(300_000);
    // A slow reply of about 4 s: long enough to press Stop in the middle even on a busy two-core machine.
    fakeTiming.slowChunkMs = 800;
    fake = await FakeProviderServer.start(openAiProtocol);
    workbench = await openWorkbench({
      prefix: 'ais-e2e-chat-',
      settings: {
        'aiStudio.providers.openaiCompatible': [{ name: 'fake', baseUrl: `${fake.origin}/v1`, defaultModel: 'fake-ok' }],
        'aiStudio.defaultProvider': 'openai-compatible:fake',
      },
    });
    ({ page, root } = workbench);
    ({ sidebar, expandView, runCommand, quickInputTitled, webview } = workbenchActions(page));
  });

  afterEach(async function () {
    await screenshotIfFailed(this.currentTest, page, 'chat-e2e-');
  });

  after(async () => {
    await workbench?.close();
    await fake?.close();
    fakeTiming.slowChunkMs = SLOW_CHUNK_MS;
  });

  // Bound once the workbench is open (`page` is set in `before`).
  let sidebar, expandView, runCommand, quickInputTitled, webview;

  const chatFrame = () => webview('#composer-input');
  /** A rendered message by role, text and (optionally) status: complete, streaming, cancelled... */
  const article = (frame, role, text, status) => frame.locator(`article.message.${role}${status ? `.status-${status}` : ''}`, { hasText: text });
  const position = (frame, text) => article(frame, 'user', text).locator('.branch-position');

  async function send(frame, text) {
    await frame.locator('#composer-input').fill(text);
    await frame.locator('#composer-input').press('Enter');
  }

  /** The model for the next message, typed into the panel's own field; the composer names it once the host agreed. */
  async function useModel(frame, model) {
    await frame.locator('#model-input input').fill(model === 'fake-ok' ? '' : model);
    await frame.locator('#model-input input').press('Enter');
    await frame.locator(`#composer-input[aria-label="Message to Guide (${model})"]`).waitFor();
  }

  it('sets the API key of the configured endpoint from the palette', async () => {
    await page.locator('.part.activitybar a.action-label[aria-label^="AI Studio"]').click();
    for (const view of ['Agents', 'Sessions', 'Providers']) {
      await expandView(view);
    }
    // The row exists once the extension has activated and read the settings: the readiness signal.
    await sidebar().getByRole('treeitem', { name: /^fake, default, no key \(optional\)/ }).waitFor({ timeout: 90_000 });
    await runCommand('AI Studio: Set API Key');
    const picker = await quickInputTitled('AI Studio: Set API Key');
    await picker.fill('fake');
    await page.locator('.quick-input-list .monaco-list-row', { hasText: 'openai-compatible:fake' }).first().waitFor();
    await page.keyboard.press('Enter');
    const keyBox = await quickInputTitled('AI Studio: API key for fake');
    await keyBox.fill(SENTINEL_KEY);
    await page.keyboard.press('Enter');
    await sidebar().getByRole('treeitem', { name: /^fake, default, key set/ }).waitFor();
    // The "key saved" toast sits over the bottom right of the editor area, where the panel's Stop button is.
    await page.locator('.notifications-toasts .notification-toast').first().waitFor();
    await runCommand('Notifications: Clear All Notifications');
    await page.locator('.notifications-toasts .notification-toast').first().waitFor({ state: 'detached' });
  });

  it('creates an agent in the agent editor, with the default endpoint and model filled in', async () => {
    await runCommand('AI Studio: Create Agent');
    const editor = await webview('#agent-form');
    await editor.waitForFunction(() => document.querySelector('#field-model')?.value === 'fake-ok');
    await editor.locator('#field-name input').fill('Guide');
    await editor.locator('#save-agent').click();
    await sidebar().getByRole('treeitem', { name: /^Guide/ }).waitFor();
    await runCommand('View: Close All Editors');
  });

  it('starts a session from the palette and streams a reply to a message typed into the panel', async () => {
    await runCommand('AI Studio: New Session');
    const chat = await chatFrame();
    await sidebar().getByRole('treeitem', { name: /^New session, Guide/ }).waitFor();
    await send(chat, FIRST);
    await article(chat, 'assistant', FAKE_ANSWER, 'complete').waitFor();
    // The chat loop names the session after its first exchange; the view and the tab follow.
    await sidebar().getByRole('treeitem', { name: new RegExp(`^${FIRST}, Guide`) }).waitFor();
    await page.locator('.tabs-container .tab', { hasText: FIRST }).waitFor();
    const call = fake.requests.find((r) => r.url === '/v1/chat/completions');
    assert.equal(call?.headers.authorization, `Bearer ${SENTINEL_KEY}`);
  });

  it('stops a slow reply mid-stream with Stop: the text so far stays, marked stopped', async () => {
    const chat = await chatFrame();
    await useModel(chat, 'fake-slow');
    await send(chat, SLOW);
    await article(chat, 'assistant', 'Hello', 'streaming').waitFor();
    // The visible Stop button is pressed without Playwright's actionability checks (stable for two frames, not
    // covered), which on a busy machine could outlast even this slowed-down stream.
    const stop = chat.locator('#stop-button');
    await stop.waitFor();
    await stop.dispatchEvent('click');
    const stopped = article(chat, 'assistant', 'Hello', 'cancelled');
    await stopped.waitFor();
    await stopped.locator('.status-badge', { hasText: 'Stopped' }).waitFor();
    const text = await stopped.locator('.message-body').innerText();
    assert.ok(text.startsWith('Hello') && !text.includes('in pieces.'), `stopped text: ${text}`);
    await chat.locator('#send-button:not([hidden])').waitFor();
    await useModel(chat, 'fake-ok');
  });

  it('edits the first message and resends it as a second branch, then switches between the branches with ‹ ›', async () => {
    const chat = await chatFrame();
    const question = article(chat, 'user', FIRST);
    await question.hover();
    await question.locator('button[data-action="edit"]').click();
    await chat.locator('.edit-input').fill(EDITED);
    await chat.locator('.edit-input').press('Enter');
    await position(chat, EDITED).filter({ hasText: '2/2' }).waitFor();
    await article(chat, 'assistant', FAKE_ANSWER, 'complete').waitFor();
    assert.equal(await article(chat, 'user', SLOW).count(), 0, 'the other branch is not shown');

    await article(chat, 'user', EDITED).locator('button[data-action="select-branch"][data-direction="previous"]').click();
    await position(chat, FIRST).filter({ hasText: '1/2' }).waitFor();
    await chat.locator('article.message.assistant.status-cancelled').waitFor();
    await article(chat, 'user', FIRST).locator('button[data-action="select-branch"][data-direction="next"]').click();
    await position(chat, EDITED).filter({ hasText: '2/2' }).waitFor();
    mkdirSync(screenshots, { recursive: true });
    await page.screenshot({ path: path.join(screenshots, 'chat-panel.png') });
  });

  it('shows the whole history again after the window reloads', async () => {
    // Through the workbench, as a person would: it saves the window's state (open editors) before reloading,
    // which a browser reload (F5) in VS Code for the web only does every few seconds.
    const reloaded = page.waitForEvent('framenavigated', { predicate: (frame) => frame === page.mainFrame(), timeout: 60_000 });
    await runCommand('Developer: Reload Window');
    await reloaded;
    await page.locator('.part.activitybar').waitFor({ timeout: 90_000 });
    // The panel is restored by the extension (its serializer) and rebuilt from the store.
    const chat = await chatFrame();
    await position(chat, EDITED).filter({ hasText: '2/2' }).waitFor({ timeout: 60_000 });
    await article(chat, 'assistant', FAKE_ANSWER).waitFor();
    await article(chat, 'user', EDITED).locator('button[data-action="select-branch"][data-direction="previous"]').click();
    await article(chat, 'user', SLOW).waitFor();
    await chat.locator('article.message.assistant.status-cancelled .status-badge', { hasText: 'Stopped' }).waitFor();
    await sidebar().getByRole('treeitem', { name: new RegExp(`^${FIRST}, Guide`) }).waitFor();
  });

  it('finds a word from the first reply with Search Sessions and opens the session on it', async () => {
    await runCommand('AI Studio: Search Sessions');
    const input = await quickInputTitled('AI Studio: Search Sessions');
    await input.fill('pieces');
    const hit = page.locator('.quick-input-list .monaco-list-row', { hasText: FIRST }).filter({ hasText: 'Assistant' });
    await hit.first().waitFor();
    assert.match(await hit.first().innerText(), /pieces/);
    await page.keyboard.press('Enter');
    const chat = await chatFrame();
    await article(chat, 'assistant', 'pieces').first().waitFor();
    await page.locator('.tabs-container .tab.active', { hasText: FIRST }).waitFor();
  });

  it('renders in a light and a dark theme', async () => {
    const chat = await chatFrame();
    const before = await chat.evaluate(() => (document.body.classList.contains('vscode-dark') ? 'dark' : 'light'));
    await page.screenshot({ path: path.join(screenshots, `chat-panel-${before}.png`) });
    await runCommand('Preferences: Toggle between Light/Dark Themes');
    const after = before === 'dark' ? 'light' : 'dark';
    // VS Code tells the webview about the theme through the body's class.
    await chat.waitForFunction((name) => document.body.classList.contains(name), `vscode-${after}`);
    await page.screenshot({ path: path.join(screenshots, `chat-panel-${after}.png`) });
  });

  it('keeps the key out of every file the server wrote: store, logs, settings, state', () => {
    const files = listFiles(root).filter((file) => !file.includes(`${path.sep}extensions${path.sep}`));
    const journals = files.filter((file) => /journal-\d+\.log$/.test(file));
    assert.ok(journals.some((file) => readFileSync(file).includes(FIRST)), 'the history is in the store');
    for (const file of files) {
      if (statSync(file).size < 64 * 1024 * 1024) {
        assert.ok(!readFileSync(file).includes(SENTINEL_KEY), `the key appears in ${path.relative(root, file)}`);
      }
    }
  });
});

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
