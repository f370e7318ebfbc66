import type { EndpointFacts } from '../../core/agentValidation';
import type { Logger } from '../../core/ports';
import type { ProviderConfiguration } from '../../core/providerConfig';
import { requiresKey, type EndpointConfig } from '../../llm/endpoints';
import type { ProviderAdapter } from '../../llm/types';
import type { ModelOption, ProviderOption } from '../../protocol/agentEditor';
import { failureOf } from '../../commands/providerFixes';
import type { ProviderStatus } from '../../vscode/providerStatus';

/**
 * What agents need to know about the provider endpoints: the dropdown's options, the facts validation checks a
 * provider against, a new agent's default endpoint and model, and the models an endpoint lists. Keys are read
 * here only to call the endpoint; what leaves this file is labels, flags and (redacted) messages.
 */

export interface EndpointServices {
  status: ProviderStatus;
  log: Logger;
  /** `createAdapter` from src/llm, as the provider commands use it. */
  createAdapter(config: EndpointConfig, apiKey: string | undefined): ProviderAdapter;
}

export function endpointFacts(configuration: ProviderConfiguration): EndpointFacts[] {
  return configuration.entries.map((e) => ({ id: e.id, label: e.label, kind: e.kind, configured: e.config !== undefined }));
}

/**
 * The configured endpoints, as the Providers view describes them; plus `keep` (the agent's own provider) when it
 * is not among them, so an agent whose endpoint went away still shows what it uses instead of silently switching.
 */
export async function providerOptions(status: ProviderStatus, keep: readonly string[]): Promise<ProviderOption[]> {
  const configuration = status.settings.current;
  const rows = await status.rows();
  const options: ProviderOption[] = [];
  for (const entry of configuration.entries) {
    const row = rows.find((r) => r.id === entry.id);
    if (entry.config || keep.includes(entry.id)) {
      options.push({
        id: entry.id,
        label: entry.label,
        detail: entry.config ? (row?.description ?? '') : 'not configured',
        usable: row?.usable ?? false,
        defaultModel: entry.config?.defaultModel ?? null,
      });
    }
  }
  for (const id of keep) {
    if (id !== '' && !options.some((o) => o.id === id)) {
      options.push({ id, label: id, detail: 'no such endpoint in your settings', usable: false, defaultModel: null });
    }
  }
  return options;
}

/** A new agent's endpoint: the default provider when it is configured, else the first usable, else configured one. */
export async function defaultEndpoint(status: ProviderStatus): Promise<{ provider: string; model: string }> {
  const configuration = status.settings.current;
  const configured = configuration.entries.filter((e) => e.config);
  const rows = await status.rows();
  const preferred =
    configured.find((e) => e.id === configuration.defaultProvider) ??
    configured.find((e) => rows.some((r) => r.id === e.id && r.usable)) ??
    configured[0];
  return { provider: preferred?.id ?? '', model: preferred?.config?.defaultModel ?? '' };
}

export interface ModelListing {
  models: ModelOption[];
  error: string | null;
}

const LIST_TIMEOUT_MS = 30_000;

/** The models an endpoint lists, or why there are none; never throws, since the model field takes any name. */
export async function listEndpointModels(services: EndpointServices, provider: string): Promise<ModelListing> {
  const entry = services.status.settings.current.entries.find((e) => e.id === provider);
  if (!entry) {
    return { models: [], error: `"${provider}" is not one of your provider endpoints.` };
  }
  if (!entry.config) {
    return { models: [], error: `${entry.label} is not set up yet: ${entry.problem ?? 'complete its settings'}` };
  }
  let key: string | undefined;
  try {
    key = await services.status.keys.get(entry.id);
  } catch (err) {
    return { models: [], error: err instanceof Error ? err.message : String(err) };
  }
  if (requiresKey(entry.kind) && !key) {
    return { models: [], error: `Set an API key for ${entry.label} (AI Studio: Set API Key) to see its models; you can type a model name meanwhile.` };
  }
  try {
    const models = await services.createAdapter(entry.config, key).listModels(AbortSignal.timeout(LIST_TIMEOUT_MS));
    return { models: models.map((m) => ({ id: m.id, label: m.label ?? null })).sort((a, b) => a.id.localeCompare(b.id)), error: null };
  } catch (err) {
    const failure = failureOf(err, key ? [key] : []);
    services.log.warn(`Listing the models of ${entry.label} (${entry.id}) for the agent editor failed (${failure.kind}): ${failure.message}`);
    return { models: [], error: `Could not list the models of ${entry.label}: ${failure.message}` };
  }
}
