import type { JsonObject, JsonValue } from '../../db/repositories/rows';
import { asRecord } from '../jsonFields';
import type { CommandRule, ToolMode } from '../policy/policyTypes';
import type { ToolCategory } from '../tools/toolTypes';

/**
 * How an agent version says which tools it has and how far they may go. Stored in the version (so every change
 * is a new version and history knows which policy a call ran under):
 *   tools:  [{ name: 'read_file', mode: 'auto' }, { name: 'run_command', mode: 'ask', allow: ['npm test'], deny: ['rm'] }, ...]
 *   params: { ..., limits: { steps, tokens, costUsd, minutes } }
 * A tool not listed is off. An agent saved before tools existed has `tools: []`: it only talks, as it did.
 * Reading is lenient (a malformed entry is left out, never a failing turn); the agent editor validates.
 */

export interface AgentToolEntry {
  name: string;
  mode: Exclude<ToolMode, 'off'>;
  /** run_command only: rule texts as the person wrote them (`git status`, `npm test (exact)`). */
  allow?: string[];
  deny?: string[];
}

/** Per turn: reaching one pauses the turn with "Continue / Stop"; it is never silently killed. */
export interface TurnLimits {
  /** Model calls in one turn. */
  steps: number;
  /** Input + output tokens over the turn's calls. */
  tokens: number;
  /** Cost over the turn's calls, in USD (calls of unknown cost count 0 and are said to be unknown). */
  costUsd: number;
  /** Wall time of the turn, approvals waited for excluded. */
  minutes: number;
}

export const DEFAULT_LIMITS: TurnLimits = { steps: 25, tokens: 1_000_000, costUsd: 1, minutes: 15 };

/** The defaults the issue sets: reads inside the workspace run by themselves; edits, commands and fetch ask. */
export const DEFAULT_MODES: Record<ToolCategory, Exclude<ToolMode, 'off'>> = { read: 'auto', edit: 'ask', command: 'ask', fetch: 'ask' };

export interface AgentToolSettings {
  /** Tools that are on, by name. */
  modes: ReadonlyMap<string, Exclude<ToolMode, 'off'>>;
  /** run_command's rules from the agent (the user's global rules are added by the caller). */
  commandRules: { allow: CommandRule[]; deny: CommandRule[] };
  limits: TurnLimits;
}

const NAME = /^[a-zA-Z][a-zA-Z0-9_-]{0,63}$/;

export function readAgentTools(version: { tools: readonly JsonValue[]; params: JsonObject }, parseRule: (text: string) => CommandRule | undefined): AgentToolSettings {
  const modes = new Map<string, Exclude<ToolMode, 'off'>>();
  const allow: CommandRule[] = [];
  const deny: CommandRule[] = [];
  for (const entry of version.tools) {
    const parsed = readEntry(entry);
    if (parsed === undefined) {
      continue;
    }
    modes.set(parsed.name, parsed.mode);
    for (const text of parsed.allow ?? []) {
      const rule = parseRule(text);
      if (rule) {
        allow.push(rule);
      }
    }
    for (const text of parsed.deny ?? []) {
      const rule = parseRule(text);
      if (rule) {
        deny.push(rule);
      }
    }
  }
  return { modes, commandRules: { allow, deny }, limits: readLimits(version.params.limits) };
}

export function readEntry(entry: JsonValue): AgentToolEntry | undefined {
  const { name, mode, allow, deny } = asRecord(entry);
  if (typeof name !== 'string' || !NAME.test(name) || (mode !== 'ask' && mode !== 'auto')) {
    return undefined;
  }
  const texts = (value: JsonValue | undefined) => (Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string' && v.trim() !== '') : undefined);
  const result: AgentToolEntry = { name, mode };
  const allowTexts = texts(allow);
  const denyTexts = texts(deny);
  if (allowTexts?.length) {
    result.allow = allowTexts;
  }
  if (denyTexts?.length) {
    result.deny = denyTexts;
  }
  return result;
}

export function readLimits(value: JsonValue | undefined): TurnLimits {
  const limits = { ...DEFAULT_LIMITS };
  const record = asRecord(value);
  for (const key of Object.keys(DEFAULT_LIMITS) as (keyof TurnLimits)[]) {
    const figure = record[key];
    if (typeof figure === 'number' && Number.isFinite(figure) && figure > 0) {
      limits[key] = figure;
    }
  }
  return limits;
}

/** Every built-in tool at its default mode: what a new agent starts with. */
export function defaultToolEntries(tools: readonly { name: string; category: ToolCategory }[]): AgentToolEntry[] {
  return tools.map((tool) => ({ name: tool.name, mode: DEFAULT_MODES[tool.category] }));
}
