import * as assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { findRipgrep, rgListFiles, rgSearch } from '../../../src/node/ripgrep';
import { testRipgrep } from './toolFixture';

describe('ripgrep: the binary VS Code ships, for listing and searching', function () {
  this.timeout(20_000);
  let dir: string;
  let rg: string;
  const signal = new AbortController().signal;
  before(() => {
    rg = testRipgrep();
  });
  beforeEach(() => {
    dir = realpathSync(mkdtempSync(path.join(os.tmpdir(), 'ais-rg-')));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const write = (relative: string, text: string | Buffer) => {
    mkdirSync(path.dirname(path.join(dir, relative)), { recursive: true });
    writeFileSync(path.join(dir, relative), text);
  };

  describe('findRipgrep', () => {
    const layouts = [
      ['desktop', 'node_modules/@vscode/ripgrep/bin/rg'],
      ['desktop, packed', 'node_modules.asar.unpacked/@vscode/ripgrep/bin/rg'],
      ['code-server', `node_modules/@vscode/ripgrep-universal/bin/${process.platform}-${process.arch}/rg`],
    ] as const;
    for (const [name, relative] of layouts) {
      it(`finds rg in the ${name} layout under appRoot`, () => {
        write(relative, '');
        assert.equal(findRipgrep(dir), path.join(dir, relative));
      });
    }

    it('finds nothing where there is no rg, and the real one in code-server', () => {
      assert.equal(findRipgrep(dir), undefined);
      assert.match(rg, /ripgrep-universal\/bin\/linux-x64\/rg$/);
    });
  });

  describe('rgListFiles', () => {
    beforeEach(() => {
      write('.gitignore', 'dist/\n');
      write('a.ts', '');
      write('src/b.ts', '');
      write('src/c.js', '');
      write('dist/bundle.js', '');
      write('.git/HEAD', '');
      write('node_modules/x/index.js', '');
      write('.hidden/conf.json', '');
    });

    it('honours .gitignore without a git repository, includes dotfiles, and leaves out the excludes', async () => {
      const { files, truncated } = await rgListFiles(rg, { cwd: dir, limit: 100, excludeGlobs: ['**/.git', '**/node_modules'] }, signal);
      assert.deepEqual(files, ['.gitignore', '.hidden/conf.json', 'a.ts', 'src/b.ts', 'src/c.js'].map((f) => path.join(dir, f)));
      assert.equal(truncated, false);
    });

    it('lets the excludes win over the glob, and stops at the limit', async () => {
      const excluded = await rgListFiles(rg, { cwd: dir, glob: '**/*.js', limit: 100, excludeGlobs: ['**/node_modules'] }, signal);
      assert.deepEqual(excluded.files, [path.join(dir, 'src/c.js')]);
      const capped = await rgListFiles(rg, { cwd: dir, limit: 2, excludeGlobs: ['**/.git'] }, signal);
      assert.equal(capped.files.length, 2);
      assert.equal(capped.truncated, true);
    });

    it('a glob never brings back what .gitignore hides (a positive rg --glob would)', async () => {
      const listed = await rgListFiles(rg, { cwd: dir, glob: '*.js', limit: 100, excludeGlobs: ['**/node_modules'] }, signal);
      assert.deepEqual(listed.files, [path.join(dir, 'src/c.js')], 'dist/bundle.js is ignored');
      write('dist/hit.js', 'needle\n');
      write('src/hit.js', 'needle\n');
      const found = await rgSearch(rg, { cwd: dir, pattern: 'needle', isRegex: false, caseSensitive: true, glob: '*.js', maxResults: 10 }, signal);
      assert.deepEqual(found.matches.map((m) => m.path), [path.join(dir, 'src/hit.js')]);
    });

    it('does not follow a symlink out of the folder', async () => {
      const outside = realpathSync(mkdtempSync(path.join(os.tmpdir(), 'ais-rg-out-')));
      try {
        writeFileSync(path.join(outside, 'secret.txt'), 'token\n');
        symlinkSync(outside, path.join(dir, 'link'));
        const { files } = await rgListFiles(rg, { cwd: dir, limit: 100 }, signal);
        assert.ok(!files.some((f) => f.includes('secret')), files.join('\n'));
        const { matches } = await rgSearch(rg, { cwd: dir, pattern: 'token', isRegex: false, caseSensitive: false, maxResults: 10 }, signal);
        assert.deepEqual(matches, []);
      } finally {
        rmSync(outside, { recursive: true, force: true });
      }
    });
  });

  describe('rgSearch', () => {
    it('parses --json matches into absolute paths, 1-based lines and the line text', async () => {
      write('src/a.ts', 'let x = 1;\nconst needle = 2;\n');
      write('b.txt', 'NEEDLE\n');
      const { matches } = await rgSearch(rg, { cwd: dir, pattern: 'needle', isRegex: false, caseSensitive: false, maxResults: 10 }, signal);
      assert.deepEqual(matches, [
        { path: path.join(dir, 'b.txt'), line: 1, text: 'NEEDLE' },
        { path: path.join(dir, 'src/a.ts'), line: 2, text: 'const needle = 2;' },
      ]);
    });

    it('treats a literal as a literal, and a pattern starting with "-" as a pattern', async () => {
      write('a.txt', 'a.c\nabc\n--flag\n');
      const literal = await rgSearch(rg, { cwd: dir, pattern: 'a.c', isRegex: false, caseSensitive: true, maxResults: 10 }, signal);
      assert.deepEqual(literal.matches.map((m) => m.text), ['a.c']);
      const regex = await rgSearch(rg, { cwd: dir, pattern: 'a.c', isRegex: true, caseSensitive: true, maxResults: 10 }, signal);
      assert.deepEqual(regex.matches.map((m) => m.text), ['a.c', 'abc']);
      const dash = await rgSearch(rg, { cwd: dir, pattern: '--flag', isRegex: false, caseSensitive: true, maxResults: 10 }, signal);
      assert.deepEqual(dash.matches.map((m) => m.line), [3]);
    });

    it('cuts a long line to a window around the first match (offsets are bytes, the window characters)', async () => {
      write('min.js', `${'é'.repeat(2_000)}FIND${'z'.repeat(2_000)}\n`);
      const { matches } = await rgSearch(rg, { cwd: dir, pattern: 'find', isRegex: false, caseSensitive: false, maxResults: 10, maxColumns: 100 }, signal);
      const text = matches[0]?.text ?? '';
      assert.equal(text.length, 100);
      assert.match(text, /^…é+FINDz+…$/);
    });

    it('stops ripgrep at maxResults and says the result is truncated', async () => {
      write('many.txt', 'hit\n'.repeat(10_000));
      const { matches, truncated } = await rgSearch(rg, { cwd: dir, pattern: 'hit', isRegex: false, caseSensitive: false, maxResults: 5 }, signal);
      assert.equal(matches.length, 5);
      assert.equal(truncated, true);
      const all = await rgSearch(rg, { cwd: dir, pattern: 'hit', isRegex: false, caseSensitive: false, maxResults: 10_000 }, signal);
      assert.equal(all.truncated, false);
    });

    it('reads lines that are not UTF-8, and skips binary files', async () => {
      write('latin1.txt', Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x20, 0x6f, 0x6b, 0x0a]));
      write('blob.bin', Buffer.from([0x6f, 0x6b, 0, 0, 1, 2]));
      const { matches } = await rgSearch(rg, { cwd: dir, pattern: 'ok', isRegex: false, caseSensitive: false, maxResults: 10 }, signal);
      assert.deepEqual(matches, [{ path: path.join(dir, 'latin1.txt'), line: 1, text: 'caf\uFFFD ok' }]);
    });

    it('rejects an invalid regex with a ToolError', async () => {
      write('a.txt', 'x\n');
      await assert.rejects(rgSearch(rg, { cwd: dir, pattern: '[a-', isRegex: true, caseSensitive: false, maxResults: 10 }, signal), {
        name: 'ToolError',
        message: /^Invalid regular expression: .*invalid character class range/s,
      });
    });

    it('is stopped by its signal', async () => {
      write('a.txt', 'x\n');
      const controller = new AbortController();
      controller.abort();
      await assert.rejects(rgSearch(rg, { cwd: dir, pattern: 'x', isRegex: false, caseSensitive: false, maxResults: 10 }, controller.signal), /stopped/);
    });
  });
});
