import * as assert from 'node:assert/strict';
import { formFromConfig, mergeParams, validateAgent, type AgentForm, type ValidationContext } from '../../../src/core/agentValidation';

const context: ValidationContext = {
  endpoints: [
    { id: 'anthropic', label: 'Anthropic', kind: 'anthropic', configured: true },
    { id: 'openai', label: 'OpenAI', kind: 'openai', configured: true },
    { id: 'azure-openai', label: 'Azure OpenAI', kind: 'azure-openai', configured: false },
  ],
  otherNames: ['Reviewer'],
};
const form = (changes: Partial<AgentForm> = {}): AgentForm => ({
  name: 'Writer',
  provider: 'openai',
  model: 'gpt-4.1-mini',
  systemPrompt: 'You write.',
  temperature: '',
  maxTokens: '',
  ...changes,
});
const errorsOf = (changes: Partial<AgentForm>, ctx = context) => {
  const result = validateAgent(form(changes), ctx);
  return result.ok ? {} : result.errors;
};

describe('agent validation', () => {
  it('accepts a complete form, trims the name and model, and leaves unset parameters out', () => {
    const result = validateAgent(form({ name: '  Writer  ', model: ' gpt-4.1-mini ' }), context);
    assert.ok(result.ok);
    assert.deepEqual(result.value, { name: 'Writer', provider: 'openai', model: 'gpt-4.1-mini', systemPrompt: 'You write.', params: {} });
    assert.deepEqual(result.warnings, {});
  });

  it('keeps the system prompt exactly as typed, spaces and line breaks included', () => {
    const prompt = '  Line one\n\n  indented\n';
    const result = validateAgent(form({ systemPrompt: prompt }), context);
    assert.ok(result.ok);
    assert.equal(result.value.systemPrompt, prompt);
  });

  it('asks for a name, a provider and a model, each with its own message', () => {
    assert.deepEqual(errorsOf({ name: ' ', provider: '', model: '' }), {
      name: 'Give the agent a name.',
      provider: 'Choose a provider.',
      model: 'Enter a model, or pick one of the models the provider lists.',
    });
    assert.equal(errorsOf({ provider: '' }, { endpoints: [] }).provider, 'Configure a provider first (AI Studio: Open Settings).');
  });

  it('refuses names that are too long or span lines', () => {
    assert.match(errorsOf({ name: 'x'.repeat(101) }).name!, /under 100 characters \(it has 101\)/);
    assert.match(errorsOf({ name: 'two\nlines' }).name!, /fits on one line/);
  });

  it('warns, without blocking, about a name another agent has', () => {
    const result = validateAgent(form({ name: 'reviewer' }), context);
    assert.ok(result.ok);
    assert.match(result.warnings.name!, /Another agent is already called "reviewer"/);
  });

  it('names the endpoints when the provider is unknown, and only warns for one that is not set up yet', () => {
    assert.equal(errorsOf({ provider: 'mistral' }).provider, '"mistral" is not one of your provider endpoints; choose one of: anthropic, openai, azure-openai.');
    const azure = validateAgent(form({ provider: 'azure-openai' }), context);
    assert.ok(azure.ok);
    assert.match(azure.warnings.provider!, /Azure OpenAI is not set up yet/);
  });

  it('refuses model names with spaces or line breaks', () => {
    assert.match(errorsOf({ model: 'gpt 4' }).model!, /no spaces or line breaks/);
    assert.match(errorsOf({ model: 'gpt-4\n' + 'x' }).model!, /no spaces or line breaks/);
    assert.match(errorsOf({ model: 'm'.repeat(201) }).model!, /at most 200 characters/);
  });

  it('reads the temperature from 0 to 2, and says what is wrong with anything else', () => {
    for (const [typed, expected] of [['0', 0], ['0.7', 0.7], ['2', 2], ['.5', 0.5], [' 1 ', 1]] as const) {
      const result = validateAgent(form({ temperature: typed }), context);
      assert.ok(result.ok, typed);
      assert.equal(result.value.params.temperature, expected, typed);
    }
    assert.match(errorsOf({ temperature: '2.5' }).temperature!, /from 0 to 2; 2.5 is too high/);
    for (const typed of ['-1', 'warm', '1e1', '0x1', 'NaN', 'Infinity', '1,5']) {
      assert.match(errorsOf({ temperature: typed }).temperature!, /Enter a number from 0 to 2/, typed);
    }
  });

  it("warns that Anthropic stops at a temperature of 1", () => {
    const result = validateAgent(form({ provider: 'anthropic', model: 'claude-sonnet-4-5', temperature: '1.5' }), context);
    assert.ok(result.ok);
    assert.match(result.warnings.temperature!, /Anthropic accepts a temperature from 0 to 1/);
  });

  it('reads max tokens as a whole number from 1 to a million', () => {
    const result = validateAgent(form({ maxTokens: '4096' }), context);
    assert.ok(result.ok);
    assert.deepEqual(result.value.params, { maxTokens: 4096 });
    assert.match(errorsOf({ maxTokens: '0' }).maxTokens!, /at least 1 token/);
    assert.match(errorsOf({ maxTokens: '10.5' }).maxTokens!, /whole number/);
    assert.match(errorsOf({ maxTokens: '-3' }).maxTokens!, /whole number/);
    assert.match(errorsOf({ maxTokens: '1000001' }).maxTokens!, /At most 1,000,000 tokens/);
  });

  it('refuses an overlong system prompt with its length', () => {
    assert.match(errorsOf({ systemPrompt: 'x'.repeat(100_001) }).systemPrompt!, /under 100,000 characters \(it has 100,001\)/);
  });

  it('round-trips a stored configuration through the form', () => {
    const stored = { name: 'Writer', provider: 'openai', model: 'gpt-4.1', systemPrompt: 'Hi', params: { temperature: 0.3, maxTokens: 512, stop: ['END'] } };
    const typed = formFromConfig(stored);
    assert.deepEqual(typed, { name: 'Writer', provider: 'openai', model: 'gpt-4.1', systemPrompt: 'Hi', temperature: '0.3', maxTokens: '512' });
    const result = validateAgent(typed, context);
    assert.ok(result.ok);
    assert.deepEqual(mergeParams(stored.params, result.value.params), stored.params);
  });

  it('replaces the edited parameters and keeps the ones the editor does not show', () => {
    assert.deepEqual(mergeParams({ temperature: 0.3, maxTokens: 5, stop: ['END'] }, {}), { stop: ['END'] });
    assert.deepEqual(mergeParams({ stop: 'END' }, { temperature: 1 }), { stop: 'END', temperature: 1 });
  });
});
