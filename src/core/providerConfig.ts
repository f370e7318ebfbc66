import { defaultWatchdogs, type EndpointConfig, type ProviderKind, type Watchdogs } from '../llm/endpoints';

/**
 * Turns AI Studio's provider settings (a plain object, as read from `contributes.configuration`) into the list of
 * endpoints the Providers view shows and Ask can use. Every built-in provider always gets a row, configured or
 * not, so the person sees what exists and what is missing; each OpenAI-compatible server the person listed gets
 * one more. A bad entry never stops the others from working: it becomes a row with a `problem` that says what to
 * fix, or (when it cannot even be named) a warning.
 */

/** The settings this module reads, relative to the `aiStudio` section (package.json declares each of them). */
export const providerSettingKeys = [
  'defaultProvider',
  'providers.anthropic.baseUrl',
  'providers.anthropic.defaultModel',
  'providers.openai.baseUrl',
  'providers.openai.defaultModel',
  'providers.gemini.baseUrl',
  'providers.gemini.defaultModel',
  'providers.azureOpenai.endpoint',
  'providers.azureOpenai.deployment',
  'providers.azureOpenai.apiVersion',
  'providers.ollama.host',
  'providers.ollama.defaultModel',
  'providers.openaiCompatible',
  'providers.firstByteTimeoutSeconds',
  'providers.idleTimeoutSeconds',
] as const;

export type ProviderSettingKey = (typeof providerSettingKeys)[number];
export type ProviderSettingsInput = Readonly<Partial<Record<ProviderSettingKey, unknown>>>;

export const DEFAULT_OLLAMA_HOST = 'http://127.0.0.1:11434';
export const COMPATIBLE_PREFIX = 'openai-compatible:';

export interface EndpointEntry {
  /** Stable id: the kind for built-ins, `openai-compatible:<name>` for each compatible server. */
  id: string;
  kind: ProviderKind;
  label: string;
  /** Present when the settings are complete and valid: the endpoint can be called. */
  config?: EndpointConfig;
  /** Why it cannot be called yet, written as what to change. */
  problem?: string;
  /** The problem is only that nothing was filled in yet (Azure before setup): not worth a warning. */
  unset?: boolean;
  /** The address requests go to, for tooltips; undefined means the provider's own default. */
  address?: string;
  /** The full ids of the settings that configure this endpoint, for "Open Provider Settings". */
  settings: string[];
}

export interface ProviderConfiguration {
  entries: EndpointEntry[];
  /** Problems that belong to no row: an unnamed or duplicate compatible entry, an unknown default provider. */
  warnings: string[];
  /** The configured default endpoint id, when it names an existing entry. */
  defaultProvider?: string;
}

const full = (key: ProviderSettingKey) => `aiStudio.${key}`;
const timeoutSettings = [full('providers.firstByteTimeoutSeconds'), full('providers.idleTimeoutSeconds')];

interface BuiltIn {
  kind: Exclude<ProviderKind, 'openai-compatible' | 'azure-openai'>;
  label: string;
  urlKey: ProviderSettingKey;
  modelKey: ProviderSettingKey;
  defaultUrl?: string;
}

const builtIns: BuiltIn[] = [
  { kind: 'anthropic', label: 'Anthropic', urlKey: 'providers.anthropic.baseUrl', modelKey: 'providers.anthropic.defaultModel' },
  { kind: 'openai', label: 'OpenAI', urlKey: 'providers.openai.baseUrl', modelKey: 'providers.openai.defaultModel' },
  { kind: 'gemini', label: 'Google Gemini', urlKey: 'providers.gemini.baseUrl', modelKey: 'providers.gemini.defaultModel' },
  { kind: 'ollama', label: 'Ollama', urlKey: 'providers.ollama.host', modelKey: 'providers.ollama.defaultModel', defaultUrl: DEFAULT_OLLAMA_HOST },
];

export function parseProviderSettings(input: ProviderSettingsInput): ProviderConfiguration {
  const warnings: string[] = [];
  const timeouts = readTimeouts(input, warnings);
  const watchdogsFor = (kind: ProviderKind): Watchdogs => ({ ...defaultWatchdogs(kind), ...timeouts });
  const [anthropic, openai, gemini, ollama] = builtIns.map((b) => builtInEntry(b, input, watchdogsFor(b.kind)));
  const entries = [anthropic!, openai!, gemini!, azureEntry(input, watchdogsFor('azure-openai')), ollama!];
  entries.push(...compatibleEntries(input['providers.openaiCompatible'], watchdogsFor('openai-compatible'), warnings));

  const configuration: ProviderConfiguration = { entries, warnings };
  const wanted = text(input.defaultProvider);
  if (wanted) {
    if (entries.some((e) => e.id === wanted)) {
      configuration.defaultProvider = wanted;
    } else {
      warnings.push(`aiStudio.defaultProvider is "${wanted}", which is none of the endpoints (${entries.map((e) => e.id).join(', ')}).`);
    }
  }
  return configuration;
}

function builtInEntry(b: BuiltIn, input: ProviderSettingsInput, watchdogs: Watchdogs): EndpointEntry {
  const entry: EndpointEntry = { id: b.kind, kind: b.kind, label: b.label, settings: [full(b.urlKey), full(b.modelKey), ...timeoutSettings] };
  const url = readUrl(input[b.urlKey], full(b.urlKey));
  const model = text(input[b.modelKey]);
  if (url.problem) {
    entry.problem = url.problem;
    return entry;
  }
  const baseUrl = url.value ?? b.defaultUrl;
  if (baseUrl) {
    entry.address = baseUrl;
  }
  entry.config = { id: b.kind, kind: b.kind, label: b.label, watchdogs, ...(baseUrl ? { baseUrl } : {}), ...(model ? { defaultModel: model } : {}) };
  return entry;
}

function azureEntry(input: ProviderSettingsInput, watchdogs: Watchdogs): EndpointEntry {
  const keys = ['providers.azureOpenai.endpoint', 'providers.azureOpenai.deployment', 'providers.azureOpenai.apiVersion'] as const;
  const entry: EndpointEntry = { id: 'azure-openai', kind: 'azure-openai', label: 'Azure OpenAI', settings: [...keys.map(full), ...timeoutSettings] };
  const url = readUrl(input['providers.azureOpenai.endpoint'], full(keys[0]));
  const deployment = text(input['providers.azureOpenai.deployment']);
  const apiVersion = text(input['providers.azureOpenai.apiVersion']);
  if (url.problem) {
    entry.problem = url.problem;
    return entry;
  }
  const missing = [url.value ? undefined : 'endpoint', deployment ? undefined : 'deployment', apiVersion ? undefined : 'API version'].filter(
    (m): m is string => m !== undefined,
  );
  if (!url.value || !deployment || !apiVersion) {
    entry.problem = `Set the Azure OpenAI ${joinWords(missing)} in settings.`;
    if (!url.value && !deployment) {
      entry.unset = true;
    }
    return entry;
  }
  entry.address = url.value;
  entry.config = {
    id: entry.id,
    kind: 'azure-openai',
    label: entry.label,
    watchdogs,
    azure: { endpoint: url.value, deployment, apiVersion },
    // On Azure the model is chosen by the deployment: the name the person gave it is what requests carry.
    defaultModel: deployment,
  };
  return entry;
}

function compatibleEntries(raw: unknown, watchdogs: Watchdogs, warnings: string[]): EndpointEntry[] {
  const setting = full('providers.openaiCompatible');
  if (raw === undefined || raw === null) {
    return [];
  }
  if (!Array.isArray(raw)) {
    warnings.push(`${setting} must be a list of {"name", "baseUrl", "defaultModel"} entries; it is ignored.`);
    return [];
  }
  const entries: EndpointEntry[] = [];
  const seen = new Set<string>();
  raw.forEach((item: unknown, index) => {
    const where = `${setting}[${index}]`;
    if (typeof item !== 'object' || item === null || Array.isArray(item)) {
      warnings.push(`${where} is not an object with "name" and "baseUrl"; it is ignored.`);
      return;
    }
    const fields = item as Record<string, unknown>;
    const name = text(fields.name);
    if (!name) {
      warnings.push(`${where} has no "name"; it is ignored. The name tells this server apart from the others.`);
      return;
    }
    if (seen.has(name.toLowerCase())) {
      warnings.push(`${where}: another entry is already named "${name}"; this one is ignored. Give each server its own name.`);
      return;
    }
    seen.add(name.toLowerCase());
    const id = `${COMPATIBLE_PREFIX}${name}`;
    const entry: EndpointEntry = { id, kind: 'openai-compatible', label: name, settings: [setting, ...timeoutSettings] };
    entries.push(entry);
    const url = readUrl(fields.baseUrl, `"baseUrl" of ${name}`);
    if (url.problem) {
      entry.problem = url.problem;
      return;
    }
    if (!url.value) {
      entry.problem = `Give "${name}" a "baseUrl" in ${setting}, e.g. http://127.0.0.1:1234/v1.`;
      return;
    }
    const model = text(fields.defaultModel);
    entry.address = url.value;
    entry.config = { id, kind: 'openai-compatible', label: name, baseUrl: url.value, watchdogs, ...(model ? { defaultModel: model } : {}) };
  });
  return entries;
}

function readTimeouts(input: ProviderSettingsInput, warnings: string[]): Partial<Watchdogs> {
  const result: Partial<Watchdogs> = {};
  const read = (key: ProviderSettingKey, field: keyof Watchdogs) => {
    const value = input[key];
    if (value === undefined || value === null || value === '') {
      return;
    }
    if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
      warnings.push(`${full(key)} must be a number of seconds above 0; the default is used.`);
      return;
    }
    result[field] = Math.round(value * 1000);
  };
  read('providers.firstByteTimeoutSeconds', 'firstByteMs');
  read('providers.idleTimeoutSeconds', 'idleMs');
  return result;
}

/** Reads an optional http(s) URL: empty means "the default", anything else must be a URL we can send a key to. */
export function readUrl(raw: unknown, setting: string): { value?: string; problem?: string } {
  if (raw === undefined || raw === null) {
    return {};
  }
  if (typeof raw !== 'string') {
    return { problem: `${setting} must be a URL in quotes, e.g. "https://api.example.com/v1".` };
  }
  const value = raw.trim();
  if (value === '') {
    return {};
  }
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return { problem: `${setting} is "${value}", which is not a URL; it should look like https://api.example.com/v1.` };
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return { problem: `${setting} is "${value}"; it must start with http:// or https://.` };
  }
  if (url.username || url.password) {
    // A URL with credentials would put a secret into settings, which sync and show in plain text.
    return { problem: `${setting} contains a user name or password; remove it and use "AI Studio: Set API Key" instead.` };
  }
  return { value };
}

function text(raw: unknown): string | undefined {
  return typeof raw === 'string' && raw.trim() !== '' ? raw.trim() : undefined;
}

function joinWords(words: string[]): string {
  return words.length <= 1 ? (words[0] ?? '') : `${words.slice(0, -1).join(', ')} and ${words[words.length - 1]!}`;
}

/** The endpoint an Ask or a command argument names, by id. */
export function findEntry(configuration: ProviderConfiguration, id: string): EndpointEntry | undefined {
  return configuration.entries.find((e) => e.id === id);
}
