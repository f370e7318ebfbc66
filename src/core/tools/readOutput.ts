import { MAX_RESULT_CHARS, MAX_RESULT_LINES, numberedPage, promised, splitLines } from './toolText';
import { ToolError, type ToolDefinition } from './toolTypes';

type ReadOutputArgs = { outputId: string; fromLine?: number; lineCount?: number };

const HASH = /^[0-9a-f]{64}$/;

/**
 * Pages through a command output that `run_command` kept whole because the model got only its head and tail.
 * The output id is the blob's hash, as the run_command result names it; the caps are read_file's.
 */
export const readOutputTool: ToolDefinition<ReadOutputArgs> = {
  name: 'read_output',
  description:
    'Read lines of a long command output that run_command cut short, by the outputId it gave, as numbered lines (up to 2,000 lines or 48,000 characters per call).',
  parameters: {
    type: 'object',
    properties: {
      outputId: { type: 'string', description: 'The outputId from the run_command result.' },
      fromLine: { type: 'integer', minimum: 1, description: 'First line to read (1-based). Default 1.' },
      lineCount: { type: 'integer', minimum: 1, maximum: MAX_RESULT_LINES, description: `How many lines. Default ${MAX_RESULT_LINES}.` },
    },
    required: ['outputId'],
    additionalProperties: false,
  },
  category: 'read',

  plan(args) {
    return promised(() => {
      if (!HASH.test(args.outputId)) {
        throw new ToolError(`${JSON.stringify(args.outputId.slice(0, 80))} is not an outputId: use the 64-character id a run_command result gives.`);
      }
      const from = args.fromLine ?? 1;
      return { summary: `Read command output ${args.outputId.slice(0, 12)}…, from line ${from}` };
    });
  },

  async run(args, _plan, context) {
    const from = args.fromLine ?? 1;
    const wanted = Math.min(args.lineCount ?? MAX_RESULT_LINES, MAX_RESULT_LINES);
    let page: { text: string; totalLines: number };
    try {
      page = await context.outputs.readLines({ hash: args.outputId }, from, wanted);
    } catch (err) {
      throw new ToolError(`No kept output ${args.outputId.slice(0, 12)}… could be read: ${err instanceof Error ? err.message : String(err)}`);
    }
    const total = page.totalLines;
    if (total === 0) {
      return { content: 'That output is empty.' };
    }
    if (from > total) {
      throw new ToolError(`fromLine ${from} is past the end: that output has ${total} lines.`);
    }
    const lines = splitLines(page.text);
    const shown = numberedPage(lines, from, MAX_RESULT_CHARS);
    const header = `Output ${args.outputId.slice(0, 12)}…: lines ${from}-${shown.lastLine} of ${total}`;
    // Without a lineCount the model wants the rest: a page that ends before the output does says how to read on.
    const wantedEnd = args.lineCount === undefined ? total : Math.min(from + wanted - 1, total);
    if (shown.lastLine >= wantedEnd) {
      return { content: `${header}\n${shown.text}` };
    }
    const next = shown.lastLine + 1;
    return {
      content:
        `${header}\n${shown.text}\n\n` +
        `Showing lines ${from}-${shown.lastLine} of ${total}. Call read_output with outputId ${args.outputId} and fromLine ${next} to read on.`,
      details: { truncated: true },
    };
  },
};
