import * as assert from 'node:assert/strict';
import { DEFAULT_MODES, defaultToolEntries, readAgentTools } from '../../../../src/core/agent/agentTools';
import { mergeTools, TOOL_CATALOG } from '../../../../src/core/agent/toolCatalog';
import { builtinTools } from '../../../../src/core/tools/builtinTools';
import type { JsonValue } from '../../../../src/db/repositories/rows';

describe('the tool catalog of the agent editor', () => {
  it('lists exactly the built-in tools, each with the category the tool itself declares', () => {
    const tools = builtinTools({ fetchAllowedHosts: () => [] });
    const byName = (list: readonly { name: string; category: string }[]) => Object.fromEntries(list.map((t) => [t.name, t.category]));
    assert.deepEqual(byName(TOOL_CATALOG), byName(tools));
    assert.equal(TOOL_CATALOG.length, tools.length, 'no tool is listed twice');
  });

  it('gives every tool a label and a one-line description of its own', () => {
    assert.equal(new Set(TOOL_CATALOG.map((t) => t.label)).size, TOOL_CATALOG.length);
    for (const tool of TOOL_CATALOG) {
      assert.ok(tool.description.length > 10 && tool.description.length <= 100 && !tool.description.includes('\n'), tool.name);
    }
  });

  it('starts a new agent with reads on Auto and edits, commands and fetch on Ask, as the loop reads it', () => {
    const entries = defaultToolEntries(TOOL_CATALOG);
    const settings = readAgentTools({ tools: mergeTools([], entries), params: {} }, () => undefined);
    assert.deepEqual(Object.fromEntries(settings.modes), {
      read_file: 'auto',
      list_files: 'auto',
      search_text: 'auto',
      get_problems: 'auto',
      read_output: 'auto',
      replace_in_file: 'ask',
      write_file: 'ask',
      run_command: 'ask',
      fetch_url: 'ask',
    });
    assert.deepEqual(DEFAULT_MODES, { read: 'auto', edit: 'ask', command: 'ask', fetch: 'ask' });
  });
});

describe('mergeTools', () => {
  const stored: JsonValue[] = [
    { mode: 'auto', name: 'read_file' },
    { name: 'github__create_issue', mode: 'ask' },
    { name: 'run_command', mode: 'ask', allow: ['git status'] },
    'garbage',
  ];

  it('keeps an unchanged entry exactly as stored, key order included, so saving it again makes no new version', () => {
    const next = mergeTools(stored, [
      { name: 'read_file', mode: 'auto' },
      { name: 'run_command', mode: 'ask', allow: ['git status'] },
    ]);
    assert.equal(JSON.stringify(next), JSON.stringify(stored));
  });

  it('replaces the tools the editor lists, drops the ones turned off, adds newly enabled ones after, and keeps the rest', () => {
    const next = mergeTools(stored, [
      { name: 'run_command', mode: 'auto', deny: ['rm'] },
      { name: 'write_file', mode: 'ask' },
    ]);
    assert.deepEqual(next, [
      { name: 'github__create_issue', mode: 'ask' },
      { name: 'run_command', mode: 'auto', deny: ['rm'] },
      'garbage',
      { name: 'write_file', mode: 'ask' },
    ]);
  });

  it('keeps one entry per listed tool when the stored list had it twice', () => {
    const next = mergeTools([{ name: 'read_file', mode: 'ask' }, { name: 'read_file', mode: 'auto' }], [{ name: 'read_file', mode: 'auto' }]);
    assert.deepEqual(next, [{ name: 'read_file', mode: 'auto' }]);
  });
});
