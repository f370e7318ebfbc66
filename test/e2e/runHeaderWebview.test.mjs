/* global window, document, getComputedStyle -- the callbacks passed to page.evaluate run in the panel, not in Node */
// The run header of the chat panel (issue 13) in real Chromium: the built chat bundle (dist/webview/chat.js) under
// the panel's CSP with a fake VS Code API, driven by `chat/run` events the way the host sends them. What it shows
// (state, task, meters, result, totals, files), what it posts back (chat/cancelRun, chat/resumeRun, chat/openDiff,
// chat/undo), and that hostile strings in it stay text.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { launchChromium } from '../../scripts/host/browser.mjs';
import { ChatPage } from './harness/chatPage.mjs';
import { approvalPending, awaitingTurn, snapshot, toolTurn, ulid } from './harness/fixtures.mjs';
import { xssPayloads, xssReply } from './harness/payloads.mjs';
import { startHarnessServer } from './harness/servers.mjs';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const screenshots = path.join(repoRoot, '.test-results', 'screenshots');

const RUN_ID = ulid(700);

/** A running run's header, as src/core/runs/runHeader.ts builds it. */
function runningHeader(fields = {}) {
  return {
    runId: RUN_ID,
    state: 'running',
    stateLabel: 'Running',
    task: 'Fix the failing test in test.js\nand explain in one paragraph why it failed.',
    meters: [
      { kind: 'steps', used: 12, limit: 30, label: '12 of 30 steps', text: '12 / 30 steps', warning: false },
      { kind: 'tokens', used: 85_000, limit: 100_000, label: '85,000 of 100,000 tokens: close to the limit', text: '85,000 / 100,000 tokens', warning: true },
      { kind: 'costUsd', used: 0.12, limit: 1, label: '$0.12 of $1.00', text: '$0.12 / $1.00', warning: false },
      { kind: 'minutes', used: 3.5, limit: 15, label: '3.5 of 15 minutes', text: '3.5 / 15 min', warning: false },
    ],
    canCancel: true,
    canResume: false,
    firstMessageId: null,
    ...fields,
  };
}

const FILES = [
  { path: '/work/app/coverage/report.txt', shown: 'coverage/report.txt', change: 'created', messageId: ulid(3), callId: 'call_run' },
  { path: '/work/app/src/add.js', shown: 'src/add.js', change: 'modified', messageId: ulid(3), callId: 'call_run' },
];

/** A completed run's header: its answer, totals and two files changed. */
function endedHeader(fields = {}, ended = {}) {
  return runningHeader({
    state: 'completed',
    stateLabel: 'Completed',
    canCancel: false,
    firstMessageId: ulid(1),
    meters: runningHeader().meters.map((meter) => (meter.kind === 'steps' ? { ...meter, used: 14, label: '14 of 30 steps', text: '14 / 30 steps' } : meter)),
    ended: {
      result: { text: 'The test fails because `add` adds one too many: it returned a + b + 1. I changed it to a + b and the test passes.', truncated: false },
      totals: { steps: 14, tokens: 91_200, costUsd: 0.14, costUnknown: false, durationMs: 200_000, label: '14 steps · 91,200 tokens · $0.14 · 3 min 20 s' },
      files: FILES,
      ...ended,
    },
    ...fields,
  });
}

describe('Run header in the chat webview (Chromium harness)', function () {
  this.timeout(120_000);
  let browser;
  let harness;
  /** @type {ChatPage | undefined} */
  let chat;

  before(async function () {
    const bundle = path.join(process.env.CHAT_WEBVIEW_DIST ?? path.join(repoRoot, 'dist/webview'), 'chat.js');
    if (!existsSync(bundle)) {
      throw new Error(`${bundle} is missing: run \`node esbuild.mjs\` first`);
    }
    harness = await startHarnessServer();
    browser = await launchChromium();
  });

  afterEach(async function () {
    if (this.currentTest?.state === 'failed' && chat) {
      mkdirSync(screenshots, { recursive: true });
      const file = path.join(screenshots, `run-header-${this.currentTest.title.replace(/[^\w-]+/g, '_').slice(0, 80)}.png`);
      await chat.page.screenshot({ path: file }).catch(() => {});
      console.log(`    screenshot: ${path.relative(repoRoot, file)}`);
    }
    if (chat) {
      assert.deepEqual(chat.pageErrors, [], 'uncaught errors in the panel');
      assert.deepEqual(await chat.violations(), [], 'the CSP blocked something');
      await chat.close();
      chat = undefined;
    }
  });

  after(async () => {
    await browser?.close();
    await harness?.close();
  });

  /** A panel showing a run's transcript (a tool turn), ready for `chat/run`. */
  async function openRun(messages = toolTurn(), options = {}) {
    chat = await ChatPage.open(browser, harness.origin, options);
    await chat.snapshot(snapshot(messages, options.extra));
    await chat.page.locator('article.message').first().waitFor();
    return chat;
  }

  it('is hidden for an ordinary chat, and shows a running run: state, task, meters in words and figures', async () => {
    await openRun();
    assert.equal(await chat.runHeader().isHidden(), true, 'hidden before the host says anything');
    await chat.runEvent(null);
    assert.equal(await chat.runHeader().isHidden(), true);

    await chat.runEvent(runningHeader());
    await chat.runHeader().waitFor();
    const header = chat.runHeader();
    assert.equal(await header.getAttribute('aria-label'), 'Run');
    assert.equal(await header.locator('.run-task').innerText(), 'Fix the failing test in test.js', 'the first line of the task');
    assert.equal(await header.locator('.run-task').getAttribute('title'), runningHeader().task, 'the whole task in its tooltip');
    assert.equal(await header.locator('.run-state').innerText(), 'Running');
    assert.match(await header.locator('.run-state-icon').getAttribute('class'), /codicon-sync codicon-modifier-spin/);

    const steps = chat.runMeter('steps');
    assert.equal(await steps.getAttribute('role'), 'meter');
    assert.deepEqual(
      await steps.evaluate((element) => ['aria-valuenow', 'aria-valuemin', 'aria-valuemax', 'aria-valuetext', 'aria-label'].map((name) => element.getAttribute(name))),
      ['12', '0', '30', '12 of 30 steps', 'Steps'],
    );
    assert.equal(await steps.locator('.run-meter-text').innerText(), '12 / 30 steps');
    assert.equal(await chat.runMeter('costUsd').locator('.run-meter-text').innerText(), '$0.12 / $1.00');
    assert.equal(await chat.runMeter('minutes').locator('.run-meter-text').innerText(), '3.5 / 15 min');
    const barShare = (kind) => chat.runMeter(kind).locator('.run-meter-bar').evaluate((bar) => bar.getBoundingClientRect().width / bar.parentElement.getBoundingClientRect().width);
    assert.ok(Math.abs((await barShare('steps')) - 0.4) < 0.05, 'the bar is 12/30 of its track');

    // Above 80 %: the warning colour, and the words say it too.
    const tokens = chat.runMeter('tokens');
    assert.match(await tokens.getAttribute('class'), /\bwarning\b/);
    assert.equal(await steps.evaluate((element) => element.classList.contains('warning')), false);
    const colours = await chat.page.evaluate(() => {
      const bar = (kind) => getComputedStyle(document.querySelector(`.run-meter[data-kind="${kind}"] .run-meter-bar`)).backgroundColor;
      return { normal: bar('steps'), warning: bar('tokens') };
    });
    assert.notEqual(colours.warning, colours.normal);
    assert.equal(await tokens.getAttribute('aria-valuetext'), '85,000 of 100,000 tokens: close to the limit');

    assert.equal(await header.locator('.run-cancel').isVisible(), true);
    assert.equal(await header.locator('.run-resume').isHidden(), true);
    assert.equal(await header.locator('.run-summary').isHidden(), true, 'no result while it runs');

    // A meter moves in place; the header keeps its place above the conversation.
    await chat.runEvent(runningHeader({ meters: [{ kind: 'steps', used: 13, limit: 30, label: '13 of 30 steps', text: '13 / 30 steps', warning: false }] }));
    await chat.page.waitForFunction(() => document.querySelector('.run-meter[data-kind="steps"]')?.getAttribute('aria-valuenow') === '13');
    assert.equal(await chat.page.locator('#run-header .run-meter').count(), 1);
    const order = await chat.page.evaluate(() => [...document.getElementById('app').children].map((child) => child.id || child.className));
    assert.ok(order.indexOf('run-header') === order.indexOf('chat-header') + 1 && order.indexOf('run-header') < order.indexOf('conversation'), order.join(', '));

    await chat.runEvent(null);
    await chat.runHeader().waitFor({ state: 'hidden' });
  });

  it('Cancel sends chat/cancelRun with the run id (mouse and keyboard), once, and keeps its focus as the run updates', async () => {
    await openRun(awaitingTurn(), { extra: { pending: [approvalPending({ messageId: ulid(3) })] } });
    await chat.runEvent(runningHeader({ state: 'waiting', stateLabel: 'Waiting for you: the agent needs an answer or an approval' }));
    const cancel = chat.runHeader().locator('.run-cancel');
    await cancel.waitFor();
    assert.match(await chat.runHeader().locator('.run-state-icon').getAttribute('class'), /codicon-bell/);
    await chat.card(ulid(800)).waitFor();

    let after = await chat.postedCount();
    await cancel.click();
    const request = await chat.waitForRequest('chat/cancelRun', { after });
    assert.deepEqual(request.params, { runId: RUN_ID });
    assert.equal(await cancel.getAttribute('aria-disabled'), 'true', 'busy until the run says how it went');
    await cancel.click({ force: true });
    assert.equal((await chat.requests('chat/cancelRun')).length, 1, 'a second click while it cancels sends nothing');
    await chat.respond(request, null);
    await chat.runEvent(runningHeader({ state: 'running' }));
    await chat.page.waitForFunction(() => !document.querySelector('.run-cancel')?.hasAttribute('aria-disabled'));

    // From the keyboard: focus stays on Cancel while updates arrive.
    await cancel.focus();
    for (let used = 14; used < 18; used++) {
      await chat.runEvent(runningHeader({ meters: [{ kind: 'steps', used, limit: 30, label: `${used} of 30 steps`, text: `${used} / 30 steps`, warning: false }] }));
    }
    await chat.page.waitForFunction(() => document.querySelector('.run-meter')?.getAttribute('aria-valuenow') === '17');
    assert.equal(await chat.page.evaluate(() => document.activeElement?.classList.contains('run-cancel')), true, 'focus survived the updates');
    after = await chat.postedCount();
    await chat.page.keyboard.press('Enter');
    assert.deepEqual((await chat.waitForRequest('chat/cancelRun', { after })).params, { runId: RUN_ID });
  });

  it('an interrupted run offers Resume, which sends chat/resumeRun; a failed Resume says why and can be tried again', async () => {
    await openRun();
    await chat.runEvent(runningHeader({ state: 'interrupted', stateLabel: 'Interrupted: its window closed while it ran. Resume carries it on from the last step.', canCancel: false, canResume: true }));
    const resume = chat.runHeader().locator('.run-resume');
    await resume.waitFor();
    assert.equal(await chat.runHeader().locator('.run-cancel').isHidden(), true);
    const after = await chat.postedCount();
    await resume.click();
    const request = await chat.waitForRequest('chat/resumeRun', { after });
    assert.deepEqual(request.params, { runId: RUN_ID });
    await chat.post({ kind: 'error', id: request.id, error: { code: 'handler_failed', message: 'The run’s session was deleted.' } });
    await chat.page.locator('.composer-status', { hasText: 'Could not resume the run' }).waitFor();
    assert.equal(await resume.getAttribute('aria-disabled'), null, 'ready to try again');
    await chat.runEvent(runningHeader());
    await chat.announced('Run: Running.');
  });

  it('an ended run shows its result, totals and files; a file opens its diff, Undo All undoes since the first message', async () => {
    await openRun();
    await chat.runEvent(runningHeader());
    await chat.runHeader().waitFor();
    await chat.runEvent(endedHeader());
    const header = chat.runHeader();
    await header.locator('.run-result').waitFor();
    await chat.announced('Run: Completed.');
    assert.match(await header.locator('.run-state-icon').getAttribute('class'), /codicon-pass/);
    assert.equal(await header.locator('.run-cancel').isHidden(), true);
    assert.equal(await header.locator('.run-result').innerText(), endedHeader().ended.result.text);
    assert.equal(await header.locator('.run-totals').innerText(), 'Totals: 14 steps · 91,200 tokens · $0.14 · 3 min 20 s');
    assert.equal(await header.locator('.run-files-title').innerText(), 'Files changed (2)');
    const files = header.locator('.run-file');
    assert.deepEqual(await files.allInnerTexts(), ['coverage/report.txt', 'src/add.js']);
    assert.equal(await files.nth(1).getAttribute('aria-label'), 'Open the diff of src/add.js (modified)');

    mkdirSync(screenshots, { recursive: true });
    await chat.page.screenshot({ path: path.join(screenshots, 'run-panel.png') });

    let after = await chat.postedCount();
    await files.nth(1).click();
    assert.deepEqual((await chat.waitForRequest('chat/openDiff', { after })).params, { messageId: ulid(3), callId: 'call_run', path: '/work/app/src/add.js' });
    after = await chat.postedCount();
    await files.nth(0).focus();
    await chat.page.keyboard.press('Enter');
    assert.deepEqual((await chat.waitForRequest('chat/openDiff', { after })).params, { messageId: ulid(3), callId: 'call_run', path: '/work/app/coverage/report.txt' });

    after = await chat.postedCount();
    const undoAll = header.locator('.run-undo-all');
    await undoAll.click();
    const undo = await chat.waitForRequest('chat/undo', { after });
    assert.deepEqual(undo.params, { messageId: ulid(1), scope: 'since' });
    assert.equal(await header.locator('.run-undo-notice').innerText(), 'Restoring…');
    await chat.respond(undo, { restored: 2, skipped: 0 });
    await header.locator('.run-undo-notice', { hasText: 'Restored 2 files' }).waitFor();
    await chat.announced('Restored 2 files.');

    // The summary folds away, and comes back.
    const toggle = header.locator('.run-summary-toggle');
    assert.equal(await toggle.getAttribute('aria-expanded'), 'true');
    await toggle.click();
    assert.equal(await toggle.getAttribute('aria-expanded'), 'false');
    assert.equal(await header.locator('.run-summary').isHidden(), true);
    await toggle.press('Enter');
    assert.equal(await header.locator('.run-result').isVisible(), true);
  });

  it('a failed run shows its error; a cancelled run that changed nothing offers no Undo All', async () => {
    await openRun();
    await chat.runEvent(endedHeader({ state: 'failed', stateLabel: 'Failed' }, { result: undefined, error: 'The API key was refused (401).', files: [] }));
    const header = chat.runHeader();
    await header.locator('.run-error').waitFor();
    assert.equal(await header.locator('.run-error').innerText(), 'The API key was refused (401).');
    assert.equal(await header.locator('.run-result').isHidden(), true);
    assert.match(await header.locator('.run-state-icon').getAttribute('class'), /codicon-error/);
    assert.equal(await header.locator('.run-files-title').innerText(), 'No files changed');
    assert.equal(await header.locator('.run-undo-all').isHidden(), true);
    await chat.runEvent(endedHeader({ state: 'cancelled', stateLabel: 'Cancelled' }, { result: undefined, files: [] }));
    await header.locator('.run-error').waitFor({ state: 'hidden' });
    assert.match(await header.locator('.run-state-icon').getAttribute('class'), /codicon-circle-slash/);
  });

  it('hostile strings in the task, state, result, error and paths render as text, and a file still opens its exact diff', async () => {
    await openRun();
    const payloads = xssPayloads().map((p) => p.text);
    const task = payloads.join(' ').replace(/\n/g, ' ');
    const files = payloads.map((text, i) => ({ path: `${text}/${i}`, shown: text, change: ['created', 'modified', 'deleted'][i % 3], messageId: ulid(3), callId: `call_${i}` }));
    const hostile = endedHeader(
      { task, stateLabel: payloads[1], meters: [{ kind: 'steps', used: 1, limit: 2, label: payloads[2], text: payloads[3], warning: false }] },
      { result: { text: xssReply(), truncated: true }, error: payloads[4], files, totals: { ...endedHeader().ended.totals, label: payloads[5] } },
    );
    await chat.runEvent(hostile);
    const header = chat.runHeader();
    await header.locator('.run-result').waitFor();
    assert.equal(await header.locator('.run-task').textContent(), task);
    assert.equal(await header.locator('.run-state').innerText(), payloads[1]);
    assert.equal(await chat.runMeter('steps').getAttribute('aria-valuetext'), payloads[2]);
    assert.equal(await chat.runMeter('steps').locator('.run-meter-text').innerText(), payloads[3]);
    assert.equal(await header.locator('.run-error').innerText(), payloads[4]);
    assert.equal(await header.locator('.run-totals').innerText(), `Totals: ${payloads[5]}`);
    assert.ok((await header.locator('.run-result').innerText()).startsWith(xssReply().slice(0, 40)));
    assert.deepEqual(await header.locator('.run-file .button-text').allTextContents(), payloads);

    const found = await chat.page.evaluate(() => {
      const own = new Set(['section', 'div', 'span', 'button', 'vscode-button', 'h2', 'ul', 'li']);
      const bad = [];
      for (const element of document.querySelectorAll('#run-header *')) {
        const tag = element.tagName.toLowerCase();
        if (!own.has(tag)) {
          bad.push(tag);
        }
        for (const { name } of element.attributes) {
          if (/^on/i.test(name) || ['style', 'src', 'srcdoc', 'href', 'action'].includes(name)) {
            bad.push(`${tag}[${name}]`);
          }
        }
      }
      return { bad, flags: Object.keys(window).filter((key) => key.startsWith('__xss_')), images: document.images.length };
    });
    // The meter bar's width is set through the CSSOM, which shows up as a style attribute: the only one allowed.
    assert.deepEqual({ ...found, bad: found.bad.filter((entry) => entry !== 'span[style]') }, { bad: [], flags: [], images: 0 });
    assert.deepEqual(chat.dialogs, []);

    const after = await chat.postedCount();
    await header.locator('.run-file').nth(1).click();
    assert.deepEqual((await chat.waitForRequest('chat/openDiff', { after })).params, { messageId: ulid(3), callId: 'call_1', path: `${payloads[1]}/1` });
  });

  it('drops malformed run headers (reporting them) and keeps showing the last good one', async () => {
    await openRun();
    await chat.runEvent(runningHeader());
    await chat.runHeader().waitFor();
    const good = runningHeader();
    const garbage = [
      'nope',
      42,
      { ...good, state: 'exploded' },
      { ...good, runId: 'x'.repeat(1_000) },
      { ...good, meters: [{ kind: 'evil', used: 1, limit: 2, label: 'x', text: 'x' }] },
      { ...good, meters: [{ ...good.meters[0], limit: 0 }] },
      { ...good, meters: 'all of them' },
      { ...good, ended: { totals: null, files: [] } },
      { ...good, stateLabel: 7 },
    ];
    for (const run of garbage) {
      await chat.runEvent(run);
    }
    await chat.post({ kind: 'event', event: { method: 'chat/run', params: null } });
    await chat.post(JSON.parse(`{"kind":"event","event":{"method":"chat/run","params":{"run":{"__proto__":{"polluted":true},"runId":"${RUN_ID}"}}}}`));
    // A header whose bad files are dropped one by one still shows the good ones.
    await chat.runEvent(endedHeader({}, { files: [...FILES, { ...FILES[0], callId: 'has space' }, { ...FILES[0], messageId: 'x'.repeat(100) }, { ...FILES[0], change: 'renamed' }] }));
    await chat.runHeader().locator('.run-files-title', { hasText: 'Files changed (2)' }).waitFor();
    assert.equal(await chat.page.evaluate(() => Object.prototype.polluted), undefined);
    const problems = await chat.requests('webview/reportProblem');
    assert.ok(problems.length > 0, 'the bad headers were reported');
    assert.ok(problems.every((problem) => problem.params.message.length <= 4000));
  });

  it('screenshot: a running run with an approval waiting, in the dark theme', async () => {
    await openRun(awaitingTurn(), { extra: { pending: [approvalPending({ messageId: ulid(3) })] } });
    await chat.runEvent(runningHeader({ state: 'waiting', stateLabel: 'Waiting for you: the agent needs an answer or an approval' }));
    await chat.card(ulid(800)).waitFor();
    await chat.runHeader().waitFor();
    mkdirSync(screenshots, { recursive: true });
    await chat.page.screenshot({ path: path.join(screenshots, 'run-panel-running.png') });
    // The ended run in the light theme, for people reviewing the look (not compared by any test).
    const light = await ChatPage.open(browser, harness.origin, { theme: 'light' });
    await light.snapshot(snapshot(toolTurn()));
    await light.runEvent(endedHeader());
    await light.runHeader().locator('.run-result').waitFor();
    await light.page.screenshot({ path: path.join(screenshots, 'run-panel-light.png') });
    await light.close();
  });
});
