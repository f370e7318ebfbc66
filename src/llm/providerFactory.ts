import { createAnthropicAdapter } from './adapters/anthropic';
import { createGeminiAdapter } from './adapters/gemini';
import { createOllamaAdapter } from './adapters/ollama';
import { createOpenAiAdapter } from './adapters/openai';
import type { EndpointConfig } from './endpoints';
import type { ProviderAdapter } from './types';

/** Builds the adapter for an endpoint, with its key (from secret storage) bound for this one use. */
export function createAdapter(config: EndpointConfig, apiKey: string | undefined): ProviderAdapter {
  switch (config.kind) {
    case 'anthropic':
      return createAnthropicAdapter(config, apiKey);
    case 'gemini':
      return createGeminiAdapter(config, apiKey);
    case 'ollama':
      return createOllamaAdapter(config, apiKey);
    case 'openai':
    case 'azure-openai':
    case 'openai-compatible':
      return createOpenAiAdapter(config, apiKey);
  }
}
