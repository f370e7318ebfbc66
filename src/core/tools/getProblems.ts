import { shownPath, toolPath } from './toolPaths';
import { clipLine, count, MAX_RESULT_CHARS, plural, promised } from './toolText';
import type { Diagnostic, ToolDefinition } from './toolTypes';

type GetProblemsArgs = { path?: string };

export const MAX_PROBLEMS = 200;

const RANK: Record<Diagnostic['severity'], number> = { error: 0, warning: 1, information: 2, hint: 3 };

/**
 * The Problems panel (the editor's diagnostics) of one file or of the workspace, grouped by file, errors first,
 * at most 200.
 */
export const getProblemsTool: ToolDefinition<GetProblemsArgs> = {
  name: 'get_problems',
  description: "List the editor's diagnostics (errors and warnings from compilers and linters) for one file or the whole workspace, grouped by file.",
  parameters: {
    type: 'object',
    properties: {
      path: { type: 'string', description: 'One file, relative to the workspace folder. Default: every file.' },
    },
    required: [],
    additionalProperties: false,
  },
  category: 'read',

  plan(args, context) {
    return promised(() => {
      if (args.path === undefined) {
        return { summary: 'Get the problems of the workspace', reads: [...context.workspace.folders()] };
      }
      const absolute = toolPath(context.workspace, args.path);
      return { summary: `Get the problems of ${shownPath(context.workspace, absolute)}`, reads: [absolute] };
    });
  },

  async run(args, plan, context) {
    const file = args.path === undefined ? undefined : plan.reads?.[0];
    const problems = await context.workspace.problems(file);
    const where = file === undefined ? 'the workspace' : shownPath(context.workspace, file);
    if (problems.length === 0) {
      return { content: `No problems reported in ${where}.` };
    }
    const sorted = [...problems].sort(
      (a, b) => a.path.localeCompare(b.path) || RANK[a.severity] - RANK[b.severity] || a.line - b.line || a.column - b.column,
    );
    const kept = sorted.slice(0, MAX_PROBLEMS);
    const errors = problems.filter((p) => p.severity === 'error').length;
    const lines = [`${plural(problems.length, 'problem')} in ${where} (${plural(errors, 'error')}):`];
    let used = lines[0]?.length ?? 0;
    let shown = 0;
    let current: string | undefined;
    for (const problem of kept) {
      const block: string[] = [];
      if (problem.path !== current) {
        current = problem.path;
        block.push(shownPath(context.workspace, problem.path));
      }
      const origin = [problem.source, problem.code].filter((part) => part !== undefined && part !== '').join(' ');
      block.push(`  ${problem.line}:${problem.column} ${problem.severity}: ${clipLine(problem.message.replace(/\s+/g, ' '), 500)}${origin === '' ? '' : ` (${origin})`}`);
      const cost = block.join('\n').length + 1;
      if (used + cost > MAX_RESULT_CHARS) {
        break;
      }
      lines.push(...block);
      used += cost;
      shown++;
    }
    const rest = problems.length - shown;
    if (rest > 0) {
      lines.push(`[${count(rest)} more not shown; ask for one file with path]`);
    }
    return { content: lines.join('\n'), ...(rest > 0 ? { details: { truncated: true } } : {}) };
  },
};
