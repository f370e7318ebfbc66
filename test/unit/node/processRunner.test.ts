import * as assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, realpathSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { CommandOutcome } from '../../../src/core/tools/toolTypes';
import { runProcess } from '../../../src/node/processRunner';

/** Whether a process still runs (a zombie waiting for a reaper counts as gone: it runs nothing). */
function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

async function gone(pids: number[], withinMs: number): Promise<boolean> {
  const deadline = Date.now() + withinMs;
  while (Date.now() < deadline) {
    if (pids.every((pid) => !alive(pid))) {
      return true;
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return pids.every((pid) => !alive(pid));
}

function pidsIn(output: string): number[] {
  return [...output.matchAll(/PID=(\d+)/g)].map((m) => Number(m[1]));
}

describe('runProcess (child-process commands)', function () {
  this.timeout(20_000);
  let cwd: string;
  const started: number[] = [];
  beforeEach(() => {
    cwd = realpathSync(mkdtempSync(path.join(os.tmpdir(), 'ais-proc-')));
  });
  afterEach(() => {
    for (const pid of started.splice(0)) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // gone, as it should be
      }
    }
    rmSync(cwd, { recursive: true, force: true });
  });

  const run = async (line: string, options: { timeoutMs?: number; signal?: AbortSignal; onOutput?: (text: string) => void } = {}) => {
    let output = '';
    const outcome = await runProcess({ line, cwd, timeoutMs: options.timeoutMs ?? 10_000 }, options.signal ?? new AbortController().signal, (text) => {
      output += text;
      started.push(...pidsIn(text));
      options.onOutput?.(text);
    });
    return { outcome, output };
  };

  it('runs the line in cwd through bash, with its exit code and stdout and stderr merged', async () => {
    const { outcome, output } = await run('pwd; echo out; echo err >&2; [[ 1 == 1 ]] && exit 3');
    assert.deepEqual(outcome, { exitCode: 3, timedOut: false, via: 'process' } satisfies CommandOutcome);
    assert.equal(output.split('\n')[0], cwd);
    assert.match(output, /out\n/);
    assert.match(output, /err\n/);
  });

  it('decodes UTF-8 split across chunks', async () => {
    const { output } = await run("printf '\\xc3'; sleep 0.2; printf '\\xa9t\\xc3\\xa9\\n'");
    assert.equal(output, 'été\n');
  });

  it('closes stdin, so a command that reads input ends', async () => {
    const { outcome, output } = await run('cat; echo done');
    assert.equal(outcome.exitCode, 0);
    assert.equal(output, 'done\n');
  });

  it('kills the whole tree on timeout: the child and the grandchild it started', async () => {
    const startedAt = Date.now();
    const { outcome, output } = await run('sh -c \'sleep 1000 & echo "PID=$!"; echo "PID=$$"; wait\'', { timeoutMs: 500 });
    assert.deepEqual(outcome, { exitCode: null, timedOut: true, via: 'process' });
    const pids = pidsIn(output);
    assert.equal(pids.length, 2, output);
    assert.ok(await gone(pids, 1_000), `still running: ${pids.filter(alive).join(', ')}`);
    assert.ok(Date.now() - startedAt < 3_000);
  });

  it('kills a grandchild that left the process group too (setsid), through the process tree', async () => {
    const { outcome, output } = await run('setsid sleep 1000 & echo "PID=$!"; sleep 1000', { timeoutMs: 500 });
    assert.equal(outcome.timedOut, true);
    const pids = pidsIn(output);
    assert.equal(pids.length, 1, output);
    assert.ok(await gone(pids, 1_000), `still running: ${pids.filter(alive).join(', ')}`);
  });

  it('Stop kills the tree within a second', async () => {
    const controller = new AbortController();
    let stoppedAt = 0;
    const { outcome, output } = await run('sh -c \'sleep 1000 & echo "PID=$!"; echo "PID=$$"; wait\'', {
      signal: controller.signal,
      onOutput: (text) => {
        if (text.includes('PID=') && stoppedAt === 0) {
          setTimeout(() => {
            stoppedAt = Date.now();
            controller.abort();
          }, 100);
        }
      },
    });
    const took = Date.now() - stoppedAt;
    assert.deepEqual(outcome, { exitCode: null, timedOut: false, via: 'process' });
    assert.ok(took < 1_000, `Stop took ${took} ms`);
    assert.ok(await gone(pidsIn(output), Math.max(0, 1_000 - took)), 'every process is gone within a second of Stop');
  });

  it('does not start at all when already stopped', async () => {
    const controller = new AbortController();
    controller.abort();
    const { outcome, output } = await run('echo never', { signal: controller.signal });
    assert.deepEqual(outcome, { exitCode: null, timedOut: false, via: 'process' });
    assert.equal(output, '');
  });

  it('ends when the shell does although a background job holds the output open, and kills that job', async () => {
    const startedAt = Date.now();
    const { outcome, output } = await run('sleep 1000 & echo "PID=$!"; echo finished');
    assert.equal(outcome.exitCode, 0);
    assert.match(output, /finished/);
    assert.ok(Date.now() - startedAt < 5_000);
    assert.ok(await gone(pidsIn(output), 1_000));
  });

  it('rejects when the command cannot be started (no such cwd)', async () => {
    await assert.rejects(
      runProcess({ line: 'true', cwd: path.join(cwd, 'missing'), timeoutMs: 1_000 }, new AbortController().signal, () => undefined),
      /could not be started in .*missing/,
    );
  });
});
