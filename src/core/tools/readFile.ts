import path from 'node:path';
import { readTextFile } from './toolFiles';
import { shownPath, toolPath } from './toolPaths';
import { MAX_RESULT_CHARS, MAX_RESULT_LINES, numberedPage, promised, splitLines } from './toolText';
import { ToolError, type ToolDefinition } from './toolTypes';

type ReadFileArgs = { path: string; startLine?: number; endLine?: number };

/**
 * A text file as numbered lines, at most 2,000 lines or 48,000 characters per call; a result that was cut ends
 * with the exact call that reads on. The plan reads the file and its folder (a missing file's suggestion lists
 * the folder) and nothing else; all the reading happens in `run`, after the policy has judged those paths.
 */
export const readFileTool: ToolDefinition<ReadFileArgs> = {
  name: 'read_file',
  description:
    'Read a text file as numbered lines ("<line>\\t<text>"), up to 2,000 lines or 48,000 characters per call; use startLine/endLine for a part of a long file.',
  parameters: {
    type: 'object',
    properties: {
      path: { type: 'string', description: 'The file, relative to the workspace folder or absolute.' },
      startLine: { type: 'integer', minimum: 1, description: 'First line to read (1-based). Default 1.' },
      endLine: { type: 'integer', minimum: 1, description: 'Last line to read (inclusive). Default: as far as the caps allow.' },
    },
    required: ['path'],
    additionalProperties: false,
  },
  category: 'read',

  plan(args, context) {
    return promised(() => {
      const absolute = toolPath(context.workspace, args.path);
      if (args.startLine !== undefined && args.endLine !== undefined && args.endLine < args.startLine) {
        throw new ToolError(`endLine (${args.endLine}) is before startLine (${args.startLine}).`);
      }
      const range =
        args.startLine === undefined && args.endLine === undefined ? '' : `, lines ${args.startLine ?? 1}-${args.endLine ?? 'end'}`;
      return {
        summary: `Read ${shownPath(context.workspace, absolute)}${range}`,
        reads: [absolute, path.dirname(absolute)],
      };
    });
  },

  async run(args, plan, context) {
    const absolute = plan.reads?.[0];
    if (absolute === undefined) {
      throw new Error('read_file: the plan has no path');
    }
    const shown = shownPath(context.workspace, absolute);
    const lines = splitLines(await readTextFile(context.workspace, absolute, context.signal));
    const total = lines.length;
    if (total === 0) {
      return { content: `${shown} is empty.` };
    }
    const start = args.startLine ?? 1;
    if (start > total) {
      throw new ToolError(`startLine ${start} is past the end: ${shown} has ${total} lines.`);
    }
    const wantedEnd = Math.min(args.endLine ?? total, total);
    const end = Math.min(wantedEnd, start + MAX_RESULT_LINES - 1);
    const page = numberedPage(lines.slice(start - 1, end), start, MAX_RESULT_CHARS);
    const header = `${shown}: lines ${start}-${page.lastLine} of ${total}`;
    if (page.lastLine >= wantedEnd) {
      return { content: `${header}\n${page.text}` };
    }
    const next = page.lastLine + 1;
    const footer =
      `Showing lines ${start}-${page.lastLine} of ${total}. Call read_file with startLine ${next} to read on.`;
    return { content: `${header}\n${page.text}\n\n${footer}`, details: { truncated: true } };
  },
};
