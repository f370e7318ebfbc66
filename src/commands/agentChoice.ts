import * as vscode from 'vscode';
import type { Agent } from '../db/repositories/agents';
import { CommandIds } from './ids';

const CREATE_AGENT = 'Create Agent';

/**
 * The agent a new session or run uses: with none yet, the way to create one (`noneYet` says why one is
 * needed); with one, that one, nothing to pick; else a quick pick by name, provider and model.
 */
export async function chooseAgent(agents: readonly Agent[], words: { title: string; placeHolder: string; noneYet: string }): Promise<Agent | undefined> {
  if (agents.length === 0) {
    const choice = await vscode.window.showInformationMessage(words.noneYet, CREATE_AGENT);
    if (choice === CREATE_AGENT) {
      await vscode.commands.executeCommand(CommandIds.createAgent);
    }
    return undefined;
  }
  if (agents.length === 1) {
    return agents[0];
  }
  const picked = await vscode.window.showQuickPick(
    agents.map((agent) => ({ label: agent.name, description: `${agent.currentVersion.provider} · ${agent.currentVersion.model}`, agent })),
    { title: words.title, placeHolder: words.placeHolder, matchOnDescription: true, ignoreFocusOut: true },
  );
  return picked?.agent;
}
