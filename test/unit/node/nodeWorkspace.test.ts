import * as assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createNodeWorkspace } from '../../../src/node/nodeWorkspace';
import { testRipgrep } from './toolFixture';

describe('node workspace (the WorkspacePort over fs and ripgrep)', function () {
  this.timeout(20_000);
  let root: string;
  let ws: string;
  let outside: string;
  beforeEach(() => {
    root = realpathSync(mkdtempSync(path.join(os.tmpdir(), 'ais-nodews-')));
    ws = path.join(root, 'ws');
    outside = path.join(root, 'outside');
    mkdirSync(ws);
    mkdirSync(outside);
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  const workspace = (options: { trusted?: boolean; excludeGlobs?: string[] } = {}) =>
    createNodeWorkspace({ folders: [path.join(root, 'ws-link')], ripgrep: testRipgrep(), ...options });

  beforeEach(() => symlinkSync(ws, path.join(root, 'ws-link')));

  it('gives its folders realpathed, and trust as configured', () => {
    assert.deepEqual(workspace().folders(), [ws]);
    assert.equal(workspace().isTrusted(), true);
    assert.equal(workspace({ trusted: false }).isTrusted(), false);
  });

  it('resolves symlinks, and a path that does not exist through its nearest existing ancestor', async () => {
    symlinkSync(outside, path.join(ws, 'out'));
    const port = workspace();
    assert.equal(await port.realpath(path.join(ws, 'out', 'new', 'file.txt')), path.join(outside, 'new', 'file.txt'));
    assert.equal(await port.realpath(path.join(root, 'ws-link', 'a.txt')), path.join(ws, 'a.txt'));
  });

  it('follows a dangling symlink to where a write would land', async () => {
    symlinkSync(path.join(outside, 'planted.txt'), path.join(ws, 'evil.txt'));
    assert.equal(await workspace().realpath(path.join(ws, 'evil.txt')), path.join(outside, 'planted.txt'));
  });

  it('stats files and folders, and reads text', async () => {
    writeFileSync(path.join(ws, 'a.txt'), 'héllo');
    const port = workspace();
    const file = await port.stat(path.join(ws, 'a.txt'));
    assert.equal(file?.type, 'file');
    assert.equal(file?.size, 6);
    assert.equal((await port.stat(ws))?.type, 'directory');
    assert.equal(await port.stat(path.join(ws, 'missing')), undefined);
    assert.equal(await port.stat(path.join(ws, 'a.txt', 'below-a-file')), undefined);
    assert.equal(await port.readText(path.join(ws, 'a.txt')), 'héllo');
    await assert.rejects(port.readText(path.join(ws, 'missing')), { code: 'ENOENT' });
  });

  it('writes text creating its folders, and deletes files', async () => {
    const port = workspace();
    const target = path.join(ws, 'deep', 'er', 'new.txt');
    await port.writeText(target, 'made\n');
    assert.equal(readFileSync(target, 'utf8'), 'made\n');
    await port.deleteFile(target);
    assert.equal(existsSync(target), false);
  });

  it('lists and searches through ripgrep with files.exclude, and reports no problems', async () => {
    writeFileSync(path.join(ws, 'keep.txt'), 'needle\n');
    mkdirSync(path.join(ws, 'generated'));
    writeFileSync(path.join(ws, 'generated', 'skip.txt'), 'needle\n');
    const port = workspace({ excludeGlobs: ['**/generated'] });
    const signal = new AbortController().signal;
    assert.deepEqual((await port.listFiles({ glob: '**/*', cwd: ws, limit: 10 }, signal)).files, [path.join(ws, 'keep.txt')]);
    const found = await port.searchText({ pattern: 'needle', isRegex: false, caseSensitive: false, cwd: ws, maxResults: 10 }, signal);
    assert.deepEqual(found.matches, [{ path: path.join(ws, 'keep.txt'), line: 1, text: 'needle' }]);
    assert.deepEqual(await port.problems(), []);
  });
});
