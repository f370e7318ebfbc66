import type { CommonRequests } from '../../../src/protocol/common';
import type { HostMessage, ParamsOf, RequestMap, ResultOf, RpcError } from '../../../src/protocol/rpc';
import type { VsCodeApi } from './vscodeApi';

/**
 * The webview side of the panel protocol: correlates requests with replies, hands snapshots and events to the
 * app, and says `ready` so the host (re)sends the full state. Problems inside the panel are reported to the host
 * so they reach the AI Studio log instead of vanishing in a devtools console nobody has open.
 */

export class RpcRequestError extends Error {
  constructor(readonly rpc: RpcError) {
    super(rpc.message);
  }
}

interface Pending {
  resolve(value: unknown): void;
  reject(error: Error): void;
}

export interface RpcClientHandlers<Event, Snapshot> {
  onSnapshot(snapshot: Snapshot): void;
  onEvent(event: Event): void;
}

export class RpcClient<M extends RequestMap, Event, Snapshot> {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();

  constructor(
    private readonly api: VsCodeApi,
    private readonly handlers: RpcClientHandlers<Event, Snapshot>,
  ) {}

  start(): void {
    window.addEventListener('message', (event: MessageEvent<unknown>) => this.receive(event.data));
    window.addEventListener('error', (event) => this.reportProblem(`Uncaught error: ${event.message}`));
    window.addEventListener('unhandledrejection', (event) => this.reportProblem(`Unhandled rejection: ${String(event.reason)}`));
    document.addEventListener('securitypolicyviolation', (event) =>
      this.reportProblem(`Blocked by the content security policy: ${event.violatedDirective} ${event.blockedURI}`),
    );
    this.api.postMessage({ kind: 'ready' });
  }

  /**
   * Says `ready` again, so the host answers with a fresh snapshot: for a panel that finds it missed events
   * (streamed text with a gap) and would rather re-read the truth than show a wrong reply.
   */
  requestSnapshot(): void {
    this.api.postMessage({ kind: 'ready' });
  }

  request<K extends keyof M & string>(method: K, params: ParamsOf<M, K>): Promise<ResultOf<M, K>> {
    const id = this.nextId++;
    return new Promise<ResultOf<M, K>>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.api.postMessage({ kind: 'request', id, method, params });
    });
  }

  reportProblem(message: string): void {
    const params: ParamsOf<CommonRequests, 'webview/reportProblem'> = { message: message.slice(0, 4000) };
    this.api.postMessage({ kind: 'request', id: this.nextId++, method: 'webview/reportProblem', params });
  }

  private receive(data: unknown): void {
    if (typeof data !== 'object' || data === null || !('kind' in data)) {
      return;
    }
    const message = data as HostMessage<Event, Snapshot>;
    switch (message.kind) {
      case 'snapshot':
        this.handlers.onSnapshot(message.snapshot);
        return;
      case 'event':
        this.handlers.onEvent(message.event);
        return;
      case 'response':
        this.settle(message.id, (pending) => pending.resolve(message.result));
        return;
      case 'error':
        this.settle(message.id, (pending) => pending.reject(new RpcRequestError(message.error)));
        return;
    }
  }

  private settle(id: number, action: (pending: Pending) => void): void {
    const pending = this.pending.get(id);
    if (pending) {
      this.pending.delete(id);
      action(pending);
    }
  }
}
