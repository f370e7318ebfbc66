/* global document -- the callbacks passed to frame.waitForFunction run in the panel, not in Node */
// End to end: the Inspector and replay as a person uses them, in Chromium against the packaged .vsix in a
// throwaway code-server profile and an OpenAI-compatible fake on 127.0.0.1 configured before launch. Two chat
// turns, the chat panel's Inspect button, both model calls in the timeline with their tokens and cost, one of them
// replayed with another model, and the comparison. Every wait is on something visible, never on time alone.
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { FAKE_ANSWER, FakeProviderServer, SENTINEL_KEY } from '../../out/test/fakes/providers/fakeServer.js';
import { openAiProtocol } from '../../out/test/fakes/providers/openaiProtocol.js';
import { openWorkbench, screenshotIfFailed, screenshots, workbenchActions } from './support/workbench.mjs';

describe('Inspector and replay in the workbench (e2e)', function () {
  this.timeout(180_000);
  let fake;
  let workbench;
  let page;

  before(async function () {
    this.timeout(300_000);
    fake = await FakeProviderServer.start(openAiProtocol);
    workbench = await openWorkbench({
      prefix: 'ais-e2e-inspector-',
      settings: {
        'aiStudio.providers.openaiCompatible': [{ name: 'fake', baseUrl: `${fake.origin}/v1`, defaultModel: 'fake-ok' }],
        'aiStudio.defaultProvider': 'openai-compatible:fake',
      },
    });
    ({ page } = workbench);
    ({ sidebar, expandView, runCommand, quickInputTitled, webview } = workbenchActions(page));
  });

  afterEach(async function () {
    await screenshotIfFailed(this.currentTest, page, 'inspector-e2e-');
  });

  after(async () => {
    await workbench?.close();
    await fake?.close();
  });

  // Bound once the workbench is open (`page` is set in `before`).
  let sidebar, expandView, runCommand, quickInputTitled, webview;

  const article = (frame, role, text, status) => frame.locator(`article.message.${role}${status ? `.status-${status}` : ''}`, { hasText: text });

  async function send(frame, text) {
    await frame.locator('#composer-input').fill(text);
    await frame.locator('#composer-input').press('Enter');
  }

  it('chats two turns, inspects them, replays one with another model and sees the comparison', async () => {
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
    await page.locator('.notifications-toasts .notification-toast').first().waitFor();
    await runCommand('Notifications: Clear All Notifications');
    await page.locator('.notifications-toasts .notification-toast').first().waitFor({ state: 'detached' });

    await runCommand('AI Studio: Create Agent');
    const editor = await webview('#agent-form');
    await editor.waitForFunction(() => document.querySelector('#field-model')?.value === 'fake-ok');
    await editor.locator('#field-name input').fill('Guide');
    await editor.locator('#save-agent').click();
    await sidebar().getByRole('treeitem', { name: /^Guide/ }).waitFor();
    await runCommand('View: Close All Editors');

    await runCommand('AI Studio: New Session');
    const chat = await webview('#composer-input');
    await send(chat, 'Tell me about lighthouses');
    await article(chat, 'assistant', FAKE_ANSWER, 'complete').waitFor();
    await send(chat, 'And about harbours');
    await chat.locator(`article.message.assistant.status-complete`).nth(1).waitFor();
    await chat.locator('#send-button:not([hidden])').waitFor();

    // The chat panel's Inspect button opens the Inspector on the session.
    await chat.locator('#inspect-session').click();
    const inspector = await webview('.rows-block');
    // Both model calls, with their tokens and a cost (or that it is unknown), once the rows have their data.
    await inspector.waitForFunction(
      () =>
        [...document.querySelectorAll('.rows-block .row:not(.loading):not([hidden])')].filter(
          (row) => row.textContent.includes('llm.response.completed') && /\d+\s*\/\s*\d+/.test(row.textContent) && /\$[\d.]+|cost unknown/.test(row.textContent),
        ).length === 2,
    );
    const calls = inspector.locator('.rows-block .row:not(.loading):not([hidden])', { hasText: 'llm.response.completed' });
    // Replay the second call with another model.
    await calls.nth(1).click();
    await inspector.locator('#replay-open').click();
    await inspector.locator('#replay-form').waitFor();
    assert.equal(await inspector.locator('#replay-model').inputValue(), 'fake-ok');
    await inspector.locator('#replay-model').fill('fake-reasoning');
    await inspector.locator('#replay-run').click();
    const comparison = inspector.locator('#replay-comparison');
    await comparison.waitFor();
    assert.equal(await comparison.locator('tr[data-figure="Model"] td[data-side="replay"]').innerText(), 'fake-reasoning');
    assert.equal(await comparison.locator('tr[data-figure="Status"] td[data-side="replay"]').innerText(), 'complete');
    assert.equal(await comparison.locator('.replay-text[data-side="replay"] .replay-text-body').innerText(), FAKE_ANSWER);
    // The replay is an event of the session: it appears in the timeline.
    await inspector.locator('.rows-block .row', { hasText: 'fake-reasoning' }).first().waitFor();
    await comparison.scrollIntoViewIfNeeded();
    mkdirSync(screenshots, { recursive: true });
    await page.screenshot({ path: path.join(screenshots, 'inspector-replay.png') });
  });
});
