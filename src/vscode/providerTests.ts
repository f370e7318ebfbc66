import * as vscode from 'vscode';
import type { ConnectionTestRecord } from '../views/providersModel';

/**
 * The last connection test of each endpoint, kept in `globalState` so the Providers view still shows it after a
 * restart. It is not secret (a result, a latency, a message the adapter has already redacted), and every message
 * is redacted once more before it is recorded, so no key can reach this file by way of an SDK's echo.
 */
const stateKey = 'aiStudio.providers.lastTests';

export class ProviderTestResults implements vscode.Disposable {
  private readonly emitter = new vscode.EventEmitter<string>();
  /** Fires with the endpoint id whose result changed. */
  readonly onDidChange = this.emitter.event;

  constructor(private readonly memento: vscode.Memento) {}

  get(endpointId: string): ConnectionTestRecord | undefined {
    return this.all()[endpointId];
  }

  all(): Readonly<Record<string, ConnectionTestRecord>> {
    return this.memento.get<Record<string, ConnectionTestRecord>>(stateKey) ?? {};
  }

  async record(endpointId: string, record: ConnectionTestRecord): Promise<void> {
    await this.memento.update(stateKey, { ...this.all(), [endpointId]: record });
    this.emitter.fire(endpointId);
  }

  /** Forgets a result that no longer describes the endpoint (its key was replaced or removed). */
  async clear(endpointId: string): Promise<void> {
    if (this.get(endpointId) === undefined) {
      return;
    }
    const rest = { ...this.all() };
    delete rest[endpointId];
    await this.memento.update(stateKey, rest);
    this.emitter.fire(endpointId);
  }

  dispose(): void {
    this.emitter.dispose();
  }
}
