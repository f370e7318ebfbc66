import * as vscode from 'vscode';
import type { Probe } from '../../core/selfCheck';
import { runProbes } from '../../core/selfCheck';
import { systemClock, type Logger } from '../../core/ports';
import {
  overviewRequests,
  type OverviewEvent,
  type OverviewRequests,
  type OverviewSnapshot,
} from '../../protocol/overview';
import { CommandIds } from '../../commands/ids';
import { Disposable } from '../../vscode/lifecycle';
import { WebviewHost, type PanelTraffic } from '../webviewHost';

/**
 * The Overview panel: what this build is, where it keeps its data, and a self-check of the services every
 * later feature relies on (database engine, storage folder, secret storage). One panel at a time; opening it
 * again reveals the existing one.
 */

export interface OverviewServices {
  extensionUri: vscode.Uri;
  log: Logger;
  onTraffic(traffic: PanelTraffic): void;
  snapshot(): OverviewSnapshot;
  probes(): Probe[];
}

const PROBE_TIMEOUT_MS = 10_000;

export class OverviewPanel extends Disposable {
  static readonly viewType = 'aiStudio.overview';
  private static current: OverviewPanel | undefined;

  static show(services: OverviewServices): OverviewPanel {
    if (OverviewPanel.current) {
      OverviewPanel.current.panel.reveal();
      return OverviewPanel.current;
    }
    const panel = vscode.window.createWebviewPanel(OverviewPanel.viewType, 'AI Studio Overview', vscode.ViewColumn.Active, {
      enableFindWidget: true,
    });
    OverviewPanel.current = new OverviewPanel(panel, services);
    return OverviewPanel.current;
  }

  /** Closes the panel if it is open (on deactivate). */
  static disposeCurrent(): void {
    OverviewPanel.current?.panel.dispose();
  }

  private constructor(
    private readonly panel: vscode.WebviewPanel,
    services: OverviewServices,
  ) {
    super();
    this._register(panel);
    panel.iconPath = vscode.Uri.joinPath(services.extensionUri, 'media', 'activity-bar.svg');
    const host: WebviewHost<OverviewRequests, OverviewEvent, OverviewSnapshot> = this._register(
      new WebviewHost(panel.webview, services.extensionUri, {
        name: 'Overview',
        title: 'AI Studio Overview',
        bundle: 'overview',
        requests: overviewRequests,
        snapshot: () => services.snapshot(),
        handlers: {
          'overview/runSelfCheck': () =>
            runProbes(services.probes(), systemClock, PROBE_TIMEOUT_MS, (result) =>
              host.postEvent({ method: 'overview/checkFinished', params: result }),
            ),
          'overview/showLog': () => runCommand(CommandIds.showLog),
          'overview/openSettings': () => runCommand(CommandIds.openSettings),
        },
      }, services.log, (traffic) => services.onTraffic(traffic)),
    );
    this._register(
      panel.onDidChangeViewState(({ webviewPanel }) => {
        if (!webviewPanel.visible) {
          host.markNotReady();
        }
      }),
    );
    this._register(
      panel.onDidDispose(() => {
        OverviewPanel.current = undefined;
        this.dispose();
      }),
    );
  }
}

async function runCommand(id: string): Promise<null> {
  await vscode.commands.executeCommand(id);
  return null;
}
