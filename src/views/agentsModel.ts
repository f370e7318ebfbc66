import type { Agent } from '../db/repositories/agents';
import { escapeMarkdown } from './providersModel';
import type { TreeRow } from './treeRow';

/**
 * What the Agents view shows for each agent, computed without VS Code so ordering, filtering and wording are
 * unit-tested from plain data: the label, "Provider · model" as the description, a tooltip with the system
 * prompt's opening and the version, and the flags the menus' `when` clauses read. The tree provider only turns
 * these rows into TreeItems.
 */

export interface AgentRow extends TreeRow {
  archived: boolean;
  version: number;
}

export interface AgentRowOptions {
  showArchived: boolean;
  /** The endpoint's name as the Providers view shows it; undefined for an id no endpoint has (any more). */
  providerLabel(id: string): string | undefined;
  formatTime(epochMs: number): string;
}

/** Long enough to recognise a prompt, short enough for a hover. */
export const PROMPT_PREVIEW_CHARS = 280;

const collator = new Intl.Collator(undefined, { sensitivity: 'base', numeric: true });

/**
 * Active agents by name, then (when shown) archived ones by name, so archiving moves an agent out of the way
 * instead of leaving it among the ones in use. Ties on the name keep a stable order by id.
 */
export function buildAgentRows(agents: readonly Agent[], options: AgentRowOptions): AgentRow[] {
  return agents
    .filter((agent) => options.showArchived || agent.archivedAt === null)
    .slice()
    .sort(
      (a, b) =>
        Number(a.archivedAt !== null) - Number(b.archivedAt !== null) ||
        collator.compare(a.name, b.name) ||
        (a.id < b.id ? -1 : a.id > b.id ? 1 : 0),
    )
    .map((agent) => buildAgentRow(agent, options));
}

export function buildAgentRow(agent: Agent, options: Pick<AgentRowOptions, 'providerLabel' | 'formatTime'>): AgentRow {
  const { provider, model, version } = agent.currentVersion;
  const providerName = options.providerLabel(provider);
  const archived = agent.archivedAt !== null;
  const parts = [`${providerName ?? provider} · ${model}`];
  if (archived) {
    parts.push('archived');
  }
  return {
    id: agent.id,
    label: agent.name,
    description: parts.join(' · '),
    tooltip: tooltip(agent, providerName, options.formatTime),
    icon: archived ? { id: 'archive', color: 'disabledForeground' } : { id: 'hubot' },
    contextValue: `agent ${archived ? 'archived' : 'active'}`,
    accessibilityLabel: `${agent.name}, ${providerName ?? provider}, model ${model}, version ${version}${archived ? ', archived' : ''}`,
    archived,
    version,
  };
}

function tooltip(agent: Agent, providerName: string | undefined, formatTime: (epochMs: number) => string): string {
  const { provider, model, version, systemPrompt, params } = agent.currentVersion;
  const lines = [`**${escapeMarkdown(agent.name)}**`, ''];
  const providerText = providerName ? `${escapeMarkdown(providerName)} (${code(provider)})` : `${code(provider)} (no such endpoint in your settings)`;
  lines.push(`Provider: ${providerText}`, `Model: ${code(model)}`);
  const settings = [
    typeof params.temperature === 'number' ? `temperature ${params.temperature}` : undefined,
    typeof params.maxTokens === 'number' ? `max ${params.maxTokens} tokens` : undefined,
  ].filter((s): s is string => s !== undefined);
  if (settings.length > 0) {
    lines.push(`Parameters: ${settings.join(', ')}`);
  }
  lines.push(`Version ${version}, updated ${escapeMarkdown(formatTime(agent.updatedAt))}`);
  if (agent.archivedAt !== null) {
    lines.push(`Archived ${escapeMarkdown(formatTime(agent.archivedAt))}`);
  }
  lines.push('', promptPreview(systemPrompt));
  // Two spaces before each newline: a Markdown line break, so each fact sits on its own line.
  return lines.join('  \n');
}

/** The prompt's opening as literal text (escaped, line breaks kept), or a note that there is none. */
export function promptPreview(systemPrompt: string): string {
  const text = systemPrompt.trim();
  if (text === '') {
    return '_No system prompt._';
  }
  const cut = text.length > PROMPT_PREVIEW_CHARS ? `${text.slice(0, PROMPT_PREVIEW_CHARS).trimEnd()}…` : text;
  return `System prompt:  \n${cut
    .split(/\r?\n/)
    .map((line) => `> ${escapeMarkdown(line)}`)
    .join('  \n')}`;
}

/** Inline code for an id; a backtick inside would end the span early, so it is dropped. */
function code(text: string): string {
  return `\`${text.replaceAll('`', '')}\``;
}
