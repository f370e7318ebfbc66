import type { ProviderAccess, ProviderConnection } from '../core/chat/chatTypes';
import { requiresKey, type EndpointConfig } from '../llm/endpoints';
import { ProviderError } from '../llm/errors';
import type { ProviderAdapter } from '../llm/types';
import type { ProviderKeys } from './providerKeys';
import type { ProviderSettings } from './providerSettings';

/**
 * The chat loop's way to a provider endpoint: the settings as they are now (re-read on every turn, so a fixed
 * setting takes effect on the next message), the key from secret storage, and an adapter built for this one turn.
 * Failures are ProviderErrors whose kind picks the fix the chat panel offers: 'auth' -> Set API Key,
 * 'bad_request' -> Open Settings. The key never appears in a message.
 */
export class VscodeProviderAccess implements ProviderAccess {
  constructor(
    private readonly settings: ProviderSettings,
    private readonly keys: ProviderKeys,
    private readonly createAdapter: (config: EndpointConfig, apiKey: string | undefined) => ProviderAdapter,
  ) {}

  async open(providerId: string): Promise<ProviderConnection> {
    const entry = this.settings.current.entries.find((e) => e.id === providerId);
    if (entry === undefined) {
      throw new ProviderError({
        kind: 'bad_request',
        provider: providerId,
        message: `"${providerId}" is not one of your provider endpoints. Add it in the settings, or choose another provider for the agent.`,
      });
    }
    if (entry.config === undefined) {
      throw new ProviderError({
        kind: 'bad_request',
        provider: entry.label,
        message: `${entry.label} is not set up yet: ${(entry.problem ?? 'complete its settings').replace(/\.$/, '')}.`,
      });
    }
    let key: string | undefined;
    try {
      key = await this.keys.get(entry.id);
    } catch (err) {
      // The secret storage itself failed (no keyring): its message says what to do, and holds no key.
      throw new ProviderError({ kind: 'auth', provider: entry.label, message: err instanceof Error ? err.message : String(err) });
    }
    if (requiresKey(entry.kind) && !key) {
      throw new ProviderError({
        kind: 'auth',
        provider: entry.label,
        message: `${entry.label} needs an API key. Set one with "AI Studio: Set API Key"; it is kept only in VS Code's secret storage.`,
      });
    }
    return {
      adapter: this.createAdapter(entry.config, key),
      endpoint: entry.config,
      priceOverrides: this.settings.priceOverrides(),
    };
  }
}
