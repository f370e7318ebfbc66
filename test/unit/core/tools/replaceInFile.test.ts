import * as assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { replaceInFileTool } from '../../../../src/core/tools/replaceInFile';
import { assertWithinPlan, toolWorld, type ToolWorld } from '../../node/toolFixture';

describe('replace_in_file', () => {
  let world: ToolWorld;
  beforeEach(() => {
    world = toolWorld({ beforeChangeMs: 30 });
  });
  afterEach(() => world.dispose());

  const source = ['function add(a, b) {', '  return a + b;', '}', '', 'function sub(a, b) {', '  return a - b;', '}', ''].join('\n');

  it('plans the exact edit with a unified diff, then writes it after beforeChange', async () => {
    writeFileSync(world.file('math.js'), source);
    const args = { path: 'math.js', oldText: '  return a + b;', newText: '  return a + b + 0;' };
    const plan = await replaceInFileTool.plan(args, world.context);
    assert.equal(plan.summary, 'Edit math.js: replace 1 occurrence (line 2)');
    assert.deepEqual(plan.writes, [world.file('math.js')]);
    assert.equal(plan.edit?.before, source);
    assert.equal(plan.edit?.after, source.replace('a + b;', 'a + b + 0;'));
    assert.equal(
      plan.edit?.diff,
      ['--- a/math.js', '+++ b/math.js', '@@ -1,5 +1,5 @@', ' function add(a, b) {', '-  return a + b;', '+  return a + b + 0;', ' }', ' ', ' function sub(a, b) {', ''].join('\n'),
    );
    assert.equal(readFileSync(world.file('math.js'), 'utf8'), source, 'planning writes nothing');
    world.touched.length = 0;
    const result = await replaceInFileTool.run(args, plan, world.context);
    assert.equal(readFileSync(world.file('math.js'), 'utf8'), plan.edit?.after);
    assert.deepEqual(result.details?.files, [{ path: world.file('math.js'), shown: 'math.js', change: 'modified' }]);
    assert.equal(result.content, 'Edited math.js (1 line added, 1 removed).');
    const order = world.touched.filter((t) => !t.startsWith('stat') && !t.startsWith('read'));
    assert.deepEqual(order, [`beforeChange ${world.file('math.js')}`, `write ${world.file('math.js')}`], 'beforeChange is awaited before the write');
    assertWithinPlan(world, plan);
  });

  it('says when the text is there with other indentation, and shows it as it is', async () => {
    writeFileSync(world.file('math.js'), source);
    await assert.rejects(
      replaceInFileTool.plan({ path: 'math.js', oldText: 'function sub(a, b) {\nreturn a - b;\n}', newText: 'x' }, world.context),
      {
        name: 'ToolError',
        message:
          'oldText was not found in math.js. It is there with different whitespace or indentation at lines 5-7; copy it exactly as it is ' +
          '(shown here between the markers, without the line numbers):\n<<<\nfunction sub(a, b) {\n  return a - b;\n}\n>>>',
      },
    );
  });

  it('names the closest line when the text is not there at all', async () => {
    writeFileSync(world.file('math.js'), source);
    await assert.rejects(replaceInFileTool.plan({ path: 'math.js', oldText: '  return a * b;', newText: 'x' }, world.context), {
      message: 'oldText was not found in math.js. The closest line is line 2: "  return a + b;". Read the file again with read_file and copy the text exactly.',
    });
    await assert.rejects(replaceInFileTool.plan({ path: 'math.js', oldText: 'zzzz qqqq', newText: 'x' }, world.context), {
      message: 'oldText was not found in math.js. Nothing like it is there; read the file again with read_file and copy the text exactly.',
    });
    await assert.rejects(replaceInFileTool.plan({ path: 'math.js', oldText: '2\t  return a + b;', newText: 'x' }, world.context), {
      message: /It seems to include the line numbers read_file shows/,
    });
  });

  it('refuses ambiguous text with the line numbers, and replaces all with expectedOccurrences', async () => {
    writeFileSync(world.file('math.js'), source);
    const args = { path: 'math.js', oldText: '(a, b) {', newText: '(a, b, c) {' };
    await assert.rejects(replaceInFileTool.plan(args, world.context), {
      message:
        'oldText occurs 2 times in math.js (lines 1, 5). Nothing was changed. Add surrounding lines to oldText so it matches only the place you mean, ' +
        'or set expectedOccurrences to 2 to replace every occurrence.',
    });
    await assert.rejects(replaceInFileTool.plan({ ...args, expectedOccurrences: 3 }, world.context), {
      message: /^oldText occurs 2 times in math\.js \(lines 1, 5\), not 3 as expectedOccurrences says\./,
    });
    const { plan } = await world.call(replaceInFileTool, { ...args, expectedOccurrences: 2 });
    assert.equal(plan.summary, 'Edit math.js: replace 2 occurrences (lines 1, 5)');
    assert.equal(readFileSync(world.file('math.js'), 'utf8'), source.replaceAll('(a, b) {', '(a, b, c) {'));
  });

  it('refuses to write over a file that changed since the edit was proposed', async () => {
    writeFileSync(world.file('math.js'), source);
    const args = { path: 'math.js', oldText: 'a - b', newText: 'b - a' };
    const plan = await replaceInFileTool.plan(args, world.context);
    writeFileSync(world.file('math.js'), `${source}// the person typed this\n`);
    world.touched.length = 0;
    await assert.rejects(replaceInFileTool.run(args, plan, world.context), {
      name: 'ToolError',
      message: 'math.js changed since the edit was proposed; read it again and make the edit anew. Nothing was written.',
    });
    assert.equal(readFileSync(world.file('math.js'), 'utf8'), `${source}// the person typed this\n`);
    assert.ok(!world.touched.some((t) => t.startsWith('beforeChange') || t.startsWith('write')));
  });

  it('edits a CRLF file in CRLF with the model\'s \\n text', async () => {
    writeFileSync(world.file('win.txt'), 'one\r\ntwo\r\nthree\r\n');
    await world.call(replaceInFileTool, { path: 'win.txt', oldText: 'one\ntwo', newText: 'one\n1.5\ntwo' });
    assert.equal(readFileSync(world.file('win.txt'), 'utf8'), 'one\r\n1.5\r\ntwo\r\nthree\r\n');
  });

  it('reports a missing file with a suggestion, and no-op edits', async () => {
    writeFileSync(world.file('math.js'), source);
    await assert.rejects(replaceInFileTool.plan({ path: 'maths.js', oldText: 'a', newText: 'b' }, world.context), {
      message: 'No such file: maths.js. Did you mean math.js?',
    });
    await assert.rejects(replaceInFileTool.plan({ path: 'math.js', oldText: 'a + b', newText: 'a + b' }, world.context), {
      message: 'oldText and newText are the same: there is nothing to change.',
    });
  });

  it('tells the model nothing about a file it may not read unasked until the attempt is approved', async () => {
    writeFileSync(world.file('.env'), 'API_KEY=sk-secret-value\n');
    const args = { path: '.env', oldText: 'API_KEY=sk-guess', newText: 'API_KEY=x' };
    const plan = await replaceInFileTool.plan(args, world.context);
    assert.equal(plan.edit, undefined);
    assert.deepEqual(plan.writes, [world.file('.env')]);
    assert.match(plan.summary, /^Edit \.env: this edit cannot be made \(oldText was not found in \.env\); approving only tells the model why$/);
    assert.ok(!plan.summary.includes('sk-secret'));
    await assert.rejects(replaceInFileTool.run(args, plan, world.context), { message: /^oldText was not found in \.env\. The closest line is line 1/ });
    assert.equal(readFileSync(world.file('.env'), 'utf8'), 'API_KEY=sk-secret-value\n');
    // Text that is there still plans an ordinary edit (which the policy then asks about).
    const ok = await replaceInFileTool.plan({ path: '.env', oldText: 'sk-secret-value', newText: 'sk-new' }, world.context);
    assert.equal(ok.edit?.after, 'API_KEY=sk-new\n');
  });
});
