import { parse as parseCsv } from 'csv-parse/sync';
import { LineCounter, parseDocument, type Document } from 'yaml';
import {
  ASSERTION_TYPES,
  checkAssertionValue,
  errorText,
  isAssertionType,
  KNOWN_TYPES_TEXT,
  takesThreshold,
  type Assertion,
  type AssertionType,
  type VarValue,
  type Vars,
} from './assertions';

/**
 * A batch run's dataset, from the text of a .jsonl/.ndjson, .csv, .json or .yaml/.yml file, in promptfoo's shapes:
 *
 * - JSON, JSONL and YAML items are `{ id?, description?, vars, assert?, threshold? }`, or flat objects whose keys
 *   other than id, description, assert and threshold are the vars. YAML (and JSON) may also be a promptfoo file,
 *   `{ tests: [...] }`; its other top-level keys (prompts, providers) are the run's business, not the dataset's.
 *   Its `defaultTest` (vars, assert, threshold) is merged into every test, as promptfoo does.
 * - CSV has a header row; `__expected`, `__expected1`.. are assertions written as promptfoo does (`contains:foo`,
 *   `regex:^a`, `is-json`, `not-icontains:bar`; anything else is an `equals`), `__description` names the item,
 *   `__id` and `__threshold` set those, and every other column is a var (a string).
 *
 * Item ids are stable: an explicit id, or `item-N` from the item's position (the data row, for CSV).
 *
 * Errors are collected (up to MAX_ERRORS) rather than stopping at the first, each with the 1-based line where the
 * problem is (0 where no line can be known) and a message that says where and what to change.
 */

export interface DatasetItem {
  id: string;
  description?: string;
  vars: Vars;
  assert: Assertion[];
  /** promptfoo's item threshold: the item passes when its weighted score reaches this, instead of all passing. */
  threshold?: number;
}

export type DatasetFormat = 'jsonl' | 'csv' | 'json' | 'yaml';

export interface Dataset {
  format: DatasetFormat;
  items: DatasetItem[];
  /** A promptfoo file's one prompt (`prompts: [...]`): the task template, `{{var}}` filled from each item. */
  prompt?: string;
}

export interface DatasetError {
  line: number;
  field?: string;
  message: string;
}

export type ParsedDataset = { ok: true; dataset: Dataset } | { ok: false; errors: DatasetError[] };

export const MAX_ITEMS = 10_000;
export const MAX_BYTES = 20 * 1024 * 1024;
export const MAX_ERRORS = 50;

const FORMATS: Record<string, DatasetFormat> = { jsonl: 'jsonl', ndjson: 'jsonl', csv: 'csv', json: 'json', yaml: 'yaml', yml: 'yaml' };

export function parseDataset(fileName: string, text: string): ParsedDataset {
  const extension = /\.([^./\\]+)$/.exec(fileName)?.[1]?.toLowerCase() ?? '';
  const format = FORMATS[extension];
  if (format === undefined) {
    return fail(0, `${fileName}: a dataset is a .jsonl, .ndjson, .csv, .json, .yaml or .yml file`);
  }
  const bytes = utf8Length(text);
  if (bytes > MAX_BYTES) {
    return fail(0, `the file is ${mb(bytes)}; a dataset may be at most ${mb(MAX_BYTES)} (20 MB). Split it into smaller files.`);
  }
  const problems = new Problems();
  const parsed =
    format === 'jsonl' ? { items: parseJsonl(text, problems) } : format === 'csv' ? { items: parseCsvRows(text, problems) } : parseDocumentItems(text, format, problems);
  const items = parsed?.items;
  if (problems.list.length > 0 || items === undefined) {
    return { ok: false, errors: problems.list };
  }
  checkIds(items, problems);
  const prompt = parsed?.prompt;
  return problems.list.length > 0 ? { ok: false, errors: problems.list } : { ok: true, dataset: { format, items, ...(prompt !== undefined ? { prompt } : {}) } };
}

function fail(line: number, message: string): ParsedDataset {
  return { ok: false, errors: [{ line, message }] };
}

class Problems {
  readonly list: DatasetError[] = [];

  get full(): boolean {
    return this.list.length >= MAX_ERRORS;
  }

  add(line: number, message: string, field?: string): void {
    if (!this.full) {
      this.list.push({ line, ...(field !== undefined ? { field } : {}), message });
    }
  }
}

const tooMany = (count: number) =>
  `the dataset has ${count.toLocaleString('en-US')} items; a run takes at most ${MAX_ITEMS.toLocaleString('en-US')}. Split it into smaller files.`;

// ---------------------------------------------------------------------------------------------------- JSONL

function parseJsonl(text: string, problems: Problems): DatasetItem[] | undefined {
  const lines = text.split(/\r?\n/);
  const filled = lines.filter((line) => line.trim() !== '').length;
  if (filled > MAX_ITEMS) {
    problems.add(0, tooMany(filled));
    return undefined;
  }
  const items: DatasetItem[] = [];
  for (const [index, raw] of lines.entries()) {
    if (problems.full) {
      break;
    }
    const line = index + 1;
    if (raw.trim() === '') {
      continue;
    }
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch (err) {
      problems.add(line, `line ${line}: not valid JSON (${errorText(err)})`);
      items.push(placeholder(items.length));
      continue;
    }
    items.push(normalizeItem(value, items.length, () => line, problems) ?? placeholder(items.length));
  }
  return items;
}

/** Keeps the positions of later items (and so their ids) when an earlier one was rejected. */
const placeholder = (index: number): DatasetItem => ({ id: `item-${index + 1}`, vars: {}, assert: [] });

// ---------------------------------------------------------------------------------------------------- JSON, YAML

type Path = (string | number)[];
type Locate = (path: Path) => number;

interface DocumentItems {
  items: DatasetItem[] | undefined;
  prompt?: string;
}

function parseDocumentItems(text: string, format: 'json' | 'yaml', problems: Problems): DocumentItems | undefined {
  let value: unknown;
  let locate: Locate;
  if (format === 'json') {
    try {
      value = JSON.parse(text);
    } catch (err) {
      const message = errorText(err);
      const position = /at position (\d+)/.exec(message)?.[1];
      const line = position !== undefined ? lineAt(text, Number(position)) : 0;
      problems.add(line, `${line > 0 ? `line ${line}: ` : ''}not valid JSON (${message})`);
      return undefined;
    }
    // Lines are found only when an item has a problem: JSON.parse keeps no positions, a YAML parse (JSON is YAML) does.
    locate = lazyLocator(text);
  } else {
    const lineCounter = new LineCounter();
    const doc = parseDocument(text, { lineCounter, uniqueKeys: true });
    for (const error of doc.errors) {
      const line = error.linePos?.[0].line ?? 0;
      const what = (error.message.split('\n')[0] ?? '').replace(/ at line \d+, column \d+:?$/, '');
      problems.add(line, `line ${line}: not valid YAML (${what})`);
    }
    if (doc.errors.length > 0) {
      return undefined;
    }
    try {
      value = doc.toJS(); // at most 100 alias expansions (the default), against alias bombs
    } catch (err) {
      problems.add(0, `the YAML cannot be read: ${errorText(err)}`);
      return undefined;
    }
    locate = locator(doc, lineCounter);
  }
  let list: unknown[];
  let base: Path;
  let defaults: DefaultTest | undefined;
  let prompt: string | undefined;
  if (Array.isArray(value)) {
    list = value;
    base = [];
  } else if (isPlainObject(value) && 'tests' in value) {
    if (!Array.isArray(value.tests)) {
      problems.add(locate(['tests']), `line ${locate(['tests'])}: tests must be a list of items (file:// references are not supported)`, 'tests');
      return undefined;
    }
    if (value.defaultTest !== undefined) {
      // Checked before the tests, and the tests are checked too, so one pass reports both.
      defaults = normalizeDefaultTest(value.defaultTest, (path) => locate(['defaultTest', ...path]), problems);
    }
    if (value.prompts !== undefined) {
      prompt = readPrompt(value.prompts, locate(['prompts']), problems);
    }
    list = value.tests;
    base = ['tests'];
  } else {
    problems.add(1, `line 1: expected a list of items${format === 'yaml' ? ', or a promptfoo file with tests: [...]' : ''}`);
    return undefined;
  }
  if (list.length > MAX_ITEMS) {
    problems.add(0, tooMany(list.length));
    return undefined;
  }
  const items: DatasetItem[] = [];
  for (const [index, raw] of list.entries()) {
    if (problems.full) {
      break;
    }
    items.push(normalizeItem(raw, index, (path) => locate([...base, index, ...path]), problems) ?? placeholder(index));
  }
  return { items: defaults === undefined ? items : items.map((item) => withDefaults(item, defaults)), ...(prompt !== undefined ? { prompt } : {}) };
}

/**
 * promptfoo's `prompts`: one template, as a string or a list of one. Several prompts would be several columns in
 * promptfoo; here a column is an agent, so more than one is refused rather than silently dropping the others.
 */
function readPrompt(raw: unknown, line: number, problems: Problems): string | undefined {
  const list = Array.isArray(raw) ? raw : [raw];
  const at = line > 0 ? `line ${line}: ` : '';
  if (list.length !== 1 || typeof list[0] !== 'string' || list[0].trim() === '') {
    const why = list.length > 1 ? `has ${list.length} prompts; a batch takes one (compare agents as columns instead)` : 'must be one prompt text (file:// references are not supported)';
    problems.add(line, `${at}prompts ${why}`, 'prompts');
    return undefined;
  }
  return list[0];
}

function locator(doc: Document, lineCounter: LineCounter): Locate {
  return (path) => {
    // The deepest node of the path that exists: a missing field is reported on its item.
    for (let depth = path.length; depth >= 0; depth--) {
      const node: unknown = depth === 0 ? doc.contents : doc.getIn(path.slice(0, depth), true);
      const range = (node as { range?: [number, number, number] } | undefined)?.range;
      if (range) {
        return lineCounter.linePos(range[0]).line;
      }
    }
    return 0;
  };
}

function lazyLocator(text: string): Locate {
  let locate: Locate | undefined;
  return (path) => {
    if (locate === undefined) {
      const lineCounter = new LineCounter();
      const doc = parseDocument(text, { lineCounter, uniqueKeys: false });
      locate = doc.errors.length > 0 ? () => 0 : locator(doc, lineCounter);
    }
    return locate(path);
  };
}

function lineAt(text: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
    }
  }
  return line;
}

// ---------------------------------------------------------------------------------------------------- items

const ITEM_KEYS = ['id', 'description', 'vars', 'assert', 'threshold'];
const ASSERTION_KEYS = ['type', 'value', 'weight', 'threshold', 'metric'];

/** One item from a JSON value; undefined (with its problems added) when it cannot be used. */
function normalizeItem(raw: unknown, index: number, locate: Locate, problems: Problems): DatasetItem | undefined {
  let label = `item ${index + 1}`;
  const report = (path: Path, message: string) => {
    const line = locate(path);
    problems.add(line, `${line > 0 ? `line ${line}, ` : ''}${label}: ${message}`, path.length > 0 ? fieldName(path) : undefined);
  };
  if (!isPlainObject(raw)) {
    report([], `an item must be an object, not ${kindOf(raw)}`);
    return undefined;
  }
  const before = problems.list.length;
  let id = `item-${index + 1}`;
  if (raw.id !== undefined) {
    if ((typeof raw.id === 'string' && raw.id.trim() !== '') || (typeof raw.id === 'number' && Number.isFinite(raw.id))) {
      id = String(raw.id);
      label = `item ${index + 1} ("${id}")`;
    } else {
      report(['id'], `id must be a non-empty string or a number, not ${kindOf(raw.id)}`);
    }
  }
  let description: string | undefined;
  if (raw.description !== undefined) {
    if (typeof raw.description === 'string') {
      description = raw.description;
    } else {
      report(['description'], `description must be a string, not ${kindOf(raw.description)}`);
    }
  }
  let vars: Vars = {};
  if ('vars' in raw) {
    for (const key of Object.keys(raw).filter((key) => !ITEM_KEYS.includes(key))) {
      report([key], `unknown key "${key}"; an item with vars has only ${ITEM_KEYS.join(', ')}`);
    }
    if (isPlainObject(raw.vars)) {
      vars = raw.vars as Vars;
    } else {
      report(['vars'], `vars must be an object of name: value, not ${kindOf(raw.vars)}`);
    }
  } else {
    vars = Object.fromEntries(Object.entries(raw).filter(([key]) => !ITEM_KEYS.includes(key))) as Record<string, VarValue>;
  }
  for (const [name, value] of Object.entries(vars)) {
    if (value === undefined) {
      report(['vars', name], `var "${name}" has no value`);
    }
  }
  let threshold: number | undefined;
  if (raw.threshold !== undefined) {
    if (isScore(raw.threshold)) {
      threshold = raw.threshold;
    } else {
      report(['threshold'], `threshold must be a number from 0 to 1, not ${show(raw.threshold)}`);
    }
  }
  const assert: Assertion[] = [];
  if (raw.assert !== undefined) {
    if (!Array.isArray(raw.assert)) {
      report(['assert'], `assert must be a list of assertions, not ${kindOf(raw.assert)}`);
    } else {
      for (const [n, entry] of raw.assert.entries()) {
        const assertion = normalizeAssertion(entry, (path, message) => report(['assert', n, ...path], `assert[${n}]: ${message}`));
        if (assertion) {
          assert.push(assertion);
        }
      }
    }
  }
  if (problems.list.length > before) {
    return undefined;
  }
  return { id, ...(description !== undefined ? { description } : {}), vars, assert, ...(threshold !== undefined ? { threshold } : {}) };
}

/** promptfoo's `defaultTest`: what every test of the file starts from. */
interface DefaultTest {
  vars: Vars;
  assert: Assertion[];
  threshold?: number;
}

const DEFAULT_TEST_KEYS = ['vars', 'assert', 'threshold'];

function normalizeDefaultTest(raw: unknown, locate: Locate, problems: Problems): DefaultTest | undefined {
  const report = (path: Path, message: string) => {
    const line = locate(path);
    problems.add(line, `${line > 0 ? `line ${line}, ` : ''}defaultTest: ${message}`, fieldName(['defaultTest', ...path]));
  };
  if (!isPlainObject(raw)) {
    report([], `defaultTest must be an object with ${DEFAULT_TEST_KEYS.join(', ')}, not ${kindOf(raw)} (file:// references are not supported)`);
    return undefined;
  }
  const before = problems.list.length;
  for (const key of Object.keys(raw).filter((key) => !DEFAULT_TEST_KEYS.includes(key))) {
    // Options such as a grading provider would change verdicts; ignoring them silently would grade differently from promptfoo.
    report([key], `unknown key "${key}"; this runner takes only ${DEFAULT_TEST_KEYS.join(', ')} from defaultTest`);
  }
  if (raw.vars !== undefined && !isPlainObject(raw.vars)) {
    report(['vars'], `vars must be an object of name: value, not ${kindOf(raw.vars)}`);
  }
  if (raw.threshold !== undefined && !isScore(raw.threshold)) {
    report(['threshold'], `threshold must be a number from 0 to 1, not ${show(raw.threshold)}`);
  }
  const assert: Assertion[] = [];
  if (raw.assert !== undefined && !Array.isArray(raw.assert)) {
    report(['assert'], `assert must be a list of assertions, not ${kindOf(raw.assert)}`);
  } else {
    for (const [n, entry] of (raw.assert ?? []).entries()) {
      const assertion = normalizeAssertion(entry, (path, message) => report(['assert', n, ...path], `assert[${n}]: ${message}`));
      if (assertion) {
        assert.push(assertion);
      }
    }
  }
  if (problems.list.length > before) {
    return undefined;
  }
  const vars = isPlainObject(raw.vars) ? (raw.vars as Vars) : {};
  return { vars, assert, ...(isScore(raw.threshold) ? { threshold: raw.threshold } : {}) };
}

/** As promptfoo merges: the test's vars win, the default assertions come first, the test's threshold wins. */
function withDefaults(item: DatasetItem, defaults: DefaultTest): DatasetItem {
  const threshold = item.threshold ?? defaults.threshold;
  return {
    ...item,
    vars: { ...defaults.vars, ...item.vars },
    assert: [...defaults.assert, ...item.assert],
    ...(threshold !== undefined ? { threshold } : {}),
  };
}

function normalizeAssertion(raw: unknown, report: (path: Path, message: string) => void): Assertion | undefined {
  if (!isPlainObject(raw)) {
    report([], `an assertion must be an object with a type, not ${kindOf(raw)}`);
    return undefined;
  }
  let ok = true;
  const problem = (path: Path, message: string) => {
    report(path, message);
    ok = false;
  };
  for (const key of Object.keys(raw).filter((key) => !ASSERTION_KEYS.includes(key))) {
    problem([key], `unknown key "${key}"; an assertion has ${ASSERTION_KEYS.join(', ')}`);
  }
  const type = raw.type;
  if (typeof type !== 'string' || !isAssertionType(type)) {
    problem(['type'], `${typeof type === 'string' ? `unknown assertion type "${type}"` : 'the assertion has no type'}; known types: ${KNOWN_TYPES_TEXT}`);
    return undefined;
  }
  const valueProblem = checkAssertionValue(type, raw.value);
  if (valueProblem !== undefined) {
    problem(['value'], `${type} ${valueProblem}`);
  }
  if (raw.weight !== undefined && !(typeof raw.weight === 'number' && Number.isFinite(raw.weight) && raw.weight >= 0)) {
    problem(['weight'], `weight must be a non-negative number, not ${show(raw.weight)}`);
  }
  if (raw.threshold !== undefined) {
    if (!takesThreshold(type)) {
      problem(['threshold'], `threshold applies only to llm-rubric and javascript, not ${type}`);
    } else if (!isScore(raw.threshold)) {
      problem(['threshold'], `threshold must be a number from 0 to 1, not ${show(raw.threshold)}`);
    }
  }
  if (raw.metric !== undefined && typeof raw.metric !== 'string') {
    problem(['metric'], `metric must be a string, not ${kindOf(raw.metric)}`);
  }
  if (!ok) {
    return undefined;
  }
  return {
    type,
    ...(raw.value !== undefined ? { value: raw.value } : {}),
    ...(raw.weight !== undefined ? { weight: raw.weight as number } : {}),
    ...(raw.threshold !== undefined ? { threshold: raw.threshold as number } : {}),
    ...(raw.metric !== undefined ? { metric: raw.metric as string } : {}),
  };
}

function checkIds(items: DatasetItem[], problems: Problems): void {
  const seen = new Map<string, number>();
  for (const [index, item] of items.entries()) {
    const first = seen.get(item.id);
    if (first !== undefined) {
      problems.add(0, `items ${first + 1} and ${index + 1} have the same id "${item.id}"; ids must be unique so results can be compared between runs`, 'id');
    } else {
      seen.set(item.id, index);
    }
  }
}

// ---------------------------------------------------------------------------------------------------- CSV

/** promptfoo's short names in CSV cells. */
const CSV_ALIASES: Record<string, AssertionType> = { fn: 'javascript', eval: 'javascript', grade: 'llm-rubric', 'not-fn': 'not-javascript', 'not-grade': 'not-llm-rubric' };
/** promptfoo types this runner does not have: an error, so they are not silently compared as `equals` text. */
const UNSUPPORTED_TYPES = new Set([
  'similar', 'levenshtein', 'rouge-n', 'bleu', 'gleu', 'meteor', 'python', 'ruby', 'webhook', 'classifier', 'moderation', 'perplexity',
  'perplexity-score', 'is-sql', 'contains-sql', 'contains-json', 'is-xml', 'contains-xml', 'is-html', 'contains-html', 'is-refusal',
  'is-valid-openai-tools-call', 'is-valid-openai-function-call', 'model-graded-closedqa', 'model-graded-factuality', 'factuality',
  'answer-relevance', 'context-faithfulness', 'context-recall', 'context-relevance', 'select-best', 'g-eval', 'word-count', 'finish-reason',
  'file', 'package', 'trajectory:tool-args-match', 'trajectory:goal-success',
]);
/** Longest first, so `contains-any:` is not read as `contains` with the value "-any:...". */
const CSV_PREFIXES = [...ASSERTION_TYPES, ...Object.keys(CSV_ALIASES)].sort((a, b) => b.length - a.length);

function parseCsvRows(text: string, problems: Problems): DatasetItem[] | undefined {
  let rows: { record: string[]; info: { lines: number } }[];
  try {
    rows = parseCsv(text, { bom: true, info: true, relax_column_count: true, skip_empty_lines: true }) as unknown as typeof rows;
  } catch (err) {
    const line = (err as { lines?: number }).lines ?? 0;
    problems.add(line, `line ${line}: not valid CSV (${errorText(err).replace(/ at line \d+$/, '')})`);
    return undefined;
  }
  const [headerRow, ...dataRows] = rows;
  if (headerRow === undefined) {
    problems.add(1, 'line 1: the file is empty; a CSV dataset needs a header row and at least one row');
    return undefined;
  }
  if (dataRows.length > MAX_ITEMS) {
    problems.add(0, tooMany(dataRows.length));
    return undefined;
  }
  const header = headerRow.record.map((name) => name.trim());
  const headerLine = headerRow.info.lines;
  header.forEach((name, column) => {
    if (name === '') {
      problems.add(headerLine, `line ${headerLine}: column ${column + 1} of the header has no name`);
    } else if (header.indexOf(name) !== column) {
      problems.add(headerLine, `line ${headerLine}: the header names column "${name}" twice`, name);
    } else if (name.startsWith('__') && !/^__(expected\d*|description|id|threshold)$/.test(name)) {
      problems.add(headerLine, `line ${headerLine}: unknown column "${name}"; the special columns are __expected, __expected1.., __description, __id, __threshold`, name);
    }
  });
  if (problems.list.length > 0) {
    return undefined;
  }
  const items: DatasetItem[] = [];
  for (const [index, { record, info }] of dataRows.entries()) {
    if (problems.full) {
      break;
    }
    const row = index + 1;
    const line = info.lines;
    const where = `line ${line} (row ${row})`;
    if (record.length !== header.length) {
      problems.add(line, `${where}: column count differs from the header (${record.length} values, the header has ${header.length} columns)`);
      items.push(placeholder(index));
      continue;
    }
    items.push(csvItem(header, record, row, where, line, problems) ?? placeholder(index));
  }
  return items;
}

function csvItem(header: string[], record: string[], row: number, where: string, line: number, problems: Problems): DatasetItem | undefined {
  const before = problems.list.length;
  const item: DatasetItem = { id: `item-${row}`, vars: {}, assert: [] };
  header.forEach((name, column) => {
    const cell = record[column] ?? '';
    if (name === '__description') {
      if (cell !== '') {
        item.description = cell;
      }
    } else if (name === '__id') {
      if (cell.trim() !== '') {
        item.id = cell.trim();
      }
    } else if (name === '__threshold') {
      if (cell.trim() !== '') {
        const threshold = Number(cell);
        if (isScore(threshold)) {
          item.threshold = threshold;
        } else {
          problems.add(line, `${where}: __threshold must be a number from 0 to 1, not "${cell}"`, name);
        }
      }
    } else if (name.startsWith('__expected')) {
      if (cell.trim() !== '') {
        const parsed = parseExpectation(cell);
        if (typeof parsed === 'string') {
          problems.add(line, `${where}, ${name}: ${parsed}`, name);
        } else {
          item.assert.push(parsed);
        }
      }
    } else {
      item.vars[name] = cell;
    }
  });
  return problems.list.length > before ? undefined : item;
}

/** A promptfoo CSV expectation, "contains:foo", as an assertion, or why it is not one. */
export function parseExpectation(cell: string): Assertion | string {
  const text = cell.trim();
  const prefix = CSV_PREFIXES.find((candidate) => text === candidate || text.startsWith(`${candidate}:`));
  if (prefix === undefined) {
    const named = /^(?:not-)?([a-z][a-z0-9-]*(?::[a-z][a-z-]*)?):/.exec(text)?.[1];
    if (named !== undefined && UNSUPPORTED_TYPES.has(named)) {
      return `unknown assertion type "${named}"; known types: ${KNOWN_TYPES_TEXT}`;
    }
    return { type: 'equals', value: cell };
  }
  const type = CSV_ALIASES[prefix] ?? (prefix as AssertionType);
  const rest = text === prefix ? undefined : text.slice(prefix.length + 1);
  const value = rest === undefined ? undefined : csvValue(type, rest);
  const problem = checkAssertionValue(type, value);
  return problem === undefined ? { type, ...(value !== undefined ? { value } : {}) } : `${type} ${problem}`;
}

/** The typed value of "type:rest" in a CSV cell: numbers for limits, lists split on commas, JSON for schemas. */
function csvValue(type: AssertionType, rest: string): unknown {
  const base = type.replace(/^not-/, '');
  if (base === 'cost' || base === 'latency') {
    return rest.trim() === '' ? undefined : Number(rest);
  }
  if (['trajectory:tool-used', 'trajectory:tool-sequence', 'contains-any', 'contains-all', 'icontains-any', 'icontains-all'].includes(base)) {
    return rest.split(',').map((name) => name.trim()).filter((name) => name !== '');
  }
  if (base === 'trajectory:step-count' || base === 'is-json') {
    try {
      return JSON.parse(rest) as unknown;
    } catch {
      return rest;
    }
  }
  return rest;
}

// ---------------------------------------------------------------------------------------------------- the task

/** The var names a task is taken from when the agent has no prompt template, first present wins. */
export const TASK_VARS = ['query', 'prompt', 'input', 'question', 'task'];

export type RenderedTask = { ok: true; task: string } | { ok: false; error: string };

/**
 * The task an item gives the agent: the template with `{{name}}` replaced by the item's vars (objects as JSON), or,
 * without a template, the first of TASK_VARS the item has. A var the template names but the item lacks is an error,
 * never an empty string: a run on a half-filled prompt would grade the wrong question.
 */
export function renderTask(template: string | undefined, vars: Vars): RenderedTask {
  if (template === undefined) {
    const name = TASK_VARS.find((candidate) => vars[candidate] !== undefined && vars[candidate] !== null && vars[candidate] !== '');
    if (name === undefined) {
      return { ok: false, error: `no task: without a prompt template the task is the var ${TASK_VARS.join(', ')} (the first present), and this item has none of them` };
    }
    return { ok: true, task: varText(vars[name] as VarValue) };
  }
  const missing = new Set<string>();
  const unsupported = new Set<string>();
  const task = template.replace(/\{\{([^{}]*)\}\}/g, (whole, inner: string) => {
    const name = inner.trim();
    if (!/^[A-Za-z_][\w-]*$/.test(name)) {
      unsupported.add(whole);
      return whole;
    }
    if (!Object.hasOwn(vars, name) || vars[name] === undefined) {
      missing.add(name);
      return whole;
    }
    return varText(vars[name]);
  });
  if (unsupported.size > 0) {
    return { ok: false, error: `the template uses ${[...unsupported].join(', ')}; only {{name}} placeholders are replaced` };
  }
  if (missing.size > 0) {
    const names = [...missing];
    return { ok: false, error: `the template needs ${names.length === 1 ? 'var' : 'vars'} ${names.join(', ')}, which this item does not have` };
  }
  return { ok: true, task };
}

const varText = (value: VarValue): string => (typeof value === 'string' ? value : JSON.stringify(value));

// ---------------------------------------------------------------------------------------------------- helpers

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const isScore = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value) && value >= 0 && value <= 1;

function kindOf(value: unknown): string {
  return value === null ? 'null' : Array.isArray(value) ? 'a list' : typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

function show(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value) : typeof value === 'object' && value !== null ? kindOf(value) : String(value);
}

function fieldName(path: Path): string {
  return path.map((part, i) => (typeof part === 'number' ? `[${part}]` : i === 0 ? part : `.${part}`)).join('');
}

function utf8Length(text: string): number {
  // Cheap bounds first: every UTF-16 unit is 1 to 3 UTF-8 bytes.
  if (text.length > MAX_BYTES) {
    return text.length;
  }
  if (text.length * 3 <= MAX_BYTES) {
    return text.length;
  }
  return new TextEncoder().encode(text).length;
}

const mb = (bytes: number) => `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
