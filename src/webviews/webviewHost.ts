import * as vscode from 'vscode';
import type { Logger } from '../core/ports';
import { commonRequests, type CommonRequests } from '../protocol/common';
import { createDispatcher } from '../protocol/dispatcher';
import type { HostMessage, RequestHandlers, RequestMap } from '../protocol/rpc';
import { readConfig } from '../vscode/config';
import { Disposable } from '../vscode/lifecycle';
import { createNonce, renderPanelHtml } from './html';
import { ReadyQueue } from './readyQueue';

/**
 * Everything a panel needs from the host side: the HTML shell with its CSP, a ready handshake, queued posts,
 * and one validating dispatcher. A panel supplies its request map, its handlers and a snapshot function.
 */

export interface PanelDefinition<M extends RequestMap, Snapshot> {
  /** Names the panel in the log. */
  name: string;
  title: string;
  /** The webview bundle, `dist/webview/<bundle>.js` (+ `.css`). */
  bundle: string;
  requests: M;
  handlers: RequestHandlers<M>;
  /** The full state the panel renders from; sent on every `ready`, so a reloaded panel loses nothing. */
  snapshot(): Snapshot | Promise<Snapshot>;
}

/** What crossed between a panel and the host; the integration tests watch it to see a real webview answer. */
export interface PanelTraffic {
  panel: string;
  direction: 'fromPanel' | 'toPanel';
  kind: string;
}

/** Posts that wait for `ready`; past this, the oldest are dropped (see ReadyQueue). */
const MAX_QUEUED_POSTS = 1000;

export class WebviewHost<M extends RequestMap, Event, Snapshot> extends Disposable {
  private readonly queue = new ReadyQueue<HostMessage<Event, Snapshot>>(MAX_QUEUED_POSTS);

  constructor(
    private readonly webview: vscode.Webview,
    extensionUri: vscode.Uri,
    private readonly definition: PanelDefinition<M, Snapshot>,
    private readonly log: Logger,
    private readonly onTraffic: (traffic: PanelTraffic) => void = () => {},
  ) {
    super();
    const webviewRoot = vscode.Uri.joinPath(extensionUri, 'dist', 'webview');
    webview.options = { enableScripts: true, enableCommandUris: false, localResourceRoots: [webviewRoot] };
    const asUri = (...segments: string[]) => webview.asWebviewUri(vscode.Uri.joinPath(webviewRoot, ...segments)).toString();
    webview.html = renderPanelHtml({
      title: definition.title,
      cspSource: webview.cspSource,
      nonce: createNonce(),
      scriptUri: asUri(`${definition.bundle}.js`),
      styleUris: [asUri(`${definition.bundle}.css`)],
      codiconsUri: asUri('codicons', 'codicon.css'),
    });

    const commonHandlers: RequestHandlers<CommonRequests> = {
      'webview/reportProblem': ({ message }) => {
        log.error(`${definition.name} panel: ${message}`);
        return null;
      },
    };
    const dispatch = createDispatcher(
      definition.name,
      { ...commonRequests, ...definition.requests },
      { ...commonHandlers, ...definition.handlers },
      {
        error: (message) => log.error(message),
        trace: (message) => {
          if (readConfig().traceWebviewMessages) {
            log.trace(message);
          }
        },
      },
    );
    this._register(
      webview.onDidReceiveMessage(async (raw: unknown) => {
        const outcome = await dispatch(raw);
        this.onTraffic({ panel: definition.name, direction: 'fromPanel', kind: outcome.kind === 'reply' ? 'request' : outcome.kind });
        if (outcome.kind === 'ready') {
          await this.onReady();
        } else if (outcome.kind === 'reply') {
          await this.post(outcome.message);
        }
      }),
    );
  }

  /** Sends an event now if the panel is listening, or after its next `ready`. */
  postEvent(event: Event): void {
    const message: HostMessage<Event, Snapshot> = { kind: 'event', event };
    if (this.queue.offer(message)) {
      void this.post(message);
    }
  }

  /** The panel's document was discarded (hidden without retained context): wait for it to say ready again. */
  markNotReady(): void {
    this.queue.markNotReady();
  }

  private async onReady(): Promise<void> {
    const waiting = this.queue.markReady();
    try {
      await this.post({ kind: 'snapshot', snapshot: await this.definition.snapshot() });
    } catch (err) {
      this.log.error(`${this.definition.name}: could not build the panel's state: ${String(err)}`);
    }
    for (const message of waiting) {
      await this.post(message);
    }
  }

  private async post(message: HostMessage<Event, Snapshot>): Promise<void> {
    if (this.isDisposed) {
      return;
    }
    const delivered = await this.webview.postMessage(message);
    this.onTraffic({ panel: this.definition.name, direction: 'toPanel', kind: delivered ? message.kind : `${message.kind} (not delivered)` });
    if (!delivered) {
      this.log.debug(`${this.definition.name}: the panel was not listening; it will re-read its state when it is shown`);
    }
  }
}
