import * as vscode from 'vscode';
import type { Session } from '../db/repositories/sessions';
import { sessionLabel } from '../views/sessionsModel';
import type { SessionsSource } from '../views/sessionsSource';

/**
 * The session a session command acts on: from its first argument (an id, a Sessions view row, or
 * `{ sessionId }` for automation and tests), or picked by the person, most recently active first.
 */

export function sessionIdOf(arg: unknown): string | undefined {
  if (typeof arg === 'string') {
    return arg;
  }
  if (typeof arg === 'object' && arg !== null) {
    const value = arg as { sessionId?: unknown; id?: unknown; kind?: unknown };
    if (typeof value.sessionId === 'string') {
      return value.sessionId;
    }
    if (value.kind === 'session' && typeof value.id === 'string') {
      return value.id;
    }
  }
  return undefined;
}

export async function resolveSession(
  source: SessionsSource,
  arg: unknown,
  options: { title: string; placeHolder: string },
): Promise<Session | undefined> {
  const id = sessionIdOf(arg);
  if (id !== undefined) {
    const session = await source.get(id);
    if (!session) {
      throw new Error('That session no longer exists; it may have been deleted in another window.');
    }
    return session;
  }
  const [sessions, agents] = await Promise.all([source.list(), source.agents()]);
  if (sessions.length === 0) {
    void vscode.window.showInformationMessage('There are no sessions yet: start one with "AI Studio: New Session".');
    return undefined;
  }
  const names = new Map(agents.map((agent) => [agent.id, agent.name]));
  const picked = await vscode.window.showQuickPick(
    sessions.map((session) => ({
      label: sessionLabel(session.title),
      description: session.agentId === null ? 'no agent' : (names.get(session.agentId) ?? 'unknown agent'),
      detail: `Last activity ${new Date(session.updatedAt).toLocaleString()}`,
      id: session.id,
    })),
    { title: options.title, placeHolder: options.placeHolder, matchOnDescription: true, ignoreFocusOut: true },
  );
  return picked ? source.get(picked.id) : undefined;
}

/** A file the command was given (a path or a Uri): automation and tests skip the file dialogs with it. */
export function fileArgument(arg: unknown): vscode.Uri | undefined {
  if (typeof arg === 'string' && arg !== '') {
    return vscode.Uri.file(arg);
  }
  return arg instanceof vscode.Uri ? arg : undefined;
}
