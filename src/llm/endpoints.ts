/**
 * What the user configured for each provider endpoint (everything except the key, which lives only in secret
 * storage). The vscode layer reads these from settings; adapters are built from them.
 */

export type ProviderKind = 'anthropic' | 'gemini' | 'openai' | 'azure-openai' | 'openai-compatible' | 'ollama';

export interface Watchdogs {
  /** Longest wait for the first streamed chunk, including a local server loading its model. */
  firstByteMs: number;
  /** Longest silence between two chunks once the answer has started. */
  idleMs: number;
}

export interface EndpointConfig {
  /** Stable id: the kind for the built-in providers, `openai-compatible:<name>` for each compatible server. */
  id: string;
  kind: ProviderKind;
  /** Shown in views and error messages. */
  label: string;
  /** Overrides the SDK's default endpoint (required for openai-compatible; the host for ollama). */
  baseUrl?: string;
  /** Azure OpenAI only. */
  azure?: { endpoint: string; deployment: string; apiVersion: string };
  defaultModel?: string;
  watchdogs: Watchdogs;
}

/** Whether the endpoint needs an API key at all: local servers usually do not. */
export function requiresKey(kind: ProviderKind): boolean {
  return kind !== 'ollama' && kind !== 'openai-compatible';
}

/** Cloud providers answer in seconds; a local server may first load a model of several GB from disk. */
export function defaultWatchdogs(kind: ProviderKind): Watchdogs {
  const local = kind === 'ollama' || kind === 'openai-compatible';
  return local ? { firstByteMs: 300_000, idleMs: 120_000 } : { firstByteMs: 60_000, idleMs: 60_000 };
}
