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

/** What a run starts with (Start Run), and how many of this window's runs work at once. */
export interface RunSettings {
  maxConcurrent: number;
  /** Items of a batch at a time (1 to 32). */
  batchConcurrency: number;
  budget: { steps: number; tokens: number; costUsd: number; minutes: number };
}

export function readRunSettings(): RunSettings {
  const config = vscode.workspace.getConfiguration(configSection);
  return {
    maxConcurrent: Math.max(1, Math.floor(config.get<number>('runs.maxConcurrent', 2))),
    batchConcurrency: Math.min(32, Math.max(1, Math.floor(config.get<number>('runs.batchConcurrency', 4)))),
    budget: {
      steps: config.get<number>('runs.budget.steps', 30),
      tokens: config.get<number>('runs.budget.tokens', 1_000_000),
      costUsd: config.get<number>('runs.budget.costUsd', 1),
      minutes: config.get<number>('runs.budget.minutes', 30),
    },
  };
}
