import type { EndpointConfig } from '../endpoints';
import { ProviderError } from '../errors';
import type { ProviderAdapter } from '../types';

/** The adapter for openai, azure-openai and openai-compatible (the openai SDK, AzureOpenAI for Azure). */
export function createOpenAiAdapter(config: EndpointConfig, apiKey: string | undefined): ProviderAdapter {
  void apiKey;
  throw new ProviderError({ kind: 'bad_request', provider: config.label, message: 'UNDER CONSTRUCTION: the openai adapter is being written.' });
}
