import type { EndpointConfig } from '../endpoints';
import { ProviderError } from '../errors';
import type { ProviderAdapter } from '../types';

/** The adapter for anthropic (@anthropic-ai/sdk). */
export function createAnthropicAdapter(config: EndpointConfig, apiKey: string | undefined): ProviderAdapter {
  void apiKey;
  throw new ProviderError({ kind: 'bad_request', provider: config.label, message: 'UNDER CONSTRUCTION: the anthropic adapter is being written.' });
}
