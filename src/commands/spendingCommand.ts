import * as vscode from 'vscode';
import { systemClock, type Clock, type Logger } from '../core/ports';
import { evaluateBudget, lastLocalDays, localDay, spendingReport } from '../core/spending';
import { CostsRepository } from '../db/repositories/costs';
import type { Store } from '../db/store';
import { readSpendSettings, SpendStatus, type SpendStatusTestApi } from '../vscode/spendStatus';

/**
 * Spending, composed: today's spend in the status bar with the daily budget's warning (src/vscode/spendStatus.ts),
 * and "AI Studio: Show Spending", the spending summary as a read-only Markdown document, served from memory under
 * its own scheme (like Ask's answers), so it cannot be edited or saved by accident. Each run re-reads the store;
 * the document's tables are padded to read as tables in the editor too, and Markdown's Open Preview renders them.
 */
export const spendingScheme = 'ai-studio-spending';

/** The days of the by-model, by-agent and top-sessions tables, and of the day table. */
const WINDOW_DAYS = 30;
const DAY_TABLE_DAYS = 7;
const TOP_SESSIONS = 10;

export interface SpendingInputs {
  storeReady: Promise<Store>;
  log: Logger;
  /** Global state: which budget warnings were shown today, for every window. */
  memento: vscode.Memento;
  clock?: Clock;
}

export interface SpendingTestApi extends SpendStatusTestApi {
  /** The text of the spending summary last shown, if any. */
  reportText(): string | undefined;
  reportUri: string;
}

export interface SpendingFeature extends vscode.Disposable {
  commands: { showSpending(): Promise<string> };
  testApi: SpendingTestApi;
}

export function composeSpending(inputs: SpendingInputs): SpendingFeature {
  const clock = inputs.clock ?? systemClock;
  const status = new SpendStatus({ storeReady: inputs.storeReady, log: inputs.log, memento: inputs.memento, clock });
  const document = new SpendingDocument({ storeReady: inputs.storeReady, clock, dailyBudgetUsd: () => readSpendSettings().dailyBudgetUsd });
  return {
    commands: { showSpending: () => document.show() },
    testApi: { ...status.testApi, reportText: () => document.current(), reportUri: document.uri.toString() },
    dispose: () => {
      status.dispose();
      document.dispose();
    },
  };
}

export interface SpendingDocumentDeps {
  storeReady: Promise<Store>;
  clock: Clock;
  /** The daily budget in USD now; undefined: none. */
  dailyBudgetUsd(): number | undefined;
}

export class SpendingDocument implements vscode.TextDocumentContentProvider, vscode.Disposable {
  readonly uri = vscode.Uri.from({ scheme: spendingScheme, path: '/AI Studio Spending.md' });
  private text: string | undefined;
  private readonly emitter = new vscode.EventEmitter<vscode.Uri>();
  private readonly registration: vscode.Disposable;
  readonly onDidChange = this.emitter.event;

  constructor(private readonly deps: SpendingDocumentDeps) {
    this.registration = vscode.workspace.registerTextDocumentContentProvider(spendingScheme, this);
  }

  /** Re-reads the store and shows the summary; resolves with its text once the editor shows it. */
  async show(): Promise<string> {
    const text = this.render(await this.deps.storeReady);
    this.text = text;
    // An open document re-reads its content when told; a closed one reads it on opening.
    this.emitter.fire(this.uri);
    const document = await vscode.workspace.openTextDocument(this.uri);
    await vscode.window.showTextDocument(document, { preview: false });
    return text;
  }

  /** The text last shown, if any. */
  current(): string | undefined {
    return this.text;
  }

  provideTextDocumentContent(): string {
    return this.text ?? '_Run "AI Studio: Show Spending" to see what model calls cost._\n';
  }

  private render(store: Store): string {
    const costs = new CostsRepository(store);
    const now = this.deps.clock.now();
    const today = costs.spendBetween(localDay(now));
    const window = { start: localDay(now, 1 - WINDOW_DAYS).start, end: localDay(now).end };
    return spendingReport({
      now,
      today,
      budget: evaluateBudget(today.costMicroUsd, this.deps.dailyBudgetUsd()),
      days: costs.byDay(lastLocalDays(now, DAY_TABLE_DAYS)),
      windowDays: WINDOW_DAYS,
      models: costs.byModel(window),
      agents: costs.byAgent(window),
      sessions: costs.bySession(window, { limit: TOP_SESSIONS }),
    });
  }

  dispose(): void {
    this.registration.dispose();
    this.emitter.dispose();
  }
}
