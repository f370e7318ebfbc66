import * as assert from 'node:assert/strict';
import { parseProviderSettings, findEntry } from '../../../src/core/providerConfig';
import { buildProviderRow, escapeMarkdown, type ConnectionTestRecord, type KeyStatus } from '../../../src/views/providersModel';

const configuration = parseProviderSettings({
  'providers.openaiCompatible': [{ name: 'lm', baseUrl: 'http://127.0.0.1:1234/v1', defaultModel: 'qwen' }, { name: 'broken' }],
});
const row = (id: string, keyStatus: KeyStatus, lastTest?: ConnectionTestRecord, isDefault = false) =>
  buildProviderRow({ entry: findEntry(configuration, id)!, keyStatus, ...(lastTest ? { lastTest } : {}), isDefault, formatTime: () => '10:42' });

describe('Providers view rows', () => {
  it('says "no key" for a cloud provider without one, and is not usable yet', () => {
    const openai = row('openai', 'unset');
    assert.equal(openai.description, 'no key');
    assert.equal(openai.usable, false);
    assert.equal(openai.contextValue, 'provider configured');
    assert.deepEqual(openai.icon, { id: 'key' });
  });

  it('shows a passed test with its latency, and a failed one in a few words', () => {
    const passed = row('openai', 'set', { ok: true, at: 1, latencyMs: 142, detail: 'key accepted, 12 models' });
    assert.equal(passed.description, 'key set · ✓ 142 ms');
    assert.equal(passed.contextValue, 'provider configured hasKey');
    assert.deepEqual(passed.icon, { id: 'pass', color: 'testing.iconPassed' });
    assert.equal(passed.accessibilityLabel, 'OpenAI, key set, last test passed in 142 ms');
    assert.match(passed.tooltip, /Last test: passed in 142 ms, 10:42: key accepted, 12 models/);

    const rejected = row('openai', 'set', { ok: false, at: 1, kind: 'auth', detail: 'OpenAI rejected the API key.' });
    assert.equal(rejected.description, 'key set · ✗ key rejected');
    assert.deepEqual(rejected.icon, { id: 'error', color: 'testing.iconFailed' });
    assert.match(rejected.tooltip, /Last test: failed \(key rejected\), 10:42: OpenAI rejected the API key\./);
  });

  it('drops a test result made against another address', () => {
    const stale = row('openai-compatible:lm', 'unset', { ok: true, at: 1, latencyMs: 5, detail: 'ok', address: 'http://elsewhere/v1' });
    assert.equal(stale.description, 'no key (optional)');
    assert.equal(stale.lastTest, undefined);
    const fresh = row('openai-compatible:lm', 'unset', { ok: true, at: 1, latencyMs: 5, detail: 'ok', address: 'http://127.0.0.1:1234/v1' });
    assert.equal(fresh.description, 'no key (optional) · ✓ 5 ms');
    assert.equal(fresh.usable, true, 'a compatible server may work without a key');
  });

  it('marks the default endpoint, and flags a broken one with its problem', () => {
    assert.equal(row('ollama', 'unset', undefined, true).description, 'default · no key (optional)');
    assert.match(row('ollama', 'unset', undefined, true).contextValue, /\bdefault\b/);
    const broken = row('openai-compatible:broken', 'unset');
    assert.equal(broken.description, 'needs attention');
    assert.equal(broken.contextValue, 'provider');
    assert.equal(broken.usable, false);
    assert.match(broken.problem!, /Give "broken" a "baseUrl"/);
    assert.equal(row('azure-openai', 'unset').description, 'not configured');
  });

  it('says plainly when the secret storage cannot be read', () => {
    const unavailable = row('anthropic', 'unavailable');
    assert.equal(unavailable.description, 'secret storage unavailable');
    assert.equal(unavailable.icon.id, 'warning');
    assert.match(unavailable.tooltip, /VS Code's secret storage is not available/);
  });

  it('keeps names and addresses literal in the Markdown tooltip', () => {
    assert.equal(escapeMarkdown('a_b*[x](y)'), 'a\\_b\\*\\[x\\]\\(y\\)');
    assert.match(row('openai-compatible:lm', 'unset').tooltip, /Endpoint: http:\/\/127\.0\.0\.1:1234\/v1/);
  });
});
