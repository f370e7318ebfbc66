import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';

/**
 * The checks a batch run applies to each item's output, promptfoo-style: each assertion yields a pass, a score in
 * 0..1 and a reason a person can read; the item's verdict is aggregated from them (`scoreAssertions`).
 *
 * Two kinds of failure are kept apart. A *verdict* ("the output does not contain "foo"") is inverted by the
 * `not-` form of the type. A *failure to judge* (an invalid regex, a judge that threw, a JavaScript assertion that
 * timed out, a cost that is unknown, JavaScript in an untrusted dataset) fails the assertion in both forms: a
 * broken check must never read as a pass because it was negated.
 *
 * The core runs no code and calls no model itself: `llm-rubric` goes through the judge port, `javascript` through
 * the runJavascript port (src/node/jsAssertion.ts), which exists only for datasets the user trusts.
 */

export type VarValue = string | number | boolean | null | object;
export type Vars = Record<string, VarValue>;

export const BASE_ASSERTION_TYPES = [
  'equals',
  'contains',
  'icontains',
  'contains-any',
  'contains-all',
  'icontains-any',
  'icontains-all',
  'starts-with',
  'regex',
  'is-json',
  'llm-rubric',
  'javascript',
  'cost',
  'latency',
  'trajectory:tool-used',
  'trajectory:tool-sequence',
  'trajectory:step-count',
] as const;

export type BaseAssertionType = (typeof BASE_ASSERTION_TYPES)[number];

/**
 * Types without a `not-` form: cost and latency are limits already ("at most $0.01"); their inverse, "at least",
 * is not something anyone asks of a run, and a typo'd `not-cost` should be an error rather than a silent pass.
 */
const LIMIT_TYPES: ReadonlySet<BaseAssertionType> = new Set(['cost', 'latency']);

type Invertible = Exclude<BaseAssertionType, 'cost' | 'latency'>;
export type AssertionType = BaseAssertionType | `not-${Invertible}`;

export const ASSERTION_TYPES: readonly AssertionType[] = [
  ...BASE_ASSERTION_TYPES,
  ...BASE_ASSERTION_TYPES.filter((type): type is Invertible => !LIMIT_TYPES.has(type)).map((type) => `not-${type}` as const),
];

const KNOWN = new Set<string>(ASSERTION_TYPES);

export function isAssertionType(type: string): type is AssertionType {
  return KNOWN.has(type);
}

/** For error messages: the base types, and which have a `not-` form. */
export const KNOWN_TYPES_TEXT = `${BASE_ASSERTION_TYPES.join(', ')} (each but cost and latency also as not-<type>)`;

/** Types whose score is graded rather than 0 or 1, so an assertion `threshold` means something. */
const SCORED_TYPES: ReadonlySet<BaseAssertionType> = new Set(['llm-rubric', 'javascript']);

export interface Assertion {
  type: AssertionType;
  value?: unknown;
  /** Default 1. 0 = informational: reported, never changes the item's pass or score. */
  weight?: number;
  /** llm-rubric and javascript only: the score needed to pass. */
  threshold?: number;
  /** A label carried into the results, for grouping in reports. */
  metric?: string;
}

export interface AssertionResult {
  type: AssertionType;
  pass: boolean;
  score: number;
  reason: string;
  weight: number;
  metric?: string;
  /** The run failed or was cancelled, so this assertion was not evaluated (it counts as failed). */
  notRun?: boolean;
}

/** What is known about one item's run, as the assertions see it. */
export interface RunFacts {
  output: string;
  vars: Vars;
  costUsd?: number;
  latencyMs?: number;
  toolCalls: readonly { name: string }[];
  steps: number;
}

export interface JudgeVerdict {
  pass: boolean;
  score: number;
  reason: string;
}

/**
 * What a JavaScript assertion returned: true/false, a score, or an object. `error: true` marks a failure to judge
 * (the code threw, timed out, returned nothing usable); it fails the assertion even in its not- form.
 */
export type JavascriptReturn = boolean | number | { pass: boolean; score?: number; reason?: string; error?: boolean };

export interface AssertionPorts {
  judge?: (rubric: string, output: string) => Promise<JudgeVerdict>;
  /** Absent when the dataset is not trusted: JavaScript assertions then fail without running. */
  runJavascript?: (code: string, context: { output: string; vars: Vars }) => Promise<JavascriptReturn>;
}

/** regex runs on this many characters of the output at most, so a pattern's time is bounded by a known input. */
export const REGEX_MAX_CHARS = 1_000_000;

export const UNTRUSTED_JAVASCRIPT = 'JavaScript assertions run only for datasets you trust';

// ---------------------------------------------------------------------------------------------------- values

/** Why `value` does not fit `type` (checked when the dataset loads, so a run does not fail half-way), or undefined. */
export function checkAssertionValue(type: AssertionType, value: unknown): string | undefined {
  const base = baseType(type);
  switch (base) {
    case 'equals':
      return value === undefined ? 'needs a value (the expected output)' : undefined;
    case 'contains':
    case 'icontains':
    case 'starts-with':
      return isText(value) ? undefined : 'needs a text value';
    case 'regex':
      return typeof value === 'string' && value !== '' ? undefined : 'needs a pattern (a non-empty string)';
    case 'llm-rubric':
      return typeof value === 'string' && value.trim() !== '' ? undefined : 'needs a rubric (a non-empty string)';
    case 'javascript':
      return typeof value === 'string' && value.trim() !== '' ? undefined : 'needs code (a non-empty string)';
    case 'contains-any':
    case 'contains-all':
    case 'icontains-any':
    case 'icontains-all':
      return textList(value) ? undefined : 'needs a list of texts (or one comma-separated text)';
    case 'is-json':
      return value === undefined || jsonSchemaOf(value) !== undefined ? undefined : 'takes an optional JSON schema (an object)';
    case 'cost':
      return isLimit(value) ? undefined : 'needs the most it may cost, in USD (a non-negative number)';
    case 'latency':
      return isLimit(value) ? undefined : 'needs the most it may take, in ms (a non-negative number)';
    case 'trajectory:tool-used':
      return nameList(value) ? undefined : 'needs a tool name or a list of tool names';
    case 'trajectory:tool-sequence':
      return Array.isArray(value) && nameList(value) ? undefined : 'needs a list of tool names, in order';
    case 'trajectory:step-count':
      return stepRange(value) ? undefined : 'needs a number (the most steps) or { min, max }';
  }
}

export function baseType(type: AssertionType): BaseAssertionType {
  return (type.startsWith('not-') ? type.slice(4) : type) as BaseAssertionType;
}

export function takesThreshold(type: AssertionType): boolean {
  return SCORED_TYPES.has(baseType(type));
}

const isText = (value: unknown): value is string | number | boolean => ['string', 'number', 'boolean'].includes(typeof value);
const isLimit = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value) && value >= 0;

function textList(value: unknown): string[] | undefined {
  if (typeof value === 'string') {
    const parts = value.split(',').map((part) => part.trim()).filter((part) => part !== '');
    return parts.length > 0 ? parts : undefined;
  }
  if (Array.isArray(value) && value.length > 0 && value.every(isText)) {
    return value.map(String);
  }
  return undefined;
}

function nameList(value: unknown): string[] | undefined {
  if (typeof value === 'string' && value.trim() !== '') {
    return [value.trim()];
  }
  if (Array.isArray(value) && value.length > 0 && value.every((name) => typeof name === 'string' && name.trim() !== '')) {
    return (value as string[]).map((name) => name.trim());
  }
  return undefined;
}

function stepRange(value: unknown): { min?: number; max?: number } | undefined {
  if (isLimit(value)) {
    return { max: value };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return undefined;
  }
  const { min, max, ...rest } = value as Record<string, unknown>;
  if (Object.keys(rest).length > 0 || (min === undefined && max === undefined)) {
    return undefined;
  }
  if ((min !== undefined && !isLimit(min)) || (max !== undefined && !isLimit(max))) {
    return undefined;
  }
  return { ...(min !== undefined ? { min } : {}), ...(max !== undefined ? { max } : {}) };
}

function jsonSchemaOf(value: unknown): object | boolean | undefined {
  if (typeof value === 'boolean' || (typeof value === 'object' && value !== null && !Array.isArray(value))) {
    return value;
  }
  if (typeof value === 'string') {
    try {
      const parsed: unknown = JSON.parse(value);
      return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? parsed : undefined;
    } catch {
      return undefined;
    }
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------------- evaluation

type Verdict = { pass: boolean; score: number; reason: string } | { unjudged: string };

const verdict = (pass: boolean, reason: string): Verdict => ({ pass, score: pass ? 1 : 0, reason });

/** Evaluates one assertion. Never throws: a port that throws or rejects is a failed assertion with its error. */
export async function evaluateAssertion(assertion: Assertion, facts: RunFacts, ports: AssertionPorts): Promise<AssertionResult> {
  const negated = assertion.type.startsWith('not-');
  let outcome: Verdict;
  try {
    outcome = await check(baseType(assertion.type), assertion, facts, ports);
  } catch (err) {
    outcome = { unjudged: `the check failed: ${errorText(err)}` };
  }
  const weight = assertion.weight ?? 1;
  const metric = assertion.metric !== undefined ? { metric: assertion.metric } : {};
  if ('unjudged' in outcome) {
    return { type: assertion.type, pass: false, score: 0, reason: outcome.unjudged, weight, ...metric };
  }
  const pass = negated ? !outcome.pass : outcome.pass;
  const score = negated ? 1 - outcome.score : outcome.score;
  return { type: assertion.type, pass, score, reason: outcome.reason, weight, ...metric };
}

async function check(type: BaseAssertionType, assertion: Assertion, facts: RunFacts, ports: AssertionPorts): Promise<Verdict> {
  const { output } = facts;
  const value = assertion.value;
  switch (type) {
    case 'equals':
      return checkEquals(output, value);
    case 'contains':
      return containsText(output, String(value), false);
    case 'icontains':
      return containsText(output, String(value), true);
    case 'contains-any':
    case 'icontains-any':
      return containsList(output, textList(value) ?? [], 'any', type === 'icontains-any');
    case 'contains-all':
    case 'icontains-all':
      return containsList(output, textList(value) ?? [], 'all', type === 'icontains-all');
    case 'starts-with': {
      const prefix = String(value);
      return output.startsWith(prefix)
        ? verdict(true, `the output starts with ${quote(prefix)}`)
        : verdict(false, `the output starts with ${quote(output.slice(0, Math.max(prefix.length, 20)))}, not ${quote(prefix)}`);
    }
    case 'regex':
      return checkRegex(output, String(value));
    case 'is-json':
      return checkJson(output, value);
    case 'llm-rubric':
      return checkRubric(output, String(value), assertion.threshold, ports);
    case 'javascript':
      return checkJavascript(String(value), facts, assertion.threshold, ports);
    case 'cost':
      return checkLimit(facts.costUsd, Number(value), 'cost', (n) => `$${n}`, 'the cost of this run is unknown (the model has no price), so a cost limit cannot pass');
    case 'latency':
      return checkLimit(facts.latencyMs, Number(value), 'took', (n) => `${n} ms`, 'the latency of this run is unknown, so a latency limit cannot pass');
    case 'trajectory:tool-used':
      return checkToolsUsed(facts.toolCalls, nameList(value) ?? []);
    case 'trajectory:tool-sequence':
      return checkToolSequence(facts.toolCalls, nameList(value) ?? []);
    case 'trajectory:step-count':
      return checkSteps(facts.steps, stepRange(value) ?? {});
  }
}

function checkEquals(output: string, expected: unknown): Verdict {
  if (typeof expected === 'object' && expected !== null) {
    // promptfoo: an object or list value compares the output parsed as JSON, so key order and spacing do not matter.
    let parsed: unknown;
    try {
      parsed = JSON.parse(output);
    } catch {
      return verdict(false, 'the output is not JSON, so it cannot equal the expected value');
    }
    return deepEqual(parsed, expected) ? verdict(true, 'the output equals the expected JSON') : verdict(false, `the output ${quote(output)} differs from the expected ${quote(JSON.stringify(expected))}`);
  }
  const text = String(expected);
  return output === text ? verdict(true, 'the output equals the expected text') : verdict(false, `the output ${quote(output)} differs from the expected ${quote(text)}`);
}

function containsText(output: string, needle: string, ignoreCase: boolean): Verdict {
  const found = ignoreCase ? output.toLowerCase().includes(needle.toLowerCase()) : output.includes(needle);
  const how = ignoreCase ? ' (ignoring case)' : '';
  return found ? verdict(true, `the output contains ${quote(needle)}${how}`) : verdict(false, `the output does not contain ${quote(needle)}${how}`);
}

function containsList(output: string, needles: string[], mode: 'any' | 'all', ignoreCase: boolean): Verdict {
  const haystack = ignoreCase ? output.toLowerCase() : output;
  const found = needles.filter((needle) => haystack.includes(ignoreCase ? needle.toLowerCase() : needle));
  const missing = needles.filter((needle) => !found.includes(needle));
  const list = (items: string[]) => items.map(quote).join(', ');
  if (mode === 'any') {
    return found.length > 0 ? verdict(true, `the output contains ${list(found)}`) : verdict(false, `the output contains none of ${list(needles)}`);
  }
  return missing.length === 0 ? verdict(true, `the output contains all of ${list(needles)}`) : verdict(false, `the output lacks ${list(missing)}`);
}

function checkRegex(output: string, pattern: string): Verdict {
  let regex: RegExp;
  try {
    regex = toRegExp(pattern);
  } catch (err) {
    return { unjudged: `invalid regular expression ${quote(pattern)}: ${errorText(err)}` };
  }
  const searched = output.length > REGEX_MAX_CHARS ? output.slice(0, REGEX_MAX_CHARS) : output;
  const bound = searched.length < output.length ? ` (only the first 1 MB of the ${(output.length / 1_000_000).toFixed(1)} MB output was searched)` : '';
  const match = regex.exec(searched);
  return match ? verdict(true, `the output matches /${regex.source}/ at ${quote(match[0])}${bound}`) : verdict(false, `the output does not match /${regex.source}/${bound}`);
}

/** A plain pattern, or a /pattern/flags literal; g and y are dropped (they make exec stateful). */
function toRegExp(pattern: string): RegExp {
  const literal = /^\/(.+)\/([a-z]*)$/s.exec(pattern);
  if (literal) {
    return new RegExp(literal[1] ?? '', (literal[2] ?? '').replace(/[gy]/g, ''));
  }
  return new RegExp(pattern);
}

const ajv = new Ajv({ allErrors: true, strict: false });
/** Compiled per schema text: two items with the same schema compile once, and a schema's $id cannot collide. */
const schemaCache = new Map<string, ValidateFunction | { compileError: string }>();

function checkJson(output: string, schemaValue: unknown): Verdict {
  let parsed: unknown;
  try {
    parsed = JSON.parse(output);
  } catch (err) {
    return verdict(false, `the output is not valid JSON (${errorText(err)})`);
  }
  if (schemaValue === undefined) {
    return verdict(true, 'the output is valid JSON');
  }
  const schema = jsonSchemaOf(schemaValue);
  if (schema === undefined) {
    return { unjudged: 'the JSON schema is not an object' };
  }
  const key = JSON.stringify(schema);
  let compiled = schemaCache.get(key);
  if (compiled === undefined) {
    try {
      compiled = new Ajv({ allErrors: true, strict: false }).compile(schema);
    } catch (err) {
      compiled = { compileError: errorText(err) };
    }
    schemaCache.set(key, compiled);
  }
  if ('compileError' in compiled) {
    return { unjudged: `the JSON schema is invalid: ${compiled.compileError}` };
  }
  return compiled(parsed)
    ? verdict(true, 'the output is valid JSON and matches the schema')
    : verdict(false, `the output is JSON but does not match the schema: ${schemaErrors(compiled.errors ?? [])}`);
}

function schemaErrors(errors: ErrorObject[]): string {
  const text = ajv.errorsText(errors.slice(0, 5), { dataVar: 'output', separator: '; ' });
  return errors.length > 5 ? `${text}; and ${errors.length - 5} more` : text;
}

async function checkRubric(output: string, rubric: string, threshold: number | undefined, ports: AssertionPorts): Promise<Verdict> {
  if (ports.judge === undefined) {
    return { unjudged: 'llm-rubric needs a judge model, and none is configured for this run' };
  }
  let result: JudgeVerdict;
  try {
    result = await ports.judge(rubric, output);
  } catch (err) {
    return { unjudged: `the judge failed: ${errorText(err)}` };
  }
  if (typeof result !== 'object' || result === null || typeof result.pass !== 'boolean') {
    return { unjudged: 'the judge returned no verdict' };
  }
  const score = Number.isFinite(result.score) ? clamp01(result.score) : result.pass ? 1 : 0;
  const reason = typeof result.reason === 'string' && result.reason !== '' ? result.reason : 'the judge gave no reason';
  if (threshold !== undefined) {
    return { pass: score >= threshold, score, reason: `${reason} (score ${round(score)}, threshold ${threshold})` };
  }
  return { pass: result.pass, score, reason };
}

async function checkJavascript(code: string, facts: RunFacts, threshold: number | undefined, ports: AssertionPorts): Promise<Verdict> {
  if (ports.runJavascript === undefined) {
    return { unjudged: UNTRUSTED_JAVASCRIPT };
  }
  let result: JavascriptReturn;
  try {
    result = await ports.runJavascript(code, { output: facts.output, vars: facts.vars });
  } catch (err) {
    return { unjudged: `the JavaScript assertion failed: ${errorText(err)}` };
  }
  return javascriptVerdict(result, threshold);
}

/**
 * promptfoo's reading of what an assertion function returned: a boolean is the pass; a number is the score, which
 * passes when it reaches the threshold or, without one, when it is above 0; an object gives pass, score and reason.
 */
function javascriptVerdict(result: JavascriptReturn, threshold: number | undefined): Verdict {
  if (typeof result === 'boolean') {
    return verdict(result, `the JavaScript assertion returned ${result}`);
  }
  if (typeof result === 'number') {
    if (!Number.isFinite(result)) {
      return { unjudged: `the JavaScript assertion returned ${result}, not a score` };
    }
    const score = clamp01(result);
    const pass = threshold !== undefined ? score >= threshold : score > 0;
    return { pass, score, reason: `the JavaScript assertion returned score ${round(result)}${threshold !== undefined ? ` (threshold ${threshold})` : ''}` };
  }
  if (typeof result !== 'object' || result === null || typeof result.pass !== 'boolean') {
    return { unjudged: 'the JavaScript assertion returned neither true/false, a score, nor { pass, score, reason }' };
  }
  const reason = typeof result.reason === 'string' && result.reason !== '' ? result.reason : `the JavaScript assertion returned pass: ${result.pass}`;
  if (result.error === true) {
    return { unjudged: reason };
  }
  const score = typeof result.score === 'number' && Number.isFinite(result.score) ? clamp01(result.score) : result.pass ? 1 : 0;
  return { pass: result.pass, score, reason };
}

function checkLimit(actual: number | undefined, max: number, verb: string, unit: (n: number) => string, unknown: string): Verdict {
  if (actual === undefined || !Number.isFinite(actual)) {
    return { unjudged: unknown };
  }
  return actual <= max ? verdict(true, `${verb} ${unit(actual)}, within ${unit(max)}`) : verdict(false, `${verb} ${unit(actual)}, over the limit of ${unit(max)}`);
}

const callNames = (calls: readonly { name: string }[]) => (calls.length === 0 ? 'no tool calls' : `tool calls: ${calls.map((call) => call.name).join(' → ')}`);

/** With a list, every tool listed must have been used (so not- with a list means "not all of them"). */
function checkToolsUsed(calls: readonly { name: string }[], names: string[]): Verdict {
  const used = new Set(calls.map((call) => call.name));
  const missing = names.filter((name) => !used.has(name));
  return missing.length === 0
    ? verdict(true, `used ${names.join(', ')} (${callNames(calls)})`)
    : verdict(false, `did not use ${missing.join(', ')} (${callNames(calls)})`);
}

/** The tools appear in this order, other calls allowed between them. */
function checkToolSequence(calls: readonly { name: string }[], names: string[]): Verdict {
  let next = 0;
  for (const call of calls) {
    if (next < names.length && call.name === names[next]) {
      next++;
    }
  }
  return next === names.length
    ? verdict(true, `used ${names.join(' → ')} in order (${callNames(calls)})`)
    : verdict(false, `expected ${names.join(' → ')} in order, found the sequence only up to ${next === 0 ? 'nothing' : names[next - 1]} (${callNames(calls)})`);
}

function checkSteps(steps: number, range: { min?: number; max?: number }): Verdict {
  const bounds = [range.min !== undefined ? `at least ${range.min}` : '', range.max !== undefined ? `at most ${range.max}` : ''].filter(Boolean).join(' and ');
  const within = (range.min === undefined || steps >= range.min) && (range.max === undefined || steps <= range.max);
  return verdict(within, `took ${steps} step${steps === 1 ? '' : 's'}; expected ${bounds}`);
}

// ---------------------------------------------------------------------------------------------------- items

/**
 * promptfoo's item verdict. The score is the weighted mean of the assertions' scores; weight 0 assertions are
 * informational and count for neither. Without a threshold the item passes when every weighted assertion passes;
 * with one, when the score reaches it. An item without weighted assertions passes with score 1 (it ran).
 */
export function scoreAssertions(results: readonly AssertionResult[], threshold?: number): { pass: boolean; score: number } {
  const weighted = results.filter((result) => result.weight > 0);
  const totalWeight = weighted.reduce((sum, result) => sum + result.weight, 0);
  const score = totalWeight === 0 ? 1 : weighted.reduce((sum, result) => sum + result.score * result.weight, 0) / totalWeight;
  const pass = threshold !== undefined ? score >= threshold : weighted.every((result) => result.pass);
  return { pass, score };
}

// ---------------------------------------------------------------------------------------------------- helpers

export function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

const clamp01 = (n: number) => Math.min(1, Math.max(0, n));
const round = (n: number) => Math.round(n * 1000) / 1000;
const quote = (text: string) => JSON.stringify(text.length > 80 ? `${text.slice(0, 77)}...` : text);

function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) {
    return true;
  }
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null || Array.isArray(a) !== Array.isArray(b)) {
    return false;
  }
  const keysA = Object.keys(a);
  const keysB = Object.keys(b);
  return keysA.length === keysB.length && keysA.every((key) => Object.hasOwn(b, key) && deepEqual((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key]));
}
