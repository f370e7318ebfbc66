import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import treeKill from 'tree-kill';
import type { CommandOutcome, CommandPort, CommandRequest } from '../core/tools/toolTypes';

/**
 * Runs a command line as a child process: the fallback where a VS Code terminal with shell integration cannot
 * run it, and the runner of the unit tests and the benchmark.
 *
 * The shell: `/bin/bash -c LINE` (`/bin/sh` where there is no bash), not a login shell and not `$SHELL`. The
 * command policy judges the line with a bash grammar, so the line must run under the grammar it was judged by
 * (fish or a csh read `$(...)`, quotes and redirections otherwise); a login shell would also run the person's
 * profile (slow, chatty) around every command. On Windows it is `cmd.exe /d /s /c "LINE"` (ComSpec), whose
 * grammar the policy does not parse: there the command policy's sub-command rules are approximate.
 *
 * stdin is closed (a command that waits for input gets EOF, it does not hang); stdout and stderr are merged in
 * the order their chunks arrive, each decoded as UTF-8 across chunk boundaries. The command runs in a process
 * group of its own (a new session), so a timeout or Stop kills everything it started: the group, plus whatever
 * tree-kill still finds below the shell (a child that made itself a group of its own). A background process that
 * outlives the shell and keeps the output pipe open is killed 1 s after the shell exits: nothing the command
 * started is left running unseen with our pipe.
 */

/** After the shell exits, how long its output may take to drain before what is left of its group is killed. */
const DRAIN_MS = 1_000;
/** After a kill, how long the pipes may stay open (a grandchild that escaped) before they are closed anyway. */
const KILLED_DRAIN_MS = 500;

export function createProcessCommandPort(): CommandPort {
  return { run: runProcess };
}

export function runProcess(request: CommandRequest, signal: AbortSignal, onOutput: (text: string) => void): Promise<CommandOutcome> {
  if (signal.aborted) {
    return Promise.resolve({ exitCode: null, timedOut: false, via: 'process' });
  }
  const windows = process.platform === 'win32';
  const [shell, args] = shellFor(request.line, windows);
  return new Promise<CommandOutcome>((resolve, reject) => {
    let child: ChildProcess;
    try {
      child = spawn(shell, args, {
        cwd: request.cwd,
        stdio: ['ignore', 'pipe', 'pipe'],
        detached: !windows,
        windowsHide: true,
        windowsVerbatimArguments: windows,
      });
    } catch (err) {
      reject(err instanceof Error ? err : new Error(String(err)));
      return;
    }
    let timedOut = false;
    let killed = false;
    let exitCode: number | null = null;
    let exited = false;
    let settled = false;
    let drainTimer: NodeJS.Timeout | undefined;
    const decoders = { stdout: new TextDecoder('utf-8'), stderr: new TextDecoder('utf-8') };

    const pipe = (name: 'stdout' | 'stderr') => {
      const stream = child[name];
      stream?.on('data', (chunk: Buffer) => {
        const text = decoders[name].decode(chunk, { stream: true });
        if (text !== '') {
          onOutput(text);
        }
      });
      stream?.on('error', () => undefined);
    };
    pipe('stdout');
    pipe('stderr');

    const kill = () => {
      if (killed || settled) {
        return;
      }
      if (exited) {
        // The shell is done (its exit code stands); only what it left holding the pipes is still there.
        killGroup(child, windows);
        settle();
        return;
      }
      killed = true;
      killTree(child, windows);
    };
    const timer = setTimeout(() => {
      timedOut = true;
      kill();
    }, request.timeoutMs);
    const onAbort = () => kill();
    signal.addEventListener('abort', onAbort, { once: true });

    const settle = () => {
      if (settled) {
        return;
      }
      settled = true;
      clearTimeout(timer);
      clearTimeout(drainTimer);
      signal.removeEventListener('abort', onAbort);
      for (const name of ['stdout', 'stderr'] as const) {
        const rest = decoders[name].decode();
        if (rest !== '') {
          onOutput(rest);
        }
        child[name]?.destroy();
      }
      resolve({ exitCode: killed ? null : exitCode, timedOut, via: 'process' });
    };

    child.once('error', (err) => {
      if (!exited) {
        clearTimeout(timer);
        signal.removeEventListener('abort', onAbort);
        settled = true;
        reject(new Error(`${shell} could not be started in ${request.cwd}: ${err.message}`, { cause: err }));
      }
    });
    child.once('exit', (code) => {
      exited = true;
      exitCode = code;
      // The pipes close once every process holding them has exited; a background job may hold them forever.
      drainTimer = setTimeout(
        () => {
          if (!killed) {
            killGroup(child, windows);
          }
          settle();
        },
        killed ? KILLED_DRAIN_MS : DRAIN_MS,
      );
    });
    child.once('close', settle);
  });
}

function shellFor(line: string, windows: boolean): [string, string[]] {
  if (windows) {
    const comspec = process.env.ComSpec ?? 'cmd.exe';
    return [comspec, ['/d', '/s', '/c', `"${line}"`]];
  }
  return [existsSync('/bin/bash') ? '/bin/bash' : '/bin/sh', ['-c', line]];
}

/** The whole tree: first what tree-kill finds below the shell (while the parent links still stand), then the group. */
function killTree(child: ChildProcess, windows: boolean): void {
  const pid = child.pid;
  if (pid === undefined) {
    return;
  }
  if (windows) {
    treeKill(pid, 'SIGKILL', () => undefined);
    return;
  }
  let groupKilled = false;
  const group = () => {
    if (!groupKilled) {
      groupKilled = true;
      killGroup(child, windows);
    }
  };
  // tree-kill lists children with `ps` first, which takes a few tens of ms; the group is killed after it, or
  // after 200 ms at the latest, so Stop never waits on ps.
  const fallback = setTimeout(group, 200);
  treeKill(pid, 'SIGKILL', () => {
    clearTimeout(fallback);
    group();
  });
}

function killGroup(child: ChildProcess, windows: boolean): void {
  const pid = child.pid;
  if (pid === undefined) {
    return;
  }
  try {
    if (windows) {
      child.kill('SIGKILL');
    } else {
      process.kill(-pid, 'SIGKILL');
    }
  } catch {
    // Already gone.
  }
}
