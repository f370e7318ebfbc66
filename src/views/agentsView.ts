import * as vscode from 'vscode';
import { CommandIds } from '../commands/ids';
import type { Logger } from '../core/ports';
import type { ProviderSettings } from '../vscode/providerSettings';
import { buildAgentRows, type AgentRow } from './agentsModel';
import type { AgentsSource } from './agentsSource';
import { ViewIds } from './viewIds';
import { treeItemFor } from './treeRow';

/**
 * The Agents view: one row per agent, from AgentsSource (the store, this window's and other windows' writes) and
 * the provider settings (for the endpoints' names). Archived agents are hidden unless "Show Archived Agents" is
 * on; the toggle is remembered, and mirrored in a context key so the view's title shows the opposite action.
 */
export const showArchivedAgentsContext = 'aiStudio.agents.showArchived';
const showArchivedKey = 'aiStudio.agents.showArchived';

class AgentsTreeDataProvider implements vscode.TreeDataProvider<AgentRow> {
  private readonly emitter = new vscode.EventEmitter<void>();
  readonly onDidChangeTreeData = this.emitter.event;

  constructor(private readonly rows: () => Promise<AgentRow[]>) {}

  refresh(): void {
    this.emitter.fire();
  }

  getChildren(element?: AgentRow): Promise<AgentRow[]> | AgentRow[] {
    return element ? [] : this.rows();
  }

  /** Every row is top-level; implemented so `TreeView.reveal` can select a new agent. */
  getParent(): undefined {
    return undefined;
  }

  getTreeItem(row: AgentRow): vscode.TreeItem {
    return treeItemFor(row, { command: CommandIds.editAgent, title: 'Edit Agent', arguments: [row.id] });
  }

  dispose(): void {
    this.emitter.dispose();
  }
}

export class AgentsView implements vscode.Disposable {
  private readonly provider: AgentsTreeDataProvider;
  private readonly view: vscode.TreeView<AgentRow>;
  private readonly refreshed = new vscode.EventEmitter<void>();
  private readonly subscriptions: vscode.Disposable[];
  private showArchived: boolean;
  /** Fires after the view was told to re-read its rows (tests wait on it). */
  readonly onDidRefresh = this.refreshed.event;

  constructor(
    private readonly source: AgentsSource,
    private readonly settings: ProviderSettings,
    private readonly memento: vscode.Memento,
    private readonly log: Logger,
  ) {
    this.showArchived = memento.get<boolean>(showArchivedKey) === true;
    this.provider = new AgentsTreeDataProvider(() => this.rowsForView());
    this.view = vscode.window.createTreeView(ViewIds.agents, { treeDataProvider: this.provider, showCollapseAll: false });
    this.subscriptions = [source.onDidChange(() => this.refresh()), settings.onDidChange(() => this.refresh())];
    void this.updateContext();
  }

  get archivedShown(): boolean {
    return this.showArchived;
  }

  /** What the view shows now. */
  async rows(): Promise<AgentRow[]> {
    const configuration = this.settings.current;
    return buildAgentRows(await this.source.list(this.showArchived), {
      showArchived: this.showArchived,
      providerLabel: (id) => configuration.entries.find((e) => e.id === id)?.label,
      formatTime: (at) => new Date(at).toLocaleString(),
    });
  }

  async setShowArchived(show: boolean): Promise<void> {
    this.showArchived = show;
    await this.memento.update(showArchivedKey, show);
    await this.updateContext();
    this.refresh();
  }

  /** Selects an agent's row (after creating or duplicating it), when the view is open. */
  async reveal(agentId: string): Promise<void> {
    if (!this.view.visible) {
      return;
    }
    const row = (await this.rows()).find((r) => r.id === agentId);
    if (row) {
      await this.view.reveal(row, { select: true, focus: false });
    }
  }

  dispose(): void {
    for (const subscription of this.subscriptions) {
      subscription.dispose();
    }
    this.view.dispose();
    this.provider.dispose();
    this.refreshed.dispose();
  }

  private refresh(): void {
    this.provider.refresh();
    this.refreshed.fire();
  }

  private async rowsForView(): Promise<AgentRow[]> {
    try {
      const rows = await this.rows();
      this.view.message = undefined;
      return rows;
    } catch (err) {
      this.log.error(`The Agents view could not read the agents: ${err instanceof Error ? err.message : String(err)}`);
      this.view.message = 'Agents are unavailable: AI Studio could not open its data. See the log (AI Studio: Show Log).';
      return [];
    }
  }

  private async updateContext(): Promise<void> {
    await vscode.commands.executeCommand('setContext', showArchivedAgentsContext, this.showArchived);
  }
}
