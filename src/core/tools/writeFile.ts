import { applyEdit, currentText, editDiff, failDeferred, planOrDefer } from './fileEdits';
import { shownPath, toolPath } from './toolPaths';
import { looksBinary, plural, promised, splitLines } from './toolText';
import { ToolError, type ToolContext, type ToolDefinition, type ToolPlan } from './toolTypes';

type WriteFileArgs = { path: string; content: string };

/**
 * Creates a file, or replaces all of one, with the given text (its folders are created too). `plan` reads what
 * is there now (null for a new file) so the approval card shows the real diff, and `run` writes only while
 * that is still what is there.
 */
export const writeFileTool: ToolDefinition<WriteFileArgs> = {
  name: 'write_file',
  description: 'Create a file, or replace the whole of an existing one, with the given text (missing folders are created).',
  parameters: {
    type: 'object',
    properties: {
      path: { type: 'string', description: 'The file, relative to the workspace folder or absolute.' },
      content: { type: 'string', description: 'The complete new text of the file.' },
    },
    required: ['path', 'content'],
    additionalProperties: false,
  },
  category: 'edit',

  plan(args, context) {
    return promised(() => {
      const absolute = toolPath(context.workspace, args.path);
      return planOrDefer(context, absolute, [absolute], () => whole(args, absolute, context));
    });
  },

  async run(args, plan, context) {
    if (plan.edit === undefined) {
      const absolute = plan.writes?.[0] ?? toolPath(context.workspace, args.path);
      return failDeferred(() => whole(args, absolute, context), shownPath(context.workspace, absolute));
    }
    const shown = shownPath(context.workspace, plan.edit.path);
    return applyEdit(plan, context, plan.edit.before === null ? `Created ${shown}` : `Wrote ${shown}`);
  },
};

async function whole(args: WriteFileArgs, absolute: string, context: ToolContext): Promise<ToolPlan> {
  const shown = shownPath(context.workspace, absolute);
  const before = await currentText(context.workspace, absolute);
  if (before !== null && looksBinary(before)) {
    throw new ToolError(`${shown} is a binary file; write_file does not replace binary files.`);
  }
  if (before === args.content) {
    throw new ToolError(`${shown} already has exactly this content: there is nothing to change.`);
  }
  const lines = plural(splitLines(args.content).length, 'line');
  return {
    summary: before === null ? `Create ${shown} (${lines})` : `Replace all of ${shown} (${lines})`,
    reads: [absolute],
    writes: [absolute],
    edit: { path: absolute, before, after: args.content, diff: await editDiff(shown, before, args.content) },
  };
}
