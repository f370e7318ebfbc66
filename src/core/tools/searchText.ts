import { shownPath, toolPath } from './toolPaths';
import { clipLine, count, MAX_RESULT_CHARS, promised } from './toolText';
import { ToolError, type ToolDefinition } from './toolTypes';

type SearchTextArgs = { query: string; isRegex?: boolean; caseSensitive?: boolean; glob?: string; path?: string };

/** Matches the model is shown at most, and characters of each matching line. */
export const MAX_MATCHES = 200;
export const MAX_MATCH_LINE_CHARS = 300;

/**
 * Text search over the workspace through ripgrep (the workspace port's), honouring .gitignore and
 * `files.exclude`: `path:line: text`, capped in matches, characters per line and characters overall. Regexes are
 * ripgrep's (Rust syntax; look-around and back-references through its PCRE2 fallback); an invalid one comes back
 * as a ToolError carrying ripgrep's message.
 */
export const searchTextTool: ToolDefinition<SearchTextArgs> = {
  name: 'search_text',
  description:
    'Search the text of workspace files for a literal string or a regular expression (ripgrep syntax), skipping files ignored by .gitignore; returns "path:line: text", up to 200 matches.',
  parameters: {
    type: 'object',
    properties: {
      query: { type: 'string', minLength: 1, description: 'The text, or the regular expression when isRegex is true.' },
      isRegex: { type: 'boolean', description: 'Treat query as a regular expression. Default false (literal text).' },
      caseSensitive: { type: 'boolean', description: 'Match case exactly. Default false.' },
      glob: { type: 'string', description: 'Only files matching this glob, e.g. "*.ts" or "src/**/*.py".' },
      path: { type: 'string', description: 'The folder to search, relative to the workspace folder. Default: the workspace folder.' },
    },
    required: ['query'],
    additionalProperties: false,
  },
  category: 'read',

  plan(args, context) {
    return promised(() => {
      if (args.query === '') {
        throw new ToolError('query is empty.');
      }
      if (/[\r\n]/.test(args.query)) {
        throw new ToolError('search_text matches within single lines: query must not contain a line break. Search for one line of it.');
      }
      const cwd = toolPath(context.workspace, args.path ?? '.');
      const where = shownPath(context.workspace, cwd);
      const kind = args.isRegex === true ? 'regex' : 'text';
      return {
        summary: `Search for ${kind} ${JSON.stringify(args.query)}${args.glob === undefined ? '' : ` in ${args.glob}`}${where === '.' ? '' : ` under ${where}`}`,
        reads: [cwd],
      };
    });
  },

  async run(args, plan, context) {
    const cwd = plan.reads?.[0];
    if (cwd === undefined) {
      throw new Error('search_text: the plan has no folder');
    }
    const stat = await context.workspace.stat(cwd);
    if (stat?.type !== 'directory') {
      throw new ToolError(`No such folder: ${shownPath(context.workspace, cwd)}.`);
    }
    const { matches, truncated } = await context.workspace.searchText(
      {
        pattern: args.query,
        isRegex: args.isRegex ?? false,
        caseSensitive: args.caseSensitive ?? false,
        ...(args.glob === undefined ? {} : { glob: args.glob }),
        cwd,
        maxResults: MAX_MATCHES,
      },
      context.signal,
    );
    if (matches.length === 0) {
      return { content: `No matches for ${JSON.stringify(args.query)} (files ignored by .gitignore or files.exclude are not searched).` };
    }
    const lines: string[] = [];
    let used = 0;
    let shown = 0;
    for (const match of matches.slice(0, MAX_MATCHES)) {
      const line = `${shownPath(context.workspace, match.path)}:${match.line}: ${clipLine(match.text.trim(), MAX_MATCH_LINE_CHARS)}`;
      if (used + line.length + 1 > MAX_RESULT_CHARS) {
        break;
      }
      lines.push(line);
      used += line.length + 1;
      shown++;
    }
    const cut = truncated || shown < matches.length;
    if (cut) {
      const rest = matches.length - shown;
      const what = truncated
        ? `the search stopped after ${count(matches.length)} matches${rest > 0 ? ` (${count(rest)} of them not shown)` : ''}, there are more`
        : `${count(rest)} more ${rest === 1 ? 'match' : 'matches'} not shown`;
      lines.push(`[${what}; narrow the query, the glob or the path]`);
    }
    return { content: lines.join('\n'), ...(cut ? { details: { truncated: true } } : {}) };
  },
};
