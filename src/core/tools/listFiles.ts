import { shownPath, toolPath } from './toolPaths';
import { count, promised } from './toolText';
import { ToolError, type ToolDefinition } from './toolTypes';

type ListFilesArgs = { glob?: string; path?: string };

/** Entries the model is shown at most. */
export const MAX_LISTED_FILES = 1_000;
/** Entries asked of the workspace, so the result can say how many were left out. */
const COUNTED_FILES = 20_000;

/**
 * Files under a folder of the workspace matching a glob, honouring .gitignore and `files.exclude` (the
 * workspace port's job), sorted, at most 1,000 with how many more there are.
 */
export const listFilesTool: ToolDefinition<ListFilesArgs> = {
  name: 'list_files',
  description:
    'List the files under a workspace folder that match a glob (e.g. "**/*.ts"; a pattern without "/" matches names at any depth), skipping files ignored by .gitignore; up to 1,000.',
  parameters: {
    type: 'object',
    properties: {
      glob: { type: 'string', description: 'Glob relative to path, e.g. "src/**/*.test.ts". Default: every file.' },
      path: { type: 'string', description: 'The folder to list, relative to the workspace folder. Default: the workspace folder.' },
    },
    required: [],
    additionalProperties: false,
  },
  category: 'read',

  plan(args, context) {
    return promised(() => {
      const cwd = toolPath(context.workspace, args.path ?? '.');
      const where = shownPath(context.workspace, cwd);
      return {
        summary: `List files${args.glob === undefined ? '' : ` matching ${args.glob}`}${where === '.' ? '' : ` in ${where}`}`,
        reads: [cwd],
      };
    });
  },

  async run(args, plan, context) {
    const cwd = plan.reads?.[0];
    if (cwd === undefined) {
      throw new Error('list_files: the plan has no folder');
    }
    const where = shownPath(context.workspace, cwd);
    const stat = await context.workspace.stat(cwd);
    if (stat?.type !== 'directory') {
      throw new ToolError(stat === undefined ? `No such folder: ${where}.` : `${where} is a file, not a folder; use read_file to read it.`);
    }
    const glob = args.glob ?? '**/*';
    const { files, truncated } = await context.workspace.listFiles({ glob, cwd, limit: COUNTED_FILES }, context.signal);
    if (files.length === 0) {
      return { content: `No files match ${glob} in ${where} (files ignored by .gitignore or files.exclude are not listed).` };
    }
    const shown = files.map((file) => shownPath(context.workspace, file)).sort();
    const kept = shown.slice(0, MAX_LISTED_FILES);
    const more = shown.length - kept.length;
    const lines = [...kept];
    if (more > 0 || truncated) {
      lines.push(`[${truncated ? 'more than ' : ''}${count(more)} more not shown; narrow the glob or the path to see them]`);
    }
    return { content: lines.join('\n'), ...(more > 0 || truncated ? { details: { truncated: true } } : {}) };
  },
};
