import type * as vscode from 'vscode';
import type { SecretStore } from '../core/ports';

/**
 * API keys, one per endpoint id, kept only in VS Code's secret storage (the OS keyring on the desktop, the
 * browser's encrypted storage under code-server). Nothing here ever writes a key anywhere else: when the secret
 * storage fails, the operation fails with a message that says so, and the key is simply not kept.
 */

/** The secret's name under AI Studio's namespace (VscodeSecretStore adds the `aiStudio.` prefix). */
export function apiKeySecretName(endpointId: string): string {
  return `apiKey.${endpointId}`;
}

const fullPrefix = `aiStudio.${apiKeySecretName('')}`;

/** Why a key must be refused before it is stored; undefined when it is acceptable. */
export function validateApiKey(value: string): string | undefined {
  const key = value.trim();
  if (key.length === 0) {
    return 'Enter the API key (it is not shown while you type).';
  }
  if (/\s/.test(key)) {
    return 'An API key has no spaces or line breaks; check what was pasted.';
  }
  return undefined;
}

export class SecretStorageUnavailableError extends Error {
  constructor(action: string, cause: unknown) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    super(
      `VS Code's secret storage is not available, so the API key could not be ${action} (${reason}). ` +
        'AI Studio keeps keys only there and never in plain text. On Linux, make sure a keyring such as GNOME Keyring or KWallet is running, then try again.',
      { cause },
    );
    this.name = 'SecretStorageUnavailableError';
  }
}

export class ProviderKeys {
  constructor(private readonly secrets: SecretStore) {}

  async get(endpointId: string): Promise<string | undefined> {
    try {
      return await this.secrets.get(apiKeySecretName(endpointId));
    } catch (err) {
      throw new SecretStorageUnavailableError('read', err);
    }
  }

  async set(endpointId: string, key: string): Promise<void> {
    const problem = validateApiKey(key);
    if (problem) {
      throw new Error(problem);
    }
    try {
      await this.secrets.set(apiKeySecretName(endpointId), key.trim());
    } catch (err) {
      throw new SecretStorageUnavailableError('saved', err);
    }
  }

  async delete(endpointId: string): Promise<void> {
    try {
      await this.secrets.delete(apiKeySecretName(endpointId));
    } catch (err) {
      throw new SecretStorageUnavailableError('removed', err);
    }
  }

  /** Whether a key is set; `unavailable` when the secret storage itself cannot be read. */
  async status(endpointId: string): Promise<'set' | 'unset' | 'unavailable'> {
    try {
      return (await this.secrets.get(apiKeySecretName(endpointId))) ? 'set' : 'unset';
    } catch {
      return 'unavailable';
    }
  }
}

/** Whether a SecretStorage change event concerns an API key (other AI Studio secrets do not move the view). */
export function isApiKeyChange(event: vscode.SecretStorageChangeEvent): boolean {
  return event.key.startsWith(fullPrefix);
}
