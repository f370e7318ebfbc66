import * as vscode from 'vscode';
import { CommandIds } from '../commands/ids';
import type { Logger } from '../core/ports';
import { buildRunGroups, FINISHED_PAGE, type RunGroup, type RunRow, type RunRowInput } from './runsModel';
import { treeItemFor } from './treeRow';
import { ViewIds } from './viewIds';

/**
 * The Runs view: runs in progress, runs waiting for the person (an approval, a budget reached, or interrupted
 * when their window went away) and finished runs, from the store (this window's runs and other windows') and
 * the runner (which runs are live). Re-read at most a few times a second: a running run changes on every step.
 */

/** What the view reads; the runner and the store behind it (composeRuns.ts). */
export interface RunsViewSource {
  rows(): Promise<RunRowInput[]>;
  onDidChange(listener: () => void): vscode.Disposable;
}

interface MoreRow {
  kind: 'more';
  hidden: number;
}

export type RunNode = RunGroup | RunRow | MoreRow;

/** Steps of several runs land within milliseconds: one re-read for all of them. */
const REFRESH_DELAY_MS = 150;

class RunsTreeDataProvider implements vscode.TreeDataProvider<RunNode> {
  private readonly emitter = new vscode.EventEmitter<void>();
  readonly onDidChangeTreeData = this.emitter.event;

  constructor(private readonly groups: () => Promise<RunGroup[]>) {}

  refresh(): void {
    this.emitter.fire();
  }

  async getChildren(element?: RunNode): Promise<RunNode[]> {
    if (element === undefined) {
      return this.groups();
    }
    if (element.kind === 'group') {
      return element.hidden > 0 ? [...element.runs, { kind: 'more', hidden: element.hidden }] : element.runs;
    }
    return [];
  }

  getTreeItem(node: RunNode): vscode.TreeItem {
    if (node.kind === 'group') {
      const item = new vscode.TreeItem(node.label, vscode.TreeItemCollapsibleState.Expanded);
      item.id = `group:${node.id}`;
      item.contextValue = 'runGroup';
      const count = node.runs.length + node.hidden;
      item.accessibilityInformation = { label: `${node.label}, ${count} run${count === 1 ? '' : 's'}` };
      return item;
    }
    if (node.kind === 'more') {
      const item = new vscode.TreeItem(`Show ${Math.min(node.hidden, FINISHED_PAGE)} more…`, vscode.TreeItemCollapsibleState.None);
      item.id = 'more:finished';
      item.iconPath = new vscode.ThemeIcon('ellipsis');
      item.command = { command: CommandIds.showMoreRuns, title: 'Show More Runs' };
      return item;
    }
    return treeItemFor(node, { command: CommandIds.openRun, title: 'Open Run', arguments: [node.id] });
  }

  dispose(): void {
    this.emitter.dispose();
  }
}

export class RunsView implements vscode.Disposable {
  private readonly provider: RunsTreeDataProvider;
  private readonly view: vscode.TreeView<RunNode>;
  private readonly refreshed = new vscode.EventEmitter<void>();
  private readonly subscription: vscode.Disposable;
  private readonly updated = new vscode.EventEmitter<RunGroup[]>();
  private timer: ReturnType<typeof setTimeout> | undefined;
  private finishedLimit = FINISHED_PAGE;
  /** The rows of the last refresh: the tree and the status bar share one read of them. */
  private latest: Promise<RunGroup[]> | undefined;
  /** Fires after the view was told to re-read its rows (tests wait on it). */
  readonly onDidRefresh = this.refreshed.event;
  /** Fires with the rows each refresh read (whether the view is open or not: the status bar follows it). */
  readonly onDidUpdate = this.updated.event;

  constructor(
    private readonly source: RunsViewSource,
    private readonly log: Logger,
  ) {
    this.provider = new RunsTreeDataProvider(() => this.latest ?? this.groupsForView());
    this.view = vscode.window.createTreeView(ViewIds.runs, { treeDataProvider: this.provider, showCollapseAll: true });
    this.subscription = source.onDidChange(() => this.scheduleRefresh());
  }

  /** What the view shows now. */
  async groups(): Promise<RunGroup[]> {
    return buildRunGroups(await this.source.rows(), { now: Date.now(), formatTime: (at) => new Date(at).toLocaleString(), finishedLimit: this.finishedLimit });
  }

  showMore(): void {
    this.finishedLimit += FINISHED_PAGE;
    this.refresh();
  }

  refresh(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    const latest = (this.latest = this.groupsForView());
    void latest.then((groups) => this.updated.fire(groups));
    this.provider.refresh();
    this.refreshed.fire();
  }

  dispose(): void {
    clearTimeout(this.timer);
    this.subscription.dispose();
    this.view.dispose();
    this.provider.dispose();
    this.refreshed.dispose();
    this.updated.dispose();
  }

  private scheduleRefresh(): void {
    this.timer ??= setTimeout(() => this.refresh(), REFRESH_DELAY_MS);
  }

  private async groupsForView(): Promise<RunGroup[]> {
    try {
      const groups = await this.groups();
      this.view.badge = badgeFor(groups);
      return groups;
    } catch (err) {
      this.log.error(`The Runs view could not read the runs: ${err instanceof Error ? err.message : String(err)}`);
      this.view.message = 'Runs are unavailable: AI Studio could not open its data. See the log (AI Studio: Show Log).';
      return [];
    }
  }
}

/** The view's badge counts the runs that wait for the person, so a hidden view still says so. */
function badgeFor(groups: readonly RunGroup[]): vscode.ViewBadge | undefined {
  const waiting = groups.find((group) => group.id === 'waiting');
  const count = waiting ? waiting.runs.length + waiting.hidden : 0;
  return count === 0 ? undefined : { value: count, tooltip: `${count} run${count === 1 ? '' : 's'} waiting for you` };
}
