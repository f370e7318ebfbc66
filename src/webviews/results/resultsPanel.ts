import * as vscode from 'vscode';
import { createDispatcher } from '../../protocol/dispatcher';
import { resultsRequests, type ResultsEvent, type ResultsRequests, type ResultsSnapshot } from '../../protocol/results';
import { Disposable } from '../../vscode/lifecycle';
import { WebviewHost, type PanelTraffic } from '../webviewHost';
import { ResultsController, type ResultsServices } from './resultsController';

/**
 * The batch Results panel: one per batch run (opening it again reveals it). Its webview is retained while hidden:
 * a batch's table is built once and then changes by a few rows at a time, and re-sending all of it every time the
 * tab is shown again would cost more than the memory kept. After a window reload VS Code restores the panel
 * through the serializer below (the webview saved which run it shows), when the run still exists.
 */

export type { ResultsServices, ResultsProgressFigures } from './resultsController';

/** The port, plus what a webview panel needs of VS Code. */
export interface ResultsPanelServices extends ResultsServices {
  extensionUri: vscode.Uri;
  onTraffic?(traffic: PanelTraffic): void;
}

export const RESULTS_VIEW_TYPE = 'aiStudio.results';

/** Opens (or reveals) the Results panel of a batch run. Throws when the run does not exist. */
export function openResults(services: ResultsPanelServices, runId: string): ResultsPanel {
  return ResultsPanel.show(services, runId);
}

export class ResultsPanel extends Disposable {
  private static readonly open = new Map<string, ResultsPanel>();
  private static shuttingDown = false;

  static show(services: ResultsPanelServices, runId: string): ResultsPanel {
    const existing = ResultsPanel.open.get(runId);
    if (existing) {
      existing.panel.reveal();
      return existing;
    }
    const title = services.title(runId);
    if (title === undefined || services.table(runId) === undefined) {
      throw new Error('That batch run no longer exists; it may have been deleted in another window.');
    }
    const panel = vscode.window.createWebviewPanel(RESULTS_VIEW_TYPE, tabTitle(title), vscode.ViewColumn.Active, {
      retainContextWhenHidden: true,
      enableFindWidget: true,
    });
    return new ResultsPanel(panel, services, runId);
  }

  /** Restores a panel VS Code kept across a window reload, if its run is still there. */
  static revive(services: ResultsPanelServices, panel: vscode.WebviewPanel, state: unknown): void {
    const runId = runIdOfState(state);
    if (runId === undefined || ResultsPanel.open.has(runId) || services.title(runId) === undefined || services.table(runId) === undefined) {
      services.log.info(`Closed a restored Results panel: ${runId === undefined ? 'it did not say which batch it showed' : 'its batch is gone or already open'}`);
      panel.dispose();
      return;
    }
    new ResultsPanel(panel, services, runId);
    services.log.debug(`Restored the Results panel of batch ${runId}`);
  }

  static find(runId: string): ResultsPanel | undefined {
    return ResultsPanel.open.get(runId);
  }

  static openRunIds(): string[] {
    return [...ResultsPanel.open.keys()];
  }

  /** On deactivate: the host side goes, the tabs stay, so that a window reload restores them. */
  static releaseAll(): void {
    ResultsPanel.shuttingDown = true;
    for (const panel of [...ResultsPanel.open.values()]) {
      panel.dispose();
    }
    ResultsPanel.shuttingDown = false;
  }

  readonly controller: ResultsController;
  private readonly host: WebviewHost<ResultsRequests, ResultsEvent, ResultsSnapshot>;

  private constructor(
    private readonly panel: vscode.WebviewPanel,
    services: ResultsPanelServices,
    readonly runId: string,
  ) {
    super();
    ResultsPanel.open.set(runId, this);
    panel.iconPath = vscode.Uri.joinPath(services.extensionUri, 'media', 'activity-bar.svg');
    // The controller posts only later (a timer, a request), through the host made next, whose ready queue holds them.
    this.controller = new ResultsController(
      services,
      runId,
      (event) => {
        this.host.postEvent(event);
        if (event.method === 'results/changed' && panel.title !== tabTitle(event.params.title)) {
          panel.title = tabTitle(event.params.title);
        }
      },
      () => this.dispose(),
    );
    this._register({ dispose: () => this.controller.dispose() });
    this.host = this._register(
      new WebviewHost(
        panel.webview,
        services.extensionUri,
        {
          name: 'Results',
          title: 'AI Studio Batch Results',
          bundle: 'results',
          requests: resultsRequests,
          handlers: this.controller.handlers,
          snapshot: () => this.controller.snapshot(),
        },
        services.log,
        (traffic) => services.onTraffic?.(traffic),
      ),
    );
    this._register(panel.onDidDispose(() => this.dispose()));
  }

  override dispose(): void {
    if (this.isDisposed) {
      return;
    }
    if (ResultsPanel.open.get(this.runId) === this) {
      ResultsPanel.open.delete(this.runId);
    }
    super.dispose();
    if (!ResultsPanel.shuttingDown) {
      // Closed by the person, or its run was deleted: the tab goes with the host side (a no-op when the person
      // closed it). While the window shuts down the tab stays, so a reload restores it.
      this.panel.dispose();
    }
  }

  reveal(): void {
    this.panel.reveal();
  }

  /** Posts what changed now rather than within the update interval (tests, and a command that just acted). */
  flush(): void {
    this.controller.flush();
  }

  /** The host end of the panel's messages (tests watch it). */
  get webviewHost(): WebviewHost<ResultsRequests, ResultsEvent, ResultsSnapshot> {
    return this.host;
  }
}

/** Lets VS Code bring a batch's Results panel back after a window reload. */
export function registerResultsSerializer(services: ResultsPanelServices): vscode.Disposable {
  return vscode.window.registerWebviewPanelSerializer(RESULTS_VIEW_TYPE, {
    deserializeWebviewPanel: (panel, state) => {
      ResultsPanel.revive(services, panel, state);
      return Promise.resolve();
    },
  });
}

/** Test hooks: the open panels, and their requests answered exactly as their webviews' are (validated first). */
export interface ResultsTestApi {
  /** Run ids of the open Results panels. */
  openPanels(): string[];
  request(runId: string, method: string, params: unknown): Promise<unknown>;
  snapshot(runId: string): ResultsSnapshot;
}

export function resultsTestApi(log: ResultsServices['log']): ResultsTestApi {
  let nextId = 1;
  const find = (runId: string) => {
    const panel = ResultsPanel.find(runId);
    if (!panel) {
      throw new Error(`No Results panel is open for batch ${runId}`);
    }
    return panel;
  };
  return {
    openPanels: () => ResultsPanel.openRunIds(),
    request: async (runId, method, params) => {
      const dispatch = createDispatcher('Results (test)', resultsRequests, find(runId).controller.handlers, { error: (m) => log.error(m), trace: () => undefined });
      const outcome = await dispatch({ kind: 'request', id: nextId++, method, params });
      if (outcome.kind !== 'reply') {
        throw new Error(`The request was ${outcome.kind}`);
      }
      if (outcome.message.kind === 'error') {
        throw new Error(`${outcome.message.error.code}: ${outcome.message.error.message}`);
      }
      return outcome.message.kind === 'response' ? outcome.message.result : undefined;
    },
    snapshot: (runId) => find(runId).controller.snapshot(),
  };
}

function tabTitle(title: string): string {
  return `Results: ${title}`;
}

function runIdOfState(state: unknown): string | undefined {
  if (typeof state !== 'object' || state === null) {
    return undefined;
  }
  const runId = (state as { runId?: unknown }).runId;
  return typeof runId === 'string' && /^[\w.:-]{1,128}$/.test(runId) ? runId : undefined;
}
