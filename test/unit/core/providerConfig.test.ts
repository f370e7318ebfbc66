import * as assert from 'node:assert/strict';
import { DEFAULT_OLLAMA_HOST, findEntry, parseProviderSettings, readUrl, type ProviderSettingsInput } from '../../../src/core/providerConfig';
import { defaultWatchdogs } from '../../../src/llm/endpoints';

const ids = (input: ProviderSettingsInput) => parseProviderSettings(input).entries.map((e) => e.id);

describe('provider settings', () => {
  it('lists the five built-in endpoints in a fixed order even with no settings at all', () => {
    const parsed = parseProviderSettings({});
    assert.deepEqual(parsed.entries.map((e) => [e.id, e.label]), [
      ['anthropic', 'Anthropic'],
      ['openai', 'OpenAI'],
      ['gemini', 'Google Gemini'],
      ['azure-openai', 'Azure OpenAI'],
      ['ollama', 'Ollama'],
    ]);
    assert.deepEqual(parsed.warnings, []);
    assert.equal(parsed.defaultProvider, undefined);
  });

  it('makes the cloud providers and Ollama usable out of the box, with the default Ollama host', () => {
    const parsed = parseProviderSettings({});
    for (const id of ['anthropic', 'openai', 'gemini', 'ollama']) {
      assert.ok(findEntry(parsed, id)?.config, id);
    }
    const ollama = findEntry(parsed, 'ollama')!;
    assert.equal(ollama.config!.baseUrl, DEFAULT_OLLAMA_HOST);
    assert.equal(ollama.address, DEFAULT_OLLAMA_HOST);
    assert.equal(findEntry(parsed, 'openai')!.config!.baseUrl, undefined, 'no base URL means the SDK default');
  });

  it('reads base URLs, default models and generous local watchdogs', () => {
    const parsed = parseProviderSettings({
      'providers.openai.baseUrl': ' https://proxy.example.com/v1 ',
      'providers.openai.defaultModel': 'gpt-4.1-mini',
      'providers.ollama.host': 'http://gpu-box:11434',
      'providers.ollama.defaultModel': 'llama3.2',
    });
    const openai = findEntry(parsed, 'openai')!.config!;
    assert.equal(openai.baseUrl, 'https://proxy.example.com/v1');
    assert.equal(openai.defaultModel, 'gpt-4.1-mini');
    assert.deepEqual(openai.watchdogs, defaultWatchdogs('openai'));
    const ollama = findEntry(parsed, 'ollama')!.config!;
    assert.equal(ollama.baseUrl, 'http://gpu-box:11434');
    assert.deepEqual(ollama.watchdogs, defaultWatchdogs('ollama'));
    assert.ok(ollama.watchdogs.firstByteMs > openai.watchdogs.firstByteMs, 'a local server may load a model first');
  });

  it('applies timeout overrides in seconds to every endpoint, and ignores nonsense with a warning', () => {
    const parsed = parseProviderSettings({ 'providers.firstByteTimeoutSeconds': 12.5, 'providers.idleTimeoutSeconds': 3 });
    for (const entry of parsed.entries.filter((e) => e.config)) {
      assert.deepEqual(entry.config!.watchdogs, { firstByteMs: 12_500, idleMs: 3000 }, entry.id);
    }
    const bad = parseProviderSettings({ 'providers.firstByteTimeoutSeconds': -1, 'providers.idleTimeoutSeconds': 'soon' });
    assert.deepEqual(findEntry(bad, 'anthropic')!.config!.watchdogs, defaultWatchdogs('anthropic'));
    assert.equal(bad.warnings.length, 2);
    assert.match(bad.warnings[0]!, /aiStudio\.providers\.firstByteTimeoutSeconds must be a number of seconds above 0/);
    const nulls = parseProviderSettings({ 'providers.firstByteTimeoutSeconds': null, 'providers.idleTimeoutSeconds': null });
    assert.deepEqual(nulls.warnings, [], 'null is the declared default: the per-provider defaults');
  });

  it('keeps Azure unconfigured, quietly, until its endpoint and deployment are set', () => {
    const untouched = findEntry(parseProviderSettings({ 'providers.azureOpenai.apiVersion': '2024-10-21' }), 'azure-openai')!;
    assert.equal(untouched.config, undefined);
    assert.equal(untouched.unset, true);
    assert.equal(untouched.problem, 'Set the Azure OpenAI endpoint and deployment in settings.');

    const half = findEntry(parseProviderSettings({ 'providers.azureOpenai.endpoint': 'https://r.openai.azure.com', 'providers.azureOpenai.apiVersion': '' }), 'azure-openai')!;
    assert.equal(half.problem, 'Set the Azure OpenAI deployment and API version in settings.');
    assert.equal(half.unset, undefined, 'a half-done setup deserves a warning');

    const done = findEntry(
      parseProviderSettings({
        'providers.azureOpenai.endpoint': 'https://r.openai.azure.com',
        'providers.azureOpenai.deployment': 'gpt4o-prod',
        'providers.azureOpenai.apiVersion': '2024-10-21',
      }),
      'azure-openai',
    )!;
    assert.deepEqual(done.config!.azure, { endpoint: 'https://r.openai.azure.com', deployment: 'gpt4o-prod', apiVersion: '2024-10-21' });
    assert.equal(done.config!.defaultModel, 'gpt4o-prod', 'on Azure the deployment is the model');
    assert.equal(done.problem, undefined);
  });

  it('adds one endpoint per OpenAI-compatible server, side by side', () => {
    const parsed = parseProviderSettings({
      'providers.openaiCompatible': [
        { name: 'LM Studio', baseUrl: 'http://127.0.0.1:1234/v1', defaultModel: 'qwen2.5-7b' },
        { name: 'vLLM', baseUrl: 'http://gpu:8000/v1' },
      ],
    });
    assert.deepEqual(parsed.entries.slice(5).map((e) => [e.id, e.label, e.config?.baseUrl, e.config?.defaultModel]), [
      ['openai-compatible:LM Studio', 'LM Studio', 'http://127.0.0.1:1234/v1', 'qwen2.5-7b'],
      ['openai-compatible:vLLM', 'vLLM', 'http://gpu:8000/v1', undefined],
    ]);
    assert.equal(parsed.entries[5]!.config!.kind, 'openai-compatible');
    assert.deepEqual(parsed.entries[5]!.config!.watchdogs, defaultWatchdogs('openai-compatible'));
    assert.deepEqual(parsed.entries[5]!.settings.slice(0, 1), ['aiStudio.providers.openaiCompatible']);
  });

  it('shows a compatible server without a base URL as a row that says what to add', () => {
    const parsed = parseProviderSettings({ 'providers.openaiCompatible': [{ name: 'llama.cpp' }] });
    const entry = findEntry(parsed, 'openai-compatible:llama.cpp')!;
    assert.equal(entry.config, undefined);
    assert.equal(entry.problem, 'Give "llama.cpp" a "baseUrl" in aiStudio.providers.openaiCompatible, e.g. http://127.0.0.1:1234/v1.');
  });

  it('ignores unnamed, duplicate and malformed compatible entries with a warning each, and keeps the rest', () => {
    const parsed = parseProviderSettings({
      'providers.openaiCompatible': [
        { name: 'local', baseUrl: 'http://127.0.0.1:8080/v1' },
        { baseUrl: 'http://127.0.0.1:8081/v1' },
        { name: 'LOCAL', baseUrl: 'http://127.0.0.1:8082/v1' },
        'http://127.0.0.1:8083/v1',
        { name: '  ', baseUrl: 'http://127.0.0.1:8084/v1' },
      ],
    });
    assert.deepEqual(parsed.entries.slice(5).map((e) => e.id), ['openai-compatible:local']);
    assert.equal(findEntry(parsed, 'openai-compatible:local')!.config!.baseUrl, 'http://127.0.0.1:8080/v1', 'the first of two same names wins');
    assert.deepEqual(parsed.warnings, [
      'aiStudio.providers.openaiCompatible[1] has no "name"; it is ignored. The name tells this server apart from the others.',
      'aiStudio.providers.openaiCompatible[2]: another entry is already named "LOCAL"; this one is ignored. Give each server its own name.',
      'aiStudio.providers.openaiCompatible[3] is not an object with "name" and "baseUrl"; it is ignored.',
      'aiStudio.providers.openaiCompatible[4] has no "name"; it is ignored. The name tells this server apart from the others.',
    ]);
    assert.deepEqual(ids({ 'providers.openaiCompatible': { name: 'x' } }).length, 5);
    assert.match(parseProviderSettings({ 'providers.openaiCompatible': 'x' }).warnings[0]!, /must be a list/);
  });

  it('refuses bad URLs with a message that shows the value and the expected shape', () => {
    const parsed = parseProviderSettings({
      'providers.anthropic.baseUrl': 'api.anthropic.com',
      'providers.ollama.host': 'ftp://box:11434',
      'providers.openaiCompatible': [{ name: 'proxy', baseUrl: 'https://user:hunter2@proxy.example.com/v1' }],
    });
    const anthropic = findEntry(parsed, 'anthropic')!;
    assert.equal(anthropic.config, undefined, 'a wrong URL must not silently fall back to the real endpoint');
    assert.equal(anthropic.problem, 'aiStudio.providers.anthropic.baseUrl is "api.anthropic.com", which is not a URL; it should look like https://api.example.com/v1.');
    assert.equal(findEntry(parsed, 'ollama')!.problem, 'aiStudio.providers.ollama.host is "ftp://box:11434"; it must start with http:// or https://.');
    const proxy = findEntry(parsed, 'openai-compatible:proxy')!;
    assert.equal(proxy.config, undefined);
    assert.match(proxy.problem!, /contains a user name or password; remove it and use "AI Studio: Set API Key" instead/);
    assert.ok(!proxy.problem!.includes('hunter2'), 'the password is not repeated back');
    assert.match(readUrl(42, 'x').problem!, /must be a URL in quotes/);
    assert.deepEqual(readUrl('', 'x'), {});
  });

  it('accepts a default provider only when it names an endpoint', () => {
    const good = parseProviderSettings({ defaultProvider: 'openai-compatible:lm', 'providers.openaiCompatible': [{ name: 'lm', baseUrl: 'http://h/v1' }] });
    assert.equal(good.defaultProvider, 'openai-compatible:lm');
    const bad = parseProviderSettings({ defaultProvider: 'openai-compatible:gone' });
    assert.equal(bad.defaultProvider, undefined);
    assert.match(bad.warnings[0]!, /aiStudio\.defaultProvider is "openai-compatible:gone", which is none of the endpoints \(anthropic, openai/);
  });

  it('names the settings of each endpoint, for "Open Provider Settings"', () => {
    const parsed = parseProviderSettings({});
    assert.deepEqual(findEntry(parsed, 'openai')!.settings, [
      'aiStudio.providers.openai.baseUrl',
      'aiStudio.providers.openai.defaultModel',
      'aiStudio.providers.firstByteTimeoutSeconds',
      'aiStudio.providers.idleTimeoutSeconds',
    ]);
    assert.ok(findEntry(parsed, 'azure-openai')!.settings.includes('aiStudio.providers.azureOpenai.deployment'));
  });
});
