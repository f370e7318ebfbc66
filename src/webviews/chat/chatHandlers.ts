import * as vscode from 'vscode';
import type { AskPrompt } from '../../commands/agentCommands';
import { CommandIds } from '../../commands/ids';
import type { ChatService } from '../../core/chat/chatService';
import type { Logger } from '../../core/ports';
import type { ChatRequests } from '../../protocol/chat';
import type { RequestHandlers } from '../../protocol/rpc';
import type { RunHeaderMethod } from '../../protocol/runHeader';
import type { LastTextEditor } from './lastEditor';

/**
 * What a chat panel's requests do, for one session. Every message-based call carries the panel's session as its
 * scope, so a panel can only touch its own session's messages whatever ids it sends. Links leave VS Code only
 * through here: http(s) only, and only after the person confirms the exact address.
 */

export interface ChatHandlerDeps {
  chat: ChatService;
  sessionId: string;
  log: Logger;
  editors: LastTextEditor;
  /** A modal question (scripted in test runs). */
  ask: AskPrompt;
  /** Opens (or reveals) another session's panel: where a fork goes. */
  openSession(sessionId: string): Promise<void>;
  /** Opens the diff of a file an agent's call changed: the turn's original against the file now. */
  openDiff(messageId: string, callId: string, path: string): Promise<void>;
}

export const RESTORE_ANYWAY = 'Restore Anyway';

export const OPEN_LINK = 'Open Link';

/** Every chat request but the run header's, which the panel's RunHeaderSync serves. */
export type ChatSessionHandlers = Omit<RequestHandlers<ChatRequests>, RunHeaderMethod>;

export function chatHandlers(deps: ChatHandlerDeps): ChatSessionHandlers {
  const { chat, sessionId } = deps;
  const scope = { sessionId };
  return {
    'chat/send': ({ text, parentId }) => chat.send(sessionId, { text, parentId }),
    'chat/stop': async () => {
      await chat.stop(sessionId);
      return null;
    },
    'chat/retry': ({ messageId }) => chat.retry(messageId, scope),
    'chat/edit': ({ messageId, text }) => chat.edit(messageId, text, scope),
    'chat/history': ({ fromId, limit, throughId }) => ({ messages: chat.history(sessionId, fromId, { limit, throughId }) }),
    'chat/selectBranch': ({ messageId }) => chat.selectBranch(messageId, scope),
    'chat/fork': async ({ messageId }) => {
      const forked = await chat.fork(messageId, scope);
      await deps.openSession(forked.sessionId);
      return forked;
    },
    'chat/setAgent': async ({ agentId, model }) => {
      await chat.setAgent(sessionId, agentId, model);
      return null;
    },
    'chat/insertAtCursor': async ({ code }) => {
      await deps.editors.insert(code);
      return null;
    },
    'chat/openLink': async ({ url }) => {
      await openLink(deps, url);
      return null;
    },
    'chat/runErrorAction': async ({ messageId, action }) => {
      await runErrorAction(deps, messageId, action);
      return null;
    },
    'chat/decide': ({ pendingId, decision, reason }) => {
      chat.decide(sessionId, pendingId, decision, reason);
      return null;
    },
    'chat/undo': ({ messageId, scope: range }) =>
      chat.undo(sessionId, messageId, range, async (conflicts) => {
        // Files someone changed after the agent did: restoring them would throw that work away, so ask first.
        const names = conflicts.map((file) => file.path).join('\n');
        const choice = await deps.ask({
          message: conflicts.length === 1 ? 'A file was changed after the agent edited it. Restore it anyway?' : `${conflicts.length} files were changed after the agent edited them. Restore them anyway?`,
          detail: `${names}\n\nRestoring puts back the text from before the agent's change; the later edits are lost. Skip keeps them as they are.`,
          actions: [RESTORE_ANYWAY],
        });
        return new Set(choice === RESTORE_ANYWAY ? conflicts.map((file) => file.path) : []);
      }),
    'chat/openDiff': async ({ messageId, callId, path }) => {
      await deps.openDiff(messageId, callId, path);
      return null;
    },
    'chat/inspect': async ({ messageId }) => {
      // Through the command, as the Sessions view does: one way in, and the Inspector focuses this reply's call.
      await vscode.commands.executeCommand(CommandIds.openInspector, messageId === null ? { sessionId } : { sessionId, messageId });
      return null;
    },
  };
}

/** Only http(s), parsed (not pattern-matched), and only after the person saw the whole address. */
async function openLink(deps: ChatHandlerDeps, raw: string): Promise<void> {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new Error('That link is not a valid address.');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    deps.log.warn(`Chat panel: refused to open a ${url.protocol} link`);
    throw new Error('Only http and https links open from a chat.');
  }
  const choice = await deps.ask({
    message: 'Open this link from the chat in your browser?',
    detail: `${url.href}\n\nIt comes from a message in this session; check the address before opening it.`,
    actions: [OPEN_LINK],
  });
  if (choice === OPEN_LINK) {
    await vscode.env.openExternal(vscode.Uri.parse(url.href, true));
  }
}

async function runErrorAction(deps: ChatHandlerDeps, messageId: string, action: string): Promise<void> {
  const scope = { sessionId: deps.sessionId };
  switch (action) {
    case 'setKey':
    case 'openSettings': {
      // The endpoint the failed reply was asked of, not whatever the agent uses now.
      const endpointId = deps.chat.providerFor(messageId, scope) ?? undefined;
      await vscode.commands.executeCommand(action === 'setKey' ? CommandIds.setApiKey : CommandIds.openProviderSettings, endpointId);
      return;
    }
    case 'retry':
      await deps.chat.retry(messageId, scope);
      return;
    case 'newBranch':
      void vscode.window.showInformationMessage(
        'The same request would fail the same way: edit your question (the pencil on it) to send a different one. The new version becomes a branch beside this one; nothing is deleted.',
      );
      return;
  }
}
