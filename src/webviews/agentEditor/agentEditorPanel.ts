import { randomUUID } from 'node:crypto';
import * as vscode from 'vscode';
import { CommandIds } from '../../commands/ids';
import {
  agentEditorRequests,
  agentEditorStateSchema,
  type AgentDraft,
  type AgentEditorEvent,
  type AgentEditorRequests,
  type AgentEditorSnapshot,
} from '../../protocol/agentEditor';
import { Disposable } from '../../vscode/lifecycle';
import { WebviewHost, type PanelTraffic } from '../webviewHost';
import { AgentEditorController, type AgentEditorDeps, type SaveResult } from './agentEditorController';

/**
 * The agent editor: one webview editor per agent (opening it again reveals it), and one per "Create Agent" until
 * its first save makes it the editor of that agent. The draft lives in the webview's state, so hiding, reloading
 * or restoring the panel after a window reload loses no typing; VS Code cannot ask before closing a webview with
 * unsaved changes, so the title carries a ● instead.
 */

export interface AgentEditorServices extends AgentEditorDeps {
  extensionUri: vscode.Uri;
  onTraffic(traffic: PanelTraffic): void;
}

export class AgentEditorPanel extends Disposable {
  static readonly viewType = 'aiStudio.agentEditor';
  /** By agent id, or by the new-agent key before the first save. */
  private static readonly open = new Map<string, AgentEditorPanel>();

  /** Opens (or reveals) the editor of `agentId`, or a new agent's editor when it is null. */
  static show(services: AgentEditorServices, agentId: string | null): AgentEditorPanel {
    const existing = agentId ? AgentEditorPanel.open.get(agentId) : undefined;
    if (existing) {
      existing.panel.reveal();
      return existing;
    }
    const panel = vscode.window.createWebviewPanel(AgentEditorPanel.viewType, 'New Agent', vscode.ViewColumn.Active, {});
    return new AgentEditorPanel(panel, services, agentId, `new:${randomUUID()}`);
  }

  /** Restores an editor VS Code kept across a window reload, from the state its webview saved. */
  static revive(services: AgentEditorServices, panel: vscode.WebviewPanel, state: unknown): void {
    const parsed = agentEditorStateSchema.safeParse(state);
    const agentId = parsed.success ? parsed.data.agentId : null;
    if (agentId && AgentEditorPanel.open.has(agentId)) {
      panel.dispose();
      return;
    }
    const key = parsed.success && parsed.data.key.startsWith('new:') ? parsed.data.key : `new:${randomUUID()}`;
    new AgentEditorPanel(panel, services, agentId, key);
  }

  static find(agentIdOrKey: string): AgentEditorPanel | undefined {
    return AgentEditorPanel.open.get(agentIdOrKey);
  }

  /** The agent ids (or new-agent keys) of the open editors. */
  static openKeys(): string[] {
    return [...AgentEditorPanel.open.keys()];
  }

  static disposeAll(): void {
    for (const editor of [...AgentEditorPanel.open.values()]) {
      editor.panel.dispose();
    }
  }

  readonly controller: AgentEditorController;
  private readonly host: WebviewHost<AgentEditorRequests, AgentEditorEvent, AgentEditorSnapshot>;
  private dirty = false;

  private constructor(
    private readonly panel: vscode.WebviewPanel,
    services: AgentEditorServices,
    agentId: string | null,
    newKey: string,
  ) {
    super();
    this._register(panel);
    this.controller = new AgentEditorController(services, agentId, newKey, () => vscode.workspace.isTrusted);
    AgentEditorPanel.open.set(this.controller.key, this);
    panel.iconPath = vscode.Uri.joinPath(services.extensionUri, 'media', 'activity-bar.svg');
    this.host = this._register(
      new WebviewHost(
        panel.webview,
        services.extensionUri,
        {
          name: 'AgentEditor',
          title: 'Agent',
          bundle: 'agentEditor',
          requests: agentEditorRequests,
          snapshot: () => this.snapshot(),
          handlers: {
            'agentEditor/validate': ({ draft }) => this.controller.validate(draft),
            'agentEditor/save': ({ draft }) => this.save(draft),
            'agentEditor/listModels': ({ provider, refresh }) => this.controller.listModels(provider, refresh),
            'agentEditor/setDirty': ({ dirty }) => {
              this.dirty = dirty;
              this.updateTitle();
              return null;
            },
            'agentEditor/openProviderSettings': async ({ provider }) => {
              await vscode.commands.executeCommand(CommandIds.openProviderSettings, provider);
              return null;
            },
          },
        },
        services.log,
        (traffic) => services.onTraffic(traffic),
      ),
    );
    const fail = (err: unknown) => services.log.error(`Agent editor: could not read the agent: ${err instanceof Error ? err.message : String(err)}`);
    const pushState = () => void this.snapshot().then((snapshot) => this.host.postEvent({ method: 'agentEditor/state', params: snapshot }), fail);
    this._register(services.source.onDidChange(pushState));
    this._register(services.status.onDidChange(pushState));
    this._register(vscode.workspace.onDidGrantWorkspaceTrust(pushState));
    this._register(
      panel.onDidChangeViewState(({ webviewPanel }) => {
        if (!webviewPanel.visible) {
          this.host.markNotReady();
        }
      }),
    );
    this._register(
      panel.onDidDispose(() => {
        if (AgentEditorPanel.open.get(this.controller.key) === this) {
          AgentEditorPanel.open.delete(this.controller.key);
        }
        this.dispose();
      }),
    );
    // Early, so the tab shows the agent's name while the webview is still loading.
    void this.snapshot().catch(fail);
  }

  reveal(): void {
    this.panel.reveal();
  }

  /** What the Save button (and Ctrl+S) does; the integration tests call it through the test API. */
  async save(draft: AgentDraft): Promise<SaveResult> {
    const keyBefore = this.controller.key;
    const result = await this.controller.save(draft);
    if (result.ok) {
      this.rekey(keyBefore);
      this.dirty = false;
      this.updateTitle();
    }
    return result;
  }

  private async snapshot(): Promise<AgentEditorSnapshot> {
    const snapshot = await this.controller.snapshot();
    this.updateTitle();
    return snapshot;
  }

  /** A new agent's first save: from now on this is that agent's editor, found by its id. */
  private rekey(keyBefore: string): void {
    if (keyBefore !== this.controller.key) {
      AgentEditorPanel.open.delete(keyBefore);
      AgentEditorPanel.open.set(this.controller.key, this);
    }
  }

  private updateTitle(): void {
    if (this.isDisposed) {
      return;
    }
    const name = this.controller.savedName ?? 'New Agent';
    this.panel.title = this.dirty ? `● ${name}` : name;
  }
}

/** Lets VS Code bring agent editors back after a window reload, drafts included. */
export function registerAgentEditorSerializer(services: AgentEditorServices): vscode.Disposable {
  return vscode.window.registerWebviewPanelSerializer(AgentEditorPanel.viewType, {
    deserializeWebviewPanel: (panel, state) => {
      AgentEditorPanel.revive(services, panel, state);
      return Promise.resolve();
    },
  });
}
