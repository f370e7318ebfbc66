import * as vscode from 'vscode';
import type { AskPrompt } from '../../commands/agentCommands';
import type { ChatService } from '../../core/chat/chatService';
import type { Logger } from '../../core/ports';
import { chatRequests, type ChatEvent, type ChatRequests, type ChatSnapshot } from '../../protocol/chat';
import type { RequestHandlers } from '../../protocol/rpc';
import { sessionLabel } from '../../views/sessionsModel';
import type { SessionsSource } from '../../views/sessionsSource';
import { Disposable } from '../../vscode/lifecycle';
import { WebviewHost, type PanelTraffic } from '../webviewHost';
import { chatHandlers } from './chatHandlers';
import type { ChatPanelMemory } from './chatPanelMemory';
import type { LastTextEditor } from './lastEditor';
import { RunHeaderSync, type ChatRunPort } from './runHeaderSync';

/**
 * The chat panel: one per session (opening it again reveals it). It shows what the chat loop says about its
 * session: a snapshot whenever its webview (re)loads, then the loop's events for that session as they happen.
 * Its webview is not kept alive while hidden; showing it again reloads it, and the snapshot brings it back,
 * a reply still streaming included. After a window reload VS Code restores it through the serializer below.
 */

export interface ChatPanelServices {
  extensionUri: vscode.Uri;
  log: Logger;
  onTraffic(traffic: PanelTraffic): void;
  chat: Promise<ChatService>;
  source: SessionsSource;
  editors: LastTextEditor;
  ask: AskPrompt;
  memory: ChatPanelMemory;
  /** Opens the diff of a file an agent's call changed (the turn's original against the file now). */
  openDiff(sessionId: string, messageId: string, callId: string, path: string): Promise<void>;
  /** The runner (issue 13): a session that belongs to a run shows the run header. Absent: no header. */
  runs?: ChatRunPort;
}

export class ChatPanel extends Disposable {
  static readonly viewType = 'aiStudio.chat';
  private static readonly open = new Map<string, ChatPanel>();
  /** Set while the window shuts down: panels closing then are restored later, so they are not forgotten. */
  private static shuttingDown = false;

  /**
   * Opens (or reveals) the session's panel. With `revealMessageId`, the panel first shows the branch through that
   * message (its newest path), so a search hit is on screen.
   */
  static async show(services: ChatPanelServices, sessionId: string, options: { revealMessageId?: string } = {}): Promise<ChatPanel> {
    const chat = await services.chat;
    const session = await services.source.get(sessionId);
    if (session === undefined) {
      throw new Error('That session no longer exists; it may have been deleted in another window.');
    }
    if (options.revealMessageId !== undefined) {
      await chat.selectBranch(options.revealMessageId, { sessionId });
    }
    const existing = ChatPanel.open.get(sessionId);
    let shown: ChatPanel;
    if (existing) {
      existing.panel.reveal();
      shown = existing;
    } else {
      const panel = vscode.window.createWebviewPanel(ChatPanel.viewType, sessionLabel(session.title), vscode.ViewColumn.Active, {
        enableFindWidget: true,
      });
      shown = new ChatPanel(panel, services, chat, sessionId, session.title);
    }
    if (options.revealMessageId !== undefined) {
      // Queued until the panel is ready, so it follows the snapshot (or the leaf event) that shows the message.
      shown.host.postEvent({ method: 'chat/reveal', params: { messageId: options.revealMessageId } });
    }
    return shown;
  }

  /** Restores a panel VS Code kept across a window reload. */
  static async revive(services: ChatPanelServices, panel: vscode.WebviewPanel, state: unknown): Promise<void> {
    const sessionId = services.memory.sessionFor(state, panel.title, new Set(ChatPanel.open.keys()));
    const session = sessionId === undefined ? undefined : await services.source.get(sessionId).catch(() => undefined);
    if (sessionId === undefined || session === undefined || ChatPanel.open.has(sessionId)) {
      services.log.info(`Closed a restored chat panel: ${sessionId === undefined ? 'it names no session' : `session ${sessionId} is gone or already open`}`);
      panel.dispose();
      return;
    }
    new ChatPanel(panel, services, await services.chat, sessionId, session.title);
    services.log.debug(`Restored the chat panel of session ${sessionId}`);
  }

  /** Whether the session's panel is open and visible (so a question it waits on is seen). */
  static isVisible(sessionId: string): boolean {
    return ChatPanel.open.get(sessionId)?.panel.visible === true;
  }

  static find(sessionId: string): ChatPanel | undefined {
    return ChatPanel.open.get(sessionId);
  }

  static openSessions(): string[] {
    return [...ChatPanel.open.keys()];
  }

  static close(sessionId: string): void {
    ChatPanel.open.get(sessionId)?.panel.dispose();
  }

  /**
   * On deactivate: the host side goes, the panels stay, so that a window reload restores them (closing them here
   * would close their tabs for good).
   */
  static releaseAll(): void {
    ChatPanel.shuttingDown = true;
    for (const chatPanel of [...ChatPanel.open.values()]) {
      chatPanel.dispose();
    }
  }

  readonly handlers: RequestHandlers<ChatRequests>;
  private readonly host: WebviewHost<ChatRequests, ChatEvent, ChatSnapshot>;
  private readonly runHeader: RunHeaderSync;
  private title: string;
  /** The agents the picker was last told about; undefined until first read. */
  private agentsKey: string | undefined;

  private constructor(
    private readonly panel: vscode.WebviewPanel,
    private readonly services: ChatPanelServices,
    private readonly chat: ChatService,
    readonly sessionId: string,
    title: string,
  ) {
    super();
    this.title = title;
    ChatPanel.open.set(sessionId, this);
    panel.iconPath = vscode.Uri.joinPath(services.extensionUri, 'media', 'activity-bar.svg');
    panel.title = sessionLabel(title);
    services.memory.remember(sessionId, panel.title);
    // Posts only after the host below exists (on the document's ready); its handlers are the panel's from the start.
    this.runHeader = this._register(new RunHeaderSync(services.runs, sessionId, (event) => this.host.postEvent(event), services.log));
    const sessionHandlers = chatHandlers({
      chat,
      sessionId,
      log: services.log,
      editors: services.editors,
      ask: services.ask,
      openSession: async (id) => {
        await ChatPanel.show(services, id);
      },
      openDiff: (messageId, callId, path) => services.openDiff(sessionId, messageId, callId, path),
    });
    this.handlers = { ...sessionHandlers, ...this.runHeader.handlers };
    this.host = this._register(
      new WebviewHost(
        panel.webview,
        services.extensionUri,
        {
          name: 'Chat',
          title: 'AI Studio Chat',
          bundle: 'chat',
          requests: chatRequests,
          handlers: this.handlers,
          snapshot: () => {
            // Every (re)loaded document gets the run header with its snapshot: it is not part of the chat's state.
            this.runHeader.documentReady();
            return chat.snapshot(sessionId);
          },
        },
        services.log,
        (traffic) => services.onTraffic(traffic),
      ),
    );
    this._register(
      chat.onDidChange(({ sessionId: changed, event }) => {
        if (changed !== sessionId) {
          return;
        }
        this.host.postEvent(event);
        if (event.method === 'chat/session') {
          this.setTitle(event.params.session.title);
        }
      }),
    );
    this.runHeader.start(chat);
    this._register(services.source.onDidChange(() => void this.onSessionsChanged()));
    // Learns the agents the snapshot offers, so a later change to them is noticed.
    void this.onSessionsChanged();
    this._register(
      panel.onDidChangeViewState(({ webviewPanel }) => {
        if (!webviewPanel.visible) {
          // Its document is discarded while hidden; showing it reloads it, and its `ready` gets a new snapshot.
          this.host.markNotReady();
          this.runHeader.documentGone();
        }
      }),
    );
    this._register(
      panel.onDidDispose(() => {
        if (!ChatPanel.shuttingDown) {
          services.memory.forget(sessionId);
        }
        this.dispose();
      }),
    );
  }

  override dispose(): void {
    if (ChatPanel.open.get(this.sessionId) === this) {
      ChatPanel.open.delete(this.sessionId);
    }
    super.dispose();
  }

  reveal(): void {
    this.panel.reveal();
  }

  /**
   * A rename (from the view or another window), a deletion, or a change to the agents the picker offers: the
   * tab and the panel follow. The chat loop reports its own changes (titles it gives, agent switches) itself.
   */
  private async onSessionsChanged(): Promise<void> {
    try {
      const [session, agents] = await Promise.all([this.services.source.get(this.sessionId), this.services.source.agents(false)]);
      if (this.isDisposed) {
        return;
      }
      if (session === undefined) {
        this.panel.dispose();
        return;
      }
      const agentsKey = JSON.stringify(agents.map((agent) => [agent.id, agent.name, agent.currentVersion.id]));
      const changed = session.title !== this.title || (this.agentsKey !== undefined && agentsKey !== this.agentsKey);
      this.agentsKey = agentsKey;
      if (changed) {
        this.setTitle(session.title);
        const { session: info, agent, modelOverride, agents: choices } = this.chat.sessionInfo(this.sessionId);
        this.host.postEvent({ method: 'chat/session', params: { session: info, agent, modelOverride, agents: choices } });
      }
    } catch (err) {
      this.services.log.warn(`Chat panel: could not re-read session ${this.sessionId}: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  private setTitle(title: string): void {
    this.title = title;
    if (!this.isDisposed) {
      this.panel.title = sessionLabel(title);
      this.services.memory.remember(this.sessionId, this.panel.title);
    }
  }
}

/** Lets VS Code bring chat panels back after a window reload. */
export function registerChatPanelSerializer(services: ChatPanelServices): vscode.Disposable {
  return vscode.window.registerWebviewPanelSerializer(ChatPanel.viewType, {
    deserializeWebviewPanel: (panel, state) => ChatPanel.revive(services, panel, state),
  });
}
