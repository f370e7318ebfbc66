import path from 'node:path';
import { applyEdit, editDiff, failDeferred, planOrDefer } from './fileEdits';
import { readTextFile } from './toolFiles';
import { shownPath, toolPath } from './toolPaths';
import { clipLine, plural, promised, splitLines } from './toolText';
import { closestLine, findIgnoringWhitespace, findOccurrences, hasLineNumbers, lineOf } from './textMatch';
import { ToolError, type ToolContext, type ToolDefinition, type ToolPlan } from './toolTypes';

type ReplaceInFileArgs = { path: string; oldText: string; newText: string; expectedOccurrences?: number };

/** Occurrence lines named in an "ambiguous" error at most. */
const LISTED_LINES = 20;

/**
 * An exact-text edit of one file. `plan` reads the file and computes the whole edit (new text and diff) for the
 * approval card; an oldText that is missing or ambiguous is a ToolError that says exactly what is there instead.
 * A file with CRLF line endings is matched and edited in CRLF, so the model's `\n` text still fits.
 */
export const replaceInFileTool: ToolDefinition<ReplaceInFileArgs> = {
  name: 'replace_in_file',
  description:
    'Edit a file by replacing an exact piece of its text (oldText, copied from read_file without the line numbers, with enough lines to be unique) with newText.',
  parameters: {
    type: 'object',
    properties: {
      path: { type: 'string', description: 'The file, relative to the workspace folder or absolute.' },
      oldText: { type: 'string', minLength: 1, description: 'The exact text to replace, whitespace and indentation included.' },
      newText: { type: 'string', description: 'The text to put in its place (empty to delete it).' },
      expectedOccurrences: {
        type: 'integer',
        minimum: 1,
        description: 'Replace every occurrence when oldText occurs exactly this many times. Default 1.',
      },
    },
    required: ['path', 'oldText', 'newText'],
    additionalProperties: false,
  },
  category: 'edit',

  plan(args, context) {
    return promised(() => {
      const absolute = toolPath(context.workspace, args.path);
      return planOrDefer(context, absolute, [absolute, path.dirname(absolute)], () => replacement(args, absolute, context));
    });
  },

  async run(args, plan, context) {
    if (plan.edit === undefined) {
      const absolute = plan.writes?.[0] ?? toolPath(context.workspace, args.path);
      return failDeferred(() => replacement(args, absolute, context), shownPath(context.workspace, absolute));
    }
    return applyEdit(plan, context, `Edited ${shownPath(context.workspace, plan.edit.path)}`);
  },
};

/** The whole edit, or a ToolError that says exactly why it cannot be made. */
async function replacement(args: ReplaceInFileArgs, absolute: string, context: ToolContext): Promise<ToolPlan> {
  const shown = shownPath(context.workspace, absolute);
  if (args.oldText === '') {
    throw new ToolError('oldText is empty. To create a file or replace all of it, use write_file.');
  }
  const before = await readTextFile(context.workspace, absolute, context.signal);
  const crlf = before.includes('\r\n');
  const fit = (text: string) => (crlf ? text.replace(/\r?\n/g, '\r\n') : text);
  const oldText = fit(args.oldText);
  const newText = fit(args.newText);
  if (oldText === newText) {
    throw new ToolError('oldText and newText are the same: there is nothing to change.');
  }
  const found = findOccurrences(before, oldText);
  const expected = args.expectedOccurrences ?? 1;
  if (found.length === 0) {
    throw new ToolError(notFound(before, args.oldText, shown));
  }
  if (found.length !== expected) {
    throw new ToolError(ambiguous(before, found, expected, args.expectedOccurrences !== undefined, shown));
  }
  const after = before.split(oldText).join(newText);
  const lines = found.map((i) => lineOf(before, i));
  const where = lines.length === 1 ? `line ${lines[0]}` : `lines ${lines.join(', ')}`;
  return {
    summary: `Edit ${shown}: replace ${plural(found.length, 'occurrence')} (${where})`,
    reads: [absolute, path.dirname(absolute)],
    writes: [absolute],
    edit: { path: absolute, before, after, diff: await editDiff(shown, before, after) },
  };
}

function notFound(text: string, oldText: string, shown: string): string {
  const lead = `oldText was not found in ${shown}.`;
  if (hasLineNumbers(oldText)) {
    return `${lead} It seems to include the line numbers read_file shows ("12<TAB>"); leave them out and copy only the text.`;
  }
  const loose = findIgnoringWhitespace(text, oldText);
  if (loose !== undefined) {
    const lines = splitLines(text).slice(loose.startLine - 1, Math.min(loose.endLine, loose.startLine + 29));
    const range = loose.startLine === loose.endLine ? `line ${loose.startLine}` : `lines ${loose.startLine}-${loose.endLine}`;
    return (
      `${lead} It is there with different whitespace or indentation at ${range}; copy it exactly as it is ` +
      `(shown here between the markers, without the line numbers):\n<<<\n${lines.map((l) => clipLine(l, 500)).join('\n')}\n>>>`
    );
  }
  const closest = closestLine(text, oldText);
  if (closest !== undefined) {
    return `${lead} The closest line is line ${closest.line}: ${JSON.stringify(clipLine(closest.text, 300))}. Read the file again with read_file and copy the text exactly.`;
  }
  return `${lead} Nothing like it is there; read the file again with read_file and copy the text exactly.`;
}

function ambiguous(text: string, found: readonly number[], expected: number, explicit: boolean, shown: string): string {
  const lines = found.slice(0, LISTED_LINES).map((i) => lineOf(text, i));
  const more = found.length > LISTED_LINES ? `, and ${found.length - LISTED_LINES} more` : '';
  const where = `${plural(found.length, 'time')} in ${shown} (lines ${lines.join(', ')}${more})`;
  const fix = `Add surrounding lines to oldText so it matches only the place you mean, or set expectedOccurrences to ${found.length} to replace every occurrence.`;
  if (explicit) {
    return `oldText occurs ${where}, not ${expected} as expectedOccurrences says. Nothing was changed. ${fix}`;
  }
  return `oldText occurs ${where}. Nothing was changed. ${fix}`;
}
