import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { TestApi } from '../../src/composition';
import { systemClock } from '../../src/core/ports';
import { costText, dayLabel, localDay, statusText } from '../../src/core/spending';
import { AgentsRepository, type Agent } from '../../src/db/repositories/agents';
import { CostsRepository } from '../../src/db/repositories/costs';
import { EventsRepository } from '../../src/db/repositories/events';
import { MessagesRepository } from '../../src/db/repositories/messages';
import { SessionsRepository, type Session } from '../../src/db/repositories/sessions';
import type { Store } from '../../src/db/store';
import { activateStudio, waitUntil } from './support';

/**
 * Spending in a real extension host: calls written to the real store the way the chat loop writes them (a reply
 * with its agent version, `llm.request.started`, then the ending event with tokens and cost), the status bar item
 * following them, "AI Studio: Show Spending" opening its summary, and the daily budget warning once when crossed.
 * Other suites ran calls before this one, so expectations are read from the store, not assumed to start at $0.
 */

const SHOW_SPENDING = 'aiStudio.showSpending';
const HOUR = 3_600_000;
const unique = (name: string) => `${name} ${Date.now().toString(36)}${Math.floor(Math.random() * 1e4)}`;

describe('spending in a real extension host', function () {
  this.timeout(60_000);
  let api: TestApi;
  let store: Store;
  let costs: CostsRepository;
  let agent: Agent;
  let session: Session;
  let model: string;
  const config = () => vscode.workspace.getConfiguration('aiStudio');
  const today = () => costs.spendBetween(localDay(Date.now()));
  const expectedText = () => `$(credit-card) ${statusText(today())}`;

  async function recordCall(at: number, costMicroUsd: number | null, tokens = { input: 1200, output: 300 }): Promise<void> {
    const messages = new MessagesRepository(store, systemClock);
    const events = new EventsRepository(store, systemClock);
    const reply = await messages.append(session.id, null, {
      role: 'assistant',
      content: [{ type: 'text', text: 'an answer' }],
      status: 'complete',
      agentVersionId: agent.currentVersion.id,
      model,
    });
    const request = await events.append({
      type: 'llm.request.started',
      sessionId: session.id,
      messageId: reply.id,
      startedAt: at,
      model,
      payload: { provider: 'openai', agentId: agent.id, agentVersionId: agent.currentVersion.id },
      text: '',
    });
    await events.append({
      type: 'llm.response.completed',
      sessionId: session.id,
      messageId: reply.id,
      parentEventId: request.id,
      startedAt: at,
      endedAt: at + 800,
      model,
      tokens,
      costMicroUsd,
      payload: { provider: 'openai', status: 'complete' },
      text: '',
    });
  }

  before(async () => {
    api = await activateStudio();
    store = await api.store;
    costs = new CostsRepository(store);
    model = unique('spend-model').replace(/\s/g, '-');
    agent = await new AgentsRepository(store, systemClock).create({ name: unique('Spender'), provider: 'openai', model });
    session = await new SessionsRepository(store, systemClock).create({ agentId: agent.id, title: unique('Spending session') });
  });

  after(async () => {
    await config().update('budget.dailyUsd', undefined, vscode.ConfigurationTarget.Global);
    await config().update('statusBar.showSpend', undefined, vscode.ConfigurationTarget.Global);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it("shows today's spend in the status bar and follows calls as they are recorded", async () => {
    await api.spending.refresh();
    assert.equal(api.spending.statusText(), expectedText());
    const before = today();

    const now = Date.now();
    const yesterday = localDay(now, -1);
    // Today's calls start no earlier than today's midnight, even when the suite runs just after it.
    const earlier = Math.max(localDay(now).start, now - HOUR);
    await recordCall(earlier, 1_250_000);
    await recordCall(now, 250_000);
    await recordCall(now, null, { input: 10, output: 5 });
    await recordCall(yesterday.start + HOUR, 5_000_000);

    const after = today();
    assert.deepEqual(
      [after.calls - before.calls, after.costMicroUsd - before.costMicroUsd, after.unknownCostCalls - before.unknownCostCalls],
      [3, 1_500_000, 1],
      "yesterday's call is not today's",
    );
    // No refresh asked for: the store's change signal brings the item up to date.
    await waitUntil(() => api.spending.statusText() === expectedText(), api.spending.onDidUpdate, `the status bar to show ${expectedText()}`);
    assert.match(api.spending.statusText()!, /^\$\(credit-card\) \$[\d,]+\.\d\d today$/);
    assert.match(api.spending.tooltip(), /over [\d,]+ calls \([\d,]+ of unknown cost, not counted/);
    assert.ok(api.spending.tooltip().includes(model), 'the tooltip breaks today down by model');
    assert.equal(api.spending.background(), undefined, 'no budget, no warning colour');
  });

  it('opens the spending summary: today, the last days, by model, by agent and top sessions', async () => {
    const shown = await vscode.commands.executeCommand<string>(SHOW_SPENDING);
    const text = api.spending.reportText();
    assert.ok(text, 'the summary was rendered');
    assert.equal(shown, text);
    const editor = vscode.window.activeTextEditor;
    assert.equal(editor?.document.uri.toString(), api.spending.reportUri, 'the summary is the active editor');
    assert.equal(editor.document.getText(), text);
    assert.equal(editor.document.languageId, 'markdown');

    for (const heading of ['# AI Studio spending', '## Today', '## Last 7 days', '## By model (last 30 days)', '## By agent (last 30 days)', '## Top sessions (last 30 days)']) {
      assert.ok(text.includes(`\n${heading}\n`) || text.startsWith(`${heading}\n`), heading);
    }
    const row = (name: string) => text.split('\n').find((line) => line.startsWith(`| ${name} `));
    assert.match(row(model) ?? '', /\| openai +\| +4 \| +3,610 \| +905 \| +\$6\.50 \+ 1 call of unknown cost \|$/, 'the model row: both days, the unknown call marked');
    assert.match(row(agent.name) ?? '', /\| +4 \| +3,610 \| +905 \| +\$6\.50 \+ 1 call of unknown cost \|$/);
    assert.match(row(session.title) ?? '', /\| +4 \| +3,610 \| +905 \| +\$6\.50 \+ 1 call of unknown cost \|$/);
    const yesterday = localDay(Date.now(), -1);
    const yesterdayRow = row(dayLabel(yesterday.start));
    assert.ok(yesterdayRow?.endsWith(` ${costText(costs.spendBetween(yesterday))} |`), `yesterday's row: ${yesterdayRow}`);
    assert.match(text, /\| \d{4}-\d\d-\d\d \w{3} \(today\) \|/);
  });

  it('warns once when the daily budget is crossed, turns the item to the warning colour, and hides it on request', async () => {
    const warned = api.spending.warnings().length;
    const budgetUsd = Math.floor(today().costMicroUsd / 2) / 1_000_000;
    await config().update('budget.dailyUsd', budgetUsd, vscode.ConfigurationTarget.Global);
    await waitUntil(() => api.spending.warnings().length > warned, api.spending.onDidUpdate, 'the budget warning');
    const warnings = api.spending.warnings().slice(warned);
    assert.equal(warnings.length, 1);
    assert.equal(warnings[0]!.threshold, 'over', 'straight past the budget: one warning, not near and then over');
    assert.match(warnings[0]!.message, /reaches your daily budget of \$[\d,.]+\. The budget only warns: calls are not blocked\.$/);
    assert.equal(api.spending.background(), 'statusBarItem.warningBackground');
    assert.match(api.spending.tooltip(), /Daily budget \$[\d,.]+: \d+% used \(reached\)\./);

    // More calls the same day: no second warning.
    await recordCall(Date.now(), 100_000);
    await api.spending.refresh();
    await recordCall(Date.now(), 100_000);
    await api.spending.refresh();
    assert.equal(api.spending.warnings().length, warned + 1);
    assert.equal(api.spending.statusText(), expectedText());

    await config().update('budget.dailyUsd', undefined, vscode.ConfigurationTarget.Global);
    await waitUntil(() => api.spending.background() === undefined, api.spending.onDidUpdate, 'the warning colour to go with the budget');
    await config().update('statusBar.showSpend', false, vscode.ConfigurationTarget.Global);
    await waitUntil(() => api.spending.statusText() === undefined, api.spending.onDidUpdate, 'the item to hide');
    await config().update('statusBar.showSpend', undefined, vscode.ConfigurationTarget.Global);
    await waitUntil(() => api.spending.statusText() === expectedText(), api.spending.onDidUpdate, 'the item to come back');
  });
});
