import * as assert from 'node:assert/strict';
import { mkdirSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { readOutputTool } from '../../../../src/core/tools/readOutput';
import { runCommandTool } from '../../../../src/core/tools/runCommand';
import type { ToolResult } from '../../../../src/core/tools/toolTypes';
import { toolWorld, type ToolWorld } from '../../node/toolFixture';

describe('run_command and read_output', function () {
  this.timeout(60_000);
  let world: ToolWorld;
  beforeEach(() => {
    world = toolWorld();
  });
  afterEach(() => world.dispose());

  const outputId = (content: string) => /read_output with outputId ([0-9a-f]{64}) fromLine (\d+)/.exec(content);

  it('plans the command line, folder and timeout without touching anything', async () => {
    mkdirSync(world.file('pkg'));
    const plan = await runCommandTool.plan({ command: 'npm test', cwd: 'pkg', timeoutSeconds: 5 }, world.context);
    assert.deepEqual(plan, { summary: 'Run `npm test` in pkg', command: { line: 'npm test', cwd: world.file('pkg'), timeoutMs: 5_000 } });
    assert.deepEqual(world.touched, []);
    const defaults = await runCommandTool.plan({ command: 'ls' }, world.context);
    assert.deepEqual(defaults.command, { line: 'ls', cwd: world.ws, timeoutMs: 120_000 });
  });

  it('returns the exit code and the output, streamed as it came, and keeps no blob for a short output', async () => {
    const { result } = await world.call(runCommandTool, { command: 'echo hello; echo oops >&2; exit 4' });
    assert.equal(result.content, 'Exit code: 4\nOutput:\nhello\noops\n');
    assert.equal(result.isError, false, 'a failing command is an answer, not a tool failure');
    assert.deepEqual(result.details, { exitCode: 4, timedOut: false, truncated: false });
    assert.equal(world.progress.join(''), 'hello\noops\n');
    assert.ok(!statSafe(path.join(world.storeDir, 'blobs')), 'nothing was kept');
    assert.equal((await world.call(runCommandTool, { command: 'true' })).result.content, 'Exit code: 0\n(no output)');
  });

  it('caps a long output to head + tail and keeps it whole for read_output', async () => {
    const total = 100_000;
    const { result } = await world.call(runCommandTool, { command: `seq 1 ${total}` });
    assert.ok(result.content.length <= 48_000 + 500, `${result.content.length} characters`);
    assert.match(result.content, /^Exit code: 0\nOutput \(100000 lines, 588,895 characters; the middle is left out\):\n1\n2\n3\n/);
    assert.ok(result.content.endsWith('\n99999\n100000\n'));
    const ref = result.details?.output;
    assert.ok(ref, 'the whole output is kept');
    assert.deepEqual({ size: ref.size, lines: ref.lines }, { size: 588_895, lines: total });
    assert.equal(result.details?.truncated, true);
    const marker = outputId(result.content);
    assert.ok(marker, result.content.slice(15_900, 16_300));
    assert.equal(marker[1], ref.hash);
    const from = Number(marker[2]);
    assert.ok(!result.content.includes(`\n${from}\n`), 'the line read_output should start at was not shown');
    assert.ok(result.content.includes(`\n${from - 1}\n`), 'the line before it was');

    const page = await world.call(readOutputTool, { outputId: ref.hash, fromLine: from, lineCount: 3 });
    assert.equal(page.result.content, `Output ${ref.hash.slice(0, 12)}…: lines ${from}-${from + 2} of ${total}\n${from}\t${from}\n${from + 1}\t${from + 1}\n${from + 2}\t${from + 2}`);

    // Every line is there, page by page, each page saying where to read on.
    let next = 1;
    let pages = 0;
    for (;;) {
      const read: ToolResult = (await world.call(readOutputTool, { outputId: ref.hash, fromLine: next })).result;
      const body: string[] = read.content.split('\n').slice(1).filter((line) => /^\d+\t/.test(line));
      for (const line of body) {
        assert.equal(line, `${next}\t${next}`);
        next++;
      }
      pages++;
      const on = /Call read_output with outputId [0-9a-f]{64} and fromLine (\d+) to read on\.$/.exec(read.content);
      if (!on) {
        break;
      }
      assert.equal(Number(on[1]), next);
    }
    assert.equal(next, total + 1);
    assert.equal(pages, 50);
  });

  it('reports a timeout, with the whole tree killed', async () => {
    const startedAt = Date.now();
    const { result } = await world.call(runCommandTool, { command: 'echo started; sleep 100', timeoutSeconds: 1 });
    assert.equal(result.content, 'Timed out after 1 s: the command and every process it started were killed.\nOutput:\nstarted\n');
    assert.equal(result.isError, true);
    assert.deepEqual(result.details, { exitCode: null, timedOut: true, truncated: false });
    assert.ok(Date.now() - startedAt < 5_000);
  });

  it('refuses a cwd that is not a folder, running nothing', async () => {
    await assert.rejects(world.call(runCommandTool, { command: 'touch ran', cwd: 'nowhere' }), {
      name: 'ToolError',
      message: 'cwd nowhere is not a folder (it does not exist); nothing was run.',
    });
    assert.deepEqual(readdirSync(world.ws), []);
  });

  it('keeps a 50 MB output whole as a blob while the model gets under 48k characters, in bounded memory', async () => {
    const size = 50 * 1024 * 1024;
    const line = 'the quick brown fox jumps over the lazy dog '.repeat(2).padEnd(99, '.');
    // Progress is what the transcript streams; here it only counts, so the test holds nothing of the output.
    let streamed = 0;
    world.context.progress = (update) => {
      streamed += update.text.length;
    };
    global.gc?.();
    const rssBefore = process.memoryUsage().rss;
    let peak = rssBefore;
    const sampler = setInterval(() => {
      peak = Math.max(peak, process.memoryUsage().rss);
    }, 20);
    const startedAt = Date.now();
    let result;
    try {
      ({ result } = await world.call(runCommandTool, { command: `yes '${line}' | head -c ${size}` }));
    } finally {
      clearInterval(sampler);
    }
    console.log(
      `      50 MB output: ${Date.now() - startedAt} ms, RSS ${(rssBefore / 1048576).toFixed(0)} MB -> peak ${(peak / 1048576).toFixed(0)} MB ` +
        `(growth ${((peak - rssBefore) / 1048576).toFixed(0)} MB)`,
    );
    assert.equal(streamed, size);
    assert.ok(result.content.length <= 48_500, `${result.content.length} characters`);
    const ref = result.details?.output;
    assert.ok(ref);
    assert.equal(ref.size, size);
    assert.equal(ref.lines, Math.ceil(size / 100));
    assert.equal(statSync(path.join(world.storeDir, 'blobs', ref.hash.slice(0, 2), ref.hash)).size, size);
    const last = await world.call(readOutputTool, { outputId: ref.hash, fromLine: ref.lines });
    assert.match(last.result.content, new RegExp(`^Output ${ref.hash.slice(0, 12)}…: lines ${ref.lines}-${ref.lines} of ${ref.lines}\\n${ref.lines}\\tthe quick`));
  });

  it('still gives head and tail when the whole output cannot be kept (a full disk)', async () => {
    world.context.outputs = {
      create: () => ({ write: () => undefined, close: () => Promise.reject(new Error('ENOSPC: no space left on device')), discard: () => Promise.resolve() }),
      readLines: () => Promise.reject(new Error('unused')),
    };
    const { result } = await world.call(runCommandTool, { command: 'seq 1 100000' });
    assert.match(result.content, /characters omitted; the whole output could not be kept \(ENOSPC: no space left on device\) \.\.\.\]\n/);
    assert.ok(result.content.endsWith('\n100000\n'));
    assert.deepEqual(result.details, { exitCode: 0, timedOut: false, truncated: true });
  });

  it('read_output explains a bad id and a line past the end', async () => {
    await assert.rejects(readOutputTool.plan({ outputId: 'abc' }, world.context), { message: /is not an outputId/ });
    await assert.rejects(world.call(readOutputTool, { outputId: 'a'.repeat(64) }), { name: 'ToolError', message: /^No kept output aaaaaaaaaaaa… could be read: .*missing/ });
    const { result } = await world.call(runCommandTool, { command: 'seq 1 20000' });
    const ref = result.details?.output;
    assert.ok(ref);
    await assert.rejects(world.call(readOutputTool, { outputId: ref.hash, fromLine: 20_001 }), { message: 'fromLine 20001 is past the end: that output has 20000 lines.' });
  });
});

function statSafe(file: string): boolean {
  try {
    statSync(file);
    return true;
  } catch {
    return false;
  }
}
