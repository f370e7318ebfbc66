import * as vscode from 'vscode';
import type { Logger } from '../core/ports';
import { parseProviderSettings, providerSettingKeys, type ProviderConfiguration } from '../core/providerConfig';
import { parsePriceOverrides, type PriceOverride } from '../llm/pricing';
import { configSection } from './config';

/**
 * The provider endpoints as the settings describe them now, re-read whenever a provider setting changes. The
 * parsing and its messages live in core; this class only reads `aiStudio.*` and reports warnings once each.
 */
export class ProviderSettings implements vscode.Disposable {
  private configuration: ProviderConfiguration;
  private readonly emitter = new vscode.EventEmitter<ProviderConfiguration>();
  private readonly subscription: vscode.Disposable;
  private reported = new Set<string>();
  readonly onDidChange = this.emitter.event;

  constructor(private readonly log: Logger) {
    this.configuration = this.read();
    this.subscription = vscode.workspace.onDidChangeConfiguration((event) => {
      if (providerSettingKeys.some((key) => event.affectsConfiguration(`${configSection}.${key}`))) {
        this.configuration = this.read();
        this.emitter.fire(this.configuration);
      }
    });
  }

  get current(): ProviderConfiguration {
    return this.configuration;
  }

  /** `aiStudio.prices`, read when a cost is computed (rarely), with bad entries logged and skipped. */
  priceOverrides(): PriceOverride[] {
    const config = vscode.workspace.getConfiguration(configSection);
    const { overrides, problems } = parsePriceOverrides(config.get<unknown>('prices'));
    for (const problem of problems) {
      if (!this.reported.has(problem)) {
        this.reported.add(problem);
        this.log.warn(`Price settings: ${problem}`);
      }
    }
    return overrides;
  }

  dispose(): void {
    this.subscription.dispose();
    this.emitter.dispose();
  }

  private read(): ProviderConfiguration {
    const config = vscode.workspace.getConfiguration(configSection);
    const input = Object.fromEntries(providerSettingKeys.map((key) => [key, config.get<unknown>(key)]));
    const configuration = parseProviderSettings(input);
    // Logged once per distinct problem, so a settings change elsewhere does not repeat them.
    const current = new Set([...configuration.warnings, ...configuration.entries.flatMap((e) => (e.problem && !e.unset ? [`${e.label}: ${e.problem}`] : []))]);
    for (const problem of current) {
      if (!this.reported.has(problem)) {
        this.log.warn(`Provider settings: ${problem}`);
      }
    }
    this.reported = current;
    return configuration;
  }
}
