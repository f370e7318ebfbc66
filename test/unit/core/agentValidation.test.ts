import * as assert from 'node:assert/strict';
import { mergeTools, TOOL_CATALOG } from '../../../src/core/agent/toolCatalog';
import type { JsonObject, JsonValue } from '../../../src/db/repositories/rows';
import { formFromConfig, mergeParams, newAgentToolFields, validateAgent, type AgentForm, type ValidationContext } from '../../../src/core/agentValidation';

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
  ...newAgentToolFields(),
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
    assert.deepEqual(result.value, {
      name: 'Writer',
      provider: 'openai',
      model: 'gpt-4.1-mini',
      systemPrompt: 'You write.',
      params: {},
      tools: [
        { name: 'read_file', mode: 'auto' },
        { name: 'list_files', mode: 'auto' },
        { name: 'search_text', mode: 'auto' },
        { name: 'get_problems', mode: 'auto' },
        { name: 'read_output', mode: 'auto' },
        { name: 'replace_in_file', mode: 'ask' },
        { name: 'write_file', mode: 'ask' },
        { name: 'run_command', mode: 'ask' },
        { name: 'fetch_url', mode: 'ask' },
      ],
    });
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
    const stored = { name: 'Writer', provider: 'openai', model: 'gpt-4.1', systemPrompt: 'Hi', params: { temperature: 0.3, maxTokens: 512, stop: ['END'] }, tools: [] };
    const typed = formFromConfig(stored);
    assert.deepEqual(typed, {
      name: 'Writer',
      provider: 'openai',
      model: 'gpt-4.1',
      systemPrompt: 'Hi',
      temperature: '0.3',
      maxTokens: '512',
      tools: TOOL_CATALOG.map((t) => ({ name: t.name, mode: 'off' })),
      commandAllow: '',
      commandDeny: '',
      limitSteps: '',
      limitTokens: '',
      limitCostUsd: '',
      limitMinutes: '',
    });
    const result = validateAgent(typed, context);
    assert.ok(result.ok);
    assert.deepEqual(mergeParams(stored.params, result.value.params), stored.params);
    assert.deepEqual(result.value.tools, [], 'an agent saved before tools existed still only talks');
  });

  it('replaces the edited parameters and keeps the ones the editor does not show', () => {
    assert.deepEqual(mergeParams({ temperature: 0.3, maxTokens: 5, stop: ['END'] }, {}), { stop: ['END'] });
    assert.deepEqual(mergeParams({ stop: 'END' }, { temperature: 1 }), { stop: 'END', temperature: 1 });
  });
});

describe('agent validation: tools, rules and limits', () => {
  const withModes = (modes: Record<string, string>, changes: Partial<AgentForm> = {}): AgentForm => {
    const base = form(changes);
    return { ...base, tools: base.tools.map((t) => ({ name: t.name, mode: modes[t.name] ?? t.mode })) };
  };
  const validate = (f: AgentForm) => validateAgent(f, context);
  const errorsFor = (f: AgentForm) => {
    const result = validate(f);
    return result.ok ? {} : result.errors;
  };
  const commandEntry = (f: AgentForm) => {
    const result = validate(f);
    assert.ok(result.ok, JSON.stringify(!result.ok && result.errors));
    return result.value.tools.find((t) => t.name === 'run_command');
  };

  it('keeps the tools that are on with their mode, in the listed order, and leaves off and unlisted tools out', () => {
    const typed = withModes({ read_file: 'ask', list_files: 'off', write_file: 'off', fetch_url: 'off', run_command: 'off' });
    typed.tools = typed.tools.filter((t) => t.name !== 'search_text');
    const result = validate(typed);
    assert.ok(result.ok);
    assert.deepEqual(result.value.tools, [
      { name: 'read_file', mode: 'ask' },
      { name: 'get_problems', mode: 'auto' },
      { name: 'read_output', mode: 'auto' },
      { name: 'replace_in_file', mode: 'ask' },
    ]);
  });

  it('refuses a mode that is not Off, Ask or Auto, a tool it does not know, and a tool listed twice, on that tool', () => {
    assert.deepEqual(errorsFor(withModes({ read_file: 'sometimes' })), { 'tool:read_file': 'Choose Off, Ask or Auto for Read files (read_file).' });
    assert.deepEqual(errorsFor(withModes({ write_file: 'AUTO' })), { 'tool:write_file': 'Choose Off, Ask or Auto for Write file (write_file).' });
    const unknown = form();
    unknown.tools = [...unknown.tools, { name: 'format_disk', mode: 'auto' }];
    assert.match(errorsFor(unknown)['tool:format_disk']!, /^There is no tool called "format_disk"; the tools are read_file, list_files, .*fetch_url\.$/);
    const twice = form();
    twice.tools = [...twice.tools, { name: 'run_command', mode: 'auto' }];
    assert.deepEqual(errorsFor(twice), { 'tool:run_command': 'Run commands (run_command) is listed twice; choose its mode once.' });
  });

  it('warns, without blocking, what Auto means for commands, edits and fetch, and says nothing for reads', () => {
    const result = validate(withModes({ run_command: 'auto', write_file: 'auto', replace_in_file: 'auto', fetch_url: 'auto', read_file: 'auto' }));
    assert.ok(result.ok);
    assert.match(result.warnings['tool:run_command']!, /^Auto: every command that no deny rule matches runs without asking you first\./);
    assert.match(result.warnings['tool:run_command']!, /still ask/);
    assert.match(result.warnings['tool:write_file']!, /^Auto: write_file changes files without asking you first; .*can undo the turn\. .*\.vscode\/\*\*.* still ask\.$/);
    assert.match(result.warnings['tool:replace_in_file']!, /^Auto: replace_in_file changes files without asking/);
    assert.match(result.warnings['tool:fetch_url']!, /^Auto: pages are fetched without asking you first, and a web address can carry what the agent read/);
    assert.equal(result.warnings['tool:read_file'], undefined);
    assert.equal(validate(withModes({ run_command: 'ask', write_file: 'ask' })).warnings['tool:run_command'], undefined);
  });

  it("stores run_command's rules one per line, trimmed, blank lines left out, and no empty lists", () => {
    const entry = commandEntry(form({ commandAllow: '  git status\n\n npm test (exact) \r\n', commandDeny: 'git push\r\nrm' }));
    assert.deepEqual(entry, { name: 'run_command', mode: 'ask', allow: ['git status', 'npm test (exact)'], deny: ['git push', 'rm'] });
    assert.deepEqual(commandEntry(form({ commandAllow: '\n  \n', commandDeny: '' })), { name: 'run_command', mode: 'ask' });
  });

  it('refuses a rule that cannot be parsed, naming its line, in the list it is in', () => {
    const one = errorsFor(form({ commandAllow: "git status\ngrep 'a b\nls" }));
    assert.deepEqual(Object.keys(one), ['commandAllow']);
    assert.equal(
      one.commandAllow,
      `Line 2 is not a rule: "grep 'a b" has a quote that is not closed. Write a command and its first words, such as git status, and add (exact) to match only that command.`,
    );
    assert.match(errorsFor(form({ commandDeny: 'rm\n(exact)' })).commandDeny!, /^Line 2 is not a rule: "\(exact\)" names no command\./);
    const several = errorsFor(form({ commandDeny: 'rm\necho $(id)\n\nls | sh\nx && y' }));
    assert.match(several.commandDeny!, /^Lines 2, 4 and 5 are not rules; line 2, "echo \$\(id\)", has shell syntax in it, “\$\(”, so it would never match: a rule is the words of one command\. /);
    const long = errorsFor(form({ commandAllow: `git log ${'x'.repeat(60)} > out` }));
    assert.match(long.commandAllow!, /^Line 1 is not a rule: "git log x{51}…" has shell syntax in it, “>”/, 'a long line is shortened in the message');
  });

  it('refuses shell syntax outside quotes in a rule, which would never match a command, and accepts it quoted', () => {
    const problem = (line: string) => errorsFor(form({ commandDeny: line })).commandDeny?.match(/“(.+)”/)?.[1];
    for (const [line, syntax] of [
      ['git show > x', '>'],
      ['cat < x', '<'],
      ['a; b', ';'],
      ['make &', '&'],
      ['ls | sh', '|'],
      ['(cd x)', '('],
      ['echo `id`', '`'],
      ['echo $HOME', '$'],
      ['echo "$(id)"', '$('],
      ['git status # note', '#'],
    ]) {
      assert.equal(problem(line!), syntax, line);
    }
    const quoted = validate(form({ commandAllow: `grep '>'\necho 'a|b' "x;y" \\> c#d\nnpm test (exact)` }));
    assert.ok(quoted.ok, JSON.stringify(!quoted.ok && quoted.errors));
    assert.deepEqual(quoted.value.tools.find((t) => t.name === 'run_command')?.allow, [`grep '>'`, `echo 'a|b' "x;y" \\> c#d`, 'npm test (exact)']);
  });

  it('bounds the rules: at most 100 per list, 200 characters each', () => {
    const many = Array.from({ length: 101 }, (_, i) => `tool${i}`).join('\n');
    assert.equal(errorsFor(form({ commandAllow: many })).commandAllow, 'At most 100 rules in one list (there are 101).');
    assert.equal(errorsFor(form({ commandDeny: `ls\n${'a'.repeat(201)}` })).commandDeny, 'Line 2 has 201 characters; a rule is at most 200.');
  });

  it('while run_command is off, neither stores nor judges its rules, and says they are not kept', () => {
    const result = validate(withModes({ run_command: 'off' }, { commandAllow: 'git status\ngit show > x', commandDeny: 'rm' }));
    assert.ok(result.ok, 'an unparseable rule of a tool that is off does not block the save');
    assert.equal(result.value.tools.find((t) => t.name === 'run_command'), undefined);
    assert.equal(result.warnings['tool:run_command'], 'Off: its 3 rules are not kept when you save; choose Ask or Auto to keep them.');
    const single = validate(withModes({ run_command: 'off' }, { commandDeny: 'rm' }));
    assert.equal(single.warnings['tool:run_command'], 'Off: its rule is not kept when you save; choose Ask or Auto to keep it.');
  });

  it('warns that a rule in both lists never runs, and that allow rules change nothing in Auto', () => {
    const both = validate(form({ commandAllow: 'git status\ngit push', commandDeny: 'git  push' }));
    assert.ok(both.ok);
    assert.equal(both.warnings.commandAllow, '"git push" is also in Always deny, and a deny always wins: it never runs.');
    const auto = validate(withModes({ run_command: 'auto' }, { commandAllow: 'npm test' }));
    assert.ok(auto.ok);
    assert.equal(auto.warnings.commandAllow, 'In Auto, commands that no deny rule matches run without asking anyway; these rules matter in Ask.');
    assert.equal(validate(form({ commandAllow: 'npm test' })).warnings.commandAllow, undefined);
  });

  it('reads the limits per turn within their bounds, and leaves empty ones to the defaults', () => {
    const result = validate(form({ limitSteps: ' 10 ', limitTokens: '200000', limitCostUsd: '$0.50', limitMinutes: '30' }));
    assert.ok(result.ok);
    assert.deepEqual(result.value.params, { limits: { steps: 10, tokens: 200_000, costUsd: 0.5, minutes: 30 } });
    const partial = validate(form({ limitCostUsd: '2' }));
    assert.ok(partial.ok);
    assert.deepEqual(partial.value.params, { limits: { costUsd: 2 } });
    const none = validate(form());
    assert.ok(none.ok);
    assert.deepEqual(none.value.params, {}, 'no limits key when every limit is the default');
    for (const [steps, tokens, cost, minutes] of [['1', '1000', '0.01', '1'], ['1000', '100000000', '1000', '1440']]) {
      assert.ok(validate(form({ limitSteps: steps, limitTokens: tokens, limitCostUsd: cost, limitMinutes: minutes })).ok, `${steps} ${tokens} ${cost} ${minutes}`);
    }
  });

  it('says what is wrong with each limit: not a number of its kind, too low, too high', () => {
    const cases: [keyof AgentForm, string, string][] = [
      ['limitSteps', '2.5', 'Enter a whole number of steps (model calls), such as 25, or leave it empty for the default (25).'],
      ['limitSteps', '-1', 'Enter a whole number of steps (model calls), such as 25, or leave it empty for the default (25).'],
      ['limitSteps', '0', 'Allow at least 1 step, or leave it empty for the default (25).'],
      ['limitSteps', '1001', 'At most 1,000 steps per turn; a turn that reaches its limit can still be continued.'],
      ['limitTokens', '1,000', 'Enter a whole number of tokens, such as 500000, or leave it empty for the default (1,000,000).'],
      ['limitTokens', '1e6', 'Enter a whole number of tokens, such as 500000, or leave it empty for the default (1,000,000).'],
      ['limitTokens', '999', 'Allow at least 1,000 tokens: every step sends the conversation again, so fewer would pause the first step.'],
      ['limitTokens', '100000001', 'At most 100,000,000 tokens per turn.'],
      ['limitCostUsd', 'five', 'Enter an amount in US dollars, such as 0.50, or leave it empty for the default ($1.00).'],
      ['limitCostUsd', '-2', 'Enter an amount in US dollars, such as 0.50, or leave it empty for the default ($1.00).'],
      ['limitCostUsd', '0.001', 'Allow at least $0.01, or leave it empty for the default ($1.00).'],
      ['limitCostUsd', '1000.5', 'At most $1,000 per turn.'],
      ['limitMinutes', '1.5', 'Enter a whole number of minutes, such as 15, or leave it empty for the default (15).'],
      ['limitMinutes', '0', 'Allow at least 1 minute, or leave it empty for the default (15).'],
      ['limitMinutes', '1441', 'At most 1,440 minutes (a day) per turn.'],
    ];
    for (const [field, typed, message] of cases) {
      assert.deepEqual(errorsFor(form({ [field]: typed })), { [field]: message }, `${field} = ${typed}`);
    }
  });

  it('round-trips stored tools, rules and limits through the form, so saving again stores the same JSON', () => {
    const stored: { name: string; provider: string; model: string; systemPrompt: string; params: JsonObject; tools: JsonValue[] } = {
      name: 'Builder',
      provider: 'openai',
      model: 'gpt-4.1',
      systemPrompt: '',
      params: { limits: { tokens: 50_000, steps: 8 }, temperature: 0.1 },
      tools: [
        { name: 'read_file', mode: 'auto' },
        { name: 'run_command', mode: 'auto', allow: ['npm test (exact)'], deny: ['git push', 'rm'] },
        { name: 'mcp__notes__search', mode: 'ask' },
      ],
    };
    const typed = formFromConfig(stored);
    assert.equal(typed.commandAllow, 'npm test (exact)');
    assert.equal(typed.commandDeny, 'git push\nrm');
    assert.deepEqual([typed.limitSteps, typed.limitTokens, typed.limitCostUsd, typed.limitMinutes], ['8', '50000', '', '']);
    assert.deepEqual(
      typed.tools.filter((t) => t.mode !== 'off'),
      [{ name: 'read_file', mode: 'auto' }, { name: 'run_command', mode: 'auto' }],
    );
    const result = validateAgent(typed, context);
    assert.ok(result.ok);
    assert.equal(JSON.stringify(mergeParams(stored.params, result.value.params)), JSON.stringify(stored.params));
    assert.equal(JSON.stringify(mergeTools(stored.tools, result.value.tools)), JSON.stringify(stored.tools), 'the tool it does not list is kept too');
    const malformed = formFromConfig({ ...stored, tools: [{ name: 'write_file', mode: 'off' }, { name: 'read_file', mode: 'sometimes' }] });
    assert.ok(malformed.tools.every((t) => t.mode === 'off'), 'a malformed entry reads as off, as the agent loop reads it');
  });

  it('replaces the limits in place, and removes them when every limit is back to its default', () => {
    const previous = { stop: ['END'], limits: { steps: 5 }, temperature: 0.2 };
    assert.equal(JSON.stringify(mergeParams(previous, { temperature: 0.2, limits: { steps: 9 } })), JSON.stringify({ stop: ['END'], limits: { steps: 9 }, temperature: 0.2 }));
    assert.deepEqual(mergeParams(previous, { temperature: 0.2 }), { stop: ['END'], temperature: 0.2 });
    assert.deepEqual(mergeParams({}, { limits: { minutes: 3 }, maxTokens: 10 }), { maxTokens: 10, limits: { minutes: 3 } });
  });

  it('starts a new agent with every built-in tool at its default mode, no rules and the default limits', () => {
    const fields = newAgentToolFields();
    assert.deepEqual(
      fields.tools.map((t) => `${t.name}:${t.mode}`),
      TOOL_CATALOG.map((t) => `${t.name}:${t.category === 'read' ? 'auto' : 'ask'}`),
    );
    assert.deepEqual([fields.commandAllow, fields.commandDeny, fields.limitSteps, fields.limitTokens, fields.limitCostUsd, fields.limitMinutes], ['', '', '', '', '', '']);
  });
});
