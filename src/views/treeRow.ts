import * as vscode from 'vscode';

/**
 * What every AI Studio tree row carries, as plain data the view models compute without `vscode` (so they are
 * unit-tested in plain Node), and the one place that turns it into a TreeItem.
 */
export interface TreeRow {
  /** The database or endpoint id: also the TreeItem id, so selection and expansion survive refreshes. */
  id: string;
  label: string;
  description: string;
  /** Markdown. */
  tooltip: string;
  icon: { id: string; color?: string };
  /** Space-separated flags for the menus' `when` clauses. */
  contextValue: string;
  accessibilityLabel: string;
}

/** `command` runs on click. */
export function treeItemFor(row: TreeRow, command?: vscode.Command): vscode.TreeItem {
  const item = new vscode.TreeItem(row.label, vscode.TreeItemCollapsibleState.None);
  item.id = row.id;
  item.description = row.description;
  // Theme icons render; command links do not (isTrusted stays false): tooltips quote stored text, such as a
  // session title, that must not be able to smuggle in a command.
  item.tooltip = new vscode.MarkdownString(row.tooltip, true);
  item.iconPath = new vscode.ThemeIcon(row.icon.id, row.icon.color ? new vscode.ThemeColor(row.icon.color) : undefined);
  item.contextValue = row.contextValue;
  item.accessibilityInformation = { label: row.accessibilityLabel };
  if (command) {
    item.command = command;
  }
  return item;
}
