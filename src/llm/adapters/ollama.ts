import type { EndpointConfig } from '../endpoints';
import { ProviderError } from '../errors';
import type { ProviderAdapter } from '../types';

/** The adapter for ollama (the ollama SDK). */
export function createOllamaAdapter(config: EndpointConfig, apiKey: string | undefined): ProviderAdapter {
  void apiKey;
  throw new ProviderError({ kind: 'bad_request', provider: config.label, message: 'UNDER CONSTRUCTION: the ollama adapter is being written.' });
}
