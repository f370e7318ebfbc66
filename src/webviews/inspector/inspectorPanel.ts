import * as vscode from 'vscode';
import type { ChatService } from '../../core/chat/chatService';
import { InspectorController, type InspectorReplayHooks } from '../../core/inspector/inspectorController';
import type { ReplayService } from '../../core/inspector/replayService';
import { MemoryInspectorSource } from '../../core/inspector/memorySource';
import type { ImportedTrace, InspectorSource } from '../../core/inspector/source';
import { StoreInspectorSource } from '../../core/inspector/storeSource';
import type { Logger } from '../../core/ports';
import { CommandIds } from '../../commands/ids';
import {
  inspectorRequests,
  type InspectorEvent,
  type InspectorRequests,
  type InspectorSnapshot,
  type ReplayProviderChoice,
} from '../../protocol/inspector';
import { sessionLabel } from '../../views/sessionsModel';
import type { SessionsSource } from '../../views/sessionsSource';
import { Disposable } from '../../vscode/lifecycle';
import { WebviewHost, type PanelTraffic } from '../webviewHost';

/**
 * The Inspector panel: the typed event log of a session (or an imported trace) as a timeline. One panel per
 * session (opening it again reveals it, focused on the event asked for); each imported trace gets its own. The
 * webview is not kept alive while hidden: showing it again reloads it and its `ready` brings a fresh snapshot.
 * While the session streams, appended events reach the panel as `inspector/changed`, at most a few times a second.
 * After a window reload VS Code restores a session's panel through the serializer below; an imported trace is not
 * kept anywhere, so its panel is closed instead.
 */

/** What the Inspector needs; the chat panel's services have all of it, so its Inspect buttons can pass them. */
export interface InspectorServices {
  extensionUri: vscode.Uri;
  log: Logger;
  onTraffic(traffic: PanelTraffic): void;
  source: SessionsSource;
  /** Replay of a session's model calls; without it the panel's Replay… button says replay is unavailable. */
  replay?: ReplayService | Promise<ReplayService>;
  /** The provider endpoints a replay can be sent to (configured ones). */
  replayProviders?: () => ReplayProviderChoice[];
  /** The chat loop: a replay continued as a branch is selected through it. */
  chat?: Promise<ChatService>;
}

export type InspectorTarget = { sessionId: string } | { imported: ImportedTrace };

export const INSPECTOR_VIEW_TYPE = 'aiStudio.inspector';

/**
 * Opens (or reveals) the Inspector on a session or an imported trace. `focus` is an event id, or a message id
 * (its model call is shown): the panel scrolls to it and opens its detail.
 */
export async function openInspector(services: InspectorServices, target: InspectorTarget, focus?: string): Promise<InspectorPanel> {
  return InspectorPanel.show(services, target, focus);
}

let importedPanels = 0;

export class InspectorPanel extends Disposable {
  private static readonly open = new Map<string, InspectorPanel>();
  private static shuttingDown = false;

  static async show(services: InspectorServices, target: InspectorTarget, focus?: string): Promise<InspectorPanel> {
    if ('imported' in target) {
      const source = new MemoryInspectorSource(target.imported.title, target.imported.events);
      const panel = vscode.window.createWebviewPanel(INSPECTOR_VIEW_TYPE, `Inspector: ${target.imported.title}`, vscode.ViewColumn.Active, {});
      return new InspectorPanel(panel, services, `imported:${++importedPanels}`, new InspectorController(source, { kind: 'imported' }, focus));
    }
    const key = sessionKey(target.sessionId);
    const existing = InspectorPanel.open.get(key);
    if (existing) {
      existing.panel.reveal();
      if (focus !== undefined) {
        const event = existing.controller.focusOn(focus);
        if (event) {
          existing.host.postEvent(event);
        }
      }
      return existing;
    }
    const source = await sessionSource(services, target.sessionId);
    const panel = vscode.window.createWebviewPanel(INSPECTOR_VIEW_TYPE, `Inspector: ${source.title}`, vscode.ViewColumn.Active, {});
    return new InspectorPanel(panel, services, key, new InspectorController(source, { kind: 'session', sessionId: target.sessionId }, focus, replayHooks(services)));
  }

  /** Restores a session's panel VS Code kept across a window reload (the webview saved which session it shows). */
  static async revive(services: InspectorServices, panel: vscode.WebviewPanel, state: unknown): Promise<void> {
    const sessionId = sessionIdOfState(state);
    if (sessionId === undefined || InspectorPanel.open.has(sessionKey(sessionId))) {
      services.log.info(`Closed a restored Inspector panel: ${sessionId === undefined ? 'an imported trace is not kept across reloads' : 'its session is already open'}`);
      panel.dispose();
      return;
    }
    let source: StoreInspectorSource;
    try {
      source = await sessionSource(services, sessionId);
    } catch (err) {
      services.log.info(`Closed a restored Inspector panel: ${err instanceof Error ? err.message : String(err)}`);
      panel.dispose();
      return;
    }
    new InspectorPanel(panel, services, sessionKey(sessionId), new InspectorController(source, { kind: 'session', sessionId }, undefined, replayHooks(services)));
    services.log.debug(`Restored the Inspector panel of session ${sessionId}`);
  }

  static find(sessionId: string): InspectorPanel | undefined {
    return InspectorPanel.open.get(sessionKey(sessionId));
  }

  /** Keys of the open panels: `session:<id>` or `imported:<n>`. */
  static openKeys(): string[] {
    return [...InspectorPanel.open.keys()];
  }

  static byKey(key: string): InspectorPanel | undefined {
    return InspectorPanel.open.get(key);
  }

  /** On deactivate: the host side goes, the panels stay, so that a window reload restores them. */
  static releaseAll(): void {
    InspectorPanel.shuttingDown = true;
    for (const panel of [...InspectorPanel.open.values()]) {
      panel.dispose();
    }
    InspectorPanel.shuttingDown = false;
  }

  private readonly host: WebviewHost<InspectorRequests, InspectorEvent, InspectorSnapshot>;

  private constructor(
    private readonly panel: vscode.WebviewPanel,
    services: InspectorServices,
    readonly key: string,
    readonly controller: InspectorController,
  ) {
    super();
    InspectorPanel.open.set(key, this);
    panel.iconPath = vscode.Uri.joinPath(services.extensionUri, 'media', 'activity-bar.svg');
    const source = controller.source;
    this.host = this._register(
      new WebviewHost(
        panel.webview,
        services.extensionUri,
        {
          name: 'Inspector',
          title: 'AI Studio Inspector',
          bundle: 'inspector',
          requests: inspectorRequests,
          handlers: controller.handlers,
          snapshot: () => {
            const snapshot = controller.snapshot();
            if (controller.figuresPending) {
              // A large session's totals take one pass over its events: the rows paint first, the totals follow.
              setTimeout(() => void this.postFigures(services.log), 0);
            }
            return snapshot;
          },
        },
        services.log,
        (traffic) => services.onTraffic(traffic),
      ),
    );
    if (source.onDidAppend) {
      this._register(source.onDidAppend((change) => this.host.postEvent(controller.changed(change))));
    }
    this._register({ dispose: () => controller.dispose() });
    if (source.dispose) {
      this._register({ dispose: () => source.dispose?.() });
    }
    if (controller.scope.kind === 'session') {
      const sessionId = controller.scope.sessionId;
      this._register(services.source.onDidChange(() => void this.onSessionsChanged(services, sessionId)));
    }
    this._register(
      panel.onDidChangeViewState(({ webviewPanel }) => {
        if (!webviewPanel.visible) {
          this.host.markNotReady();
        }
      }),
    );
    this._register(panel.onDidDispose(() => this.dispose()));
  }

  override dispose(): void {
    if (this.isDisposed) {
      return;
    }
    if (InspectorPanel.open.get(this.key) === this) {
      InspectorPanel.open.delete(this.key);
    }
    super.dispose();
    if (!InspectorPanel.shuttingDown) {
      // Closed by the person, or its session was deleted: the tab goes with the host side (a no-op when the
      // person closed it). While the window shuts down the tab stays, so a reload restores it.
      this.panel.dispose();
    }
  }

  reveal(): void {
    this.panel.reveal();
  }

  private async postFigures(log: Logger): Promise<void> {
    if (this.isDisposed || !this.controller.figuresPending) {
      return;
    }
    try {
      const figures = await this.controller.figures();
      if (!this.isDisposed) {
        this.host.postEvent(figures);
      }
    } catch (err) {
      log.error(`Inspector: could not sum the events: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  /** A rename (here or in another window) or a deletion: the tab and the panel follow. */
  private async onSessionsChanged(services: InspectorServices, sessionId: string): Promise<void> {
    try {
      const session = await services.source.get(sessionId);
      if (this.isDisposed) {
        return;
      }
      if (session === undefined) {
        this.dispose();
        return;
      }
      const source = this.controller.source as InspectorSource & { title: string };
      const title = sessionLabel(session.title);
      if (title !== source.title) {
        source.title = title;
        this.panel.title = `Inspector: ${title}`;
        this.host.postEvent({ method: 'inspector/title', params: { title } });
      }
    } catch (err) {
      services.log.warn(`Inspector: could not re-read session ${sessionId}: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
}

/** Lets VS Code bring a session's Inspector back after a window reload. */
export function registerInspectorSerializer(services: InspectorServices): vscode.Disposable {
  return vscode.window.registerWebviewPanelSerializer(INSPECTOR_VIEW_TYPE, {
    deserializeWebviewPanel: (panel, state) => InspectorPanel.revive(services, panel, state),
  });
}

/** Replay for a session's panel, when this window has it: a continued replay opens the chat on its branch. */
function replayHooks(services: InspectorServices): InspectorReplayHooks | undefined {
  const { replay, chat } = services;
  if (replay === undefined) {
    return undefined;
  }
  return {
    service: replay,
    providers: () => services.replayProviders?.() ?? [],
    showBranch: async (sessionId, messageId) => {
      await vscode.commands.executeCommand(CommandIds.openSession, sessionId);
      if (chat !== undefined) {
        await (await chat).selectBranch(messageId, { sessionId });
      }
    },
  };
}

function sessionKey(sessionId: string): string {
  return `session:${sessionId}`;
}

function sessionIdOfState(state: unknown): string | undefined {
  if (typeof state !== 'object' || state === null) {
    return undefined;
  }
  const sessionId = (state as { sessionId?: unknown }).sessionId;
  return typeof sessionId === 'string' && /^[0-9A-HJKMNP-TV-Z]{26}$/.test(sessionId) ? sessionId : undefined;
}

async function sessionSource(services: InspectorServices, sessionId: string): Promise<StoreInspectorSource> {
  const repos = await services.source.repositories();
  const session = repos.sessions.get(sessionId);
  if (session === undefined) {
    throw new Error('That session no longer exists; it may have been deleted in another window.');
  }
  return new StoreInspectorSource({
    store: repos.store,
    scope: { sessionId },
    title: sessionLabel(session.title),
    messages: repos.messages,
    changes: (listener) => repos.store.onDidChange((change) => listener(change.tables)),
  });
}
