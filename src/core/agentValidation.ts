import type { JsonObject } from '../db/repositories/rows';

/**
 * Checks an agent as the editor's form holds it (every field a string, as typed) and turns it into what the
 * repository stores. Pure, so the wording is unit-tested and the editor, the commands and automation all refuse
 * the same things with the same messages. Errors block a save; warnings are shown but do not, because an agent
 * may reasonably be set up before its provider is (a key set later, an Azure deployment not created yet).
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
}

export type AgentField = keyof AgentForm;
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
}

/** What the repository stores for a valid form. */
export interface ValidAgent {
  name: string;
  provider: string;
  model: string;
  systemPrompt: string;
  /** Only the parameters that were set: an absent key means the provider's default. */
  params: { temperature?: number; maxTokens?: number };
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
} as const;

const DECIMAL = /^[+]?(\d+(\.\d*)?|\.\d+)$/;
const INTEGER = /^[+]?\d+$/;
// eslint-disable-next-line no-control-regex -- control characters are exactly what these fields must not hold
const CONTROL = /[\u0000-\u001f\u007f]/;

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

  if (Object.keys(errors).length > 0) {
    return { ok: false, errors, warnings };
  }
  return { ok: true, value: { name, provider, model, systemPrompt: form.systemPrompt, params }, warnings };
}

/** The form for a stored configuration: the inverse of `validateAgent` for every value it accepts. */
export function formFromConfig(config: {
  name: string;
  provider: string;
  model: string;
  systemPrompt: string;
  params: { readonly [key: string]: unknown };
}): AgentForm {
  const { temperature, maxTokens } = config.params;
  return {
    name: config.name,
    provider: config.provider,
    model: config.model,
    systemPrompt: config.systemPrompt,
    temperature: typeof temperature === 'number' ? String(temperature) : '',
    maxTokens: typeof maxTokens === 'number' ? String(maxTokens) : '',
  };
}

/**
 * The params to store: the form's temperature and max tokens replace the previous ones (absent = default), and
 * any other parameter (stop sequences set by automation, say) is kept, since the editor does not show it.
 */
export function mergeParams(previous: JsonObject, edited: ValidAgent['params']): JsonObject {
  const others = Object.entries(previous).filter(([key]) => key !== 'temperature' && key !== 'maxTokens');
  return { ...Object.fromEntries(others), ...edited };
}
