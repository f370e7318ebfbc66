/* global document -- the callbacks passed to frame.waitForFunction run in the panel, not in Node */
// End to end: an agent with tools fixes a failing test, as a person sees it, in Chromium against the packaged
// .vsix in a throwaway code-server profile whose workspace holds calc.js (add subtracts) and test.js (fails unless
// add(2, 3) is 5). The model is the OpenAI-compatible fake on 127.0.0.1 playing a script: read calc.js, replace
// "a - b" with "a + b", run `node test.js`, answer quoting the command's output. The person approves the edit by
// clicking (after looking at the card in a dark and a light theme) and the command with Alt+A, sees the output and
// the exit code, undoes the turn, and finds the tool steps in the Inspector. Every wait is on something visible or
// on the file on disk after the panel said it changed, never on time alone.
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { FakeProviderServer, SENTINEL_KEY } from '../../out/test/fakes/providers/fakeServer.js';
import { modelForScript, postScript } from '../../out/test/fakes/providers/fakeScripts.js';
import { openAiProtocol } from '../../out/test/fakes/providers/openaiProtocol.js';
import { createAgentInEditor, setApiKeyFromPalette, toggleColorTheme } from './support/studioSteps.mjs';
import { openWorkbench, screenshotIfFailed, screenshots, workbenchActions } from './support/workbench.mjs';

const CALC = 'exports.add = (a, b) => a - b;\n';
const FIXED = 'exports.add = (a, b) => a + b;\n';
const TEST = [
  "const { add } = require('./calc');",
  'if (add(2, 3) === 5) {',
  "  console.log('PASS');",
  '} else {',
  "  console.log('FAIL: add(2, 3) is ' + add(2, 3));",
  '  process.exit(1);',
  '}',
  '',
].join('\n');
const SCRIPT = 'fix-test';
const STEPS = [
  { toolCalls: [{ name: 'read_file', arguments: { path: 'calc.js' } }] },
  { toolCalls: [{ name: 'replace_in_file', arguments: { path: 'calc.js', oldText: 'a - b', newText: 'a + b' } }] },
  { toolCalls: [{ name: 'run_command', arguments: { command: 'node test.js' } }] },
  { text: 'Fixed: {{lastToolResult}}' },
];

describe('An agent fixes a failing test in the workbench (e2e)', function () {
  this.timeout(180_000);
  let fake;
  let workbench;
  let page;
  let calcFile;
  let actions;
  let chat;

  before(async function () {
    this.timeout(300_000);
    fake = await FakeProviderServer.start(openAiProtocol);
    // Over HTTP, as from any other process: the fake plays the script for the model fake-script-fix-test.
    await postScript(fake.origin, SCRIPT, STEPS);
    workbench = await openWorkbench({
      prefix: 'ais-e2e-agent-',
      settings: {
        'aiStudio.providers.openaiCompatible': [{ name: 'fake', baseUrl: `${fake.origin}/v1`, defaultModel: 'fake-ok' }],
        'aiStudio.defaultProvider': 'openai-compatible:fake',
        // Dark, and the palette's light/dark toggle goes to Light Modern (VS Code 1.139's own default is a light theme).
        'workbench.colorTheme': 'Default Dark Modern',
        'workbench.preferredDarkColorTheme': 'Default Dark Modern',
        'workbench.preferredLightColorTheme': 'Default Light Modern',
      },
      files: { 'calc.js': CALC, 'test.js': TEST },
    });
    page = workbench.page;
    calcFile = path.join(workbench.workspace, 'calc.js');
    actions = workbenchActions(page);
  });

  afterEach(async function () {
    await screenshotIfFailed(this.currentTest, page, 'agent-e2e-');
  });

  after(async () => {
    await workbench?.close();
    await fake?.close();
  });

  const card = (title) => chat.locator('.pending-card[data-kind="approval"]', { has: chat.locator('.pending-title', { hasText: title }) });
  /** A tool step by its tool's icon (each tool of the script runs once). */
  const step = (icon) => chat.locator('article.tool-message .tool-step', { has: chat.locator(`.tool-icon.codicon-${icon}`) });
  const badge = (row) => row.locator('.tool-badge .tool-badge-text');

  it('sets up an agent on the fake endpoint with the script model; it starts with the default tools', async () => {
    const { sidebar, expandView } = actions;
    await page.locator('.part.activitybar a.action-label[aria-label^="AI Studio"]').click();
    for (const view of ['Agents', 'Sessions', 'Providers']) {
      await expandView(view);
    }
    // The row exists once the extension has activated and read the settings: the readiness signal.
    await sidebar().getByRole('treeitem', { name: /^fake, default, no key \(optional\)/ }).waitFor({ timeout: 90_000 });
    await setApiKeyFromPalette(page, actions, { name: 'fake', key: SENTINEL_KEY });
    const modes = await createAgentInEditor(actions, { name: 'Fixer', model: modelForScript(SCRIPT), defaultModel: 'fake-ok' });
    // Reads run by themselves; edits and commands ask.
    assert.deepEqual(
      [modes.read_file, modes.replace_in_file, modes.write_file, modes.run_command],
      ['auto', 'ask', 'ask', 'ask'],
      JSON.stringify(modes),
    );
    await sidebar().getByRole('treeitem', { name: new RegExp(`^Fixer.*${modelForScript(SCRIPT)}`) }).waitFor();
  });

  it('reads by itself, then shows the edit’s diff in an approval card (dark and light theme screenshots)', async () => {
    await actions.runCommand('AI Studio: New Session');
    chat = await actions.webview('#composer-input');
    await chat.locator('#composer-input').fill('Fix the failing test');
    await chat.locator('#composer-input').press('Enter');

    const edit = card('Allow this edit?');
    await edit.waitFor();
    // The read ran without asking, before anything asked.
    const read = step('file');
    assert.equal(await read.locator('.tool-summary').innerText(), 'Read calc.js');
    assert.equal(await badge(read).innerText(), 'done');
    assert.equal(await step('edit').locator('.tool-badge-text').innerText(), 'waiting for you');
    assert.equal(await edit.locator('.pending-tool').innerText(), 'replace_in_file');
    assert.equal(await edit.locator('.pending-path-text').innerText(), 'calc.js');
    assert.deepEqual(await edit.locator('.diff-view .diff-removed').allInnerTexts(), ['-exports.add = (a, b) => a - b;']);
    assert.deepEqual(await edit.locator('.diff-view .diff-added').allInnerTexts(), ['+exports.add = (a, b) => a + b;']);
    const decisions = await edit.locator('[data-decision]').evaluateAll((buttons) => buttons.map((b) => [b.dataset.decision, b.textContent.trim()]));
    assert.deepEqual(decisions, [['approve', 'Approve'], ['approveSession', 'Approve for this session'], ['deny', 'Deny']]);
    assert.equal(readFileSync(calcFile, 'utf8'), CALC, 'nothing is written while the card waits');

    // The same card in the profile's dark theme, then in the light one picked from the palette.
    mkdirSync(screenshots, { recursive: true });
    assert.equal(await chat.evaluate(() => document.body.classList.contains('vscode-dark')), true, 'the workbench starts dark');
    await edit.scrollIntoViewIfNeeded();
    await page.screenshot({ path: path.join(screenshots, 'agent-approval-dark.png') });
    await toggleColorTheme(page, actions, chat, 'light');
    await page.screenshot({ path: path.join(screenshots, 'agent-approval-light.png') });
  });

  it('Approve writes the edit: calc.js changes on disk and the step links the changed file', async () => {
    await card('Allow this edit?').locator('vscode-button[data-decision="approve"]').click();
    const edit = step('edit');
    await edit.locator('.tool-badge-ok').waitFor();
    assert.equal(readFileSync(calcFile, 'utf8'), FIXED);
    assert.equal(await edit.locator('.tool-files-count').innerText(), '1 file changed');
    assert.match(await edit.locator('.file-link .file-path').innerText(), /(^|\/)calc\.js$/);
  });

  it('asks for `node test.js` with its sub-command; Alt+A approves; the step shows exit 0 and the output; the answer quotes PASS', async () => {
    const command = card('Allow this command?');
    await command.waitFor();
    assert.equal(await command.locator('.command-line').innerText(), '$ node test.js');
    const rows = await command.locator('.subcommands tbody tr td:first-child').allInnerTexts();
    assert.deepEqual(rows, ['node test.js']);
    await command.focus();
    await page.keyboard.press('Alt+A');

    const run = step('terminal');
    await run.locator('.tool-badge-ok').waitFor({ timeout: 60_000 });
    assert.equal(await badge(run).innerText(), 'exit 0');
    assert.equal(await run.locator('.tool-badge').getAttribute('aria-label'), 'Succeeded (exit code 0)');
    await run.locator('.tool-step-toggle').click();
    const result = await run.locator('pre.tool-result').innerText();
    assert.match(result, /^Exit code: 0\nOutput:\n[\s\S]*PASS/);
    assert.equal(await run.locator('.tool-decided').innerText(), 'Approved by you');

    const answer = chat.locator('article.message.assistant.status-complete', { hasText: 'Fixed:' });
    await answer.waitFor();
    assert.match(await answer.locator('.message-body').innerText(), /Fixed: Exit code: 0[\s\S]*PASS/);
    await chat.locator('#send-button:not([hidden])').waitFor();
    assert.equal(await chat.locator('.pending-card').count(), 0);
    await answer.scrollIntoViewIfNeeded();
    await page.screenshot({ path: path.join(screenshots, 'agent-turn-done.png') });
  });

  it('the changed file’s link opens its diff: the original against the file now', async () => {
    await step('edit').locator('.file-link').click();
    const tab = page.locator('.tabs-container .tab.active', { hasText: 'calc.js (before AI Studio ↔ now)' });
    await tab.waitFor();
    const diff = page.locator('.editor-instance .monaco-diff-editor');
    await diff.locator('.editor.original .view-lines', { hasText: 'exports.add = (a, b) => a - b;' }).waitFor();
    await diff.locator('.editor.modified .view-lines', { hasText: 'exports.add = (a, b) => a + b;' }).waitFor();
    // Its tab's close button (the palette's "Close Editor" can match "Close All Editors", used earlier, first).
    await tab.locator('.tab-actions .action-label[aria-label^="Close"]').click();
    await tab.waitFor({ state: 'detached' });
    // The chat panel is shown again (rebuilt from the store if the workbench dropped it while hidden).
    chat = await actions.webview('article.tool-message');
  });

  it('"Undo changes of this turn" puts calc.js back as it was', async () => {
    const undo = chat.getByRole('button', { name: 'Undo changes of this turn' });
    assert.equal(await undo.count(), 1, 'one Undo, on the turn’s last reply');
    await undo.click();
    await chat.locator('.undo-notice', { hasText: 'Restored 1 file' }).waitFor();
    assert.equal(readFileSync(calcFile, 'utf8'), CALC);
    assert.equal(readFileSync(path.join(workbench.workspace, 'test.js'), 'utf8'), TEST, 'nothing else was touched');
  });

  it('opens the Inspector from the chat and shows the three tool steps', async () => {
    await chat.locator('#inspect-session').click();
    const inspector = await actions.webview('.rows-block');
    // The timeline holds every event of the turn; the type filter narrows it to the calls that ran.
    await inspector.locator('.rows-block .row', { hasText: 'read_file' }).first().waitFor();
    await inspector.locator('#filter-text input').fill('tool.call.completed');
    // Each row is named after its tool (e.g. "read_file · completed"), in the order the calls ran.
    const tools = ['read_file', 'replace_in_file', 'run_command'];
    await inspector.waitForFunction(
      (names) => {
        const shown = [...document.querySelectorAll('.rows-block .row:not(.loading):not([hidden]) .label-text')].map((label) => label.textContent);
        return shown.length === names.length && names.every((name, index) => shown[index].startsWith(`${name} `) || shown[index].endsWith(` ${name}`));
      },
      tools,
    );
    const types = await inspector.locator('.rows-block .row:not(.loading):not([hidden]) .cell.type').allInnerTexts();
    assert.deepEqual(types, ['tool.call.completed', 'tool.call.completed', 'tool.call.completed']);
    await page.screenshot({ path: path.join(screenshots, 'agent-inspector.png') });
  });
});
