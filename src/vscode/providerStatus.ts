import * as vscode from 'vscode';
import type { EndpointEntry } from '../core/providerConfig';
import { buildProviderRow, type ProviderRow } from '../views/providersModel';
import type { ProviderKeys } from './providerKeys';
import { isApiKeyChange } from './providerKeys';
import type { ProviderSettings } from './providerSettings';
import type { ProviderTestResults } from './providerTests';

/**
 * One place that knows each endpoint's state (settings, key, last test) and says when it changed, for the
 * Providers view, the endpoint pickers and the palette's `when` clauses. Rows are built on demand: reading the
 * secret storage is cheap, and a cache would only add a way to show a key that was just removed.
 */
export const hasApiKeysContext = 'aiStudio.hasApiKeys';

export class ProviderStatus implements vscode.Disposable {
  private readonly emitter = new vscode.EventEmitter<void>();
  private readonly subscriptions: vscode.Disposable[];
  readonly onDidChange = this.emitter.event;

  constructor(
    readonly settings: ProviderSettings,
    readonly keys: ProviderKeys,
    readonly tests: ProviderTestResults,
    secretChanges: vscode.Event<vscode.SecretStorageChangeEvent>,
  ) {
    this.subscriptions = [
      settings.onDidChange(() => this.changed()),
      tests.onDidChange(() => this.changed()),
      // Also fires for changes made in another window, which shares the secret storage.
      secretChanges((event) => {
        if (isApiKeyChange(event)) {
          this.changed();
        }
      }),
    ];
    this.changed();
  }

  async rows(): Promise<ProviderRow[]> {
    const configuration = this.settings.current;
    return Promise.all(configuration.entries.map((entry) => this.rowFor(entry, configuration.defaultProvider)));
  }

  async row(endpointId: string): Promise<ProviderRow | undefined> {
    const configuration = this.settings.current;
    const entry = configuration.entries.find((e) => e.id === endpointId);
    return entry ? this.rowFor(entry, configuration.defaultProvider) : undefined;
  }

  dispose(): void {
    for (const subscription of this.subscriptions) {
      subscription.dispose();
    }
    this.emitter.dispose();
  }

  private async rowFor(entry: EndpointEntry, defaultProvider: string | undefined): Promise<ProviderRow> {
    const lastTest = this.tests.get(entry.id);
    return buildProviderRow({
      entry,
      keyStatus: await this.keys.status(entry.id),
      ...(lastTest ? { lastTest } : {}),
      isDefault: entry.id === defaultProvider,
      formatTime: (at) => new Date(at).toLocaleString(),
    });
  }

  private changed(): void {
    this.emitter.fire();
    void this.updateContext();
  }

  /** Lets the palette hide "Remove API Key" while there is no key to remove. */
  private async updateContext(): Promise<void> {
    const rows = await this.rows();
    await vscode.commands.executeCommand('setContext', hasApiKeysContext, rows.some((row) => row.keyStatus === 'set'));
  }
}
