import * as assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { listFilesTool } from '../../../../src/core/tools/listFiles';
import { searchTextTool } from '../../../../src/core/tools/searchText';
import { assertWithinPlan, toolWorld, type ToolWorld } from '../../node/toolFixture';

describe('list_files and search_text over the real ripgrep', function () {
  this.timeout(20_000);
  let world: ToolWorld;
  beforeEach(() => {
    world = toolWorld();
    mkdirSync(world.file('src/deep'), { recursive: true });
    mkdirSync(world.file('build'));
    mkdirSync(world.file('.git'));
    writeFileSync(world.file('.gitignore'), 'build/\n*.log\n');
    writeFileSync(world.file('src/app.ts'), 'export const greeting = "Hello";\nconsole.log(greeting);\n');
    writeFileSync(world.file('src/deep/util.ts'), 'export function hello() {\n  return "hello world";\n}\n');
    writeFileSync(world.file('src/readme.md'), 'Say HELLO to the app.\n');
    writeFileSync(world.file('build/out.js'), 'console.log("hello");\n');
    writeFileSync(world.file('debug.log'), 'hello from the log\n');
    writeFileSync(world.file('.git/config'), '[core] hello\n');
  });
  afterEach(() => world.dispose());

  describe('list_files', () => {
    it('lists files sorted, leaving out what .gitignore and files.exclude leave out', async () => {
      const { plan, result } = await world.call(listFilesTool, {});
      assert.deepEqual(plan.reads, [world.ws]);
      assert.equal(result.content, ['.gitignore', 'src/app.ts', 'src/deep/util.ts', 'src/readme.md'].join('\n'));
      assertWithinPlan(world, plan);
    });

    it('matches a glob (names at any depth without a slash, paths with one) under a path', async () => {
      assert.equal((await world.call(listFilesTool, { glob: '*.ts' })).result.content, 'src/app.ts\nsrc/deep/util.ts');
      assert.equal((await world.call(listFilesTool, { glob: 'deep/**' , path: 'src' })).result.content, 'src/deep/util.ts');
      assert.equal((await world.call(listFilesTool, { glob: '*.py' })).result.content, 'No files match *.py in . (files ignored by .gitignore or files.exclude are not listed).');
    });

    it('caps at 1,000 entries and says how many more there are', async () => {
      mkdirSync(world.file('many'));
      for (let i = 0; i < 1_205; i++) {
        writeFileSync(world.file(`many/f${String(i).padStart(4, '0')}.txt`), '');
      }
      const { result } = await world.call(listFilesTool, { path: 'many' });
      const lines = result.content.split('\n');
      assert.equal(lines.length, 1_001);
      assert.equal(lines[0], 'many/f0000.txt');
      assert.equal(lines[1_000], '[205 more not shown; narrow the glob or the path to see them]');
      assert.equal(result.details?.truncated, true);
    });

    it('says so for a folder that is not there or is a file', async () => {
      await assert.rejects(world.call(listFilesTool, { path: 'nope' }), { name: 'ToolError', message: 'No such folder: nope.' });
      await assert.rejects(world.call(listFilesTool, { path: 'src/app.ts' }), { message: 'src/app.ts is a file, not a folder; use read_file to read it.' });
    });
  });

  describe('search_text', () => {
    it('finds a literal case-insensitively by default, as path:line: text, skipping ignored files', async () => {
      const { plan, result } = await world.call(searchTextTool, { query: 'hello' });
      assert.equal(
        result.content,
        ['src/app.ts:1: export const greeting = "Hello";', 'src/deep/util.ts:1: export function hello() {', 'src/deep/util.ts:2: return "hello world";', 'src/readme.md:1: Say HELLO to the app.'].join('\n'),
      );
      assertWithinPlan(world, plan);
    });

    it('honours caseSensitive, isRegex, glob and path', async () => {
      assert.equal((await world.call(searchTextTool, { query: 'HELLO', caseSensitive: true })).result.content, 'src/readme.md:1: Say HELLO to the app.');
      assert.equal((await world.call(searchTextTool, { query: 'hel+o\\(\\)', isRegex: true })).result.content, 'src/deep/util.ts:1: export function hello() {');
      assert.equal((await world.call(searchTextTool, { query: '(?<=")Hello', isRegex: true, caseSensitive: true })).result.content, 'src/app.ts:1: export const greeting = "Hello";');
      assert.equal((await world.call(searchTextTool, { query: 'hello', glob: '*.md' })).result.content, 'src/readme.md:1: Say HELLO to the app.');
      assert.match((await world.call(searchTextTool, { query: 'hello', path: 'src/deep' })).result.content, /^src\/deep\/util\.ts:1:/);
      assert.match((await world.call(searchTextTool, { query: 'hel+o', isRegex: false })).result.content, /^No matches for "hel\+o"/);
    });

    it("returns an invalid regex as a ToolError carrying ripgrep's message", async () => {
      await assert.rejects(world.call(searchTextTool, { query: 'foo(', isRegex: true }), (err: Error) => {
        assert.equal(err.name, 'ToolError');
        assert.match(err.message, /^Invalid regular expression: /);
        assert.match(err.message, /unclosed group/);
        return true;
      });
      await assert.rejects(searchTextTool.plan({ query: 'a\nb' }, world.context), { message: /must not contain a line break/ });
    });

    it('cuts long lines to a window around the match and caps the matches', async () => {
      writeFileSync(world.file('src/min.js'), `${'a'.repeat(5_000)}NEEDLE${'b'.repeat(5_000)}\n`);
      const long = (await world.call(searchTextTool, { query: 'needle' })).result.content;
      assert.ok(long.length < 400, `${long.length} characters`);
      assert.match(long, /^src\/min\.js:1: …a+NEEDLEb+…$/);

      writeFileSync(world.file('src/many.txt'), 'match here\n'.repeat(500));
      const { result } = await world.call(searchTextTool, { query: 'match here' });
      const lines = result.content.split('\n');
      assert.equal(lines.length, 201);
      assert.equal(lines[0], 'src/many.txt:1: match here');
      assert.equal(lines[200], '[the search stopped after 200 matches, there are more; narrow the query, the glob or the path]');
      assert.equal(result.details?.truncated, true);
    });
  });
});
