/* global window, document -- the callbacks passed to page.evaluate run in the panel, not in Node */
// Replay in the Inspector's webview (dist/webview/inspector.js) in real Chromium, answered by the real host code:
// the dispatcher, InspectorController and a REAL ReplayService over a store whose session was recorded by the real
// chat loop against the loopback fake OpenAI server (the real OpenAI SDK). Nothing is scripted: the replay goes to
// the fake provider and back. Every wait is on something the panel rendered or posted, never on time.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { launchChromium } from '../../scripts/host/browser.mjs';
import { InspectorPage, XSS_MODEL, XSS_MODEL_TEXT, replayModules, replaySession, startInspectorServer } from './harness/inspectorHost.mjs';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const screenshots = path.join(repoRoot, '.test-results', 'screenshots');

describe('Inspector replay in Chromium (harness, real ReplayService against the loopback fake provider)', function () {
  this.timeout(120_000);
  let browser;
  let server;
  /** @type {InspectorPage | undefined} */
  let inspector;
  let session;
  let r;

  before(async function () {
    const bundle = path.join(process.env.INSPECTOR_WEBVIEW_DIST ?? path.join(repoRoot, 'dist/webview'), 'inspector.js');
    if (!existsSync(bundle)) {
      throw new Error(`${bundle} is missing: run \`npm run build\` first`);
    }
    r = replayModules();
    server = await startInspectorServer();
    browser = await launchChromium();
  });

  afterEach(async function () {
    if (this.currentTest?.state === 'failed' && inspector) {
      mkdirSync(screenshots, { recursive: true });
      const file = path.join(screenshots, `inspector-replay-${this.currentTest.title.replace(/[^\w-]+/g, '_').slice(0, 80)}.png`);
      await inspector.page.screenshot({ path: file, fullPage: true }).catch(() => {});
      console.log(`    screenshot: ${path.relative(repoRoot, file)}`);
    }
    if (inspector) {
      assert.deepEqual(inspector.pageErrors, [], 'uncaught errors in the panel');
      await inspector.close();
      inspector = undefined;
    }
    await session?.close();
    session = undefined;
  });

  after(async () => {
    await browser?.close();
    await server?.close();
  });

  /** A recorded two-turn session, its panel opened on the second call's response (its detail shown). */
  async function openOn(pick = (calls) => calls[1].outcome.id) {
    session = await replaySession();
    const host = session.makeHost(pick(session.calls));
    inspector = await InspectorPage.open(browser, server.origin, host, { viewport: { width: 1300, height: 900 } });
    await inspector.page.locator('#detail .detail-section').first().waitFor();
    return host;
  }

  const page = () => inspector.page;
  async function openEditor() {
    await page().locator('#replay-open').click();
    await page().locator('#replay-form').waitFor();
  }

  it('opens the editor on the exact request of the call, with the configured providers', async () => {
    await openOn();
    await openEditor();
    assert.equal(await page().locator('#replay-provider').inputValue(), 'fake-openai');
    assert.equal(await page().locator('#replay-model').inputValue(), 'fake-ok');
    assert.equal(await page().locator('#replay-temperature').inputValue(), '0.3');
    assert.equal(await page().locator('#replay-max-tokens').inputValue(), '256');
    assert.equal(await page().locator('#replay-system').inputValue(), r.SYSTEM_PROMPT);
    const messages = JSON.parse(await page().locator('#replay-messages').inputValue());
    assert.deepEqual(
      messages.map((message) => `${message.role}: ${message.content.map((part) => part.text).join('')}`),
      ['user: Say hello.', `assistant: ${r.FAKE_ANSWER}`, 'user: And again, shorter.'],
    );
    assert.equal(await page().locator('#replay-providers option').count(), 1);
    // Keyboard: the model field has focus when the editor opens.
    assert.equal(await page().evaluate(() => document.activeElement?.id), 'replay-model');
  });

  it('shows what is wrong with edited messages: bad JSON here, a schema error from the host', async () => {
    const host = await openOn();
    await openEditor();
    const messages = page().locator('#replay-messages');
    await messages.fill('[{ "role": "user", ');
    await page().locator('#replay-run').click();
    await page().locator('#replay-problem').getByText(/not valid JSON/).waitFor();
    assert.equal((await host.requests.filter((q) => q.method === 'inspector/replay/run')).length, 0, 'bad JSON never leaves the panel');

    await messages.fill('[{ "role": "wizard", "content": [] }]');
    await page().locator('#replay-run').click();
    await page().locator('#replay-problem').getByText(/messages/).waitFor();
    assert.match(await page().locator('#replay-problem').innerText(), /inspector\/replay\/run/);
    assert.equal(session.server.hits('ok'), 2, 'the provider was not called for an invalid request');
    host.errors.splice(0); // the host logged the refusal, as it should
  });

  it('runs the replay with another model and shows the comparison side by side with a word diff; continues as a branch', async () => {
    await openOn();
    await openEditor();
    await page().locator('#replay-model').fill('fake-reasoning');
    await page().locator('#replay-run').click();
    const comparison = page().locator('#replay-comparison');
    await comparison.waitFor();
    const cell = (figure, side) => comparison.locator(`tr[data-figure="${figure}"] td[data-side="${side}"]`).innerText();
    assert.equal(await cell('Model', 'original'), 'fake-ok');
    assert.equal(await cell('Model', 'replay'), 'fake-reasoning');
    assert.equal(await cell('Status', 'replay'), 'complete');
    assert.equal(await cell('Tokens out', 'replay'), String(r.FAKE_USAGE.outputTokens));
    assert.equal(await cell('Finish reason', 'replay'), 'stop');
    // A cost is a dollar figure or says it is unknown, never a bare blank.
    assert.match(await cell('Cost', 'replay'), /^(\$[\d.]+( \(free\))?|cost unknown)$/);
    assert.match(await comparison.locator('h3').innerText(), /changed: model/);
    assert.equal(await comparison.locator('.replay-text[data-side="replay"] .replay-text-body').innerText(), r.FAKE_ANSWER);
    assert.equal(session.server.hits('reasoning'), 1, 'the replay reached the provider once');
    mkdirSync(screenshots, { recursive: true });
    await page().screenshot({ path: path.join(screenshots, 'inspector-replay-harness.png'), fullPage: true });

    // Continue as branch: a new reply beside the original, shown through the chat service.
    await comparison.locator('#replay-continue').click();
    await comparison.locator('.replay-note').getByText('Continued as a new branch in the chat.').waitFor();
    assert.equal(session.branches.length, 1);
    const branch = session.harness.repos.messages.get(session.branches[0].messageId);
    const original = session.harness.repos.messages.get(session.calls[1].assistantId);
    assert.equal(branch.parentId, original.parentId, 'a sibling of the original reply');
    assert.equal(branch.model, 'fake-reasoning');
  });

  it('marks the differing words, and opening a replay event shows its stored comparison', async () => {
    session = await replaySession();
    const request = session.service.rebuild(session.calls[1].started.id);
    const recorded = await session.service.run({ ...request, model: XSS_MODEL });
    inspector = await InspectorPage.open(browser, server.origin, session.makeHost(recorded.replayEventId), { viewport: { width: 1300, height: 900 } });
    const comparison = page().locator('#replay-comparison');
    await comparison.waitFor();
    assert.equal(await comparison.getAttribute('data-replay-event'), recorded.replayEventId);
    assert.ok((await comparison.locator('.replay-text[data-side="replay"] ins.diff-added').count()) > 0, 'added words marked');
    assert.ok((await comparison.locator('.replay-text[data-side="original"] del.diff-removed').count()) > 0, 'removed words marked');
    // Hostile model text is text: no element made of it, nothing ran.
    assert.equal(await comparison.locator('.replay-text[data-side="replay"] .replay-text-body').innerText(), XSS_MODEL_TEXT);
    assert.equal(await comparison.locator('img, script').count(), 0);
    assert.equal(await page().evaluate(() => window.__xss ?? 0), 0);
    assert.deepEqual(await inspector.violations(), []);
    assert.deepEqual(inspector.dialogs, []);
  });

  it('stops a running replay: Stop ends it as cancelled', async () => {
    await openOn();
    await openEditor();
    await page().locator('#replay-model').fill('fake-slow');
    await page().locator('#replay-run').click();
    await page().locator('#replay-stop:not([hidden])').waitFor();
    await page().locator('#replay-stop').click();
    const comparison = page().locator('#replay-comparison');
    await comparison.waitFor();
    assert.match(await comparison.locator('tr[data-figure="Status"] td[data-side="replay"]').innerText(), /^cancelled/);
    assert.equal(await comparison.locator('#replay-continue').count(), 0, 'a stopped replay cannot be continued');
  });

  it('an imported trace has no replay: the button is disabled with the reason', async () => {
    const m = (await import('./harness/inspectorHost.mjs')).hostModules();
    session = await replaySession({ turns: 1 });
    const events = session.harness.repos.events.list({ sessionId: session.harness.session.id });
    const source = new m.MemoryInspectorSource('Imported', events);
    const { FakeInspectorHost } = await import('./harness/inspectorHost.mjs');
    const target = events.find((event) => event.type === 'llm.response.completed');
    inspector = await InspectorPage.open(browser, server.origin, new FakeInspectorHost(source, { kind: 'imported' }, target.id));
    const button = page().locator('#replay-open');
    await button.waitFor();
    assert.equal(await button.isDisabled(), true);
    assert.match(await button.getAttribute('title'), /read-only/);
  });
});
