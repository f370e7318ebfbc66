import * as assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { writeFileTool } from '../../../../src/core/tools/writeFile';
import { assertWithinPlan, toolWorld, type ToolWorld } from '../../node/toolFixture';

describe('write_file', () => {
  let world: ToolWorld;
  beforeEach(() => {
    world = toolWorld({ beforeChangeMs: 30 });
  });
  afterEach(() => world.dispose());

  it('creates a new file and its folders, with a diff from nothing', async () => {
    const args = { path: 'src/new/hello.ts', content: 'export const hi = 1;\n' };
    const plan = await writeFileTool.plan(args, world.context);
    assert.equal(plan.summary, 'Create src/new/hello.ts (1 line)');
    assert.equal(plan.edit?.before, null);
    assert.equal(plan.edit?.diff, '--- /dev/null\n+++ b/src/new/hello.ts\n@@ -0,0 +1,1 @@\n+export const hi = 1;\n');
    assert.equal(existsSync(world.file('src/new')), false, 'planning creates nothing');
    world.touched.length = 0;
    const result = await writeFileTool.run(args, plan, world.context);
    assert.equal(readFileSync(world.file('src/new/hello.ts'), 'utf8'), args.content);
    assert.deepEqual(result.details?.files, [{ path: world.file('src/new/hello.ts'), shown: 'src/new/hello.ts', change: 'created' }]);
    assert.equal(result.content, 'Created src/new/hello.ts (1 line added, 0 removed).');
    const effects = world.touched.filter((t) => !t.startsWith('stat'));
    assert.deepEqual(effects, [`beforeChange ${world.file('src/new/hello.ts')}`, `write ${world.file('src/new/hello.ts')}`]);
    assertWithinPlan(world, plan);
  });

  it('replaces an existing file whole', async () => {
    writeFileSync(world.file('a.txt'), 'old\n');
    const { plan, result } = await world.call(writeFileTool, { path: 'a.txt', content: 'new\nlines\n' });
    assert.equal(plan.summary, 'Replace all of a.txt (2 lines)');
    assert.equal(plan.edit?.before, 'old\n');
    assert.equal(readFileSync(world.file('a.txt'), 'utf8'), 'new\nlines\n');
    assert.deepEqual(result.details?.files, [{ path: world.file('a.txt'), shown: 'a.txt', change: 'modified' }]);
  });

  it('refuses when the file appeared or changed after the edit was proposed', async () => {
    const args = { path: 'b.txt', content: 'mine\n' };
    const plan = await writeFileTool.plan(args, world.context);
    writeFileSync(world.file('b.txt'), 'the person made this meanwhile\n');
    await assert.rejects(writeFileTool.run(args, plan, world.context), {
      name: 'ToolError',
      message: 'b.txt was created since the edit was proposed; read it again and make the edit anew. Nothing was written.',
    });
    assert.equal(readFileSync(world.file('b.txt'), 'utf8'), 'the person made this meanwhile\n');
    assert.ok(!world.touched.some((t) => t.startsWith('beforeChange')));
  });

  it('says when there is nothing to change, or the path is a folder', async () => {
    writeFileSync(world.file('same.txt'), 'x\n');
    await assert.rejects(writeFileTool.plan({ path: 'same.txt', content: 'x\n' }, world.context), {
      message: 'same.txt already has exactly this content: there is nothing to change.',
    });
    mkdirSync(world.file('dir'));
    await assert.rejects(writeFileTool.plan({ path: 'dir', content: 'x' }, world.context), { message: 'dir is a folder, not a file.' });
  });
});
