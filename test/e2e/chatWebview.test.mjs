/* global window, document, requestAnimationFrame, getComputedStyle -- the callbacks passed to page.evaluate run in the panel, not in Node */
// The chat panel's webview (dist/webview/chat.js) in real Chromium, under the CSP that src/webviews/html.ts sets,
// with a fake VS Code API: what it renders from host messages, what it posts back, and that hostile model output
// neither runs nor calls home. The security cases also run without the CSP, to prove the renderer alone holds.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { launchChromium } from '../../scripts/host/browser.mjs';
import { assertInert, assertToolsInert, clickAllLinks, settleRequests } from './harness/assertions.mjs';
import { ChatPage } from './harness/chatPage.mjs';
import {
  AGENT, OTHER_AGENT, approvalPending, awaitingTurn, chain, chunks, limitPending, message, serveHistory, snapshot, toolCall, toolTurn, ulid,
} from './harness/fixtures.mjs';
import { garbageHostMessages, garbageToolMessages, imageReply, xssPayloads, xssReply, xssToolTurn } from './harness/payloads.mjs';
import { startCountingServer, startHarnessServer } from './harness/servers.mjs';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const screenshots = path.join(repoRoot, '.test-results', 'screenshots');

describe('Chat webview in Chromium (harness)', function () {
  this.timeout(120_000);
  let browser;
  let harness;
  let leak;
  /** @type {ChatPage | undefined} */
  let chat;

  before(async function () {
    const bundle = path.join(process.env.CHAT_WEBVIEW_DIST ?? path.join(repoRoot, 'dist/webview'), 'chat.js');
    if (!existsSync(bundle)) {
      throw new Error(`${bundle} is missing: run \`npm run build\` first`);
    }
    harness = await startHarnessServer();
    leak = await startCountingServer();
    browser = await launchChromium();
  });

  afterEach(async function () {
    if (this.currentTest?.state === 'failed' && chat) {
      mkdirSync(screenshots, { recursive: true });
      const file = path.join(screenshots, `chat-${this.currentTest.title.replace(/[^\w-]+/g, '_').slice(0, 80)}.png`);
      await chat.page.screenshot({ path: file }).catch(() => {});
      console.log(`    screenshot: ${path.relative(repoRoot, file)}`);
    }
    if (chat) {
      assert.deepEqual(chat.pageErrors, [], 'uncaught errors in the panel');
      await chat.close();
      chat = undefined;
    }
  });

  after(async () => {
    await browser?.close();
    await harness?.close();
    await leak?.close();
  });

  describe('rendering', () => {
    it('renders the path from the root to the leaf: plain user text, Markdown replies, code, footers, badges', async () => {
      chat = await ChatPage.open(browser, harness.origin);
      const user = message({ id: ulid(1), text: 'Show me *code* <b>as typed</b>\nsecond line' });
      const offPath = message({ id: ulid(2), parentId: ulid(1), role: 'assistant', text: 'An older reply on another branch' });
      const reply = message({
        id: ulid(3),
        parentId: ulid(1),
        role: 'assistant',
        text: 'Here is **TypeScript**:\n\n```ts\nexport const answer: number = 42;\n```\n\n| a | b |\n|:-|-:|\n| 1 | 2 |\n\nSee [the docs](https://example.com/docs).',
        footer: { inputTokens: 1234, outputTokens: 56, latencyMs: 2300, timeToFirstTokenMs: 410, finishReason: 'stop' },
      });
      const stopped = message({ id: ulid(4), parentId: ulid(3), text: 'And then?' });
      const cancelled = message({ id: ulid(5), parentId: ulid(4), role: 'assistant', status: 'cancelled', text: 'Partial ans', footer: { costUsd: 0.00042 } });
      await chat.snapshot(snapshot([user, offPath, reply, stopped, cancelled]));

      await chat.message('Partial ans').waitFor();
      const userBody = chat.message('Show me').locator('.message-body');
      assert.equal(await userBody.innerText(), 'Show me *code* <b>as typed</b>\nsecond line');
      assert.equal(await chat.page.locator('article.message', { hasText: 'An older reply' }).count(), 0, 'off-path message shown');
      const answer = chat.message('Here is');
      assert.equal(await answer.locator('strong').innerText(), 'TypeScript');
      assert.ok((await answer.locator('code .hljs-keyword').count()) > 0, 'code is highlighted');
      assert.equal(await answer.locator('.code-language').innerText(), 'ts');
      await answer.getByRole('button', { name: 'Copy code' }).waitFor();
      await answer.getByRole('button', { name: 'Insert code at cursor' }).waitFor();
      assert.match(await answer.locator('.message-footer').innerText(), /gpt-test.*1,234 in \/ 56 out.*cost unknown.*2\.3 s.*TTFT 410 ms/s);
      assert.match(await answer.locator('.branch-switcher').getAttribute('aria-label'), /Branch 2 of 2/);
      assert.equal(await chat.message('Partial ans').locator('.status-badge').innerText(), 'Stopped');
      assert.match(await chat.message('Partial ans').locator('.message-footer').innerText(), /\$0\.00042/);
      assert.equal(await chat.page.locator('#composer-input').getAttribute('aria-label'), 'Message to Helper (gpt-test)');

      mkdirSync(screenshots, { recursive: true });
      await chat.page.screenshot({ path: path.join(screenshots, 'chat-harness.png') });
      // The same history in a light theme, for people reviewing the look (not compared by any test).
      const light = await ChatPage.open(browser, harness.origin, { theme: 'light' });
      await light.snapshot(snapshot([user, offPath, reply, stopped, cancelled]));
      await light.message('Partial ans').waitFor();
      await light.page.screenshot({ path: path.join(screenshots, 'chat-harness-light.png') });
      await light.close();
    });

    it('shows a helpful empty state that names the agent and fills the box from a suggestion', async () => {
      chat = await ChatPage.open(browser, harness.origin);
      await chat.snapshot(snapshot([]));
      const empty = chat.page.locator('#empty-state');
      await empty.getByText('Helper').waitFor();
      assert.match(await empty.innerText(), /openai · gpt-test/);
      await empty.locator('.suggestion').first().click();
      assert.match(await chat.page.locator('#composer-input').inputValue(), /Explain what this project does/);
      assert.equal((await chat.requests('chat/send')).length, 0, 'a suggestion must not send by itself');
    });
  });

  for (const csp of [true, false]) {
    const mode = csp ? 'under the panel CSP' : 'without any CSP (the renderer alone)';

    describe(`hostile model output, ${mode}`, () => {
      it('XSS payloads in a restored reply execute nothing, and their links go nowhere', async () => {
        chat = await ChatPage.open(browser, harness.origin, { csp });
        const question = message({ id: ulid(1), text: 'Say something nasty' });
        const reply = message({ id: ulid(2), parentId: ulid(1), role: 'assistant', text: xssReply() });
        await chat.snapshot(snapshot([question, reply]));
        await chat.page.getByText('END-OF-PAYLOADS').waitFor();
        // Each payload is still visible as text: nothing was silently swallowed either.
        const shown = await chat.message('END-OF-PAYLOADS').innerText();
        for (const payload of xssPayloads()) {
          assert.ok(shown.includes(`Payload ${payload.name}`), payload.name);
        }
        await assertInert(chat);
        await clickAllLinks(chat);
        await assertInert(chat);
        assert.deepEqual(await chat.violations(), [], 'the renderer tried something the CSP had to block');
      });

      it('XSS payloads streamed in small deltas execute nothing, during and after the stream', async () => {
        chat = await ChatPage.open(browser, harness.origin, { csp });
        const question = message({ id: ulid(1), text: 'Stream something nasty' });
        const reply = message({ id: ulid(2), parentId: ulid(1), role: 'assistant', status: 'streaming', text: '' });
        await chat.snapshot(snapshot([question, reply], { streamingId: reply.id }));
        await chat.message('Stream something nasty').waitFor();
        const parts = chunks(xssReply(), 5);
        const half = Math.floor(parts.length / 2);
        await chat.stream(reply.id, parts.slice(0, half));
        await chat.page.waitForFunction(() => document.querySelector('article.message.assistant .message-body')?.textContent.includes('Payload'));
        await assertInert(chat);
        await chat.stream(reply.id, parts.slice(half));
        await chat.page.getByText('END-OF-PAYLOADS').waitFor();
        await assertInert(chat);
        await chat.event('chat/message', { ...reply, status: 'complete', text: xssReply() });
        await chat.event('chat/streaming', { streamingId: null });
        await chat.page.locator('article.message.assistant.status-complete').waitFor();
        await assertInert(chat);
        await clickAllLinks(chat);
        assert.deepEqual(await chat.violations(), []);
      });

      it('XSS payloads in tool steps and cards (summaries, output, results, file names, diffs, command lines) are text', async () => {
        chat = await ChatPage.open(browser, harness.origin, { csp });
        const { messages, pending, texts } = xssToolTurn();
        await chat.snapshot(snapshot(messages, { pending }));
        await chat.card(ulid(800)).waitFor();
        await chat.card(ulid(801)).waitFor();
        // Streamed output is text too, and so are calls and cards that arrive as events.
        for (const text of texts) {
          await chat.event('chat/toolOutput', { messageId: ulid(3), callId: 'call_1', text: `${text}\n` });
        }
        await chat.event('chat/tool', { messageId: ulid(3), call: toolCall({ id: 'call_late', name: 'fetch_url', summary: texts[0], state: 'denied' }) });
        await chat.toolRow('call_late').waitFor();
        // Open every row, so results and arguments are rendered as well.
        await chat.page.evaluate(() => document.querySelectorAll('.tool-step-toggle[aria-expanded="false"]').forEach((toggle) => toggle.click()));
        assert.equal(await chat.page.locator('.tool-step-toggle[aria-expanded="false"]').count(), 0);
        await chat.page.locator('.pending-arguments .disclosure').first().click();
        await chat.page.waitForFunction((last) => document.querySelector('.tool-output')?.textContent.includes(last), texts.at(-1));
        const shown = await chat.page.evaluate(() => [...document.querySelectorAll('.tool-message, .pending-dock')].map((e) => e.textContent).join('\n'));
        for (const text of texts) {
          assert.ok(shown.includes(text), `not shown as text: ${text}`);
        }
        assert.ok(shown.includes('javascript:window.__xss_url=1'), 'the URL is shown as text');
        await assertToolsInert(chat);
        // Nothing in a card is a link: clicking the URL goes nowhere and posts nothing.
        const before = await chat.postedCount();
        await chat.page.locator('.pending-url-text').click();
        assert.equal(await chat.postedCount(), before);
        await assertToolsInert(chat);
        assert.deepEqual(await chat.violations(), [], 'the renderer tried something the CSP had to block');
      });

      it('remote images are never requested: placeholders instead, live (deltas) and restored (snapshot)', async () => {
        leak.hits.length = 0;
        harness.strayHits.length = 0;
        const text = imageReply(leak.origin, harness.origin);
        // Live: the reply streams in, URLs cut across deltas.
        chat = await ChatPage.open(browser, harness.origin, { csp });
        const question = message({ id: ulid(1), text: 'Show me a picture' });
        const reply = message({ id: ulid(2), parentId: ulid(1), role: 'assistant', status: 'streaming', text: '' });
        await chat.snapshot(snapshot([question, reply], { streamingId: reply.id }));
        await chat.message('Show me a picture').waitFor();
        await chat.stream(reply.id, chunks(text, 9));
        await chat.page.getByText('END-OF-IMAGES').waitFor();
        const placeholder = chat.page.locator('.image-placeholder', { hasText: 'secret alt' });
        assert.match(await placeholder.innerText(), new RegExp(`Image not loaded: secret alt \\(${leak.origin}/leak-md\\?q=secret\\)`));
        await assertInert(chat);
        await settleRequests(chat, harness.origin);
        await chat.close();

        // Restored: a new panel gets the finished reply in its snapshot.
        chat = await ChatPage.open(browser, harness.origin, { csp });
        await chat.snapshot(snapshot([question, { ...reply, status: 'complete', text }]));
        await chat.page.getByText('END-OF-IMAGES').waitFor();
        assert.equal(await chat.page.locator('.image-placeholder').count(), 4);
        await assertInert(chat);
        await settleRequests(chat, harness.origin);

        assert.deepEqual(leak.hits, [], 'requests reached the loopback leak server');
        assert.deepEqual(harness.strayHits.filter((hit) => !hit.startsWith('/control-')), [], 'requests to the panel origin besides its bundle');
        assert.deepEqual(await chat.violations(), [], 'the renderer tried to load something the CSP had to block');
      });
    });
  }

  describe('links and keys', () => {
    it('a link click posts chat/openLink and does not navigate, also on middle click', async () => {
      chat = await ChatPage.open(browser, harness.origin);
      const question = message({ id: ulid(1), text: 'Where are the docs?' });
      const reply = message({ id: ulid(2), parentId: ulid(1), role: 'assistant', text: 'Read [the docs](https://example.com/docs?a=1) or https://example.org/auto.' });
      await chat.snapshot(snapshot([question, reply]));
      await chat.page.evaluate(() => (window.__marker = 'still here'));
      const url = chat.page.url();
      await chat.page.getByRole('link', { name: 'the docs' }).click();
      const opened = await chat.waitForRequest('chat/openLink');
      assert.deepEqual(opened.params, { url: 'https://example.com/docs?a=1' });
      const after = await chat.postedCount();
      await chat.page.getByRole('link', { name: 'https://example.org/auto' }).click({ button: 'middle' });
      assert.deepEqual((await chat.waitForRequest('chat/openLink', { after })).params, { url: 'https://example.org/auto' });
      assert.equal(chat.page.url(), url);
      assert.equal(await chat.page.evaluate(() => window.__marker), 'still here', 'the document was replaced');
      assert.equal(chat.page.context().pages().length, 1, 'a window was opened');
    });

    it('Enter sends after the leaf, Shift+Enter adds a line, a failed send gives the text back, Esc stops', async () => {
      chat = await ChatPage.open(browser, harness.origin);
      await chat.snapshot(snapshot(chain(2)));
      await chat.message('Answer number 1').waitFor();
      const input = chat.page.locator('#composer-input');
      await input.click();
      await chat.page.keyboard.type('first line');
      await chat.page.keyboard.press('Shift+Enter');
      await chat.page.keyboard.type('second line');
      assert.equal(await input.inputValue(), 'first line\nsecond line');
      assert.equal((await chat.requests('chat/send')).length, 0, 'Shift+Enter sent');

      await chat.page.keyboard.press('Enter');
      const failed = await chat.waitForRequest('chat/send');
      assert.deepEqual(failed.params, { text: 'first line\nsecond line', parentId: ulid(2) });
      await chat.post({ kind: 'error', id: failed.id, error: { code: 'handler_failed', message: 'No API key for openai' } });
      await chat.page.locator('#composer-status', { hasText: 'Could not send: No API key for openai' }).waitFor();
      assert.equal(await input.inputValue(), 'first line\nsecond line', 'the text was lost');

      const before = await chat.postedCount();
      await chat.page.keyboard.press('Enter');
      const send = await chat.waitForRequest('chat/send', { after: before });
      assert.equal(await input.inputValue(), '');
      await chat.respond(send, { userId: ulid(3), assistantId: ulid(4) });
      await chat.event('chat/message', message({ id: ulid(3), parentId: ulid(2), text: 'first line\nsecond line' }));
      await chat.event('chat/message', message({ id: ulid(4), parentId: ulid(3), role: 'assistant', status: 'streaming' }));
      await chat.event('chat/leaf', { leafId: ulid(4) });
      await chat.event('chat/streaming', { streamingId: ulid(4) });
      await chat.stream(ulid(4), ['Hel', 'lo ', 'there']);
      await chat.message('Hello there').locator('.status-badge', { hasText: 'Streaming' }).waitFor();
      await chat.page.locator('#stop-button').waitFor();
      assert.equal(await chat.page.locator('#send-button').isVisible(), false, 'Send shown while streaming');

      // Enter while a reply streams keeps the text and says why.
      await input.fill('next question');
      await input.press('Enter');
      await chat.page.locator('#composer-status', { hasText: 'still streaming' }).waitFor();
      assert.equal((await chat.requests('chat/send')).length, 2);
      await chat.page.keyboard.press('Escape');
      assert.deepEqual((await chat.waitForRequest('chat/stop')).params, {});
      assert.equal(await input.inputValue(), 'next question');
    });

    it('the branch switcher posts chat/selectBranch and shows the returned leaf, by mouse and keyboard', async () => {
      chat = await ChatPage.open(browser, harness.origin);
      const original = message({ id: ulid(1), text: 'Original question' });
      const originalReply = message({ id: ulid(2), parentId: ulid(1), role: 'assistant', text: 'Original answer' });
      const edited = message({ id: ulid(3), text: 'Edited question' });
      const editedReply = message({ id: ulid(4), parentId: ulid(3), role: 'assistant', text: 'Edited answer' });
      await chat.snapshot(snapshot([original, originalReply, edited, editedReply]));
      const switcher = chat.message('Edited question').getByRole('group', { name: 'Branch 2 of 2' });
      await switcher.waitFor();
      assert.equal(await switcher.innerText(), '2/2');

      await switcher.getByRole('button', { name: /Previous branch/ }).click();
      const select = await chat.waitForRequest('chat/selectBranch');
      assert.deepEqual(select.params, { messageId: ulid(1) });
      await chat.respond(select, { leafId: ulid(2) });
      await chat.message('Original answer').waitFor();
      assert.equal(await chat.message('Edited').count(), 0);

      const before = await chat.postedCount();
      const next = chat.message('Original question').getByRole('button', { name: /Next branch \(this is 1 of 2\)/ });
      await next.focus();
      await chat.page.keyboard.press('Enter');
      const back = await chat.waitForRequest('chat/selectBranch', { after: before });
      assert.deepEqual(back.params, { messageId: ulid(3) });
      await chat.respond(back, { leafId: ulid(4) });
      await chat.message('Edited answer').waitFor();
      // Focus stays on the switcher of the branch now shown, so the keyboard user can keep going.
      await chat.page.waitForFunction(() => document.activeElement?.closest('.branch-switcher') !== null);
    });

    it('edits a user message inline: Esc cancels, Enter sends chat/edit', async () => {
      chat = await ChatPage.open(browser, harness.origin);
      await chat.snapshot(snapshot(chain(2)));
      const question = chat.message('Question number 0');
      await question.getByRole('button', { name: /Edit and resend/ }).click();
      const editor = chat.page.locator('.edit-input');
      await editor.waitFor();
      assert.equal(await editor.inputValue(), 'Question number 0');
      await chat.page.waitForFunction(() => document.activeElement?.classList.contains('edit-input'));
      await chat.page.keyboard.press('Escape');
      await editor.waitFor({ state: 'detached' });
      assert.equal((await chat.requests('chat/edit')).length, 0);

      await question.getByRole('button', { name: /Edit and resend/ }).click();
      await editor.fill('A better question');
      await editor.press('Enter');
      const edit = await chat.waitForRequest('chat/edit');
      assert.deepEqual(edit.params, { messageId: ulid(1), text: 'A better question' });
      await chat.respond(edit, { userId: ulid(3), assistantId: ulid(4) });
      await editor.waitFor({ state: 'detached' });
    });

    it('error actions, reply actions, code Copy/Insert and the agent picker post what they say', async () => {
      chat = await ChatPage.open(browser, harness.origin);
      const question = message({ id: ulid(1), text: 'Write code' });
      const answer = message({ id: ulid(2), parentId: ulid(1), role: 'assistant', text: 'Here:\n\n```python\nprint("hi")\n```' });
      const again = message({ id: ulid(3), parentId: ulid(2), text: 'Again' });
      const failed = message({
        id: ulid(4), parentId: ulid(3), role: 'assistant', status: 'error', text: '',
        error: { kind: 'auth', message: 'The API key was rejected (401).', actions: ['setKey', 'retry', 'openSettings'] },
      });
      await chat.snapshot(snapshot([question, answer, again, failed]));
      const error = chat.message('The API key was rejected');
      await error.locator('.status-badge', { hasText: 'Error' }).waitFor();
      await error.getByRole('button', { name: "Set the provider's API key" }).click();
      assert.deepEqual((await chat.waitForRequest('chat/runErrorAction')).params, { messageId: ulid(4), action: 'setKey' });
      await error.locator('.message-error').getByRole('button', { name: 'Retry this reply' }).click();
      assert.deepEqual((await chat.waitForRequest('chat/retry')).params, { messageId: ulid(4) });
      await error.getByRole('button', { name: 'Fork to a new session from this reply' }).click();
      assert.deepEqual((await chat.waitForRequest('chat/fork')).params, { messageId: ulid(4) });
      await error.getByRole('button', { name: 'Inspect this call' }).click();
      assert.deepEqual((await chat.waitForRequest('chat/inspect')).params, { messageId: ulid(4) });

      const code = chat.message('Here:');
      await code.getByRole('button', { name: 'Copy code' }).click();
      await code.locator('.code-status', { hasText: 'Copied' }).waitFor();
      assert.equal(await chat.page.evaluate(() => navigator.clipboard.readText()), 'print("hi")\n');
      await code.getByRole('button', { name: 'Insert code at cursor' }).click();
      const insert = await chat.waitForRequest('chat/insertAtCursor');
      assert.deepEqual(insert.params, { code: 'print("hi")\n' });
      await chat.respond(insert, null);
      await code.locator('.code-status', { hasText: 'Inserted' }).waitFor();
      await code.getByRole('button', { name: 'Copy message' }).click();
      await code.locator('.action-status', { hasText: 'Copied' }).waitFor();
      assert.equal(await chat.page.evaluate(() => navigator.clipboard.readText()), answer.text);

      await chat.page.locator('#inspect-session').click();
      const inspects = await chat.requests('chat/inspect');
      await chat.page.waitForFunction(() => window.__posted.filter((m) => m.method === 'chat/inspect').length === 2);
      assert.ok(inspects.length >= 1);
      assert.deepEqual((await chat.requests('chat/inspect'))[1].params, { messageId: null });

      await chat.page.locator('#model-input input').fill('gpt-4.1');
      await chat.page.locator('#model-input input').press('Enter');
      assert.deepEqual((await chat.waitForRequest('chat/setAgent')).params, { agentId: AGENT.id, model: 'gpt-4.1' });
      const before = await chat.postedCount();
      await chat.page.locator('#agent-select').click();
      await chat.page.locator('#agent-select').getByRole('option', { name: OTHER_AGENT.name }).click();
      assert.deepEqual((await chat.waitForRequest('chat/setAgent', { after: before })).params, { agentId: OTHER_AGENT.id, model: null });
    });
  });

  describe('streaming, scale and robustness', () => {
    /** Distance in px between the bottom of the conversation and the bottom of its viewport. */
    const distanceFromEnd = (chat) => chat.page.evaluate(() => {
      const feed = document.getElementById('transcript');
      return feed.scrollHeight - feed.scrollTop - feed.clientHeight;
    });

    it('a re-shown panel renders the whole history with the reply still streaming, follows it, and lets the user read back', async () => {
      chat = await ChatPage.open(browser, harness.origin, { viewport: { width: 800, height: 600 } });
      const history = chain(40);
      const streaming = message({ id: ulid(41), parentId: ulid(40), role: 'assistant', status: 'streaming', text: 'Partial so far' });
      await chat.snapshot(snapshot([...history, streaming], { streamingId: streaming.id }));
      const reply = chat.message('Partial so far');
      await reply.locator('.status-badge', { hasText: 'Streaming' }).waitFor();
      assert.equal(await reply.getAttribute('aria-setsize'), '41', 'the whole path is in the list');
      assert.equal(await reply.getAttribute('aria-busy'), 'true');
      await chat.page.locator('#stop-button').waitFor();

      // At the bottom, the view follows the reply as it grows.
      await chat.stream(streaming.id, Array.from({ length: 40 }, (_, i) => `\n\nstreamed line ${i}`));
      await chat.page.getByText('streamed line 39').waitFor();
      await chat.page.waitForFunction(() => {
        const feed = document.getElementById('transcript');
        return feed.scrollHeight - feed.scrollTop - feed.clientHeight < 30;
      });
      assert.equal(await chat.page.locator('#jump-to-latest').isVisible(), false);

      // Scrolled up a little, the view stays where the user put it while text keeps arriving.
      await chat.page.locator('#transcript').hover();
      await chat.page.mouse.wheel(0, -250);
      await chat.page.locator('#jump-to-latest').waitFor();
      const scrollTop = await chat.page.evaluate(() => document.getElementById('transcript').scrollTop);
      await chat.stream(streaming.id, Array.from({ length: 10 }, (_, i) => `\n\nmore line ${i}`));
      await chat.page.waitForFunction(() => document.body.textContent.includes('more line 9'));
      assert.ok(Math.abs((await chat.page.evaluate(() => document.getElementById('transcript').scrollTop)) - scrollTop) < 2, 'the view moved');
      assert.ok((await distanceFromEnd(chat)) > 100);

      await chat.page.locator('#jump-to-latest').click();
      await chat.page.locator('#jump-to-latest').waitFor({ state: 'hidden' });
      await chat.page.waitForFunction(() => {
        const feed = document.getElementById('transcript');
        return feed.scrollHeight - feed.scrollTop - feed.clientHeight < 30;
      });

      await chat.event('chat/message', { ...streaming, status: 'complete', text: 'Final text', footer: { outputTokens: 99 } });
      await chat.event('chat/streaming', { streamingId: null });
      await chat.message('Final text').locator('.message-footer', { hasText: '? in / 99 out' }).waitFor();
      await chat.page.locator('#send-button').waitFor();
      await chat.page.locator('[role="status"]', { hasText: 'Reply complete.' }).waitFor({ state: 'attached' });
    });

    it('a streamed reply renders like the same text rendered whole (fences with blank lines, lists, tables)', async () => {
      const text = [
        '# Plan', '', 'Steps:', '', '1. First', '2. Second', '', '   still the second item', '', '3. Third', '',
        '```python', 'def f():', '', '    return 1', '', '', 'print(f())', '```', '', '> quoted', '> more', '',
        '| a | b |', '|---|---|', '| 1 | 2 |', '', '~~~', '```not a fence end', '', '~~~', '', 'Done.',
      ].join('\n');
      chat = await ChatPage.open(browser, harness.origin);
      const question = message({ id: ulid(1), text: 'Plan it' });
      const reply = message({ id: ulid(2), parentId: ulid(1), role: 'assistant', status: 'streaming', text: '' });
      await chat.snapshot(snapshot([question, reply], { streamingId: reply.id }));
      await chat.message('Plan it').waitFor();
      await chat.stream(reply.id, chunks(text, 3));
      await chat.page.getByText('Done.').waitFor();
      const shape = () =>
        chat.page.evaluate(() => {
          const body = document.querySelector('article.message.assistant .message-body');
          const count = (selector) => body.querySelectorAll(selector).length;
          return {
            text: body.innerText.replace(/\s+/g, ' ').trim(),
            pre: count('pre'), li: count('li'), table: count('table'), blockquote: count('blockquote'), h1: count('h1'),
          };
        });
      const streamed = await shape();
      await chat.event('chat/message', { ...reply, status: 'complete', text });
      await chat.page.locator('article.message.assistant.status-complete').waitFor();
      assert.deepEqual(streamed, await shape());
      assert.deepEqual({ pre: streamed.pre, li: streamed.li, table: streamed.table }, { pre: 2, li: 3, table: 1 });
    });

    it('5,000 messages: only what is visible is in the DOM, and the first message is reachable', async () => {
      chat = await ChatPage.open(browser, harness.origin);
      // Handed to the page first, so the figure below is the panel's (clone, parse, render), not the driver's.
      await chat.page.evaluate((big) => (window.__big = big), snapshot(chain(5000)));
      const firstPaintMs = await chat.page.evaluate(
        () =>
          new Promise((resolve) => {
            const started = performance.now();
            window.postMessage({ kind: 'snapshot', snapshot: window.__big }, '*');
            const check = () =>
              [...document.querySelectorAll('article.message')].some((a) => a.textContent.includes('Answer number 4999'))
                ? resolve(Math.round(performance.now() - started))
                : requestAnimationFrame(check);
            check();
          }),
      );
      console.log(`    5,000 messages: newest message rendered ${firstPaintMs} ms after the snapshot was posted`);
      await chat.message('Answer number 4999').waitFor();
      const rendered = await chat.page.locator('article.message').count();
      assert.ok(rendered > 0 && rendered < 100, `${rendered} message elements in the DOM`);
      assert.equal(await chat.message('Answer number 4999').getAttribute('aria-setsize'), '5000');

      await chat.page.locator('#transcript').focus();
      await chat.page.keyboard.press('Control+Home');
      await chat.message('Question number 0').waitFor();
      await chat.page.waitForFunction(() => document.activeElement?.textContent?.includes('Question number 0'));
      assert.ok((await chat.page.evaluate(() => document.getElementById('transcript').scrollTop)) < 50);
      assert.ok((await chat.page.locator('article.message').count()) < 100);

      // Dragging the scrollbar to the end and back works the same way.
      await chat.page.evaluate(() => (document.getElementById('transcript').scrollTop = 1e9));
      await chat.message('Answer number 4999').waitFor();
      await chat.page.evaluate(() => (document.getElementById('transcript').scrollTop = 0));
      await chat.message('Question number 0').waitFor();
      assert.ok((await chat.page.locator('article.message').count()) < 100);
    });

    it('a long session opens with its newest page; older pages load as the reader scrolls up, without a jump', async () => {
      chat = await ChatPage.open(browser, harness.origin);
      const all = chain(1000);
      const history = serveHistory(chat, all);
      try {
        await chat.snapshot(snapshot(all.slice(-200)));
        await chat.message('Answer number 999').waitFor();
        assert.equal(history.answered.length, 0, 'nothing more is asked while the reader is at the newest messages');

        // Scrolling to the top of the loaded page asks for the page above it; what was on screen stays there.
        await chat.page.evaluate(() => (document.getElementById('transcript').scrollTop = 0));
        await chat.message('Question number 800').waitFor();
        await chat.page.waitForFunction(() => document.querySelectorAll('article.message').length > 0);
        await chat.page.waitForFunction(() => window.__posted.some((m) => m.method === 'chat/history'));
        assert.deepEqual(history.answered[0], { fromId: ulid(800) });
        await chat.page.waitForFunction(() => document.querySelector('article.message')?.getAttribute('aria-setsize') !== '200');
        await chat.message('Question number 800').waitFor();
        const shown = await chat.page.locator('article.message').allInnerTexts();
        assert.ok(shown.some((text) => text.includes('number 80')), `still reading around message 800: ${shown.map((t) => t.slice(0, 20)).join(' | ')}`);

        // Keyboard: Ctrl+Home keeps going up page by page until the very first message.
        await chat.page.locator('#transcript').focus();
        for (let i = 0; i < 10 && (await chat.message('Question number 0').count()) === 0; i++) {
          await chat.page.keyboard.press('Control+Home');
          await chat.page.waitForFunction(() => document.getElementById('history-loading')?.hidden !== false);
        }
        await chat.message('Question number 0').waitFor();
        assert.equal(await chat.message('Question number 0').getAttribute('aria-setsize'), '1000');
        assert.ok(history.answered.length >= 4 && history.answered.length <= 6, `${history.answered.length} pages`);
        assert.ok((await chat.page.locator('article.message').count()) < 100);
      } finally {
        await history.stop();
      }
    });

    it('switching to a branch it has not loaded asks for that branch, and a far search hit loads up to it', async () => {
      chat = await ChatPage.open(browser, harness.origin);
      const trunk = chain(600);
      // An edit of question 596: the sibling's branch, which the snapshot does not carry.
      const edited = message({ id: ulid(5_000), parentId: ulid(596), text: 'Edited question 597' });
      const editedReply = message({ id: ulid(5_001), parentId: ulid(5_000), role: 'assistant', text: 'Edited answer 598' });
      const siblings = [ulid(597), ulid(5_000)];
      const shownTrunk = trunk.map((m) => (m.id === ulid(597) ? { ...m, siblingIds: siblings } : m));
      const history = serveHistory(chat, [...shownTrunk, { ...edited, siblingIds: siblings }, editedReply]);
      try {
        await chat.snapshot(snapshot(shownTrunk.slice(-200)));
        const switcher = chat.message('Question number 596').getByRole('group', { name: 'Branch 1 of 2' });
        await switcher.waitFor();
        await switcher.getByRole('button', { name: /Next branch/ }).click();
        const select = await chat.waitForRequest('chat/selectBranch');
        assert.deepEqual(select.params, { messageId: ulid(5_000) });
        await chat.respond(select, { leafId: ulid(5_001) });
        await chat.message('Edited answer 598').waitFor();
        assert.deepEqual(history.answered.at(-1), { fromId: ulid(5_001) });
        assert.equal(await chat.message('Answer number 599').count(), 0);

        // A search hit 575 messages up: the panel loads the stretch down to it, then scrolls to it.
        await chat.event('chat/reveal', { messageId: ulid(1 + 21) });
        await chat.page.waitForFunction(() => document.activeElement?.textContent?.includes('Answer number 21:'));
        assert.equal(history.answered.at(-1).throughId, ulid(22));
      } finally {
        await history.stop();
      }
    });

    it('reveals a search hit: scrolls to the message and focuses it, also when the event beats the leaf', async () => {
      chat = await ChatPage.open(browser, harness.origin);
      await chat.snapshot(snapshot(chain(400)));
      await chat.message('Answer number 399').waitFor();
      await chat.event('chat/reveal', { messageId: ulid(1 + 120) });
      await chat.page.waitForFunction(() => document.activeElement?.textContent?.includes('Question number 120'));
      assert.equal(await chat.page.locator('article.message', { hasText: 'Answer number 399' }).count(), 0, 'the newest left the view');

      // A hit on another branch: the reveal arrives first, the leaf that shows it after.
      const branch = chain(3, 5_000).map((m, i) => (i === 0 ? { ...m, parentId: ulid(1 + 9) } : m));
      for (const m of branch) {
        await chat.event('chat/message', m);
      }
      await chat.event('chat/reveal', { messageId: ulid(5_001) });
      await chat.event('chat/leaf', { leafId: ulid(5_002) });
      await chat.page.waitForFunction(() => document.activeElement?.textContent?.includes('Answer number 1'));
    });

    it('hostile and garbage host messages are dropped and reported; the panel still renders a valid event after', async () => {
      chat = await ChatPage.open(browser, harness.origin);
      await chat.snapshot(snapshot(chain(2)));
      await chat.message('Answer number 1').waitFor();
      const valid = message({ id: ulid(50), parentId: ulid(2), text: 'valid' });
      const garbage = garbageHostMessages(valid);
      for (const item of garbage) {
        await chat.post(item);
      }
      await chat.message('cycle a').waitFor();
      await chat.event('chat/message', valid);
      await chat.event('chat/leaf', { leafId: valid.id });
      await chat.message('valid').waitFor();
      assert.equal(await chat.page.evaluate(() => Object.prototype.polluted), undefined);
      const problems = await chat.requests('webview/reportProblem');
      assert.ok(problems.length > 0 && problems.length <= 10, `${problems.length} problems reported`);
      assert.ok(problems.every((p) => p.params.message.length <= 4000));
    });
  });

  describe('agent tool steps, approvals, limits and undo', () => {
    /** The text of a row's badge, its kind (ok, failed, running, ...) and whether the row is open. */
    const rowState = (row) =>
      row.evaluate((element) => {
        const badge = element.querySelector('.tool-badge');
        return {
          badge: badge.textContent,
          kind: [...badge.classList].find((c) => c.startsWith('tool-badge-')).slice('tool-badge-'.length),
          expanded: element.querySelector('.tool-step-toggle').getAttribute('aria-expanded'),
          detailHidden: element.querySelector('.tool-detail').hidden,
        };
      });

    it('a finished tool turn renders compact steps with icons, badges, durations and changed files; rows open by keyboard', async () => {
      chat = await ChatPage.open(browser, harness.origin);
      const turn = toolTurn();
      await chat.snapshot(snapshot(turn));
      const read = chat.toolRow('call_read');
      const run = chat.toolRow('call_run');
      await run.waitFor();
      assert.equal(await chat.page.locator('article.tool-message .tool-step').count(), 2);
      assert.deepEqual(await rowState(read), { badge: 'done', kind: 'ok', expanded: 'false', detailHidden: true });
      assert.deepEqual(await rowState(run), { badge: 'exit 1', kind: 'failed', expanded: 'false', detailHidden: true });
      assert.equal(await read.locator('.tool-summary').innerText(), 'Read test.js, lines 1-40');
      assert.ok(await read.locator('.tool-icon.codicon-file').count(), 'read_file has the file icon');
      assert.ok(await run.locator('.tool-icon.codicon-terminal').count(), 'run_command has the terminal icon');
      assert.equal(await read.locator('.tool-duration').innerText(), '12 ms');
      assert.equal(await run.locator('.tool-duration').innerText(), '1.5 s');
      assert.equal(await run.locator('.tool-badge').getAttribute('aria-label'), 'Failed (exit code 1)');
      assert.equal(await run.locator('.tool-files-count').innerText(), '3 files changed');
      assert.deepEqual(await run.locator('.file-link .file-path').allInnerTexts(), ['src/add.js', 'coverage/report.txt', 'old.log']);
      assert.equal(await read.locator('.tool-files').count(), 0, 'a read changed no files');

      // The reply that made the calls does not repeat them as raw JSON; the answer continues it without a header.
      const step = chat.page.locator(`article.message[data-id="${ulid(2)}"]`);
      assert.equal(await step.locator('.tool-call').count(), 0);
      assert.match(await step.innerText(), /Let me read the test and run it\./);
      const answer = chat.page.locator(`article.message[data-id="${ulid(4)}"]`);
      assert.ok(await answer.evaluate((a) => a.classList.contains('continuation')));
      assert.equal(await answer.locator('.message-author').isVisible(), false);
      // The steps sit between the two, in the order of the path.
      const order = await chat.page.locator('article.message').evaluateAll((all) => all.map((a) => a.dataset.id));
      assert.deepEqual(order, [ulid(1), ulid(2), ulid(3), ulid(4)]);

      // Keyboard: Enter opens a row (result and arguments as text), Space closes it; focus stays on the toggle.
      const toggle = run.locator('.tool-step-toggle');
      await toggle.focus();
      await chat.page.keyboard.press('Enter');
      assert.deepEqual(await rowState(run), { badge: 'exit 1', kind: 'failed', expanded: 'true', detailHidden: false });
      assert.equal(await run.locator('pre.tool-result').innerText(), 'AssertionError [ERR_ASSERTION]: 4 == 3\n    at test.js:2:8');
      assert.equal(await run.locator('.tool-detail-label', { hasText: 'Error' }).count(), 1);
      assert.equal(await run.locator('pre.tool-arguments-text').innerText(), '{\n  "command": "node test.js"\n}');
      assert.equal(await run.locator('.tool-decided').innerText(), 'Approved by you');
      await chat.page.keyboard.press('Space');
      assert.deepEqual(await rowState(run), { badge: 'exit 1', kind: 'failed', expanded: 'false', detailHidden: true });
      assert.deepEqual((await chat.focused()).data.callId, 'call_run');

      // A changed file's link opens its diff through the host.
      await run.getByRole('button', { name: 'Open the diff of coverage/report.txt (created)' }).click();
      assert.deepEqual((await chat.waitForRequest('chat/openDiff')).params, { messageId: ulid(3), callId: 'call_run', path: 'coverage/report.txt' });

      // A row the person opened stays open when its message is rebuilt (another update of the call).
      await read.locator('.tool-step-toggle').click();
      await chat.event('chat/tool', { messageId: ulid(3), call: { ...turn[2].tools[0], summary: 'Read test.js, lines 1-41' } });
      await read.locator('.tool-summary', { hasText: 'lines 1-41' }).waitFor();
      assert.equal((await rowState(read)).expanded, 'true');
    });

    it('offers Undo on the last reply of a turn that changed files, and says what was restored', async () => {
      chat = await ChatPage.open(browser, harness.origin);
      // Two turns: the first changed files, the second only read.
      const first = toolTurn(1);
      const second = toolTurn(11).map((m, i) => (i === 0 ? { ...m, parentId: ulid(4) } : m));
      second[2] = { ...second[2], tools: [second[2].tools[0]] };
      await chat.snapshot(snapshot([...first, ...second]));
      await chat.page.locator(`article.message[data-id="${ulid(14)}"]`).waitFor();
      const undoButtons = chat.page.getByRole('button', { name: 'Undo changes of this turn' });
      assert.equal(await undoButtons.count(), 1, 'only the turn that changed files offers Undo, once');
      const answer = chat.page.locator(`article.message[data-id="${ulid(4)}"]`);
      assert.equal(await answer.getByRole('button', { name: 'Undo changes of this turn' }).count(), 1);

      await answer.getByRole('button', { name: 'Undo changes of this turn' }).click();
      const undo = await chat.waitForRequest('chat/undo');
      assert.deepEqual(undo.params, { messageId: ulid(4), scope: 'turn' });
      await answer.locator('.undo-notice', { hasText: 'Restoring' }).waitFor();
      await chat.respond(undo, { restored: 2, skipped: 1 });
      await answer.locator('.undo-notice', { hasText: 'Restored 2 files, 1 skipped' }).waitFor();
      await chat.announced('Restored 2 files, 1 skipped');

      // The overflow menu, by keyboard: Enter opens it on its item, Esc closes it back onto its button.
      const more = answer.getByRole('button', { name: 'More undo actions' });
      await more.focus();
      await chat.page.keyboard.press('Enter');
      const item = answer.getByRole('menuitem', { name: 'Undo changes since this message' });
      await item.waitFor();
      assert.equal(await more.getAttribute('aria-expanded'), 'true');
      assert.equal((await chat.focused()).data.action, 'undo-since');
      await chat.page.keyboard.press('Escape');
      await item.waitFor({ state: 'hidden' });
      assert.equal((await chat.focused()).data.action, 'undo-menu');
      await chat.page.keyboard.press('Enter');
      await item.waitFor();
      const after = await chat.postedCount();
      await chat.page.keyboard.press('Enter');
      const since = await chat.waitForRequest('chat/undo', { after });
      assert.deepEqual(since.params, { messageId: ulid(4), scope: 'since' });
      await chat.post({ kind: 'error', id: since.id, error: { code: 'handler_failed', message: 'src/add.js was edited since' } });
      await chat.page.locator('#composer-status', { hasText: 'Could not undo the changes: src/add.js was edited since' }).waitFor();

      // While a step of the turn still runs, the turn is not over: no Undo yet, though a file already changed.
      await chat.event('chat/message', message({ id: ulid(30), parentId: ulid(14), text: 'Now change it again' }));
      await chat.event('chat/message', message({ id: ulid(31), parentId: ulid(30), role: 'assistant', text: '', toolCalls: [{ id: 'call_w', name: 'write_file', arguments: '{}' }] }));
      const written = toolCall({ id: 'call_w', name: 'write_file', summary: 'Write a.txt', result: { text: 'ok', isError: false, files: [{ path: 'a.txt', change: 'created' }] } });
      const running = toolCall({ id: 'call_t', name: 'run_command', summary: 'Run npm test', state: 'running' });
      await chat.event('chat/message', message({ id: ulid(32), parentId: ulid(31), role: 'tool', tools: [written, running] }));
      await chat.event('chat/message', message({ id: ulid(33), parentId: ulid(32), role: 'assistant', text: 'Writing…' }));
      await chat.event('chat/leaf', { leafId: ulid(33) });
      // The reader was up at the first turn's menu: go to the newest messages.
      await chat.page.locator('#jump-to-latest').click();
      const latest = chat.page.locator(`article.message[data-id="${ulid(33)}"]`);
      await latest.waitFor();
      assert.equal(await latest.getByRole('button', { name: 'Undo changes of this turn' }).count(), 0);
      await chat.event('chat/tool', { messageId: ulid(32), call: { ...running, state: 'completed', result: { text: 'ok', isError: false, exitCode: 0 } } });
      await latest.getByRole('button', { name: 'Undo changes of this turn' }).waitFor();
    });

    it('a running command streams its output into its open row, keeps the last 200 lines, and closes when it ends', async () => {
      chat = await ChatPage.open(browser, harness.origin);
      const [user, step] = [message({ id: ulid(1), text: 'Run the tests' }), message({ id: ulid(2), parentId: ulid(1), role: 'assistant', text: '', toolCalls: [{ id: 'call_run', name: 'run_command', arguments: '{"command":"npm test"}' }] })];
      const tool = message({ id: ulid(3), parentId: ulid(2), role: 'tool', tools: [toolCall({ id: 'call_run', name: 'run_command', summary: 'Run npm test', state: 'running', output: 'starting\n' })] });
      await chat.snapshot(snapshot([user, step, tool]));
      const row = chat.toolRow('call_run');
      await row.waitFor();
      assert.deepEqual(await rowState(row), { badge: 'running', kind: 'running', expanded: 'true', detailHidden: false });
      assert.ok(await row.locator('.tool-badge .codicon-modifier-spin').count(), 'a spinner while it runs');
      assert.equal(await row.locator('pre.tool-output').textContent(), 'starting\n');

      await chat.page.evaluate((messageId) => {
        for (let i = 0; i < 300; i++) {
          window.postMessage({ kind: 'event', event: { method: 'chat/toolOutput', params: { messageId, callId: 'call_run', text: `line ${i}\n` } } }, '*');
        }
      }, ulid(3));
      await chat.page.waitForFunction(() => document.querySelector('.tool-output')?.textContent.endsWith('line 299\n'));
      const lines = (await row.locator('pre.tool-output').evaluate((pre) => pre.textContent)).trimEnd().split('\n');
      assert.equal(lines.length, 200);
      assert.equal(lines[0], 'line 100');
      // The output is text nodes only, however it was cut.
      assert.equal(await row.locator('pre.tool-output *').count(), 0);

      await chat.event('chat/tool', { messageId: ulid(3), call: toolCall({ id: 'call_run', name: 'run_command', summary: 'Run npm test', state: 'completed', result: { text: 'all 12 passed', isError: false, exitCode: 0, durationMs: 3200 } }) });
      await row.locator('.tool-badge', { hasText: 'exit 0' }).waitFor();
      assert.deepEqual(await rowState(row), { badge: 'exit 0', kind: 'ok', expanded: 'false', detailHidden: true });
      // A late, stale view of the call (it crossed the event) does not turn it back into a running one.
      await chat.event('chat/message', { ...tool, tools: [toolCall({ id: 'call_run', name: 'run_command', summary: 'Run npm test', state: 'running' })] });
      await chat.event('chat/toolOutput', { messageId: ulid(3), callId: 'call_run', text: 'late line\n' });
      await chat.page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));
      assert.equal((await rowState(row)).badge, 'exit 0');

      // A call can arrive before its tool message; the message then shows it (and the further state wins).
      await chat.event('chat/tool', { messageId: ulid(6), call: toolCall({ id: 'call_early', name: 'search_text', summary: 'Search for add(', state: 'running' }) });
      await chat.event('chat/toolOutput', { messageId: ulid(6), callId: 'call_early', text: 'src/add.js:2\n' });
      await chat.event('chat/message', message({ id: ulid(4), parentId: ulid(3), role: 'assistant', text: '', toolCalls: [{ id: 'call_early', name: 'search_text', arguments: '{}' }] }));
      await chat.event('chat/message', message({ id: ulid(6), parentId: ulid(4), role: 'tool', tools: [toolCall({ id: 'call_early', name: 'search_text', summary: 'Search for add(', state: 'pending' })] }));
      await chat.event('chat/leaf', { leafId: ulid(6) });
      const early = chat.toolRow('call_early');
      await early.waitFor();
      assert.equal((await rowState(early)).badge, 'running');
      assert.ok(await early.locator('.tool-icon.codicon-search').count());
      assert.equal(await early.locator('pre.tool-output').textContent(), 'src/add.js:2\n');
    });

    it('an approval card for an edit shows the diff, takes focus, and posts chat/decide on click, on Alt+A, and Deny with the reason', async () => {
      chat = await ChatPage.open(browser, harness.origin);
      await chat.snapshot(snapshot(awaitingTurn(), { pending: [approvalPending()] }));
      const card = chat.card(ulid(800));
      await card.waitFor();
      assert.deepEqual(await rowState(chat.toolRow('call_edit')), { badge: 'waiting for you', kind: 'waiting', expanded: 'false', detailHidden: true });
      assert.equal(await card.getAttribute('role'), 'region');
      assert.equal(await card.getAttribute('aria-labelledby').then((id) => chat.page.locator(`#${id}`).innerText()), 'Allow this edit?');
      assert.equal(await card.locator('.pending-tool').innerText(), 'replace_in_file');
      assert.equal(await card.locator('.pending-summary').innerText(), 'Edit src/add.js');
      assert.deepEqual(await card.locator('.pending-reasons li').allInnerTexts(), ['Edits ask before they are written (the agent’s policy)']);
      assert.equal(await card.locator('.pending-path-text').innerText(), 'src/add.js');
      assert.equal(await card.locator('.new-file-badge').count(), 0);
      assert.deepEqual(await card.locator('.diff-added').allInnerTexts(), ['+  return a + b;']);
      assert.deepEqual(await card.locator('.diff-removed').allInnerTexts(), ['-  return a + b + 1;']);
      assert.equal(await card.locator('.diff-hunk').innerText(), '@@ -1,4 +1,4 @@');
      assert.equal(await card.locator('.diff-stats').getAttribute('aria-label'), '1 line added, 1 removed');
      // The colours come from the theme's diff editor variables (the harness sets Dark Modern's).
      const added = await card.locator('.diff-added').evaluate((line) => getComputedStyle(line).backgroundColor);
      assert.equal(added, 'rgba(155, 185, 85, 0.2)');
      assert.equal(await chat.decision(ulid(800), 'approve').getAttribute('aria-keyshortcuts'), 'Alt+A');
      assert.equal(await chat.decision(ulid(800), 'deny').getAttribute('aria-keyshortcuts'), 'Alt+D');
      assert.equal(await chat.decision(ulid(800), 'approveSession').count(), 1);
      // Nobody was typing: the card took focus, and a screen reader hears what is asked.
      assert.equal((await chat.focused()).data.pendingId, ulid(800));
      assert.match(await chat.announced('Approval needed'), /Allow this edit\? Edit src\/add\.js\. Alt\+A approves, Alt\+D denies\./);

      mkdirSync(screenshots, { recursive: true });
      await chat.page.screenshot({ path: path.join(screenshots, 'approval-card-dark.png') });

      // Click: posted once, the card disabled until the host answers; an error re-enables it and says why.
      await chat.decision(ulid(800), 'approve').click();
      const decide = await chat.waitForRequest('chat/decide');
      assert.deepEqual(decide.params, { pendingId: ulid(800), decision: 'approve' });
      assert.equal(await chat.decision(ulid(800), 'approve').getAttribute('disabled'), '');
      assert.equal(await chat.decision(ulid(800), 'deny').getAttribute('disabled'), '');
      const count = (await chat.requests('chat/decide')).length;
      await chat.decision(ulid(800), 'deny').click({ force: true });
      assert.equal((await chat.requests('chat/decide')).length, count, 'a disabled card posted again');
      await chat.post({ kind: 'error', id: decide.id, error: { code: 'handler_failed', message: 'Not pending any more' } });
      await card.locator('.pending-status.error', { hasText: 'Not pending any more' }).waitFor();
      assert.equal(await chat.decision(ulid(800), 'approve').getAttribute('disabled'), null);

      // Alt+A with focus on the card approves it.
      await card.focus();
      let after = await chat.postedCount();
      await chat.page.keyboard.press('Alt+A');
      const byKey = await chat.waitForRequest('chat/decide', { after });
      assert.deepEqual(byKey.params, { pendingId: ulid(800), decision: 'approve' });
      await chat.respond(byKey, null);
      await chat.event('chat/tool', { messageId: ulid(3), call: toolCall({ id: 'call_edit', name: 'replace_in_file', summary: 'Edit src/add.js', state: 'running' }) });
      await chat.event('chat/pending', { pending: [] });
      await card.waitFor({ state: 'detached' });
      await chat.page.locator('#pending-dock').waitFor({ state: 'hidden' });
      // The card the person was on went away: focus goes back to the message box, not to nowhere.
      assert.equal((await chat.focused()).id, 'composer-input');

      // The next ask, for a new file: Deny sends the reason typed for it; Enter in the reason field does too.
      const created = approvalPending({ id: ulid(801), edit: { path: 'src/sub.js', diff: '--- /dev/null\n+++ b/src/sub.js\n@@ -0,0 +1 @@\n+export const sub = (a, b) => a - b;\n', created: true } });
      await chat.event('chat/pending', { pending: [created] });
      const second = chat.card(ulid(801));
      await second.waitFor();
      assert.equal(await second.locator('.pending-title').innerText(), 'Allow creating this file?');
      assert.equal(await second.locator('.new-file-badge').innerText(), 'new file');
      await second.locator('vscode-textfield[data-role="deny-reason"] input').fill('Put it in src/add.js instead');
      after = await chat.postedCount();
      await chat.decision(ulid(801), 'deny').click();
      const deny = await chat.waitForRequest('chat/decide', { after });
      assert.deepEqual(deny.params, { pendingId: ulid(801), decision: 'deny', reason: 'Put it in src/add.js instead' });
      await chat.respond(deny, null);

      const third = approvalPending({ id: ulid(802) });
      await chat.event('chat/pending', { pending: [third] });
      await chat.card(ulid(802)).waitFor();
      await chat.card(ulid(802)).locator('vscode-textfield[data-role="deny-reason"] input').fill('No');
      after = await chat.postedCount();
      await chat.page.keyboard.press('Enter');
      assert.deepEqual((await chat.waitForRequest('chat/decide', { after })).params, { pendingId: ulid(802), decision: 'deny', reason: 'No' });
      const fourth = approvalPending({ id: ulid(803) });
      await chat.event('chat/pending', { pending: [fourth] });
      after = await chat.postedCount();
      await chat.decision(ulid(803), 'approveSession').click();
      assert.deepEqual((await chat.waitForRequest('chat/decide', { after })).params, { pendingId: ulid(803), decision: 'approveSession' });
    });

    it('the approval card in a light theme looks native too (screenshot)', async () => {
      chat = await ChatPage.open(browser, harness.origin, { theme: 'light' });
      await chat.snapshot(snapshot(awaitingTurn(), { pending: [approvalPending()] }));
      await chat.card(ulid(800)).waitFor();
      const added = await chat.card(ulid(800)).locator('.diff-added').evaluate((line) => getComputedStyle(line).backgroundColor);
      assert.equal(added, 'rgba(155, 185, 85, 0.2)');
      assert.equal(await chat.page.evaluate(() => getComputedStyle(document.querySelector('.pending-card')).backgroundColor), 'rgb(248, 248, 248)');
      mkdirSync(screenshots, { recursive: true });
      await chat.page.screenshot({ path: path.join(screenshots, 'approval-card-light.png') });
    });

    it('a forced ask for a command has no "Approve for this session", shows each sub-command and its rule, and waits while the person types', async () => {
      chat = await ChatPage.open(browser, harness.origin);
      await chat.snapshot(snapshot(awaitingTurn(1, { name: 'run_command', summary: 'Run npm test && rm -rf build' })));
      await chat.toolRow('call_edit').waitFor();
      // The person is typing their next message when the ask arrives.
      const input = chat.page.locator('#composer-input');
      await input.click();
      await chat.page.keyboard.type('half a thought');
      const forced = approvalPending({
        tool: 'run_command',
        summary: 'Run npm test && rm -rf build',
        reasons: ['rm is not in the allow rules', 'A command that deletes asks every time'],
        edit: undefined,
        command: {
          line: 'npm test && rm -rf build',
          cwd: '/work/project',
          subcommands: [
            { text: 'npm test', verdict: 'allow', reason: 'matches an allow rule', rule: 'npm test' },
            { text: 'rm -rf build', verdict: 'ask', reason: 'deletes files' },
          ],
        },
        canApproveForSession: false,
      });
      await chat.event('chat/pending', { pending: [forced] });
      const card = chat.card(ulid(800));
      await card.waitFor();
      assert.equal(await card.locator('.pending-title').innerText(), 'Allow this command?');
      assert.equal(await chat.decision(ulid(800), 'approveSession').count(), 0, 'a forced ask offers no session-wide approval');
      assert.equal(await card.locator('.command-line').innerText(), '$ npm test && rm -rf build');
      assert.equal(await card.locator('.pending-cwd code').innerText(), '/work/project');
      const rows = await card.locator('.subcommands tbody tr').evaluateAll((trs) => trs.map((tr) => [...tr.cells].map((td) => td.innerText.trim())));
      assert.deepEqual(rows, [['npm test', 'allowed', 'npm test matches an allow rule'], ['rm -rf build', 'asks', 'deletes files']]);
      assert.equal(await card.locator('.pending-edit').count(), 0);

      // Focus stayed in the message box; the card is announced with where it is, and Alt+A there does nothing.
      assert.equal((await chat.focused()).id, 'composer-input');
      await chat.announced('It is just above the message box.');
      await chat.page.keyboard.press('Alt+A');
      assert.equal((await chat.requests('chat/decide')).length, 0, 'a key in the message box decided');
      assert.equal(await input.inputValue(), 'half a thought');
      // Shift+Tab from the message box reaches the card on its safe answer; Alt+A from there approves.
      await chat.page.keyboard.press('Shift+Tab');
      assert.equal((await chat.focused()).data.decision, 'deny');
      await chat.page.keyboard.press('Alt+A');
      assert.deepEqual((await chat.waitForRequest('chat/decide')).params, { pendingId: ulid(800), decision: 'approve' });
    });

    it('a limit prompt posts continue or stop; a reader at the end of a long conversation stays there as it appears', async () => {
      chat = await ChatPage.open(browser, harness.origin);
      const turn = toolTurn(41).slice(0, 3);
      turn[0] = { ...turn[0], parentId: ulid(40) };
      await chat.snapshot(snapshot([...chain(40), ...turn]));
      await chat.toolRow('call_run').waitFor();
      await chat.event('chat/pending', { pending: [limitPending({ messageId: ulid(42) })] });
      const card = chat.card(ulid(850));
      await card.waitFor();
      await chat.page.waitForFunction(() => {
        const feed = document.getElementById('transcript');
        return feed.scrollHeight - feed.scrollTop - feed.clientHeight < 30;
      });
      // The button follows the scroll position on its next update: wait for that, not for a fixed time.
      await chat.page.locator('#jump-to-latest').waitFor({ state: 'hidden' });
      await chat.toolRow('call_run').waitFor();
      // The paused turn is not over: its files changed, but it offers no Undo until nothing waits.
      assert.equal(await chat.page.getByRole('button', { name: 'Undo changes of this turn' }).count(), 0);
      assert.equal(await card.locator('.pending-title').innerText(), 'Reached 25 steps.');
      assert.equal(await chat.decision(ulid(850), 'continue').innerText(), 'Continue for 25 more steps');
      await chat.announced('Paused: reached 25 steps.');
      assert.equal((await chat.focused()).data.pendingId, ulid(850));
      await chat.decision(ulid(850), 'continue').click();
      const decide = await chat.waitForRequest('chat/decide');
      assert.deepEqual(decide.params, { pendingId: ulid(850), decision: 'continue' });
      await chat.respond(decide, null);
      await chat.event('chat/pending', { pending: [] });
      await card.waitFor({ state: 'detached' });

      await chat.event('chat/pending', { pending: [limitPending({ id: ulid(851), reached: '$0.50', more: '$0.50 more' })] });
      await chat.card(ulid(851)).waitFor();
      const after = await chat.postedCount();
      await chat.decision(ulid(851), 'stop').focus();
      await chat.page.keyboard.press('Enter');
      assert.deepEqual((await chat.waitForRequest('chat/decide', { after })).params, { pendingId: ulid(851), decision: 'stop' });
    });

    it('garbage chat/tool, chat/toolOutput and chat/pending events are dropped; valid ones still work after', async () => {
      chat = await ChatPage.open(browser, harness.origin);
      // A snapshot whose pending list is garbage still shows its messages.
      await chat.snapshot({ ...snapshot(toolTurn()), pending: 'garbage' });
      await chat.toolRow('call_run').waitFor();
      for (const item of garbageToolMessages(ulid(3))) {
        await chat.post(item);
      }
      // Valid calls among the garbage (unknown extras dropped) show as plain rows; the broken ones never do.
      await chat.toolRow('call_odd').waitFor();
      assert.equal(await chat.toolRow('call_odd').locator('.tool-files').count(), 0);
      assert.equal(await chat.toolRow('call_files').locator('.tool-files').count(), 0);
      assert.equal(await chat.page.locator('.tool-step').count(), 4);
      assert.equal(await chat.page.locator('.pending-card').count(), 0);
      assert.equal(await chat.page.evaluate(() => Object.prototype.polluted), undefined);

      // A truthy string is not `true`: a malformed ask never gains "Approve for this session".
      await chat.event('chat/pending', { pending: [approvalPending({ canApproveForSession: 'true' })] });
      await chat.card(ulid(800)).waitFor();
      assert.equal(await chat.decision(ulid(800), 'approveSession').count(), 0);
      await chat.event('chat/tool', { messageId: ulid(3), call: toolCall({ id: 'call_new', summary: 'Read the new file', state: 'completed' }) });
      await chat.toolRow('call_new').waitFor();
      const problems = await chat.requests('webview/reportProblem');
      assert.ok(problems.length > 0 && problems.length <= 10, `${problems.length} problems reported`);
    });
  });
});
