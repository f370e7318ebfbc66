import * as vscode from 'vscode';
import type { ProviderStatus } from '../vscode/providerStatus';
import type { ProviderRow } from './providersModel';
import { ViewIds } from './viewIds';
import { treeItemFor } from './treeRow';

/**
 * The Providers view: one row per endpoint, its state in the description and tooltip, and the row's flags in
 * `contextValue` for the inline actions (package.json `view/item/context`). Rows come from ProviderStatus, which
 * says when settings, keys or test results changed; the view only presents them. Settings problems that belong to
 * no row (an unnamed compatible server, an unknown default) are shown as the view's message.
 */
class ProvidersTreeDataProvider implements vscode.TreeDataProvider<ProviderRow> {
  private readonly emitter = new vscode.EventEmitter<void>();
  readonly onDidChangeTreeData = this.emitter.event;

  constructor(private readonly status: ProviderStatus) {}

  refresh(): void {
    this.emitter.fire();
  }

  getChildren(element?: ProviderRow): Promise<ProviderRow[]> | ProviderRow[] {
    return element ? [] : this.status.rows();
  }

  getTreeItem(row: ProviderRow): vscode.TreeItem {
    return treeItemFor(row);
  }

  dispose(): void {
    this.emitter.dispose();
  }
}

export function createProvidersView(status: ProviderStatus): vscode.Disposable {
  const provider = new ProvidersTreeDataProvider(status);
  const view = vscode.window.createTreeView(ViewIds.providers, { treeDataProvider: provider, showCollapseAll: false });
  const showWarnings = () => {
    const { warnings } = status.settings.current;
    view.message = warnings.length > 0 ? `Settings need attention: ${warnings.join(' ')}` : undefined;
  };
  showWarnings();
  const subscription = status.onDidChange(() => {
    showWarnings();
    provider.refresh();
  });
  return vscode.Disposable.from(subscription, view, provider);
}
