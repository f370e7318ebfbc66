import type { JsonObject, JsonValue } from '../db/repositories/rows';
import { DEFAULT_LIMITS, defaultToolEntries, readEntry, type AgentToolEntry, type TurnLimits } from './agent/agentTools';
import { COMMAND_TOOL, ruleProblem, sameJson, TOOL_CATALOG, type CatalogTool } from './agent/toolCatalog';
import { parseRule } from './policy/commandPolicy';

/**
 * Checks an agent as the editor's form holds it (every field a string, as typed) and turns it into what the
 * repository stores. Pure, so the wording is unit-tested and the editor, the commands and automation all refuse
 * the same things with the same messages. Errors block a save; warnings are shown but do not, because an agent
 * may reasonably be set up before its provider is (a key set later, an Azure deployment not created yet), and
 * because letting a tool run without asking is the person's call to make, as long as they are told what it means.
 */

/** The agent editor's fields, as typed. Numbers stay text so "0.", "" and "abc" can each get their own message. */
export interface AgentForm {
  name: string;
  provider: string;
  model: string;
  systemPrompt: string;
  /** '' means the provider's default. */
  temperature: string;
  /** '' means the provider's default. */
  maxTokens: string;
  /** Every tool the editor lists, with the mode chosen for it: 'off', 'ask' or 'auto'. */
  tools: ToolChoice[];
  /** run_command's rules, one per line, as typed. */
  commandAllow: string;
  commandDeny: string;
  /** Limits per turn; '' means the default (DEFAULT_LIMITS). */
  limitSteps: string;
  limitTokens: string;
  limitCostUsd: string;
  limitMinutes: string;
}

export interface ToolChoice {
  name: string;
  mode: string;
}

/** A tool's mode select: its message is keyed by the tool's name. */
export type ToolField = `tool:${string}`;
export type AgentField = Exclude<keyof AgentForm, 'tools'> | ToolField;
export type FieldMessages = Partial<Record<AgentField, string>>;

/** What validation needs to know about an endpoint; never a key. */
export interface EndpointFacts {
  id: string;
  label: string;
  kind: string;
  /** Its settings are complete: it can be called once it has its key. */
  configured: boolean;
}

export interface ValidationContext {
  endpoints: readonly EndpointFacts[];
  /** Names of the other agents, for a duplicate-name warning (not an error: ids tell agents apart). */
  otherNames?: readonly string[];
  /** The tools the editor lists; the built-in ones unless told otherwise. */
  tools?: readonly CatalogTool[];
}

/** What the repository stores for a valid form. */
export interface ValidAgent {
  name: string;
  provider: string;
  model: string;
  systemPrompt: string;
  /** Only the parameters that were set: an absent key means the provider's (or, for limits, AI Studio's) default. */
  params: { temperature?: number; maxTokens?: number; limits?: Partial<TurnLimits> };
  /** The listed tools that are on, in the editor's order (a tool not listed is off). */
  tools: AgentToolEntry[];
}

export type AgentValidation =
  | { ok: true; value: ValidAgent; warnings: FieldMessages }
  | { ok: false; errors: FieldMessages; warnings: FieldMessages };

export const AGENT_LIMITS = {
  name: 100,
  model: 200,
  systemPrompt: 100_000,
  temperatureMax: 2,
  maxTokens: 1_000_000,
  /** Per list (Always allow, Always deny). */
  rules: 100,
  ruleLength: 200,
} as const;

/** The range each limit per turn accepts; below the minimum a turn would pause before it did anything useful. */
export const TURN_LIMIT_BOUNDS: Record<keyof TurnLimits, { min: number; max: number }> = {
  steps: { min: 1, max: 1_000 },
  tokens: { min: 1_000, max: 100_000_000 },
  costUsd: { min: 0.01, max: 1_000 },
  minutes: { min: 1, max: 1_440 },
};

const DECIMAL = /^[+]?(\d+(\.\d*)?|\.\d+)$/;
const INTEGER = /^[+]?\d+$/;
// eslint-disable-next-line no-control-regex -- control characters are exactly what these fields must not hold
const CONTROL = /[\u0000-\u001f\u007f]/;
const MODES = new Set(['off', 'ask', 'auto']);
const LIMIT_FIELDS = { steps: 'limitSteps', tokens: 'limitTokens', costUsd: 'limitCostUsd', minutes: 'limitMinutes' } as const;

export function validateAgent(form: AgentForm, context: ValidationContext): AgentValidation {
  const errors: FieldMessages = {};
  const warnings: FieldMessages = {};

  const name = form.name.trim();
  if (name === '') {
    errors.name = 'Give the agent a name.';
  } else if (name.length > AGENT_LIMITS.name) {
    errors.name = `Keep the name under ${AGENT_LIMITS.name} characters (it has ${name.length}).`;
  } else if (CONTROL.test(name)) {
    errors.name = 'A name fits on one line: remove the line breaks or tabs.';
  } else if (context.otherNames?.some((other) => other.trim().toLowerCase() === name.toLowerCase())) {
    warnings.name = `Another agent is already called "${name}"; a different name keeps them apart in lists.`;
  }

  const provider = form.provider.trim();
  const endpoint = context.endpoints.find((e) => e.id === provider);
  if (provider === '') {
    errors.provider = context.endpoints.length > 0 ? 'Choose a provider.' : 'Configure a provider first (AI Studio: Open Settings).';
  } else if (!endpoint) {
    errors.provider = `"${provider}" is not one of your provider endpoints; choose one of: ${context.endpoints.map((e) => e.id).join(', ')}.`;
  } else if (!endpoint.configured) {
    warnings.provider = `${endpoint.label} is not set up yet: the agent is saved, but cannot answer until its settings are complete.`;
  }

  const model = form.model.trim();
  if (model === '') {
    errors.model = 'Enter a model, or pick one of the models the provider lists.';
  } else if (model.length > AGENT_LIMITS.model) {
    errors.model = `A model name is at most ${AGENT_LIMITS.model} characters.`;
  } else if (CONTROL.test(model) || /\s/.test(model)) {
    errors.model = 'Model names have no spaces or line breaks; check what was pasted.';
  }

  if (form.systemPrompt.length > AGENT_LIMITS.systemPrompt) {
    errors.systemPrompt = `Keep the system prompt under ${AGENT_LIMITS.systemPrompt.toLocaleString('en-US')} characters (it has ${form.systemPrompt.length.toLocaleString('en-US')}).`;
  }

  const params: ValidAgent['params'] = {};
  const temperature = form.temperature.trim();
  if (temperature !== '') {
    const value = Number(temperature);
    if (!DECIMAL.test(temperature) || !Number.isFinite(value)) {
      errors.temperature = 'Enter a number from 0 to 2, such as 0.7, or leave it empty for the provider default.';
    } else if (value > AGENT_LIMITS.temperatureMax) {
      errors.temperature = `Temperature goes from 0 to ${AGENT_LIMITS.temperatureMax}; ${temperature} is too high.`;
    } else {
      params.temperature = value;
      if (endpoint?.kind === 'anthropic' && value > 1) {
        warnings.temperature = 'Anthropic accepts a temperature from 0 to 1; requests above 1 will be refused.';
      }
    }
  }

  const maxTokens = form.maxTokens.trim();
  if (maxTokens !== '') {
    const value = Number(maxTokens);
    if (!INTEGER.test(maxTokens)) {
      errors.maxTokens = 'Enter a whole number of tokens, such as 4096, or leave it empty for the default.';
    } else if (value < 1) {
      errors.maxTokens = 'Allow at least 1 token, or leave it empty for the default.';
    } else if (value > AGENT_LIMITS.maxTokens) {
      errors.maxTokens = `At most ${AGENT_LIMITS.maxTokens.toLocaleString('en-US')} tokens.`;
    } else {
      params.maxTokens = value;
    }
  }

  const tools = validateTools(form, context.tools ?? TOOL_CATALOG, errors, warnings);
  const limits = validateLimits(form, errors);
  if (Object.keys(limits).length > 0) {
    params.limits = limits;
  }

  if (Object.keys(errors).length > 0) {
    return { ok: false, errors, warnings };
  }
  return { ok: true, value: { name, provider, model, systemPrompt: form.systemPrompt, params, tools }, warnings };
}

/** What "auto" means for a tool that can change something, said where the person chooses it. */
const AUTO_WARNINGS: Partial<Record<CatalogTool['category'], (tool: CatalogTool) => string>> = {
  edit: (tool) =>
    `Auto: ${tool.name} changes files without asking you first; you see the diffs afterwards and can undo the turn. Files outside the workspace, .vscode/**, .git/** and other protected files still ask.`,
  command: () =>
    'Auto: every command that no deny rule matches runs without asking you first. Only what cannot be judged (eval, bash -c, a pipe into a shell, …) and writes to protected files still ask. Ask, with “Always allow” rules for the commands you trust, is safer.',
  fetch: () =>
    'Auto: pages are fetched without asking you first, and a web address can carry what the agent read out of the workspace. Local and private addresses stay blocked.',
};

function validateTools(form: AgentForm, catalog: readonly CatalogTool[], errors: FieldMessages, warnings: FieldMessages): AgentToolEntry[] {
  const modes = new Map<string, 'ask' | 'auto'>();
  const seen = new Set<string>();
  for (const choice of form.tools) {
    const key: ToolField = `tool:${choice.name}`;
    const tool = catalog.find((t) => t.name === choice.name);
    if (!tool) {
      errors[key] = `There is no tool called "${choice.name}"; the tools are ${catalog.map((t) => t.name).join(', ')}.`;
    } else if (seen.has(tool.name)) {
      errors[key] = `${tool.label} (${tool.name}) is listed twice; choose its mode once.`;
    } else if (!MODES.has(choice.mode)) {
      errors[key] = `Choose Off, Ask or Auto for ${tool.label} (${tool.name}).`;
    } else if (choice.mode !== 'off') {
      modes.set(tool.name, choice.mode as 'ask' | 'auto');
      const warn = choice.mode === 'auto' ? AUTO_WARNINGS[tool.category] : undefined;
      if (warn) {
        warnings[key] = warn(tool);
      }
    }
    seen.add(choice.name);
  }

  const commandMode = modes.get(COMMAND_TOOL);
  let allow: string[] = [];
  let deny: string[] = [];
  if (commandMode === undefined) {
    const kept = ruleLines(form.commandAllow).length + ruleLines(form.commandDeny).length;
    if (kept > 0 && catalog.some((t) => t.name === COMMAND_TOOL) && !errors[`tool:${COMMAND_TOOL}`]) {
      warnings[`tool:${COMMAND_TOOL}`] = `Off: its ${kept === 1 ? 'rule is' : `${kept} rules are`} not kept when you save; choose Ask or Auto to keep ${kept === 1 ? 'it' : 'them'}.`;
    }
  } else {
    allow = checkRules(form.commandAllow, 'commandAllow', errors);
    deny = checkRules(form.commandDeny, 'commandDeny', errors);
    const denied = new Set(deny.map(ruleKey));
    const both = allow.find((text) => denied.has(ruleKey(text)));
    if (both !== undefined) {
      warnings.commandAllow = `"${both}" is also in Always deny, and a deny always wins: it never runs.`;
    } else if (commandMode === 'auto' && allow.length > 0) {
      warnings.commandAllow = 'In Auto, commands that no deny rule matches run without asking anyway; these rules matter in Ask.';
    }
  }

  const entries: AgentToolEntry[] = [];
  for (const tool of catalog) {
    const mode = modes.get(tool.name);
    if (mode !== undefined) {
      const entry: AgentToolEntry = { name: tool.name, mode };
      if (tool.name === COMMAND_TOOL) {
        Object.assign(entry, allow.length > 0 ? { allow } : {}, deny.length > 0 ? { deny } : {});
      }
      entries.push(entry);
    }
  }
  return entries;
}

function ruleLines(text: string): { line: number; text: string }[] {
  return text
    .split(/\r\n|\r|\n/)
    .map((line, index) => ({ line: index + 1, text: line.trim() }))
    .filter((line) => line.text !== '');
}

/** The rules of one list, trimmed and without blank lines; an error names the lines that are not rules. */
function checkRules(text: string, field: 'commandAllow' | 'commandDeny', errors: FieldMessages): string[] {
  const lines = ruleLines(text);
  if (lines.length > AGENT_LIMITS.rules) {
    errors[field] = `At most ${AGENT_LIMITS.rules} rules in one list (there are ${lines.length}).`;
    return [];
  }
  const long = lines.find((l) => l.text.length > AGENT_LIMITS.ruleLength);
  if (long) {
    errors[field] = `Line ${long.line} has ${long.text.length} characters; a rule is at most ${AGENT_LIMITS.ruleLength}.`;
    return [];
  }
  const bad = lines.map((l) => ({ ...l, problem: ruleProblem(l.text) })).filter((l) => l.problem !== undefined);
  if (bad.length > 0) {
    const first = bad[0]!;
    const quoted = `"${first.text.length > 60 ? `${first.text.slice(0, 59)}…` : first.text}"`;
    const which = bad.length === 1 ? `Line ${first.line} is not a rule: ${quoted} ${first.problem}.` : `Lines ${listOf(bad.map((l) => String(l.line)))} are not rules; line ${first.line}, ${quoted}, ${first.problem}.`;
    errors[field] = `${which} Write a command and its first words, such as git status, and add (exact) to match only that command.`;
    return [];
  }
  return lines.map((l) => l.text);
}

function ruleKey(text: string): string {
  return JSON.stringify(parseRule(text) ?? text);
}

function listOf(items: readonly string[]): string {
  return items.length <= 1 ? items.join('') : `${items.slice(0, -1).join(', ')} and ${items.at(-1)!}`;
}

/** The limits that were set; each one that is not a number in its range gets a message saying what it takes. */
function validateLimits(form: AgentForm, errors: FieldMessages): Partial<TurnLimits> {
  const limits: Partial<TurnLimits> = {};
  const texts: Record<keyof TurnLimits, { typed: string; wrong: string; low: string; high: string }> = {
    steps: {
      typed: form.limitSteps,
      wrong: `Enter a whole number of steps (model calls), such as 25, or leave it empty for the default (${DEFAULT_LIMITS.steps}).`,
      low: `Allow at least 1 step, or leave it empty for the default (${DEFAULT_LIMITS.steps}).`,
      high: `At most ${fmt(TURN_LIMIT_BOUNDS.steps.max)} steps per turn; a turn that reaches its limit can still be continued.`,
    },
    tokens: {
      typed: form.limitTokens,
      wrong: `Enter a whole number of tokens, such as 500000, or leave it empty for the default (${fmt(DEFAULT_LIMITS.tokens)}).`,
      low: `Allow at least ${fmt(TURN_LIMIT_BOUNDS.tokens.min)} tokens: every step sends the conversation again, so fewer would pause the first step.`,
      high: `At most ${fmt(TURN_LIMIT_BOUNDS.tokens.max)} tokens per turn.`,
    },
    costUsd: {
      typed: form.limitCostUsd.trim().replace(/^\$/, ''),
      wrong: `Enter an amount in US dollars, such as 0.50, or leave it empty for the default ($${DEFAULT_LIMITS.costUsd.toFixed(2)}).`,
      low: `Allow at least $${TURN_LIMIT_BOUNDS.costUsd.min.toFixed(2)}, or leave it empty for the default ($${DEFAULT_LIMITS.costUsd.toFixed(2)}).`,
      high: `At most $${fmt(TURN_LIMIT_BOUNDS.costUsd.max)} per turn.`,
    },
    minutes: {
      typed: form.limitMinutes,
      wrong: `Enter a whole number of minutes, such as 15, or leave it empty for the default (${DEFAULT_LIMITS.minutes}).`,
      low: `Allow at least 1 minute, or leave it empty for the default (${DEFAULT_LIMITS.minutes}).`,
      high: `At most ${fmt(TURN_LIMIT_BOUNDS.minutes.max)} minutes (a day) per turn.`,
    },
  };
  for (const key of Object.keys(texts) as (keyof TurnLimits)[]) {
    const { wrong, low, high } = texts[key];
    const typed = texts[key].typed.trim();
    if (typed === '') {
      continue;
    }
    const value = Number(typed);
    const field = LIMIT_FIELDS[key];
    if (!(key === 'costUsd' ? DECIMAL : INTEGER).test(typed) || !Number.isFinite(value)) {
      errors[field] = wrong;
    } else if (value < TURN_LIMIT_BOUNDS[key].min) {
      errors[field] = low;
    } else if (value > TURN_LIMIT_BOUNDS[key].max) {
      errors[field] = high;
    } else {
      limits[key] = value;
    }
  }
  return limits;
}

function fmt(value: number): string {
  return value.toLocaleString('en-US');
}

/** A new agent's tool fields: every listed tool at its category's default mode, no rules, default limits. */
export function newAgentToolFields(catalog: readonly CatalogTool[] = TOOL_CATALOG): Pick<AgentForm, ToolFormField> {
  return toolFields(defaultToolEntries(catalog), undefined, catalog);
}

type ToolFormField = 'tools' | 'commandAllow' | 'commandDeny' | 'limitSteps' | 'limitTokens' | 'limitCostUsd' | 'limitMinutes';

/** The form for a stored configuration: the inverse of `validateAgent` for every value it accepts. */
export function formFromConfig(
  config: {
    name: string;
    provider: string;
    model: string;
    systemPrompt: string;
    params: { readonly [key: string]: unknown };
    tools: readonly JsonValue[];
  },
  catalog: readonly CatalogTool[] = TOOL_CATALOG,
): AgentForm {
  const { temperature, maxTokens, limits } = config.params;
  // Read as the agent loop reads them: a malformed entry counts as off.
  const entries = config.tools.map(readEntry).filter((entry) => entry !== undefined);
  return {
    name: config.name,
    provider: config.provider,
    model: config.model,
    systemPrompt: config.systemPrompt,
    temperature: typeof temperature === 'number' ? String(temperature) : '',
    maxTokens: typeof maxTokens === 'number' ? String(maxTokens) : '',
    ...toolFields(entries, limits, catalog),
  };
}

function toolFields(entries: readonly AgentToolEntry[], limits: unknown, catalog: readonly CatalogTool[]): Pick<AgentForm, ToolFormField> {
  const first = (name: string) => entries.find((entry) => entry.name === name);
  const command = first(COMMAND_TOOL);
  const limit = (key: keyof TurnLimits): string => {
    const value = typeof limits === 'object' && limits !== null && !Array.isArray(limits) ? (limits as Record<string, unknown>)[key] : undefined;
    return typeof value === 'number' ? String(value) : '';
  };
  return {
    tools: catalog.map((tool) => ({ name: tool.name, mode: first(tool.name)?.mode ?? 'off' })),
    commandAllow: (command?.allow ?? []).join('\n'),
    commandDeny: (command?.deny ?? []).join('\n'),
    limitSteps: limit('steps'),
    limitTokens: limit('tokens'),
    limitCostUsd: limit('costUsd'),
    limitMinutes: limit('minutes'),
  };
}

const EDITED_PARAMS = ['temperature', 'maxTokens', 'limits'] as const;

/**
 * The params to store: the form's temperature, max tokens and limits replace the previous ones (absent = default),
 * and any other parameter (stop sequences set by automation, say) is kept, since the editor does not show it.
 * The previous order of keys is kept, and a value equal to the previous one keeps its previous form, because the
 * repository tells a changed configuration (a new version) from an unchanged one by its JSON text.
 */
export function mergeParams(previous: JsonObject, edited: ValidAgent['params']): JsonObject {
  const replaced = new Map<string, JsonValue>();
  for (const key of EDITED_PARAMS) {
    const given = edited[key] as JsonValue | undefined;
    if (given !== undefined) {
      const old = previous[key];
      replaced.set(key, old !== undefined && sameJson(old, given) ? old : given);
    }
  }
  const next: Record<string, JsonValue> = {};
  for (const [key, old] of Object.entries(previous)) {
    if (!(EDITED_PARAMS as readonly string[]).includes(key)) {
      next[key] = old;
    } else if (replaced.has(key)) {
      next[key] = replaced.get(key)!;
    }
  }
  for (const [key, value] of replaced) {
    next[key] ??= value;
  }
  return next;
}
