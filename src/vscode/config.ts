import * as vscode from 'vscode';

/** Typed access to AI Studio's non-secret settings (`contributes.configuration` in package.json). */
export interface AiStudioConfig {
  traceWebviewMessages: boolean;
}

export const configSection = 'aiStudio';

export function readConfig(): AiStudioConfig {
  const config = vscode.workspace.getConfiguration(configSection);
  return {
    traceWebviewMessages: config.get<boolean>('trace.webviewMessages', false),
  };
}
