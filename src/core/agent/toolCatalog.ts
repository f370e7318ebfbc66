import type { JsonObject, JsonValue } from '../../db/repositories/rows';
import { parseRule } from '../policy/commandPolicy';
import type { ToolCategory } from '../tools/toolTypes';
import type { AgentToolEntry } from './agentTools';

/**
 * The built-in tools as the person sees them in the agent editor: a label and one line each, in the order the
 * editor lists them. The model sees other words (the tools' own descriptions, in src/core/tools); what must agree
 * with the tools themselves is the name and the category, since the category sets the default mode and what the
 * policy judges, and a unit test holds the two lists to that.
 */

export interface CatalogTool {
  /** What the model calls it and what an agent version stores. */
  name: string;
  category: ToolCategory;
  label: string;
  /** One line for the editor. */
  description: string;
}

export const TOOL_CATALOG: readonly CatalogTool[] = [
  { name: 'read_file', category: 'read', label: 'Read files', description: 'Reads a file in the workspace, whole or some of its lines.' },
  { name: 'list_files', category: 'read', label: 'List files', description: 'Lists the files that match a pattern, honouring .gitignore and files.exclude.' },
  { name: 'search_text', category: 'read', label: 'Search text', description: 'Searches the workspace for text or a regular expression.' },
  { name: 'get_problems', category: 'read', label: 'Read problems', description: 'Reads the errors and warnings of the Problems panel.' },
  { name: 'read_output', category: 'read', label: 'Read command output', description: 'Pages through the whole output of a command it ran earlier.' },
  { name: 'replace_in_file', category: 'edit', label: 'Replace in file', description: 'Replaces an exact piece of text in a file; you see the change as a diff.' },
  { name: 'write_file', category: 'edit', label: 'Write file', description: 'Creates a file or replaces its whole text; you see the change as a diff.' },
  { name: 'run_command', category: 'command', label: 'Run commands', description: 'Runs a command line in the workspace and reads its output and exit code.' },
  { name: 'fetch_url', category: 'fetch', label: 'Fetch web pages', description: 'Downloads a web page as text; local and private addresses are blocked.' },
];

/** The tool whose allow and deny rules the editor edits. */
export const COMMAND_TOOL = 'run_command';

/**
 * What is wrong with one line of run_command's rules, or undefined for a rule. Beyond what `parseRule` refuses
 * (an unclosed quote, no command), a line with shell syntax outside quotes is refused too: rules are matched
 * against the words of each simple command of a line, so `git show > x` or `rm -rf $(pwd)` would never match
 * anything, and a deny rule that never matches is worse than none.
 */
export function ruleProblem(text: string): string | undefined {
  const body = text.trim().replace(/(^|\s)\(exact\)$/i, '');
  const syntax = shellSyntax(body);
  if (syntax !== undefined) {
    return `has shell syntax in it, “${syntax}”, so it would never match: a rule is the words of one command`;
  }
  if (parseRule(text) === undefined) {
    return body.trim() === '' ? 'names no command' : 'has a quote that is not closed';
  }
  return undefined;
}

/** The first operator, redirection, expansion or comment outside quotes ($ and ` count inside "..." too). */
function shellSyntax(text: string): string | undefined {
  let quote: "'" | '"' | undefined;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quote === "'") {
      quote = c === "'" ? undefined : quote;
    } else if (c === '\\') {
      i++;
    } else if (c === '$' || c === '`') {
      return c === '$' && text[i + 1] === '(' ? '$(' : c;
    } else if (quote === '"') {
      quote = c === '"' ? undefined : quote;
    } else if (c === "'" || c === '"') {
      quote = c;
    } else if (';&|<>()'.includes(c) || (c === '#' && (i === 0 || /\s/.test(text[i - 1]!)))) {
      return c;
    }
  }
  return undefined;
}

export function catalogTool(name: string, catalog: readonly CatalogTool[] = TOOL_CATALOG): CatalogTool | undefined {
  return catalog.find((tool) => tool.name === name);
}

/**
 * The tools to store: the listed tools as the form set them (in the order they were stored, newly enabled ones
 * after), and every entry the editor does not list (a tool it does not know, a future MCP tool) kept as it was.
 * An entry that did not change keeps its stored form, so an unchanged form makes no new version.
 */
export function mergeTools(previous: readonly JsonValue[], edited: readonly AgentToolEntry[], catalog: readonly CatalogTool[] = TOOL_CATALOG): JsonValue[] {
  const listed = new Set(catalog.map((tool) => tool.name));
  const wanted = new Map(edited.map((entry) => [entry.name, toolJson(entry)]));
  const placed = new Set<string>();
  const next: JsonValue[] = [];
  for (const stored of previous) {
    const name = typeof stored === 'object' && stored !== null && !Array.isArray(stored) ? (stored as JsonObject).name : undefined;
    if (typeof name !== 'string' || !listed.has(name)) {
      next.push(stored);
      continue;
    }
    const entry = wanted.get(name);
    if (entry && !placed.has(name)) {
      next.push(sameJson(stored, entry) ? stored : entry);
    }
    placed.add(name);
  }
  for (const [name, entry] of wanted) {
    if (!placed.has(name)) {
      next.push(entry);
    }
  }
  return next;
}

function toolJson(entry: AgentToolEntry): JsonObject {
  return { name: entry.name, mode: entry.mode, ...(entry.allow ? { allow: [...entry.allow] } : {}), ...(entry.deny ? { deny: [...entry.deny] } : {}) };
}

/** Equal as JSON, whatever the order of keys. */
export function sameJson(a: JsonValue | undefined, b: JsonValue | undefined): boolean {
  const canonical = (value: JsonValue | undefined): unknown =>
    Array.isArray(value)
      ? value.map(canonical)
      : typeof value === 'object' && value !== null
        ? Object.fromEntries(Object.entries(value).sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0)).map(([k, v]) => [k, canonical(v)]))
        : value;
  return JSON.stringify(canonical(a)) === JSON.stringify(canonical(b));
}
