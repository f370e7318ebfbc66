import * as vscode from 'vscode';
import { ViewIds } from './viewIds';

/**
 * The views of the AI Studio container that have no data yet. Each view's data arrives with its feature (agents,
 * sessions, runs); until a feature supplies items, the provider reports an empty tree and VS Code shows the
 * view's welcome content from package.json, with its buttons. Providers, Agents, Sessions and Runs have their own
 * views (providersView.ts, agentsView.ts, sessionsView.ts, runsView.ts).
 */

class EmptyTreeDataProvider implements vscode.TreeDataProvider<never> {
  getTreeItem(element: never): vscode.TreeItem {
    return element;
  }

  getChildren(): never[] {
    return [];
  }
}

export function createTreeViews(): vscode.TreeView<never>[] {
  return Object.values(ViewIds)
    .filter((id) => id !== ViewIds.providers && id !== ViewIds.agents && id !== ViewIds.sessions && id !== ViewIds.runs)
    .map((id) => vscode.window.createTreeView(id, { treeDataProvider: new EmptyTreeDataProvider(), showCollapseAll: false }));
}
