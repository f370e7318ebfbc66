import { z } from 'zod';
import shipped from './data/prices.json';
import type { EndpointConfig, ProviderKind } from './endpoints';
import type { Usage } from './types';

/**
 * What a call cost. Prices come from the user's overrides first, then the dated table shipped with the
 * extension (src/llm/data/prices.json); a model on this machine (a loopback endpoint) costs nothing. Anything
 * else is unknown, and stays unknown: a cost of 0 for an unpriced model would make a budget silently useless.
 */

/** USD per million tokens. Cache and reasoning prices fall back to the input and output prices. */
export interface ModelPrice {
  input: number;
  output: number;
  cacheRead?: number;
  cacheWrite?: number;
  reasoning?: number;
}

export type PriceSource = 'override' | 'table' | 'local';

export interface ResolvedPrice {
  price: ModelPrice;
  source: PriceSource;
  /** The date of the shipped table, for prices from it. */
  asOf?: string;
}

const perMillion = z.number().finite().nonnegative();
const priceSchema = z.object({
  input: perMillion,
  output: perMillion,
  cacheRead: perMillion.optional(),
  cacheWrite: perMillion.optional(),
  reasoning: perMillion.optional(),
});

/** One entry of the `aiStudio.prices` setting. Without `provider`, it applies to the model on any provider. */
export const priceOverrideSchema = priceSchema.extend({
  provider: z.string().min(1).optional(),
  model: z.string().min(1),
});
export type PriceOverride = z.infer<typeof priceOverrideSchema>;

const tableSchema = z.object({
  asOf: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
  models: z.array(priceOverrideSchema.extend({ provider: z.string().min(1) })),
});

export const priceTable = tableSchema.parse(shipped);

/** Reads the setting, keeping every valid entry and describing each invalid one (by position) for the log. */
export function parsePriceOverrides(raw: unknown): { overrides: PriceOverride[]; problems: string[] } {
  if (raw === undefined || raw === null) {
    return { overrides: [], problems: [] };
  }
  if (!Array.isArray(raw)) {
    return { overrides: [], problems: ['aiStudio.prices must be a list of { model, input, output, ... } entries.'] };
  }
  const overrides: PriceOverride[] = [];
  const problems: string[] = [];
  raw.forEach((entry: unknown, index) => {
    const parsed = priceOverrideSchema.safeParse(entry);
    if (parsed.success) {
      overrides.push(parsed.data);
    } else {
      const issue = parsed.error.issues[0];
      problems.push(`aiStudio.prices[${index}]: ${issue ? `${issue.path.join('.') || 'entry'} ${issue.message}` : 'invalid'}`);
    }
  });
  return { overrides, problems };
}

export function resolvePrice(endpoint: Pick<EndpointConfig, 'kind' | 'baseUrl'>, model: string, overrides: readonly PriceOverride[] = []): ResolvedPrice | undefined {
  const own = (entry: { provider?: string | undefined }) => entry.provider === undefined || entry.provider === tableProvider(endpoint.kind);
  const override = bestMatch(overrides.filter(own), model);
  if (override) {
    return { price: override, source: 'override' };
  }
  if (isLoopback(endpoint.baseUrl) || (endpoint.kind === 'ollama' && endpoint.baseUrl === undefined)) {
    return { price: { input: 0, output: 0 }, source: 'local' };
  }
  const listed = bestMatch(priceTable.models.filter((entry) => entry.provider === tableProvider(endpoint.kind)), model);
  return listed ? { price: listed, source: 'table', asOf: priceTable.asOf } : undefined;
}

/** USD for one call, or undefined when the price is unknown. */
export function costOf(usage: Usage, price: ModelPrice | undefined): number | undefined {
  if (!price) {
    return undefined;
  }
  const cacheRead = usage.cacheReadTokens ?? 0;
  const cacheWrite = usage.cacheWriteTokens ?? 0;
  const reasoning = Math.min(usage.reasoningTokens ?? 0, usage.outputTokens);
  const freshInput = Math.max(0, usage.inputTokens - cacheRead - cacheWrite);
  const total =
    freshInput * price.input +
    cacheRead * (price.cacheRead ?? price.input) +
    cacheWrite * (price.cacheWrite ?? price.input) +
    (usage.outputTokens - reasoning) * price.output +
    reasoning * (price.reasoning ?? price.output);
  return total / 1_000_000;
}

/** Integer micro-dollars, as the store keeps money (exact sums). */
export function toMicroDollars(usd: number): number {
  return Math.round(usd * 1_000_000);
}

export function formatCost(usd: number | undefined): string {
  if (usd === undefined) {
    return 'cost unknown';
  }
  if (usd === 0) {
    return '$0';
  }
  return usd < 0.01 ? `$${usd.toPrecision(2)}` : `$${usd.toFixed(usd < 1 ? 3 : 2)}`;
}

/** Azure and OpenAI-compatible servers run OpenAI's models under OpenAI's names. */
function tableProvider(kind: ProviderKind): string {
  return kind === 'azure-openai' || kind === 'openai-compatible' ? 'openai' : kind;
}

/**
 * The entry for `model`: an exact id, or the longest entry the id extends with a version or date suffix
 * (`claude-sonnet-4-5-20250929`, `gpt-4o-2024-08-06`, `models/gemini-2.5-pro`), never a different model that
 * merely shares a prefix (`gpt-4o-mini` is not `gpt-4o`).
 */
function bestMatch<T extends { model: string }>(entries: readonly T[], model: string): T | undefined {
  const id = model.replace(/^models\//, '').toLowerCase();
  let best: T | undefined;
  for (const entry of entries) {
    const name = entry.model.toLowerCase();
    const matches = id === name || (id.startsWith(name) && /^(-\d|@|-latest$|-preview)/.test(id.slice(name.length)));
    if (matches && (!best || name.length > best.model.length)) {
      best = entry;
    }
  }
  return best;
}

function isLoopback(url: string | undefined): boolean {
  if (!url) {
    return false;
  }
  try {
    const host = new URL(url).hostname;
    return host === 'localhost' || host === '::1' || host === '[::1]' || /^127\./.test(host);
  } catch {
    return false;
  }
}
