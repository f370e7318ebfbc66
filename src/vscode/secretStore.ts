import type * as vscode from 'vscode';
import type { SecretStore } from '../core/ports';

/**
 * SecretStorage under one namespace, so AI Studio's entries are recognisable and can never collide with
 * other data the extension might keep there.
 */
export class VscodeSecretStore implements SecretStore {
  private static readonly prefix = 'aiStudio.';

  constructor(private readonly secrets: vscode.SecretStorage) {}

  async get(key: string): Promise<string | undefined> {
    return this.secrets.get(VscodeSecretStore.prefix + key);
  }

  async set(key: string, value: string): Promise<void> {
    await this.secrets.store(VscodeSecretStore.prefix + key, value);
  }

  async delete(key: string): Promise<void> {
    await this.secrets.delete(VscodeSecretStore.prefix + key);
  }
}
