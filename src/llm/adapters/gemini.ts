import type { EndpointConfig } from '../endpoints';
import { ProviderError } from '../errors';
import type { ProviderAdapter } from '../types';

/** The adapter for gemini (@google/genai). */
export function createGeminiAdapter(config: EndpointConfig, apiKey: string | undefined): ProviderAdapter {
  void apiKey;
  throw new ProviderError({ kind: 'bad_request', provider: config.label, message: 'UNDER CONSTRUCTION: the gemini adapter is being written.' });
}
