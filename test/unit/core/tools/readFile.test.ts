import * as assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { readFileTool } from '../../../../src/core/tools/readFile';
import { ToolError } from '../../../../src/core/tools/toolTypes';
import { assertWithinPlan, toolWorld, type ToolWorld } from '../../node/toolFixture';

describe('read_file', () => {
  let world: ToolWorld;
  beforeEach(() => {
    world = toolWorld();
    mkdirSync(world.file('src'));
  });
  afterEach(() => world.dispose());

  const lines = (n: number, width = 0) => Array.from({ length: n }, (_, i) => `line ${i + 1}`.padEnd(width, '.')).join('\n') + '\n';

  it('returns numbered lines, touching nothing in plan and only the planned paths in run', async () => {
    writeFileSync(world.file('src/app.ts'), 'const a = 1;\r\nconst b = 2;\n');
    const plan = await readFileTool.plan({ path: 'src/app.ts' }, world.context);
    assert.deepEqual(world.touched, [], 'plan reads nothing before the policy has judged the path');
    assert.deepEqual(plan.reads, [world.file('src/app.ts'), world.file('src')]);
    assert.equal(plan.summary, 'Read src/app.ts');
    const result = await readFileTool.run({ path: 'src/app.ts' }, plan, world.context);
    assert.equal(result.content, 'src/app.ts: lines 1-2 of 2\n1\tconst a = 1;\n2\tconst b = 2;');
    assertWithinPlan(world, plan);
  });

  it('caps at 2,000 lines and says exactly how to read on', async () => {
    writeFileSync(world.file('big.txt'), lines(5321));
    const first = await world.call(readFileTool, { path: 'big.txt' });
    assert.ok(first.result.content.endsWith('Showing lines 1-2000 of 5321. Call read_file with startLine 2001 to read on.'), first.result.content.slice(-200));
    assert.match(first.result.content, /^big\.txt: lines 1-2000 of 5321\n1\tline 1\n/);
    assert.equal(first.result.details?.truncated, true);
    const next = await world.call(readFileTool, { path: 'big.txt', startLine: 2001 });
    assert.match(next.result.content, /\n2001\tline 2001\n/);
    assert.ok(next.result.content.endsWith('Call read_file with startLine 4001 to read on.'));
    const last = await world.call(readFileTool, { path: 'big.txt', startLine: 4001 });
    assert.ok(last.result.content.endsWith('5321\tline 5321'), 'the last page has no read-on line');
    assert.equal(last.result.details, undefined);
  });

  it('caps at 48,000 characters before 2,000 lines, and reads on from the first line not shown', async () => {
    writeFileSync(world.file('wide.txt'), lines(1500, 100));
    const { result } = await world.call(readFileTool, { path: 'wide.txt' });
    assert.ok(result.content.length <= 48_000 + 200, `${result.content.length} characters`);
    const match = /Showing lines 1-(\d+) of 1500\. Call read_file with startLine (\d+) to read on\.$/.exec(result.content);
    assert.ok(match, result.content.slice(-200));
    assert.equal(Number(match[2]), Number(match[1]) + 1);
    assert.ok(result.content.includes(`\n${match[1]}\tline ${match[1]}.`), 'the last line shown is whole');
  });

  it('honours an explicit line range', async () => {
    writeFileSync(world.file('f.txt'), lines(50));
    const { result, plan } = await world.call(readFileTool, { path: 'f.txt', startLine: 10, endLine: 12 });
    assert.equal(plan.summary, 'Read f.txt, lines 10-12');
    assert.equal(result.content, 'f.txt: lines 10-12 of 50\n10\tline 10\n11\tline 11\n12\tline 12');
  });

  it('clips one enormous line (a minified file) and says how much is left out', async () => {
    writeFileSync(world.file('min.js'), 'x'.repeat(200_000));
    const { result } = await world.call(readFileTool, { path: 'min.js' });
    assert.ok(result.content.length <= 48_000 + 200);
    assert.match(result.content, /more characters on this line\]/);
  });

  it('refuses a binary file with a clear error', async () => {
    writeFileSync(world.file('logo.png'), Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d, 0x49, 0x48]));
    await assert.rejects(world.call(readFileTool, { path: 'logo.png' }), (err: Error) => {
      assert.ok(err instanceof ToolError);
      assert.equal(err.message, 'logo.png is a binary file, not text; it cannot be read or edited as text.');
      return true;
    });
  });

  it('answers a missing file with a close name from the same folder', async () => {
    writeFileSync(world.file('src/app.ts'), 'x\n');
    writeFileSync(world.file('src/other.ts'), 'y\n');
    const plan = await readFileTool.plan({ path: 'src/ap.ts' }, world.context);
    await assert.rejects(readFileTool.run({ path: 'src/ap.ts' }, plan, world.context), {
      name: 'ToolError',
      message: 'No such file: src/ap.ts. Did you mean src/app.ts?',
    });
    assertWithinPlan(world, plan);
    await assert.rejects(world.call(readFileTool, { path: 'nowhere/x.ts' }), {
      message: 'No such file: nowhere/x.ts. The folder nowhere does not exist either.',
    });
    await assert.rejects(world.call(readFileTool, { path: 'src/zzzzzzzz.md' }), {
      message: 'No such file: src/zzzzzzzz.md. Use list_files to find it.',
    });
  });

  it('says what to do for a folder, an empty file and a start past the end', async () => {
    await assert.rejects(world.call(readFileTool, { path: 'src' }), { message: 'src is a folder, not a file. Use list_files to see what it holds.' });
    writeFileSync(world.file('empty.txt'), '');
    assert.equal((await world.call(readFileTool, { path: 'empty.txt' })).result.content, 'empty.txt is empty.');
    writeFileSync(world.file('short.txt'), lines(3));
    await assert.rejects(world.call(readFileTool, { path: 'short.txt', startLine: 9 }), { message: 'startLine 9 is past the end: short.txt has 3 lines.' });
    await assert.rejects(readFileTool.plan({ path: 'short.txt', startLine: 5, endLine: 2 }, world.context), { message: 'endLine (2) is before startLine (5).' });
  });

  it('refuses a path argument that names nothing usable', async () => {
    await assert.rejects(readFileTool.plan({ path: 'a\0b' }, world.context), { name: 'ToolError', message: 'the path contains a NUL byte' });
  });
});
