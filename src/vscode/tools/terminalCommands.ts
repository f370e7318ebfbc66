import { existsSync, realpathSync } from 'node:fs';
import path from 'node:path';
import * as vscode from 'vscode';
import type { Logger } from '../../core/ports';
import type { CommandOutcome, CommandPort, CommandRequest } from '../../core/tools/toolTypes';
import { createTerminalTextCleaner } from './terminalText';

/**
 * Commands in a VS Code terminal the person can watch (and type into), with output and exit code through shell
 * integration (`executeCommand` + `execution.read()` + `onDidEndTerminalShellExecution`). Where shell
 * integration does not activate (a shell VS Code cannot inject into, the setting off, a slow or broken rc file)
 * or cannot work (a multi-line command: bash never reports its end, microsoft/vscode#250764, #316556), the
 * command runs as a child process instead, and the log says why: output that is not captured is the most-filed
 * bug of agents that only use terminals.
 *
 * Terminals are named "AI Studio" and kept per working directory: a terminal is reused while it is idle and its
 * shell still stands in that directory (a command may `cd`; the terminal is then filed under where it went, so
 * no command is prefixed with a `cd` the person did not approve). A busy one (a command still running, e.g. a
 * server it started) is left alone and another is created.
 *
 * The shell is bash, whatever the person's default profile is: the command policy judged the line with a bash
 * grammar, and zsh or fish read the same line differently (zsh's `=(cmd)` runs a command bash would not). That
 * is also what the child-process fallback runs. Where there is no bash (Windows), commands run as child processes.
 */
export interface TerminalCommandOptions {
  log: Logger;
  /** Runs a command as a child process (via: 'process') when the terminal cannot. */
  fallback: CommandPort;
  /**
   * How long a new terminal may take to report shell integration. Default 5 s: VS Code's examples wait 3 s, but a
   * cold terminal (the pty host starting, a heavy rc file) took ~3 s on a 2-core test machine.
   */
  shellIntegrationTimeoutMs?: number;
  /** How long a command has to end after Ctrl+C before its terminal is disposed, killing its process tree. */
  stopGraceMs?: number;
  /** The terminal's shell (default /bin/bash where it exists; none: every command runs as a child process). */
  shellPath?: string;
}

interface PooledTerminal {
  readonly terminal: vscode.Terminal;
  /** Where its shell stands (realpath), as far as we know. */
  cwd: string;
  busy: boolean;
  /** Commands running in it that shell integration reported, ours or the person's (typed into it). */
  readonly running: Set<vscode.TerminalShellExecution>;
}

export const terminalName = 'AI Studio';
/** More idle terminals than this and the oldest idle one is closed. */
const MAX_TERMINALS = 5;
/** After the end event, how long the output stream may take to drain before the result is returned anyway. */
const DRAIN_MS = 1_000;
const CLOSED_DRAIN_MS = 200;

export function createTerminalCommandPort(options: TerminalCommandOptions): CommandPort & vscode.Disposable {
  const { log, fallback } = options;
  const integrationTimeoutMs = options.shellIntegrationTimeoutMs ?? 5_000;
  const stopGraceMs = options.stopGraceMs ?? 1_000;
  const shellPath = 'shellPath' in options ? options.shellPath : defaultShell();
  const told = new Set<string>();
  const pool: PooledTerminal[] = [];
  const entryOf = (terminal: vscode.Terminal) => pool.find((entry) => entry.terminal === terminal);
  const listeners = [
    vscode.window.onDidCloseTerminal((terminal) => {
      const index = pool.findIndex((entry) => entry.terminal === terminal);
      if (index >= 0) {
        pool.splice(index, 1);
      }
    }),
    // executeCommand sends Ctrl+C to whatever runs: a command the person typed into our terminal makes it busy.
    vscode.window.onDidStartTerminalShellExecution((event) => entryOf(event.terminal)?.running.add(event.execution)),
    vscode.window.onDidEndTerminalShellExecution((event) => entryOf(event.terminal)?.running.delete(event.execution)),
  ];

  const viaProcess = (request: CommandRequest, signal: AbortSignal, onOutput: (text: string) => void, why: string) => {
    // Said once per reason at info level: a setting that is off would otherwise fill the log.
    const message = `Running "${request.line}" as a child process: ${why}`;
    if (told.has(why)) {
      log.debug(message);
    } else {
      log.info(message);
      told.add(why);
    }
    return fallback.run(request, signal, onOutput);
  };

  /** An idle terminal in `cwd` with shell integration, a new one, or why there is none. */
  const acquire = async (shell: string, cwd: string, signal: AbortSignal): Promise<PooledTerminal | string> => {
    const idle = pool.find((entry) => isIdle(entry) && currentCwd(entry) === cwd);
    if (idle) {
      // Its wait for shell integration is over: waiting again per command would add seconds to each one.
      return idle.terminal.shellIntegration ? idle : 'shell integration is not active in the AI Studio terminal';
    }
    closeSurplus(pool);
    const terminal = vscode.window.createTerminal({
      name: terminalName,
      shellPath: shell,
      cwd,
      // Pagers wait for a key press no one will give.
      env: { PAGER: 'cat', GIT_PAGER: 'cat' },
      iconPath: new vscode.ThemeIcon('sparkle'),
      // Not brought back after a reload: its command belongs to a run that is over by then.
      isTransient: true,
    });
    terminal.show(true);
    const entry: PooledTerminal = { terminal, cwd, busy: true, running: new Set() };
    pool.push(entry);
    const t0 = Date.now();
    const integrated = await waitForShellIntegration(terminal, integrationTimeoutMs, signal);
    entry.busy = false;
    if (integrated) {
      log.debug(`The AI Studio terminal in ${cwd} reported shell integration after ${Date.now() - t0} ms`);
      return entry;
    }
    if (terminal.exitStatus !== undefined) {
      return `the terminal's shell exited at once (exit code ${terminal.exitStatus.code ?? 'unknown'})`;
    }
    return signal.aborted
      ? 'stopped while the terminal started'
      : `shell integration did not activate within ${integrationTimeoutMs} ms (shell: ${terminal.state.shell ?? 'unknown'})`;
  };

  return {
    async run(request, signal, onOutput) {
      if (signal.aborted) {
        return { exitCode: null, timedOut: false, via: 'process' };
      }
      if (/[\r\n]/.test(request.line)) {
        return viaProcess(request, signal, onOutput, 'a multi-line command never reports its end through shell integration');
      }
      if (!vscode.workspace.getConfiguration('terminal.integrated').get<boolean>('shellIntegration.enabled', true)) {
        return viaProcess(request, signal, onOutput, 'terminal.integrated.shellIntegration.enabled is off');
      }
      if (!shellPath) {
        return viaProcess(request, signal, onOutput, 'there is no bash for a terminal here');
      }
      const entry = await acquire(shellPath, realpathOrSelf(request.cwd), signal);
      if (typeof entry === 'string') {
        if (signal.aborted) {
          return { exitCode: null, timedOut: false, via: 'process' };
        }
        return viaProcess(request, signal, onOutput, entry);
      }
      try {
        return await runInTerminal(entry, request, signal, onOutput, { stopGraceMs, log, pool });
      } catch (err) {
        return viaProcess(request, signal, onOutput, `the terminal could not run it (${err instanceof Error ? err.message : String(err)})`);
      }
    },
    dispose() {
      for (const listener of listeners) {
        listener.dispose();
      }
      for (const entry of pool.splice(0)) {
        entry.terminal.dispose();
      }
    },
  };
}

function runInTerminal(
  entry: PooledTerminal,
  request: CommandRequest,
  signal: AbortSignal,
  onOutput: (text: string) => void,
  context: { stopGraceMs: number; log: Logger; pool: PooledTerminal[] },
): Promise<CommandOutcome> {
  const { terminal } = entry;
  const integration = terminal.shellIntegration as vscode.TerminalShellIntegration;
  entry.busy = true;
  return new Promise<CommandOutcome>((resolve) => {
    let exitCode: number | null | undefined; // undefined while running
    let streamDone = false;
    let interrupted: 'stop' | 'timeout' | undefined;
    let finished = false;
    const timers: NodeJS.Timeout[] = [];
    const subscriptions: vscode.Disposable[] = [];

    const finish = () => {
      if (finished) {
        return;
      }
      finished = true;
      timers.forEach(clearTimeout);
      for (const subscription of subscriptions) {
        subscription.dispose();
      }
      signal.removeEventListener('abort', onAbort);
      entry.busy = false;
      // Ours is over even when shell integration never says so (Ctrl+C'd, a closed terminal).
      entry.running.delete(execution);
      entry.cwd = currentCwd(entry);
      resolve({ exitCode: interrupted ? null : (exitCode ?? null), timedOut: interrupted === 'timeout', via: 'terminal' });
    };
    const ended = (code: number | null) => {
      if (exitCode !== undefined) {
        return;
      }
      exitCode = code;
      if (streamDone || interrupted) {
        finish();
      } else {
        // The end event and the stream's last chunk come separately; give the stream a moment to catch up. A
        // closed terminal's stream may never end, but its output came before the close.
        timers.push(setTimeout(finish, terminal.exitStatus ? CLOSED_DRAIN_MS : DRAIN_MS));
      }
    };
    const interrupt = (why: 'stop' | 'timeout') => {
      if (interrupted || exitCode !== undefined) {
        return;
      }
      interrupted = why;
      context.log.info(`${why === 'stop' ? 'Stopping' : 'Timed out'}: "${request.line}": sending Ctrl+C to the terminal`);
      terminal.sendText('\u0003', false);
      timers.push(
        setTimeout(() => {
          if (!finished) {
            // Ctrl+C was ignored (a trap, a program in raw mode): closing the terminal hangs up its whole session.
            context.log.info(`"${request.line}" did not end ${context.stopGraceMs} ms after Ctrl+C: closing its terminal`);
            const index = context.pool.indexOf(entry);
            if (index >= 0) {
              context.pool.splice(index, 1);
            }
            terminal.dispose();
            finish();
          }
        }, context.stopGraceMs),
      );
    };
    const onAbort = () => interrupt('stop');

    context.log.debug(`Running "${request.line}" in the AI Studio terminal (${request.cwd})`);
    let execution: vscode.TerminalShellExecution;
    let stream: AsyncIterable<string>;
    try {
      // Subscribing right after is safe: the host's events arrive as later tasks, never within this one.
      execution = integration.executeCommand(request.line);
      // read() sees only what is written after its first call: call it before anything can be awaited.
      stream = execution.read();
    } catch (err) {
      entry.busy = false;
      throw err; // rejects: the caller runs it as a child process instead
    }
    subscriptions.push(
      vscode.window.onDidEndTerminalShellExecution((event) => {
        if (event.execution === execution) {
          ended(event.exitCode ?? null);
        }
      }),
      vscode.window.onDidCloseTerminal((closedTerminal) => {
        if (closedTerminal === terminal) {
          // The command ended the shell itself (`exit 3`), or the person closed the terminal: the shell's status.
          ended(terminal.exitStatus?.code ?? null);
        }
      }),
    );
    signal.addEventListener('abort', onAbort);
    timers.push(setTimeout(() => interrupt('timeout'), request.timeoutMs));
    // Whatever the stream still yields once the outcome is out is not the caller's any more.
    pump(stream, (text) => finished || onOutput(text)).then(
      () => {
        streamDone = true;
        if (exitCode !== undefined) {
          finish();
        }
      },
      (err: unknown) => {
        streamDone = true;
        context.log.warn(`Reading the output of "${request.line}" failed: ${err instanceof Error ? err.message : String(err)}`);
      },
    );
  });
}

async function pump(stream: AsyncIterable<string>, onOutput: (text: string) => void): Promise<void> {
  const cleaner = createTerminalTextCleaner();
  for await (const chunk of stream) {
    const text = cleaner.push(chunk);
    if (text) {
      onOutput(text);
    }
  }
  const rest = cleaner.flush();
  if (rest) {
    onOutput(rest);
  }
}

/** Resolves true once the terminal reports shell integration, false on timeout, Stop or the shell exiting. */
function waitForShellIntegration(terminal: vscode.Terminal, timeoutMs: number, signal: AbortSignal): Promise<boolean> {
  if (terminal.shellIntegration) {
    return Promise.resolve(true);
  }
  return new Promise<boolean>((resolve) => {
    const done = (value: boolean) => {
      clearTimeout(timer);
      changed.dispose();
      closed.dispose();
      signal.removeEventListener('abort', onAbort);
      resolve(value);
    };
    const onAbort = () => done(false);
    const timer = setTimeout(() => done(terminal.shellIntegration !== undefined), timeoutMs);
    const changed = vscode.window.onDidChangeTerminalShellIntegration((event) => {
      if (event.terminal === terminal) {
        done(true);
      }
    });
    const closed = vscode.window.onDidCloseTerminal((closedTerminal) => {
      if (closedTerminal === terminal) {
        done(false);
      }
    });
    signal.addEventListener('abort', onAbort);
  });
}

function defaultShell(): string | undefined {
  return process.platform !== 'win32' && existsSync('/bin/bash') ? '/bin/bash' : undefined;
}

/** The shell's directory as shell integration reports it (realpath'd, to compare with requests), else the last known. */
function currentCwd(entry: PooledTerminal): string {
  const reported = entry.terminal.shellIntegration?.cwd;
  if (reported?.scheme !== 'file') {
    return entry.cwd;
  }
  return realpathOrSelf(reported.fsPath);
}

function realpathOrSelf(folder: string): string {
  try {
    return realpathSync(folder);
  } catch {
    return path.resolve(folder);
  }
}

function isIdle(entry: PooledTerminal): boolean {
  return !entry.busy && entry.running.size === 0;
}

/** Keeps the number of AI Studio terminals bounded by closing the oldest idle ones. */
function closeSurplus(pool: PooledTerminal[]): void {
  while (pool.length >= MAX_TERMINALS) {
    const index = pool.findIndex(isIdle);
    if (index < 0) {
      return; // all busy: a person's long-running servers; never kill those to make room
    }
    const [entry] = pool.splice(index, 1);
    entry?.terminal.dispose();
  }
}
