import * as vscode from 'vscode';
import { systemClock, type Clock, type Logger } from '../core/ports';
import { BudgetAlarm, budgetMessage, evaluateBudget, localDay, statusText, statusTooltip, type BudgetWarningRecord } from '../core/spending';
import { CostsRepository } from '../db/repositories/costs';
import type { Store } from '../db/store';

/**
 * Today's spend in the status bar, and the daily budget's warning. It re-reads today's calls when a commit
 * (this window's or another's) wrote events, at most once a second, at local midnight, and when its settings
 * change. A budget warning is shown once per day, budget and threshold, across windows (global state).
 */

export const SHOW_SPENDING_COMMAND = 'aiStudio.showSpending';
const BUDGET_SETTING = 'aiStudio.budget.dailyUsd';
const WARNING_KEY = 'aiStudio.spending.budgetWarning';
/** At most one re-read per this long: a call's end commits its events once, but a busy window commits often. */
const THROTTLE_MS = 1000;
/** A burst of commits (the call's end, then the message's) costs one re-read. */
const SETTLE_MS = 50;

export interface SpendSettings {
  /** USD; undefined: no budget. */
  dailyBudgetUsd: number | undefined;
  showInStatusBar: boolean;
}

export function readSpendSettings(): SpendSettings {
  const config = vscode.workspace.getConfiguration('aiStudio');
  const budget = config.get<number | null>('budget.dailyUsd', null);
  return {
    dailyBudgetUsd: typeof budget === 'number' && Number.isFinite(budget) && budget >= 0 ? budget : undefined,
    showInStatusBar: config.get<boolean>('statusBar.showSpend', true) !== false,
  };
}

export interface SpendWarning {
  threshold: 'near' | 'over';
  message: string;
}

export interface SpendStatusTestApi {
  /** The status item's text now (icon included), or undefined while it is hidden. */
  statusText(): string | undefined;
  /** Its tooltip (Markdown). */
  tooltip(): string;
  /** Its background colour's theme id, if any. */
  background(): string | undefined;
  /** Every budget notification shown so far, oldest first. */
  warnings(): readonly SpendWarning[];
  /** Re-reads today's spend at once (no throttle). */
  refresh(): Promise<void>;
  /** Fires after every re-read. */
  onDidUpdate: vscode.Event<void>;
}

export interface SpendStatusDeps {
  storeReady: Promise<Store>;
  log: Logger;
  /** Global state: the record of warnings already shown today, shared by every window. */
  memento: vscode.Memento;
  clock?: Clock;
}

export class SpendStatus implements vscode.Disposable {
  readonly testApi: SpendStatusTestApi;
  private readonly item: vscode.StatusBarItem;
  private readonly updated = new vscode.EventEmitter<void>();
  private readonly disposables: vscode.Disposable[] = [];
  private readonly alarm: BudgetAlarm;
  private readonly clock: Clock;
  private readonly shown: SpendWarning[] = [];
  private store: Store | undefined;
  private visible = false;
  private lastRefresh = 0;
  private pending: ReturnType<typeof setTimeout> | undefined;
  private midnight: ReturnType<typeof setTimeout> | undefined;
  private disposed = false;

  constructor(private readonly deps: SpendStatusDeps) {
    this.clock = deps.clock ?? systemClock;
    const { memento } = deps;
    this.alarm = new BudgetAlarm({
      get: () => memento.get<BudgetWarningRecord>(WARNING_KEY),
      set: (record) => void memento.update(WARNING_KEY, record),
    });
    this.disposables.push(this.updated);

    this.item = vscode.window.createStatusBarItem('aiStudio.spend', vscode.StatusBarAlignment.Right, 100);
    this.item.name = 'AI Studio Spend';
    this.item.command = SHOW_SPENDING_COMMAND;
    this.disposables.push(this.item);

    this.disposables.push(
      vscode.workspace.onDidChangeConfiguration((event) => {
        // Rare and asked for: at once, not throttled.
        if (event.affectsConfiguration('aiStudio.budget') || event.affectsConfiguration('aiStudio.statusBar')) {
          this.refresh();
        }
      }),
    );
    deps.storeReady.then(
      (store) => {
        if (this.disposed) {
          return;
        }
        this.store = store;
        const subscription = store.onDidChange((change) => {
          if (change.tables.includes('events') || change.tables.includes('*')) {
            this.refreshSoon();
          }
        });
        this.disposables.push(subscription);
        this.refresh();
      },
      // The store host tells the person; without a store there is nothing to show.
      () => undefined,
    );

    this.testApi = {
      statusText: () => (this.visible ? this.item.text : undefined),
      tooltip: () => {
        const tooltip = this.item.tooltip;
        return typeof tooltip === 'string' ? tooltip : (tooltip?.value ?? '');
      },
      background: () => this.item.backgroundColor?.id,
      warnings: () => this.shown,
      refresh: async () => {
        await deps.storeReady;
        this.refresh();
      },
      onDidUpdate: this.updated.event,
    };
  }

  /** Re-reads soon: after `delayMs`, and no sooner than a second after the last re-read. */
  private refreshSoon(delayMs = SETTLE_MS): void {
    if (this.pending !== undefined || this.disposed) {
      return;
    }
    const wait = Math.max(delayMs, this.lastRefresh + THROTTLE_MS - Date.now());
    this.pending = setTimeout(() => {
      this.pending = undefined;
      this.refresh();
    }, wait);
  }

  private refresh(): void {
    clearTimeout(this.pending);
    this.pending = undefined;
    const store = this.store;
    if (this.disposed || store === undefined || store.isClosed) {
      return;
    }
    this.lastRefresh = Date.now();
    try {
      const settings = readSpendSettings();
      const now = this.clock.now();
      const day = localDay(now);
      const costs = new CostsRepository(store);
      const today = costs.spendBetween(day);
      const budget = evaluateBudget(today.costMicroUsd, settings.dailyBudgetUsd);

      this.item.text = `$(credit-card) ${statusText(today)}`;
      this.item.tooltip = new vscode.MarkdownString(statusTooltip(today, today.calls > 0 ? costs.byModel(day) : [], budget));
      this.item.accessibilityInformation = { label: `AI Studio: ${statusText(today)}. Show spending.` };
      this.item.backgroundColor = budget.state === 'over' ? new vscode.ThemeColor('statusBarItem.warningBackground') : undefined;
      this.setVisible(settings.showInStatusBar);

      const crossed = this.alarm.check(day, budget);
      if (crossed !== undefined) {
        this.warn({ threshold: crossed, message: budgetMessage(crossed, today, budget) });
      }
      this.armMidnight(day.end - now);
    } catch (err) {
      this.deps.log.warn(`Could not read today's spend: ${err instanceof Error ? err.message : String(err)}`);
    }
    this.updated.fire();
  }

  private setVisible(visible: boolean): void {
    if (visible !== this.visible) {
      this.visible = visible;
      if (visible) {
        this.item.show();
      } else {
        this.item.hide();
      }
    }
  }

  /** Today becomes yesterday at local midnight: re-read then (a little after, so the new day has begun). */
  private armMidnight(msUntilMidnight: number): void {
    clearTimeout(this.midnight);
    this.midnight = setTimeout(() => this.refresh(), Math.max(0, msUntilMidnight) + 500);
  }

  private warn(warning: SpendWarning): void {
    this.shown.push(warning);
    this.deps.log.info(`Budget: ${warning.message}`);
    const actions = ['Show Spending', 'Change Budget'] as const;
    const shown =
      warning.threshold === 'over'
        ? vscode.window.showWarningMessage(warning.message, ...actions)
        : vscode.window.showInformationMessage(warning.message, ...actions);
    void Promise.resolve(shown).then(
      (choice) => {
        if (choice === 'Show Spending') {
          return vscode.commands.executeCommand(SHOW_SPENDING_COMMAND);
        }
        if (choice === 'Change Budget') {
          return vscode.commands.executeCommand('workbench.action.openSettings', BUDGET_SETTING);
        }
        return undefined;
      },
      (err: unknown) => this.deps.log.warn(`Budget notification failed: ${err instanceof Error ? err.message : String(err)}`),
    );
  }

  dispose(): void {
    this.disposed = true;
    clearTimeout(this.pending);
    clearTimeout(this.midnight);
    for (const disposable of this.disposables.splice(0)) {
      disposable.dispose();
    }
  }
}
