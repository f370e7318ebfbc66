import * as vscode from 'vscode';
import { CommandIds } from '../commands/ids';
import type { Logger } from '../core/ports';
import { buildSessionGroups, type SessionGroup, type SessionRow } from './sessionsModel';
import type { SessionsSource } from './sessionsSource';
import { ViewIds } from './viewIds';
import { treeItemFor } from './treeRow';

/**
 * The Sessions view: sessions grouped by pin and by the day of their last activity, from SessionsSource (this
 * window's and other windows' writes) and the chat loop (which sessions are streaming). A filter narrows it to
 * the sessions whose title or messages match a full-text query; it is re-run on every change, so a session that
 * starts matching while the filter is on appears. The filter is mirrored in a context key for the title actions.
 */
export const sessionsFilteredContext = 'aiStudio.sessions.filtered';

export type SessionNode = SessionGroup | SessionRow;

/** How many sessions a filter can list: far more than anyone reads, few enough to stay fast. */
const FILTER_LIMIT = 500;

class SessionsTreeDataProvider implements vscode.TreeDataProvider<SessionNode> {
  private readonly emitter = new vscode.EventEmitter<void>();
  readonly onDidChangeTreeData = this.emitter.event;
  /** What was shown last, for getParent (reveal needs the group a row sits in). */
  private shown: SessionGroup[] = [];

  constructor(private readonly groups: () => Promise<SessionGroup[]>) {}

  refresh(): void {
    this.emitter.fire();
  }

  async getChildren(element?: SessionNode): Promise<SessionNode[]> {
    if (element) {
      return element.kind === 'group' ? element.sessions : [];
    }
    this.shown = await this.groups();
    return this.shown;
  }

  getParent(element: SessionNode): SessionGroup | undefined {
    return element.kind === 'session' ? this.shown.find((group) => group.sessions.some((row) => row.id === element.id)) : undefined;
  }

  getTreeItem(node: SessionNode): vscode.TreeItem {
    if (node.kind === 'group') {
      const item = new vscode.TreeItem(node.label, vscode.TreeItemCollapsibleState.Expanded);
      item.id = `group:${node.id}`;
      item.contextValue = 'sessionGroup';
      item.accessibilityInformation = { label: `${node.label}, ${node.sessions.length} session${node.sessions.length === 1 ? '' : 's'}` };
      return item;
    }
    return treeItemFor(node, { command: CommandIds.openSession, title: 'Open Session', arguments: [node.id] });
  }

  dispose(): void {
    this.emitter.dispose();
  }
}

export class SessionsView implements vscode.Disposable {
  private readonly provider: SessionsTreeDataProvider;
  private readonly view: vscode.TreeView<SessionNode>;
  private readonly refreshed = new vscode.EventEmitter<void>();
  private readonly subscriptions: vscode.Disposable[];
  private filterQuery: string | undefined;
  /** Fires after the view was told to re-read its rows (tests wait on it). */
  readonly onDidRefresh = this.refreshed.event;

  constructor(
    private readonly source: SessionsSource,
    private readonly streaming: (sessionId: string) => boolean,
    private readonly log: Logger,
  ) {
    this.provider = new SessionsTreeDataProvider(() => this.groupsForView());
    this.view = vscode.window.createTreeView(ViewIds.sessions, { treeDataProvider: this.provider, showCollapseAll: true });
    this.subscriptions = [source.onDidChange(() => this.refresh())];
    void this.updateContext();
  }

  get filter(): string | undefined {
    return this.filterQuery;
  }

  /** What the view shows now. */
  async groups(): Promise<SessionGroup[]> {
    const [sessions, agents, pinned] = await Promise.all([this.source.list(), this.source.agents(), this.source.pinnedIds()]);
    const names = new Map(agents.map((agent) => [agent.id, agent.name]));
    const only = this.filterQuery === undefined ? undefined : await this.matching(this.filterQuery);
    return buildSessionGroups(sessions, {
      now: Date.now(),
      pinned,
      agentName: (id) => (id === null ? undefined : names.get(id)),
      streaming: this.streaming,
      formatTime: (at) => new Date(at).toLocaleString(),
      ...(only ? { only } : {}),
    });
  }

  async setFilter(query: string | undefined): Promise<void> {
    this.filterQuery = query?.trim() ? query.trim() : undefined;
    this.view.description = this.filterQuery === undefined ? undefined : `Filter: ${this.filterQuery}`;
    await this.updateContext();
    this.refresh();
  }

  /** Called when the chat loop starts or ends a stream, to show or hide the row's spinner. */
  refresh(): void {
    this.provider.refresh();
    this.refreshed.fire();
  }

  /** Selects a session's row (after creating or importing it), when the view is open. */
  async reveal(sessionId: string): Promise<void> {
    if (!this.view.visible) {
      return;
    }
    const row = (await this.groups()).flatMap((group) => group.sessions).find((r) => r.id === sessionId);
    if (row) {
      // getParent answers from what the tree shows: make sure it has read the rows that include this one.
      await this.provider.getChildren();
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

  /** Sessions whose title contains the query, or with a message that matches it in full-text search. */
  private async matching(query: string): Promise<Set<string>> {
    const hits = await this.source.searchMessages(query, FILTER_LIMIT);
    const ids = new Set(hits.flatMap((hit) => (hit.sessionId === null ? [] : [hit.sessionId])));
    const lower = query.toLocaleLowerCase();
    for (const session of await this.source.list()) {
      if (session.title.toLocaleLowerCase().includes(lower)) {
        ids.add(session.id);
      }
    }
    return ids;
  }

  private async groupsForView(): Promise<SessionGroup[]> {
    try {
      const groups = await this.groups();
      const count = groups.reduce((sum, group) => sum + group.sessions.length, 0);
      if (this.filterQuery !== undefined) {
        this.view.message = count === 0 ? `No session matches "${this.filterQuery}".` : `${count} session${count === 1 ? '' : 's'} match "${this.filterQuery}".`;
      } else {
        this.view.message = undefined;
      }
      return groups;
    } catch (err) {
      this.log.error(`The Sessions view could not read the sessions: ${err instanceof Error ? err.message : String(err)}`);
      this.view.message = 'Sessions are unavailable: AI Studio could not open its data. See the log (AI Studio: Show Log).';
      return [];
    }
  }

  private async updateContext(): Promise<void> {
    await vscode.commands.executeCommand('setContext', sessionsFilteredContext, this.filterQuery !== undefined);
  }
}
