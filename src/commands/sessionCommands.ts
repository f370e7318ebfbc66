import * as vscode from 'vscode';
import type { ChatService } from '../core/chat/chatService';
import type { Agent } from '../db/repositories/agents';
import type { Session } from '../db/repositories/sessions';
import { sessionLabel } from '../views/sessionsModel';
import type { SessionsSource } from '../views/sessionsSource';
import type { SessionsView } from '../views/sessionsView';
import { ViewIds } from '../views/viewIds';
import { ChatPanel, type ChatPanelServices } from '../webviews/chat/chatPanel';
import { agentIdOf, type AskPrompt } from './agentCommands';
import { chooseAgent } from './agentChoice';
import { resolveSession } from './sessionPicker';

/**
 * New Session (with a picked agent, or the agent of an Agents view row), Open, Rename, Delete, Pin, Unpin and the
 * Sessions view's filter. Each takes its session from the first argument (an id, a view row, `{ sessionId }`) or
 * asks; Rename and Filter also take their text as the second / first argument, so automation needs no UI.
 */

export interface SessionCommandServices {
  source: SessionsSource;
  view: SessionsView;
  panels: ChatPanelServices;
  chat: Promise<ChatService>;
  ask: AskPrompt;
}

export type SessionCommandHandlers = {
  newSession(arg?: unknown): Promise<Session | undefined>;
  newSessionWithAgent(arg?: unknown): Promise<Session | undefined>;
  openSession(arg?: unknown): Promise<void>;
  renameSession(arg?: unknown, title?: unknown): Promise<Session | undefined>;
  deleteSession(arg?: unknown): Promise<boolean>;
  pinSession(arg?: unknown): Promise<void>;
  unpinSession(arg?: unknown): Promise<void>;
  filterSessions(query?: unknown): Promise<void>;
  clearSessionFilter(): Promise<void>;
};

export const DELETE_SESSION = 'Delete';

export function sessionCommands(services: SessionCommandServices): SessionCommandHandlers {
  const { source, view } = services;
  const pick = (arg: unknown, title: string, placeHolder: string) => resolveSession(source, arg, { title, placeHolder });

  const startSession = async (agent: Agent | undefined): Promise<Session | undefined> => {
    if (!agent) {
      return undefined;
    }
    const session = await source.create(agent.id);
    await ChatPanel.show(services.panels, session.id);
    await view.reveal(session.id);
    return session;
  };

  return {
    async newSession(arg) {
      const given = typeof arg === 'object' && arg !== null && 'agentId' in arg ? agentIdOf(arg) : undefined;
      return startSession(given === undefined ? await pickAgent(source) : await requireAgent(source, given));
    },

    async newSessionWithAgent(arg) {
      const given = agentIdOf(arg);
      return startSession(given === undefined ? await pickAgent(source) : await requireAgent(source, given));
    },

    async openSession(arg) {
      const session = await pick(arg, 'AI Studio: Open Session', 'Which session?');
      if (session) {
        await ChatPanel.show(services.panels, session.id);
      }
    },

    async renameSession(arg, title) {
      const session = await pick(arg, 'AI Studio: Rename Session', 'Which session should be renamed?');
      if (!session) {
        return undefined;
      }
      const name =
        typeof title === 'string'
          ? title
          : await vscode.window.showInputBox({
              title: 'AI Studio: Rename Session',
              prompt: 'The name shown in the Sessions view and on the chat tab',
              value: session.title,
              valueSelection: [0, session.title.length],
              ignoreFocusOut: true,
              validateInput: (value) => (value.trim() === '' ? 'Enter a name.' : value.length > 200 ? 'Keep it under 200 characters.' : undefined),
            });
      if (name === undefined) {
        return undefined;
      }
      if (name.trim() === '' || name.length > 200) {
        throw new Error('A session name has 1 to 200 characters.');
      }
      return source.rename(session.id, name);
    },

    async deleteSession(arg) {
      const session = await pick(arg, 'AI Studio: Delete Session', 'Which session should be deleted?');
      if (!session) {
        return false;
      }
      const messages = (await source.repositories()).messages.listBySession(session.id).length;
      const chat = await services.chat;
      const choice = await services.ask({
        message: `Delete the session "${sessionLabel(session.title)}"?`,
        detail: `${messages === 0 ? 'It has no messages.' : `Its ${messages === 1 ? 'message is' : `${messages} messages are`} deleted with it, every branch included.`} This cannot be undone; "Export Session…" keeps a copy.${chat.isStreaming(session.id) ? ' The reply streaming now is stopped first.' : ''}`,
        actions: [DELETE_SESSION],
      });
      if (choice !== DELETE_SESSION) {
        return false;
      }
      // Stopped and saved before the rows go, so the stream does not write into a deleted session.
      await chat.stop(session.id);
      ChatPanel.close(session.id);
      await source.delete(session.id);
      return true;
    },

    async pinSession(arg) {
      const session = await pick(arg, 'AI Studio: Pin Session', 'Which session should stay at the top?');
      if (session) {
        await source.setPinned(session.id, true);
      }
    },

    async unpinSession(arg) {
      const session = await pick(arg, 'AI Studio: Unpin Session', 'Which session should be unpinned?');
      if (session) {
        await source.setPinned(session.id, false);
      }
    },

    async filterSessions(query) {
      const text =
        typeof query === 'string'
          ? query
          : await vscode.window.showInputBox({
              title: 'AI Studio: Filter Sessions',
              prompt: 'Show only the sessions whose title or messages contain these words (empty: all sessions)',
              value: view.filter ?? '',
              ignoreFocusOut: true,
            });
      if (text === undefined) {
        return;
      }
      await view.setFilter(text);
      if (typeof query !== 'string') {
        await vscode.commands.executeCommand(`${ViewIds.sessions}.focus`);
      }
    },

    clearSessionFilter: () => view.setFilter(undefined),
  };
}

async function requireAgent(source: SessionsSource, agentId: string): Promise<Agent> {
  const agent = (await source.agents()).find((a) => a.id === agentId);
  if (!agent) {
    throw new Error(`There is no agent with the id "${agentId}"; it may have been deleted in another window.`);
  }
  return agent;
}

/** The agent for a new session. */
async function pickAgent(source: SessionsSource): Promise<Agent | undefined> {
  return chooseAgent(await source.agents(false), {
    title: 'AI Studio: New Session',
    placeHolder: 'Which agent should the session talk to?',
    noneYet: 'A session talks to an agent, and there is none yet. Create one first.',
  });
}
