import * as vscode from 'vscode';

/**
 * Tells the user something went wrong, with a "Show Log" button that opens the AI Studio log where the details
 * are. `showLog` is passed in rather than run as a command, so it also works when activation failed before any
 * command was registered.
 */
export async function notifyWithLog(severity: 'error' | 'warning', message: string, showLog: () => void): Promise<void> {
  const show = severity === 'error' ? vscode.window.showErrorMessage : vscode.window.showWarningMessage;
  if ((await show(message, 'Show Log')) === 'Show Log') {
    showLog();
  }
}
