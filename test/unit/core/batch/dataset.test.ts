import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import {
  MAX_BYTES,
  MAX_ERRORS,
  MAX_ITEMS,
  parseDataset,
  parseExpectation,
  renderTask,
  type Dataset,
  type DatasetError,
} from '../../../../src/core/batch/dataset';
import { KNOWN_TYPES_TEXT } from '../../../../src/core/batch/assertions';

// Compiled to out/test/unit/core/batch; the fixtures stay in the sources.
const FIXTURES = path.resolve(__dirname, '../../../../../test/fixtures/batch');
const fixture = (name: string) => parseDataset(name, readFileSync(path.join(FIXTURES, name), 'utf8'));

function loaded(result: ReturnType<typeof parseDataset>): Dataset {
  if (!result.ok) {
    assert.fail(`expected the dataset to load, got: ${result.errors.map((error) => error.message).join(' | ')}`);
  }
  return result.dataset;
}

function rejected(result: ReturnType<typeof parseDataset>): DatasetError[] {
  if (result.ok) {
    assert.fail('expected the dataset to be rejected');
  }
  return result.errors;
}

describe('batch datasets', () => {
  describe('JSONL', () => {
    it('reads one object per line, skips blank lines, keeps explicit ids and numbers the rest by position', () => {
      const dataset = loaded(fixture('capitals.jsonl'));
      assert.equal(dataset.format, 'jsonl');
      assert.deepEqual(
        dataset.items.map((item) => item.id),
        ['fr', 'item-2', 'item-3'],
      );
      const [france, japan, prime] = dataset.items;
      assert.equal(france?.description, 'capital of France');
      assert.deepEqual(france?.assert, [{ type: 'icontains', value: 'paris' }]);
      // A flat object: every key but id, description, assert and threshold is a var.
      assert.deepEqual(japan?.vars, { query: 'What is the capital of Japan?' });
      assert.deepEqual(japan?.assert[1], { type: 'cost', value: 0.05, weight: 0 });
      assert.deepEqual(prime?.vars, { query: 'Name a prime', meta: { level: 2 } });
      assert.equal(prime?.threshold, 0.5);
    });

    it('reports every bad line with its number, and later items keep their positions', () => {
      const [syntax, ...rest] = rejected(fixture('broken-line3.jsonl'));
      assert.equal(syntax?.line, 3);
      assert.match(syntax?.message ?? '', /^line 3: not valid JSON \(Expected double-quoted property name in JSON at position 18\b.*\)$/);
      assert.deepEqual(rest, [
        { line: 4, field: 'assert', message: 'line 4, item 4: assert must be a list of assertions, not an object' },
        { line: 5, field: 'vars', message: 'line 5, item 5: vars must be an object of name: value, not a list' },
      ]);
    });

    it('.ndjson is JSONL, and a line that is not an object is an error', () => {
      assert.deepEqual(rejected(parseDataset('set.ndjson', '{"query": "a"}\n[1, 2]\n"text"\n')), [
        { line: 2, message: 'line 2, item 2: an item must be an object, not a list' },
        { line: 3, message: 'line 3, item 3: an item must be an object, not a string' },
      ]);
    });
  });

  describe('CSV', () => {
    it('turns __expected columns into promptfoo assertions and the other columns into vars', () => {
      const dataset = loaded(fixture('capitals.csv'));
      assert.equal(dataset.format, 'csv');
      assert.equal(dataset.items.length, 4, 'the blank line is skipped');
      const [france, japan, peru, chile] = dataset.items;
      assert.deepEqual(france, {
        id: 'item-1',
        description: 'France',
        vars: { question: 'What is the capital of {{country}}?', country: 'France' },
        assert: [
          { type: 'contains', value: 'Paris' },
          { type: 'not-icontains', value: 'london' },
          { type: 'latency', value: 5000 },
        ],
      });
      assert.deepEqual(japan?.assert, [{ type: 'equals', value: 'Tokyo' }], 'a plain cell is equals; empty cells add nothing');
      assert.equal(japan?.description, undefined);
      assert.equal(peru?.vars.question, 'Reply with JSON, about\ntwo lines');
      assert.deepEqual(peru?.assert, [
        { type: 'is-json' },
        { type: 'contains-all', value: ['Lima', 'Peru'] },
        { type: 'trajectory:tool-sequence', value: ['search'] },
      ]);
      assert.deepEqual(chile?.assert, [
        { type: 'trajectory:tool-used', value: ['search'] },
        { type: 'javascript', value: 'output.length > 3' },
        { type: 'llm-rubric', value: 'mentions Santiago' },
      ]);
    });

    it('names the row and line whose column count differs from the header', () => {
      assert.deepEqual(rejected(fixture('ragged.csv')), [
        { line: 4, message: 'line 4 (row 3): column count differs from the header (3 values, the header has 2 columns)' },
      ]);
    });

    it('reads promptfoo expectation cells', () => {
      const cases: [string, unknown][] = [
        ['Paris', { type: 'equals', value: 'Paris' }],
        ['Answer: 42', { type: 'equals', value: 'Answer: 42' }],
        ['contains:foo:bar', { type: 'contains', value: 'foo:bar' }],
        ['icontains:Foo', { type: 'icontains', value: 'Foo' }],
        ['contains-any:a, b,c', { type: 'contains-any', value: ['a', 'b', 'c'] }],
        ['not-icontains-all:x,y', { type: 'not-icontains-all', value: ['x', 'y'] }],
        ['starts-with:Dear', { type: 'starts-with', value: 'Dear' }],
        ['regex:^a', { type: 'regex', value: '^a' }],
        ['is-json', { type: 'is-json' }],
        ['is-json:{"type":"object"}', { type: 'is-json', value: { type: 'object' } }],
        ['not-is-json', { type: 'not-is-json' }],
        ['javascript:output.length > 1', { type: 'javascript', value: 'output.length > 1' }],
        ['fn:output === "x"', { type: 'javascript', value: 'output === "x"' }],
        ['llm-rubric:is polite', { type: 'llm-rubric', value: 'is polite' }],
        ['grade:is polite', { type: 'llm-rubric', value: 'is polite' }],
        ['not-contains:sorry', { type: 'not-contains', value: 'sorry' }],
        ['cost:0.01', { type: 'cost', value: 0.01 }],
        ['trajectory:step-count:5', { type: 'trajectory:step-count', value: 5 }],
        ['trajectory:step-count:{"min":2}', { type: 'trajectory:step-count', value: { min: 2 } }],
        ['latency:soon', 'latency needs the most it may take, in ms (a non-negative number)'],
        ['regex:', 'regex needs a pattern (a non-empty string)'],
        ['not-cost:1', { type: 'equals', value: 'not-cost:1' }],
      ];
      for (const [cell, expected] of cases) {
        assert.deepEqual(parseExpectation(cell), expected, cell);
      }
      const unknown = parseExpectation('similar:close enough');
      assert.ok(typeof unknown === 'string' && unknown.startsWith('unknown assertion type "similar"; known types: equals, contains,'), JSON.stringify(unknown));
    });

    it('rejects bad cells and headers with the row, the column and what to write instead', () => {
      const errors = rejected(parseDataset('set.csv', 'query,__expected,__expected2\nhi,similar:hello,latency:-\nok,,\n'));
      assert.equal(errors.length, 2);
      assert.equal(errors[0]?.line, 2);
      assert.match(errors[0]?.message ?? '', /^line 2 \(row 1\), __expected: unknown assertion type "similar"; known types: /);
      assert.deepEqual(errors[1], { line: 2, field: '__expected2', message: 'line 2 (row 1), __expected2: latency needs the most it may take, in ms (a non-negative number)' });

      assert.deepEqual(rejected(parseDataset('set.csv', 'query,query,__prefix\na,b,c\n')), [
        { line: 1, field: 'query', message: 'line 1: the header names column "query" twice' },
        { line: 1, field: '__prefix', message: 'line 1: unknown column "__prefix"; the special columns are __expected, __expected1.., __description, __id, __threshold' },
      ]);
      assert.deepEqual(rejected(parseDataset('set.csv', '')), [{ line: 1, message: 'line 1: the file is empty; a CSV dataset needs a header row and at least one row' }]);
      assert.deepEqual(rejected(parseDataset('set.csv', 'query\n"never closed\n')), [
        { line: 2, message: 'line 2: not valid CSV (Quote Not Closed: the parsing is finished with an opening quote)' },
      ]);
    });

    it('reads a byte-order mark, __id and __threshold', () => {
      const dataset = loaded(parseDataset('set.csv', '\uFEFFquery,__id,__threshold\nhi,greet,0.5\n'));
      assert.deepEqual(dataset.items, [{ id: 'greet', vars: { query: 'hi' }, assert: [], threshold: 0.5 }]);
      const errors = rejected(parseDataset('set.csv', 'query,__threshold\nhi,half\n'));
      assert.deepEqual(errors, [{ line: 2, field: '__threshold', message: 'line 2 (row 1): __threshold must be a number from 0 to 1, not "half"' }]);
    });
  });

  describe('YAML and JSON', () => {
    it('reads a promptfoo file: its tests are the items, its one prompt is the task template, its providers are ignored', () => {
      const dataset = loaded(fixture('promptfoo.yaml'));
      assert.equal(dataset.format, 'yaml');
      assert.equal(dataset.prompt, 'Answer: {{question}}');
      assert.deepEqual(
        dataset.items.map((item) => item.id),
        ['item-1', 'shape', 'item-3'],
      );
      const [france, shape, flat] = dataset.items;
      assert.equal(france?.description, 'France');
      assert.deepEqual(france?.assert[1], { type: 'llm-rubric', value: 'names Paris and nothing else', weight: 2, threshold: 0.7, metric: 'accuracy' });
      assert.deepEqual(shape?.vars.schema_hint, { type: 'object' });
      assert.equal(shape?.threshold, 0.75);
      assert.deepEqual(shape?.assert[1], { type: 'trajectory:step-count', value: { min: 1, max: 4 } });
      assert.deepEqual(flat, { id: 'item-3', vars: { question: 'Flat item, no vars key', expected: 'Lima' }, assert: [] });
    });

    it('takes prompts as one text or a list of one, and refuses several prompts or a non-text one on their line', () => {
      assert.equal(loaded(parseDataset('set.yaml', 'prompts: "Q: {{q}}"\ntests:\n  - q: 1\n')).prompt, 'Q: {{q}}');
      assert.equal(loaded(parseDataset('set.json', JSON.stringify({ prompts: ['Q: {{q}}'], tests: [{ q: 1 }] }))).prompt, 'Q: {{q}}');
      assert.equal(loaded(parseDataset('set.yaml', '- q: 1\n')).prompt, undefined, 'a plain list has no prompt');
      assert.deepEqual(rejected(parseDataset('set.yaml', 'tests:\n  - q: 1\nprompts:\n  - "A {{q}}"\n  - "B {{q}}"\n')), [
        { line: 4, field: 'prompts', message: 'line 4: prompts has 2 prompts; a batch takes one (compare agents as columns instead)' },
      ]);
      assert.deepEqual(rejected(parseDataset('set.yaml', 'prompts:\n  - file://prompt.txt\n  - 3\ntests: []\n'))[0]?.field, 'prompts');
      assert.deepEqual(rejected(parseDataset('set.yaml', 'prompts: {raw: x}\ntests:\n  - q: 1\n')), [
        { line: 1, field: 'prompts', message: 'line 1: prompts must be one prompt text (file:// references are not supported)' },
      ]);
    });

    it("merges promptfoo's defaultTest into every test: the test's vars and threshold win, the default assertions come first", () => {
      const dataset = loaded(fixture('promptfoo-default.yaml'));
      const defaults = [
        { type: 'cost', value: 0.05, weight: 0 },
        { type: 'not-icontains', value: 'as an AI' },
      ];
      assert.deepEqual(dataset.items, [
        {
          id: 'item-1',
          description: 'France',
          vars: { system: 'Answer in one word.', language: 'English', question: 'What is the capital of France?' },
          assert: [...defaults, { type: 'icontains', value: 'paris' }],
          threshold: 0.8,
        },
        {
          id: 'item-2',
          description: 'overrides',
          vars: { system: 'Answer in one word.', language: 'French', question: 'Quelle est la capitale du Japon ?' },
          assert: defaults,
          threshold: 0.5,
        },
        { id: 'item-3', vars: { system: 'Answer in one word.', language: 'English', question: 'Flat item, no vars key' }, assert: defaults, threshold: 0.8 },
      ]);
      const json = JSON.stringify({ defaultTest: { vars: { tone: 'dry' } }, tests: [{ vars: { q: 'a' } }] });
      assert.deepEqual(loaded(parseDataset('set.json', json)).items, [{ id: 'item-1', vars: { tone: 'dry', q: 'a' }, assert: [] }]);
    });

    it('reports a bad defaultTest on its line, together with the errors of the tests', () => {
      const text = [
        'defaultTest:',
        '  vars: [a, b]',
        '  options:',
        '    provider: openai:gpt-4o',
        '  assert:',
        '    - type: similar',
        '      value: x',
        'tests:',
        '  - q: 1',
        '    threshold: 3',
      ].join('\n');
      assert.deepEqual(rejected(parseDataset('set.yaml', text)), [
        // The line of the key's value, as for an item's unknown key.
        { line: 4, field: 'defaultTest.options', message: 'line 4, defaultTest: unknown key "options"; this runner takes only vars, assert, threshold from defaultTest' },
        { line: 2, field: 'defaultTest.vars', message: 'line 2, defaultTest: vars must be an object of name: value, not a list' },
        {
          line: 6,
          field: 'defaultTest.assert[0].type',
          message: `line 6, defaultTest: assert[0]: unknown assertion type "similar"; known types: ${KNOWN_TYPES_TEXT}`,
        },
        { line: 10, field: 'threshold', message: 'line 10, item 1: threshold must be a number from 0 to 1, not 3' },
      ]);
      assert.deepEqual(rejected(parseDataset('set.yaml', 'defaultTest: file://defaults.yaml\ntests:\n  - q: 1\n')), [
        {
          line: 1,
          field: 'defaultTest',
          message: 'line 1, defaultTest: defaultTest must be an object with vars, assert, threshold, not a string (file:// references are not supported)',
        },
      ]);
    });

    it('names the item, the line and the known types for an unknown assertion type, and reports the other errors too', () => {
      const errors = rejected(fixture('unknown-type.yaml'));
      assert.equal(errors.length, 2);
      assert.deepEqual(
        errors.map((error) => [error.line, error.field]),
        [
          [13, 'assert[1].type'],
          [17, 'assert[2].weight'],
        ],
      );
      assert.equal(
        errors[0]?.message,
        'line 13, item 2 ("fuzzy"): assert[1]: unknown assertion type "similar"; known types: equals, contains, icontains, contains-any, contains-all, ' +
          'icontains-any, icontains-all, starts-with, regex, is-json, llm-rubric, javascript, cost, latency, trajectory:tool-used, ' +
          'trajectory:tool-sequence, trajectory:step-count (each but cost and latency also as not-<type>)',
      );
      assert.equal(errors[1]?.message, 'line 17, item 2 ("fuzzy"): assert[2]: weight must be a non-negative number, not -1');
    });

    it('reports YAML syntax errors with their line', () => {
      assert.deepEqual(rejected(parseDataset('set.yml', '- query: a\n- query: [b\n- query: c\n')), [
        { line: 3, message: 'line 3: not valid YAML (Flow sequence in block collection must be sufficiently indented and end with a ])' },
      ]);
      assert.deepEqual(rejected(parseDataset('set.yaml', '- query: a\n  query: b\n')), [{ line: 2, message: 'line 2: not valid YAML (Map keys must be unique)' }]);
    });

    it('reads a JSON array and finds the line of a bad item although JSON.parse keeps no positions', () => {
      const text = ['[', '  {"query": "a"},', '  {"query": "b",', '   "assert": [{"type": "contains", "value": "b", "weight": "heavy"}]}', ']'].join('\n');
      assert.deepEqual(rejected(parseDataset('set.json', text)), [
        { line: 4, field: 'assert[0].weight', message: 'line 4, item 2: assert[0]: weight must be a non-negative number, not "heavy"' },
      ]);
      assert.equal(loaded(parseDataset('set.json', '[{"query": "a"}, {"id": 7, "vars": {"n": null}}]')).items[1]?.id, '7');
    });

    it('reports a JSON syntax error on its line', () => {
      const errors = rejected(parseDataset('set.json', '[\n  {"query": "a"},\n  {"query": "b",}\n]'));
      assert.equal(errors.length, 1);
      assert.equal(errors[0]?.line, 3);
      // V8's own words follow (Node 22 adds "(line 3 column 17)"), so only our part is compared exactly.
      assert.match(errors[0]?.message ?? '', /^line 3: not valid JSON \(Expected double-quoted property name in JSON at position 36\b.*\)$/);
    });

    it('rejects wrong types: vars, assert, description, thresholds, unknown keys, and a top level that is not a list', () => {
      const items = [
        { vars: 'query=a' },
        { query: 'b', assert: 'contains:b' },
        { query: 'c', description: 3 },
        { query: 'd', threshold: 2 },
        { vars: { query: 'e' }, asserts: [] },
        { query: 'f', assert: [{ type: 'contains', value: 'f', threshold: 0.5 }] },
        { query: 'g', assert: [{ type: 'llm-rubric', value: 'good', threshold: 'high' }] },
        { query: 'h', assert: [{ type: 'contains' }, 'equals', { type: 'not-cost', value: 1 }] },
      ];
      const messages = rejected(parseDataset('set.json', JSON.stringify(items, null, 1))).map((error) => error.message.replace(/^line \d+, /, ''));
      assert.deepEqual(messages, [
        'item 1: vars must be an object of name: value, not a string',
        'item 2: assert must be a list of assertions, not a string',
        'item 3: description must be a string, not a number',
        'item 4: threshold must be a number from 0 to 1, not 2',
        'item 5: unknown key "asserts"; an item with vars has only id, description, vars, assert, threshold',
        'item 6: assert[0]: threshold applies only to llm-rubric and javascript, not contains',
        'item 7: assert[0]: threshold must be a number from 0 to 1, not "high"',
        'item 8: assert[0]: contains needs a text value',
        'item 8: assert[1]: an assertion must be an object with a type, not a string',
        `item 8: assert[2]: unknown assertion type "not-cost"; known types: equals, contains, icontains, contains-any, contains-all, icontains-any, icontains-all, starts-with, regex, is-json, llm-rubric, javascript, cost, latency, trajectory:tool-used, trajectory:tool-sequence, trajectory:step-count (each but cost and latency also as not-<type>)`,
      ]);
      assert.deepEqual(rejected(parseDataset('set.json', '{"query": "a"}')), [{ line: 1, message: 'line 1: expected a list of items' }]);
      assert.deepEqual(rejected(parseDataset('set.yaml', 'tests: file://tests.csv\n')), [
        { line: 1, field: 'tests', message: 'line 1: tests must be a list of items (file:// references are not supported)' },
      ]);
    });

    it('rejects two items with the same id', () => {
      assert.deepEqual(rejected(parseDataset('set.jsonl', '{"id": "a", "q": 1}\n{"q": 2}\n{"id": "item-2", "q": 3}\n')), [
        { line: 0, field: 'id', message: 'items 2 and 3 have the same id "item-2"; ids must be unique so results can be compared between runs' },
      ]);
    });
  });

  describe('limits', () => {
    it('takes up to 10,000 items and refuses more, naming the cap', () => {
      const lines = (n: number) => Array.from({ length: n }, (_, i) => `{"query": "q${i}"}`).join('\n');
      assert.equal(loaded(parseDataset('big.jsonl', lines(MAX_ITEMS))).items.length, 10_000);
      assert.deepEqual(rejected(parseDataset('big.jsonl', lines(MAX_ITEMS + 1))), [
        { line: 0, message: 'the dataset has 10,001 items; a run takes at most 10,000. Split it into smaller files.' },
      ]);
      const csv = `query\n${Array.from({ length: MAX_ITEMS + 1 }, (_, i) => `q${i}`).join('\n')}\n`;
      assert.match(rejected(parseDataset('big.csv', csv))[0]?.message ?? '', /^the dataset has 10,001 items; a run takes at most 10,000/);
      const yaml = `tests:\n${Array.from({ length: MAX_ITEMS + 1 }, (_, i) => `  - q: ${i}`).join('\n')}\n`;
      assert.match(rejected(parseDataset('big.yaml', yaml))[0]?.message ?? '', /^the dataset has 10,001 items/);
    });

    it('refuses more than 20 MB of text, counted in UTF-8 bytes', () => {
      const ascii = 'x'.repeat(MAX_BYTES + 1);
      assert.deepEqual(rejected(parseDataset('big.jsonl', ascii)), [
        { line: 0, message: 'the file is 20.0 MB; a dataset may be at most 20.0 MB (20 MB). Split it into smaller files.' },
      ]);
      // 11 million "é" are 11 million characters but 22 million bytes.
      const accented = `{"query": "${'é'.repeat(11_000_000)}"}`;
      assert.match(rejected(parseDataset('big.jsonl', accented))[0]?.message ?? '', /^the file is 21\.0 MB; a dataset may be at most 20\.0 MB/);
    });

    it('collects the first 50 errors, not only the first', () => {
      const text = Array.from({ length: 80 }, () => '{broken').join('\n');
      const errors = rejected(parseDataset('bad.jsonl', text));
      assert.equal(errors.length, MAX_ERRORS);
      assert.equal(errors[0]?.line, 1);
      assert.equal(errors[49]?.line, 50);
    });

    it('rejects a file that is not a dataset format', () => {
      assert.deepEqual(rejected(parseDataset('notes.txt', 'hello')), [{ line: 0, message: 'notes.txt: a dataset is a .jsonl, .ndjson, .csv, .json, .yaml or .yml file' }]);
    });
  });

  describe('the task', () => {
    it('fills {{name}} placeholders, spaces allowed, objects as JSON', () => {
      assert.deepEqual(renderTask('Capital of {{country}}? Context: {{ ctx }} n={{n}}', { country: 'France', ctx: { a: [1] }, n: 3 }), {
        ok: true,
        task: 'Capital of France? Context: {"a":[1]} n=3',
      });
    });

    it('is an error, listing them, when the item lacks vars the template names', () => {
      assert.deepEqual(renderTask('{{a}} {{b}} {{ c }} {{a}}', { b: '' }), { ok: false, error: 'the template needs vars a, c, which this item does not have' });
      assert.deepEqual(renderTask('{{a}}', {}), { ok: false, error: 'the template needs var a, which this item does not have' });
      assert.deepEqual(renderTask('{{ a | upper }}', { a: 'x' }), { ok: false, error: 'the template uses {{ a | upper }}; only {{name}} placeholders are replaced' });
    });

    it('without a template, is the first of query, prompt, input, question, task', () => {
      assert.deepEqual(renderTask(undefined, { question: 'Q', input: 'I', other: 'O' }), { ok: true, task: 'I' });
      assert.deepEqual(renderTask(undefined, { query: '', task: { steps: 2 } }), { ok: true, task: '{"steps":2}' });
      assert.deepEqual(renderTask(undefined, { text: 'hi' }), {
        ok: false,
        error: 'no task: without a prompt template the task is the var query, prompt, input, question, task (the first present), and this item has none of them',
      });
    });
  });
});
