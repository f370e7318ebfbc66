import { OutputCapture, type CapturedOutput } from './outputCapture';
import { shownPath, toolPath } from './toolPaths';
import { count, promised } from './toolText';
import { ToolError, type CommandOutcome, type OutputRef, type ToolDefinition, type ToolResult } from './toolTypes';

type RunCommandArgs = { command: string; cwd?: string; timeoutSeconds?: number };

export const DEFAULT_TIMEOUT_SECONDS = 120;
export const MAX_TIMEOUT_SECONDS = 30 * 60;

/**
 * A shell command line in a folder of the workspace. Its output streams to the transcript as it comes and, whole,
 * into a kept output (a blob); the model gets the head and the tail (~48,000 characters) and, when something
 * was left out, the `read_output` call that pages through it. Memory stays bounded for any output size: only the
 * head and a tail ring are held here, the rest is on disk.
 */
export const runCommandTool: ToolDefinition<RunCommandArgs> = {
  name: 'run_command',
  description:
    'Run a shell command line in a workspace folder and return its exit code and output (stdout and stderr; long output is cut to its head and tail, read_output pages through the rest).',
  parameters: {
    type: 'object',
    properties: {
      command: { type: 'string', minLength: 1, description: 'The command line, e.g. "npm test".' },
      cwd: { type: 'string', description: 'The folder to run it in, relative to the workspace folder. Default: the workspace folder.' },
      timeoutSeconds: {
        type: 'integer',
        minimum: 1,
        maximum: MAX_TIMEOUT_SECONDS,
        description: `Kill it (and every process it started) after this long. Default ${DEFAULT_TIMEOUT_SECONDS}.`,
      },
    },
    required: ['command'],
    additionalProperties: false,
  },
  category: 'command',

  plan(args, context) {
    return promised(() => {
      if (args.command.trim() === '') {
        throw new ToolError('command is empty.');
      }
      // Nothing is looked at before the policy has judged the folder (it may be outside the workspace): whether
      // it exists is checked in run.
      const cwd = toolPath(context.workspace, args.cwd ?? '.');
      const seconds = Math.min(Math.max(1, args.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS), MAX_TIMEOUT_SECONDS);
      const shownCwd = shownPath(context.workspace, cwd);
      return {
        summary: `Run \`${oneLine(args.command)}\`${shownCwd === '.' ? '' : ` in ${shownCwd}`}`,
        command: { line: args.command, cwd, timeoutMs: seconds * 1000 },
      };
    });
  },

  async run(_args, plan, context) {
    const command = plan.command;
    if (command === undefined) {
      throw new Error('run_command: the plan has no command');
    }
    const stat = await context.workspace.stat(command.cwd);
    if (stat?.type !== 'directory') {
      const shown = shownPath(context.workspace, command.cwd);
      throw new ToolError(`cwd ${shown} is not a folder${stat === undefined ? ' (it does not exist)' : ''}; nothing was run.`);
    }
    const writer = context.outputs.create();
    const capture = new OutputCapture();
    let outcome: CommandOutcome;
    try {
      outcome = await context.commands.run(command, context.signal, (text) => {
        capture.write(text);
        writer.write(text);
        context.progress({ kind: 'output', text });
      });
    } catch (err) {
      await writer.discard();
      if (err instanceof ToolError) {
        throw err;
      }
      throw new ToolError(`The command could not be started: ${err instanceof Error ? err.message : String(err)}`);
    }
    const captured = capture.finish();
    let kept: OutputRef | string | undefined;
    if (captured.truncated) {
      // A full disk must not cost the model the head and tail it can still have: it hears why the rest is gone.
      kept = await writer.close().catch((err: unknown) => `the whole output could not be kept (${err instanceof Error ? err.message : String(err)})`);
    } else {
      await writer.discard();
    }
    return commandResult(outcome, captured, kept, command.timeoutMs, context.signal.aborted);
  },
};

function commandResult(
  outcome: CommandOutcome,
  captured: CapturedOutput,
  kept: OutputRef | string | undefined,
  timeoutMs: number,
  stopped: boolean,
): ToolResult {
  const status = outcome.timedOut
    ? `Timed out after ${timeoutMs / 1000} s: the command and every process it started were killed.`
    : stopped
      ? 'Stopped by the user: the command and every process it started were killed.'
      : outcome.exitCode === null
        ? 'The command was killed (no exit code).'
        : `Exit code: ${outcome.exitCode}`;
  const parts = [status];
  if (captured.totalChars === 0) {
    parts.push('(no output)');
  } else if (!captured.truncated) {
    parts.push(`Output:\n${captured.head}`);
  } else {
    const howToRead =
      typeof kept === 'object'
        ? `read_output with outputId ${kept.hash} fromLine ${captured.firstOmittedLine} reads them`
        : (kept ?? 'the whole output was not kept');
    parts.push(
      `Output (${captured.totalLines} lines, ${count(captured.totalChars)} characters; the middle is left out):\n` +
        `${withNewline(captured.head)}` +
        `[... ${captured.omittedLines} lines / ${count(captured.omittedChars)} characters omitted; ${howToRead} ...]\n` +
        captured.tail,
    );
  }
  const ref = typeof kept === 'object' ? kept : undefined;
  return {
    content: parts.join('\n'),
    // A non-zero exit is an answer (the tests fail), not a failure of the tool: the exit code says it.
    isError: outcome.timedOut || stopped,
    details: {
      exitCode: outcome.exitCode,
      timedOut: outcome.timedOut,
      truncated: captured.truncated,
      ...(ref === undefined ? {} : { output: ref }),
    },
  };
}

function withNewline(text: string): string {
  return text.endsWith('\n') ? text : `${text}\n`;
}

function oneLine(line: string): string {
  const first = line.split('\n')[0] ?? '';
  const shown = first.length > 120 ? `${first.slice(0, 120)}…` : first;
  return line.includes('\n') ? `${shown} …` : shown;
}
