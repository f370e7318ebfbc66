import * as assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { judgePath, resolveToolPath, type PathContext } from '../../../../src/core/policy/pathPolicy';
import { protectionOf } from '../../../../src/core/policy/protectedPaths';
import { createLayout, PATH_CORPUS, realpathOrAncestor, type FolderKey } from './pathCorpus';

describe('path policy: the corpus, on real folders and symlinks', () => {
  let root = '';
  const dirs = (): Record<string, string> => ({
    ws: path.join(root, 'ws'),
    ws2: path.join(root, 'ws2'),
    wslink: path.join(root, 'wslink'),
    wsEvil: path.join(root, 'ws-evil'),
    home: path.join(root, 'home'),
    root,
  });
  const expand = (text: string): string => text.replace(/\{(\w+)\}/g, (_m, key: string) => dirs()[key] ?? `{${key}}`);

  before(async () => {
    // realpath'd: on macOS the temp folder itself is behind a symlink (/var -> /private/var).
    root = await fs.realpath(await fs.mkdtemp(path.join(os.tmpdir(), 'ais-paths-')));
    await createLayout(root);
  });
  after(async () => {
    await fs.rm(root, { recursive: true, force: true });
  });

  it('has at least 40 cases', () => {
    assert.ok(PATH_CORPUS.length >= 40, `${PATH_CORPUS.length} cases`);
  });

  for (const c of PATH_CORPUS) {
    const shown = c.input.length > 60 ? `${c.input.slice(0, 40).replace(/\0/g, '\\0')}… (${c.input.length} chars)` : c.input.replace(/\0/g, '\\0');
    it(`${c.name}: ${c.access} ${JSON.stringify(shown)} => ${c.expect}`, async () => {
      const folders: FolderKey[] = c.folders ?? ['ws'];
      const context: PathContext = {
        folders: folders.map((key) => dirs()[key] as string),
        realpath: realpathOrAncestor,
        home: dirs().home,
        platform: 'posix',
        extraProtected: [path.join(root, 'storage')],
      };
      const judgement = await judgePath(expand(c.input), c.access, context);
      assert.equal(judgement.verdict, c.expect, `reason: ${judgement.reason}`);
      if (c.reason !== undefined) assert.ok(judgement.reason.includes(c.reason), `reason: ${judgement.reason}`);
      if (c.absolute !== undefined) assert.equal(judgement.absolute, expand(c.absolute));
    });
  }

  it('judges the real path, and says which it is', async () => {
    const judgement = await judgePath('link-out/secret.txt', 'read', { folders: [dirs().ws as string], realpath: realpathOrAncestor });
    assert.equal(judgement.absolute, path.join(root, 'ws', 'link-out', 'secret.txt'));
    assert.equal(judgement.realPath, path.join(root, 'outside', 'secret.txt'));
  });
});

describe('path policy: failures never throw', () => {
  it('asks when the real path cannot be found', async () => {
    const judgement = await judgePath('/ws/a.ts', 'read', {
      folders: ['/ws'],
      realpath: () => Promise.reject(new Error('EACCES: permission denied')),
    });
    assert.equal(judgement.verdict, 'ask');
    assert.match(judgement.reason, /EACCES/);
  });

  it('asks when realpath answers nonsense', async () => {
    const judgement = await judgePath('/ws/a.ts', 'read', { folders: ['/ws'], realpath: () => Promise.resolve(undefined as unknown as string) });
    assert.equal(judgement.verdict, 'ask');
  });
});

describe('path policy: Windows paths', () => {
  const context: PathContext = { folders: ['C:\\ws'], realpath: (p) => Promise.resolve(p), platform: 'win32', home: 'C:\\Users\\me' };
  const cases: [input: string, access: 'read' | 'write', verdict: string, reason?: string][] = [
    ['src/a.ts', 'write', 'default'],
    ['c:\\WS\\src\\a.ts', 'read', 'default'],
    ['C:\\ws-evil\\x.txt', 'read', 'ask', 'outside the workspace folders'],
    ['D:\\ws\\a.ts', 'read', 'ask', 'outside the workspace folders'],
    ['..\\ws-evil\\x.txt', 'read', 'ask', 'outside the workspace folders'],
    ['\\\\server\\share\\x', 'read', 'ask', 'outside the workspace folders'],
    ['\\Windows\\System32\\drivers\\etc\\hosts', 'read', 'ask', 'outside the workspace folders'],
    ['~\\.ssh\\id_rsa', 'read', 'ask', 'outside the workspace folders'],
    ['C:\\ws\\.VSCODE\\settings.json', 'write', 'ask', 'workspace configuration'],
    ['C:\\ws\\.vscode.\\settings.json', 'write', 'ask'],
    ['C:\\ws\\.git\\hooks\\pre-commit', 'write', 'ask', 'git'],
    ['C:\\ws\\notes.txt:hidden', 'write', 'ask', 'alternate data stream'],
    ['C:\\ws\\CON', 'write', 'ask', 'device name'],
    ['C:\\ws\\PROGRA~1\\x', 'write', 'ask', 'short (8.3) name'],
    ['C:foo', 'read', 'deny', 'current folder'],
  ];
  for (const [input, access, verdict, reason] of cases) {
    it(`${access} ${input} => ${verdict}`, async () => {
      const judgement = await judgePath(input, access, context);
      assert.equal(judgement.verdict, verdict, judgement.reason);
      if (reason !== undefined) assert.ok(judgement.reason.includes(reason), judgement.reason);
    });
  }
});

describe('resolveToolPath', () => {
  it('resolves relative paths against the first folder', () => {
    assert.deepEqual(resolveToolPath('src/../b.ts', { folders: ['/one', '/two'] }), { absolute: '/one/b.ts' });
  });

  it('does not guess a home folder it was not given', () => {
    const resolved = resolveToolPath('~/x', { folders: ['/ws'] });
    assert.ok('error' in resolved && resolved.error.includes('home folder'));
  });

  it('tells how to name a file called ~name', () => {
    const resolved = resolveToolPath('~draft.txt', { folders: ['/ws'], home: '/home/me' });
    assert.ok('error' in resolved && resolved.error.includes('./~draft.txt'), JSON.stringify(resolved));
    assert.deepEqual(resolveToolPath('./~draft.txt', { folders: ['/ws'] }), { absolute: '/ws/~draft.txt' });
  });

  it('roots a Windows path without a drive on the first folder’s drive, never on the process’s', () => {
    assert.deepEqual(resolveToolPath('\\tmp\\x', { folders: ['D:\\ws'], platform: 'win32' }), { absolute: 'D:\\tmp\\x' });
  });
});

describe('protectionOf', () => {
  it('asks for writes of workspace configuration but lets it be read', () => {
    assert.match(protectionOf('.vscode/tasks.json', 'write') ?? '', /workspace configuration/);
    assert.equal(protectionOf('.vscode/tasks.json', 'read'), undefined);
  });

  it('asks for reads of MCP configs, which hold keys', () => {
    for (const file of ['.vscode/mcp.json', '.mcp.json', '.roo/mcp.json', 'cline_mcp_settings.json', '.gemini/settings.json']) {
      assert.match(protectionOf(file, 'read') ?? '', /MCP/, file);
    }
  });

  it('asks for the agent folders of other tools', () => {
    for (const file of ['.kilocode/rules.md', '.continue/config.yaml', '.roo/rules/a.md', '.github/instructions/x.md', '.github/prompts/p.md', '.clinerules', 'CLAUDE.md', '.cursorrules']) {
      assert.ok(protectionOf(file, 'write') !== undefined, file);
    }
  });

  it('treats every secret-looking name as secret, for reads and writes', () => {
    for (const file of ['a/.env.production', 'prod.env', 'k.key', 'c.p12', 'c.pfx', 'id_rsa.pub', '.pypirc', '.netrc', '.git-credentials', '.aws/credentials', '.ssh/config', '.docker/config.json', 'app.keystore', 'credentials.json', 'secrets.yaml']) {
      assert.match(protectionOf(file, 'read') ?? '', /secrets/, file);
      assert.match(protectionOf(file, 'write') ?? '', /secrets/, file);
    }
  });

  it('leaves env templates and ordinary files alone', () => {
    for (const file of ['.env.example', '.env.sample', '.env.template', '.env.dist', 'src/environment.ts', 'docs/git.md', 'keyboard.ts', '.venv/lib/site.py']) {
      assert.equal(protectionOf(file, 'read'), undefined, file);
      assert.equal(protectionOf(file, 'write'), undefined, file);
    }
  });
});
