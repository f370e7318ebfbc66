/* global document -- the callbacks passed to frame.waitForFunction run in the panel, not in Node */
// End to end: runs and batch runs as a person drives them, in Chromium against the packaged .vsix in a throwaway
// code-server profile, the model being the OpenAI-compatible fake on 127.0.0.1 playing scripts. One workbench for
// the whole suite (agents are made once):
//  - a run started from the palette asks to run a command; it is approved in the run panel (the chat panel on the
//    run's session, with its run header) and finishes; a second run is cancelled mid-step from its header; a
//    third is cut off by a window reload and resumed from its row;
//  - a 20-item promptfoo-style YAML over two agents: the Results panel, Failures only, one cell's Inspector, Export
//    CSV; screenshots of the run panel and the Results panel;
//  - the extension host is killed mid-run: the run shows interrupted, resumes, and sends its task once;
//  - a second window (its own extension host on the same store) starts a run and chats while the first one runs:
//    both windows show both runs completed and the other window's session.
// Every wait is on something visible (or a file on disk, or the fake's requests), never on time alone.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { FakeProviderServer, SENTINEL_KEY } from '../../out/test/fakes/providers/fakeServer.js';
import { modelForScript, postScript } from '../../out/test/fakes/providers/fakeScripts.js';
import { openAiProtocol } from '../../out/test/fakes/providers/openaiProtocol.js';
import { createAgentInEditor, setApiKeyFromPalette } from './support/studioSteps.mjs';
import { openWorkbench, screenshotIfFailed, screenshots, workbenchActions } from './support/workbench.mjs';

const SCRIPTS = {
  runner: [{ toolCalls: [{ name: 'run_command', arguments: { command: 'node count.js' } }] }, { text: 'Counted: {{lastToolResult}}' }],
  sleeper: [{ text: 'Woke up.', delayMs: 600_000 }],
  right: [{ toolCalls: [{ name: 'read_file', arguments: { path: 'facts.txt' } }] }, { text: 'Paris is the capital.' }],
  wrong: [{ text: 'Lyon is the capital.' }],
};
// Appends a line each time it runs, so "ran once" can be read off the disk.
const COUNT_JS = "require('fs').appendFileSync('count.txt', 'x\\n'); console.log('counted');\n";
const DATASET = [
  'prompts: "Answer briefly: {{question}}"',
  'tests:',
  ...Array.from({ length: 20 }, (_, i) =>
    [`  - description: Question ${i + 1}`, `    vars: { question: "Which city is the capital (${i + 1})?" }`, '    assert:', '      - type: icontains', `        value: ${i < 14 ? 'capital' : 'paris'}`].join('\n'),
  ),
  '',
].join('\n');

describe('Runs and batch runs in the workbench (e2e)', function () {
  this.timeout(240_000);
  let fake;
  let workbench;
  let page;
  let actions;

  before(async function () {
    this.timeout(400_000);
    fake = await FakeProviderServer.start(openAiProtocol);
    for (const [name, steps] of Object.entries(SCRIPTS)) {
      await postScript(fake.origin, name, steps);
    }
    workbench = await openWorkbench({
      prefix: 'ais-e2e-runs-',
      settings: {
        'aiStudio.providers.openaiCompatible': [{ name: 'fake', baseUrl: `${fake.origin}/v1`, defaultModel: 'fake-ok' }],
        'aiStudio.defaultProvider': 'openai-compatible:fake',
        'aiStudio.runs.maxConcurrent': 4,
        'workbench.colorTheme': 'Default Dark Modern',
        // The save dialog as a quick input, which a test can type a path into.
        'files.simpleDialog.enable': true,
      },
      files: { 'count.js': COUNT_JS, 'facts.txt': 'Paris is the capital of France.\n', 'capitals.yaml': DATASET },
    });
    page = workbench.page;
    actions = workbenchActions(page);
  });

  afterEach(async function () {
    await screenshotIfFailed(this.currentTest, page, 'runs-e2e-');
  });

  after(async () => {
    await workbench?.close();
    await fake?.close();
  });

  const runsView = () => actions.sidebar().locator('.pane', { has: page.locator('.pane-header', { hasText: 'Runs' }) });
  /** The Runs view's row whose accessible name (label, state, description) matches. */
  const runRow = (pattern) => runsView().getByRole('treeitem', { name: pattern });
  const tasksSent = (task) => fake.requests.filter((request) => JSON.stringify(request.body ?? {}).includes(task)).length;

  /** A palette command picked by its exact title (typing "Start Run" also lists Start Batch Run). */
  async function runExactly(on, title) {
    await on.keyboard.press('F1');
    await on.locator('.quick-input-widget input').fill(`>${title}`);
    await on.locator('.quick-input-list .monaco-list-row', { hasText: title }).first().click();
  }

  async function startRun(agent, task) {
    await runExactly(page, 'AI Studio: Start Run…');
    const pick = await actions.quickInputTitled('AI Studio: Start Run');
    await pick.fill(agent);
    await page.locator('.quick-input-list .monaco-list-row', { hasText: agent }).first().waitFor();
    await page.keyboard.press('Enter');
    await page.locator('.quick-input-widget .quick-input-message, .quick-input-widget input[placeholder^="e.g."]').first().waitFor();
    await page.locator('.quick-input-widget input').fill(task);
    await page.keyboard.press('Enter');
    return runPanel(task);
  }

  /** The chat panel (a webview frame) whose run header shows `task`; panels of earlier runs may be open too. */
  function runPanel(task, on = page) {
    return frameWhere(on, async (frame) => (await frame.locator('#run-header:not([hidden]) .run-task', { hasText: task }).count()) > 0, `a run panel of "${task}"`);
  }

  async function reloadWindow() {
    const reloaded = page.waitForEvent('framenavigated', { predicate: (frame) => frame === page.mainFrame(), timeout: 60_000 });
    await actions.runCommand('Developer: Reload Window');
    await reloaded;
    await page.locator('.part.activitybar').waitFor({ timeout: 90_000 });
    // The window may come back with AI Studio's side bar open or closed: a click on its icon toggles it.
    const icon = page.locator('.part.activitybar a.action-label[aria-label^="AI Studio"]');
    const runsHeader = actions.sidebar().locator('.pane-header', { hasText: 'Runs' });
    await icon.waitFor();
    for (let tries = 0; tries < 3 && !(await runsHeader.isVisible()); tries++) {
      await icon.click();
      await runsHeader.waitFor({ timeout: 5_000 }).catch(() => undefined);
    }
    await actions.expandView('Runs');
  }

  it('sets up the fake endpoint and four agents on its scripts', async function () {
    this.timeout(300_000);
    await page.locator('.part.activitybar a.action-label[aria-label^="AI Studio"]').click();
    for (const view of ['Agents', 'Runs', 'Providers']) {
      await actions.expandView(view);
    }
    await actions.sidebar().getByRole('treeitem', { name: /^fake, default, no key \(optional\)/ }).waitFor({ timeout: 90_000 });
    await setApiKeyFromPalette(page, actions, { name: 'fake', key: SENTINEL_KEY });
    for (const [name, script] of [['Runner', 'runner'], ['Sleeper', 'sleeper'], ['Right', 'right'], ['Wrong', 'wrong']]) {
      await createAgentInEditor(actions, { name, model: modelForScript(script), defaultModel: 'fake-ok' });
    }
  });

  it('a run from the palette asks to run a command; approved in the run panel, it finishes there with its result (screenshot)', async () => {
    const task = 'Count once and report';
    const panel = await startRun('Runner', task);
    const card = panel.locator('.pending-card[data-kind="approval"]', { has: panel.locator('.pending-title', { hasText: 'Allow this command?' }) });
    await card.waitFor();
    await panel.locator('#run-header[data-state="waiting"]').waitFor();
    await runRow(new RegExp(`^${task}, waiting`)).waitFor();
    await card.locator('[data-decision="approve"]').click();
    await panel.locator('#run-header[data-state="completed"]').waitFor({ timeout: 60_000 });
    await panel.locator('#run-header .run-result', { hasText: 'Counted:' }).waitFor();
    assert.match(await panel.locator('#run-header .run-totals').innerText(), /2 steps/);
    assert.equal(readFileSync(path.join(workbench.workspace, 'count.txt'), 'utf8'), 'x\n', 'the approved command ran once');
    await runRow(new RegExp(`^${task}, completed`)).waitFor();
    mkdirSync(screenshots, { recursive: true });
    await page.screenshot({ path: path.join(screenshots, 'run-panel-workbench.png') });
  });

  it('a second run is cancelled mid-step from its run header', async () => {
    const task = 'Sleep on it';
    const panel = await startRun('Sleeper', task);
    await panel.locator('#run-header[data-state="running"]').waitFor();
    await panel.locator('#run-header .run-cancel:not([hidden])').click();
    await panel.locator('#run-header[data-state="cancelled"]').waitFor({ timeout: 30_000 });
    await runRow(new RegExp(`^${task}, cancelled`)).waitFor();
  });

  it('a third run is cut off by a window reload: its row says interrupted, and Resume carries it to the end without running its command', async () => {
    const task = 'Count again after a reload';
    const panel = await startRun('Runner', task);
    await panel.locator('.pending-card[data-kind="approval"]').waitFor();
    await reloadWindow();
    const row = runRow(new RegExp(`^${task}, interrupted`));
    await row.waitFor({ timeout: 60_000 });
    await row.hover();
    await row.locator('.action-label[aria-label="Resume Run"]').click();
    const resumed = await runPanel(task);
    await resumed.locator('#run-header[data-state="completed"]').waitFor({ timeout: 60_000 });
    await runRow(new RegExp(`^${task}, completed`)).waitFor();
    assert.equal(readFileSync(path.join(workbench.workspace, 'count.txt'), 'utf8'), 'x\n', 'the command cut off before its approval never ran');
    await actions.runCommand('View: Close All Editors');
  });

  it('a 20-item promptfoo YAML over two agents: Results panel, Failures only, a cell’s Inspector, Export CSV (screenshot)', async () => {
    await actions.runCommand('Go to File...');
    await page.locator('.quick-input-widget input').fill('capitals.yaml');
    await page.locator('.quick-input-list .monaco-list-row', { hasText: 'capitals.yaml' }).first().waitFor();
    await page.keyboard.press('Enter');
    await page.locator('.tabs-container .tab.active', { hasText: 'capitals.yaml' }).waitFor();
    await actions.runCommand('AI Studio: Start Batch Run…');
    await actions.quickInputTitled('AI Studio: Start Batch Run');
    // In a pick-many list a click on a row ticks it.
    for (const agent of ['Right', 'Wrong']) {
      await page.locator('.quick-input-list .monaco-list-row', { hasText: agent }).first().locator('.label-name', { hasText: agent }).click();
    }
    await page.locator('.quick-input-widget .quick-input-count', { hasText: '2 Selected' }).waitFor();
    await page.locator('.quick-input-widget .monaco-button', { hasText: 'OK' }).first().click();

    const results = await actions.webview('#results-grid');
    await results.locator('#batch-status', { hasText: 'Completed' }).waitFor({ timeout: 120_000 });
    await results.locator('#progress', { hasText: '40' }).waitFor();
    await runRow(/^Batch: capitals\.yaml \(20 items × 2 agents\), completed/).waitFor();
    mkdirSync(screenshots, { recursive: true });
    await page.screenshot({ path: path.join(screenshots, 'results-panel-workbench.png') });

    await results.locator('#failures-only').click();
    // Only rows on screen count: the grid may keep spare row elements out of sight.
    await results.waitForFunction(() => [...document.querySelectorAll('#results-grid .item-cell')].filter((cell) => cell.offsetParent !== null && cell.textContent?.includes('Question')).length === 6);
    await results.locator('#results-grid .item-cell:visible', { hasText: 'Question 15' }).waitFor();
    const failing = results.locator('#results-grid .result-cell:visible[data-status="fail"]').first();
    await failing.click();
    await results.locator('.detail-section .assertion-reason', { hasText: 'paris' }).first().waitFor();
    await results.locator('[data-action="inspect"]').click();
    const inspector = await actions.webview('#timeline');
    await inspector.locator('#inspector-title').waitFor();
    // Back to the Results tab, which the Inspector opened over.
    await page.locator('.tabs-container .tab', { hasText: 'Results: capitals.yaml' }).click();
    await results.locator('#export-csv').waitFor();

    const target = path.join(workbench.workspace, 'capitals-results.csv');
    await results.locator('#export-csv').click();
    const input = page.locator('.quick-input-widget input');
    await input.waitFor();
    await input.fill(target);
    await page.keyboard.press('Enter');
    await page.locator('.notifications-toasts .notification-toast', { hasText: 'exported the results' }).waitFor();
    const lines = readFileSync(target, 'utf8').trimEnd().split('\r\n');
    assert.equal(lines.length, 41, 'a header and one row per item and agent');
    assert.match(lines[0] ?? '', /^item_id,description,vars,column_id,column,status/);
    assert.equal(lines.filter((line) => line.includes(',fail,')).length, 6);
    await actions.runCommand('View: Close All Editors');
    await actions.runCommand('Notifications: Clear All Notifications');
  });

  it('the extension host killed mid-run: the run shows interrupted, resumes in the restarted host, and sends its task once', async () => {
    const task = 'Sleep through a crash';
    const panel = await startRun('Sleeper', task);
    await panel.locator('#run-header[data-state="running"]').waitFor();
    const before = tasksSent(task);
    assert.equal(before, 1);
    // The reply the fake holds back when the host dies is answered at once from now on.
    await postScript(fake.origin, 'sleeper', [{ text: 'Woke up.' }]);
    const hosts = extensionHostPids(workbench.server);
    assert.equal(hosts.length, 1, `one extension host (found ${hosts.length})`);
    process.kill(hosts[0], 'SIGKILL');
    // A new window's extension host; the dead one's run lease is still fresh and runs out by itself.
    await reloadWindow();
    // No lease is renewed any more: once it is stale, every window shows the run interrupted.
    const row = runRow(new RegExp(`^${task}, interrupted`));
    await row.waitFor({ timeout: 90_000 });
    await row.hover();
    await row.locator('.action-label[aria-label="Resume Run"]').click();
    const resumed = await runPanel(task);
    await resumed.locator('#run-header[data-state="completed"]').waitFor({ timeout: 60_000 });
    await resumed.locator('#run-header .run-result', { hasText: 'Woke up.' }).waitFor();
    const user = await resumed.locator('article.message.user').count();
    assert.equal(user, 1, 'the task was written once');
    await actions.runCommand('View: Close All Editors');
  });

  it('two windows on one store: runs and a chat started in both at once show in both, and every run converges to completed', async function () {
    this.timeout(300_000);
    await postScript(fake.origin, 'sleeper', [{ text: 'Rested.', delayMs: 1_500 }]);
    const second = await workbench.browser.newPage({ viewport: { width: 1400, height: 900 } });
    try {
      await second.goto(page.url());
      await second.locator('.part.activitybar').waitFor({ timeout: 90_000 });
      const other = workbenchActions(second);
      await second.locator('.part.activitybar a.action-label[aria-label^="AI Studio"]').click();
      await other.expandView('Runs');
      await other.expandView('Sessions');
      const here = startRun('Sleeper', 'First window works');
      const there = (async () => {
        await runExactly(second, 'AI Studio: Start Run…');
        const pick = await other.quickInputTitled('AI Studio: Start Run');
        await pick.fill('Sleeper');
        await second.locator('.quick-input-list .monaco-list-row', { hasText: 'Sleeper' }).first().waitFor();
        await second.keyboard.press('Enter');
        await second.locator('.quick-input-widget input[placeholder^="e.g."]').waitFor();
        await second.locator('.quick-input-widget input').fill('Second window works');
        await second.keyboard.press('Enter');
        await runPanel('Second window works', second);
        await other.runCommand('AI Studio: New Session');
        await second.locator('.quick-input-list .monaco-list-row', { hasText: 'Wrong' }).first().click();
        // The new session's panel, not the run's (which also has a composer, and goes away as it is hidden).
        const chat = await frameWhere(second, async (frame) => (await frame.locator('#run-header[hidden]').count()) > 0 && (await frame.locator('#composer-input').count()) > 0, 'the new chat panel');
        await chat.locator('#composer-input').fill('Hello from the second window');
        await chat.locator('#composer-input').press('Enter');
        await chat.locator('article.message.assistant.status-complete').waitFor({ timeout: 60_000 });
      })();
      await Promise.all([here, there]);
      for (const [win, view] of [
        [page, runsView()],
        [second, other.sidebar().locator('.pane', { has: second.locator('.pane-header', { hasText: 'Runs' }) })],
      ]) {
        for (const task of ['First window works', 'Second window works']) {
          await view.getByRole('treeitem', { name: new RegExp(`^${task}, completed, Sleeper · 1 step`) }).waitFor({ timeout: 90_000 });
        }
        assert.ok(win);
      }
      await actions.expandView('Sessions');
      await actions.sidebar().getByRole('treeitem', { name: /Hello from the second window/ }).waitFor({ timeout: 60_000 });
    } finally {
      await second.close();
    }
  });
});

/** The first webview frame of the page for which `test` holds, re-checked as panels open. */
async function frameWhere(page, test, what, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    for (const frame of page.frames()) {
      if (!frame.isDetached() && frame.url().includes('fake.html') && (await test(frame).catch(() => false))) {
        return frame;
      }
    }
    if (Date.now() > deadline) {
      throw new Error(`${what} did not appear within ${timeoutMs} ms`);
    }
    await page.waitForTimeout(100);
  }
}

/** The extension hosts code-server runs now (its descendants started with --type=extensionHost). */
function extensionHostPids(server) {
  const table = execFileSync('ps', ['-eo', 'pid=,ppid=,args='], { encoding: 'utf8' })
    .split('\n')
    .map((line) => /^\s*(\d+)\s+(\d+)\s+(.*)$/.exec(line))
    .filter(Boolean)
    .map(([, pid, ppid, args]) => ({ pid: Number(pid), ppid: Number(ppid), args }));
  const root = server.pid ?? server.child?.pid;
  assert.ok(root, 'the code-server process id is known');
  const descendants = new Set([root]);
  for (let grew = true; grew; ) {
    grew = false;
    for (const row of table) {
      if (descendants.has(row.ppid) && !descendants.has(row.pid)) {
        descendants.add(row.pid);
        grew = true;
      }
    }
  }
  return table.filter((row) => descendants.has(row.pid) && /--type=extensionHost/.test(row.args)).map((row) => row.pid);
}
