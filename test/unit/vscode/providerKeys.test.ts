import * as assert from 'node:assert/strict';
import type { SecretStore } from '../../../src/core/ports';
import { apiKeySecretName, ProviderKeys, SecretStorageUnavailableError, validateApiKey } from '../../../src/vscode/providerKeys';

/** ProviderKeys imports vscode only for types, so its rules are checked here in plain Node. */

class MemorySecrets implements SecretStore {
  readonly values = new Map<string, string>();
  get(key: string) {
    return Promise.resolve(this.values.get(key));
  }
  set(key: string, value: string) {
    this.values.set(key, value);
    return Promise.resolve();
  }
  delete(key: string) {
    this.values.delete(key);
    return Promise.resolve();
  }
}

const broken: SecretStore = {
  get: () => Promise.reject(new Error('Cannot autolaunch D-Bus without X11 $DISPLAY')),
  set: () => Promise.reject(new Error('Cannot autolaunch D-Bus without X11 $DISPLAY')),
  delete: () => Promise.reject(new Error('Cannot autolaunch D-Bus without X11 $DISPLAY')),
};

describe('API keys', () => {
  it('keeps one key per endpoint id under its own name, trimmed of what a paste adds', async () => {
    const secrets = new MemorySecrets();
    const keys = new ProviderKeys(secrets);
    await keys.set('openai-compatible:LM Studio', '  sk-abc123\n');
    assert.deepEqual([...secrets.values], [[apiKeySecretName('openai-compatible:LM Studio'), 'sk-abc123']]);
    assert.equal(await keys.get('openai-compatible:LM Studio'), 'sk-abc123');
    assert.equal(await keys.status('openai'), 'unset');
    await keys.delete('openai-compatible:LM Studio');
    assert.equal(secrets.values.size, 0);
  });

  it('refuses an empty key or one with whitespace inside', async () => {
    assert.match(validateApiKey('   ')!, /Enter the API key/);
    assert.match(validateApiKey('sk-a b')!, /no spaces or line breaks/);
    assert.equal(validateApiKey(' sk-ab\n'), undefined);
    await assert.rejects(new ProviderKeys(new MemorySecrets()).set('openai', 'sk-a\nb'), /no spaces/);
  });

  it('says plainly when the secret storage is unavailable, and keeps the key nowhere else', async () => {
    const keys = new ProviderKeys(broken);
    await assert.rejects(keys.set('openai', 'sk-SENTINEL-should-not-be-kept'), (err: unknown) => {
      assert.ok(err instanceof SecretStorageUnavailableError);
      assert.match(err.message, /VS Code's secret storage is not available, so the API key could not be saved \(Cannot autolaunch D-Bus/);
      assert.match(err.message, /never in plain text/);
      assert.ok(!err.message.includes('sk-SENTINEL'));
      return true;
    });
    await assert.rejects(keys.get('openai'), /could not be read/);
    await assert.rejects(keys.delete('openai'), /could not be removed/);
    assert.equal(await keys.status('openai'), 'unavailable', 'the view shows it instead of failing');
  });
});
