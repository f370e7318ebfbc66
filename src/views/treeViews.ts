import * as vscode from 'vscode';
import { ViewIds } from './viewIds';

/**
 * The four views of the AI Studio container. Each view's data arrives with its feature (agents, sessions, runs,
 * providers); until a feature supplies items, the provider reports an empty tree and VS Code shows the view's
 * welcome content from package.json, with its buttons.
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
  return Object.values(ViewIds).map((id) =>
    vscode.window.createTreeView(id, { treeDataProvider: new EmptyTreeDataProvider(), showCollapseAll: false }),
  );
}
