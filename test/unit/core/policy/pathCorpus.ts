/**
 * The path-confinement corpus: inputs a model could send and the verdict each must get, judged against a real
 * layout of temp folders with real symlinks. It only grows: a case that once mattered keeps mattering.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { JudgedVerdict, PathAccess } from '../../../../src/core/policy/policyTypes';

/** The folders a case can open, by name. */
export type FolderKey = 'ws' | 'ws2' | 'wslink';

export interface PathCase {
  name: string;
  /** As the tool gets it; `{ws}`, `{ws2}`, `{wslink}`, `{wsEvil}`, `{root}`, `{home}` name the temp layout. */
  input: string;
  access: PathAccess;
  expect: JudgedVerdict;
  /** Words the reason must contain. */
  reason?: string;
  /** The absolute path the tool must use (placeholders as in `input`). */
  absolute?: string;
  /** The open folders; ['ws'] unless given. */
  folders?: FolderKey[];
}

/**
 * root/
 *   ws/           src/a.ts, ..foo, .vscode/settings.json, .git/config, a/.git/hooks/pre-commit, .env, .env.local,
 *                 .env.example, link-out -> ../outside, link-secret -> ../outside/secret.txt, link-in -> src,
 *                 config-alias -> .vscode
 *   ws-evil/      x.txt                      (a sibling whose name starts with "ws")
 *   ws2/          b.ts, plain/, .vscode -> plain  (a .vscode that is a symlink to an ordinary folder)
 *   wslink -> ws  (a workspace folder opened through a symlink)
 *   outside/      secret.txt
 *   home/         .ssh/id_rsa
 *   storage/      settings.json              (AI Studio's own, in extraProtected)
 */
export async function createLayout(root: string): Promise<void> {
  const files = [
    'ws/src/a.ts',
    'ws/..foo',
    'ws/.vscode/settings.json',
    'ws/.git/config',
    'ws/a/.git/hooks/pre-commit',
    'ws/.env',
    'ws/.env.local',
    'ws/.env.example',
    'ws-evil/x.txt',
    'ws2/b.ts',
    'ws2/plain/tasks.json',
    'outside/secret.txt',
    'home/.ssh/id_rsa',
    'storage/settings.json',
  ];
  for (const file of files) {
    await fs.mkdir(path.join(root, path.dirname(file)), { recursive: true });
    await fs.writeFile(path.join(root, file), `${file}\n`);
  }
  const links: [link: string, target: string][] = [
    ['ws/link-out', '../outside'],
    ['ws/link-secret', '../outside/secret.txt'],
    ['ws/link-in', 'src'],
    ['ws/config-alias', '.vscode'],
    ['ws2/.vscode', 'plain'],
    ['wslink', 'ws'],
  ];
  for (const [link, target] of links) await fs.symlink(target, path.join(root, link));
}

/** WorkspacePort.realpath's contract: symlinks resolved; a missing path is its nearest existing ancestor's + the rest. */
export async function realpathOrAncestor(absolute: string): Promise<string> {
  try {
    return await fs.realpath(absolute);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const parent = path.dirname(absolute);
    if ((code !== 'ENOENT' && code !== 'ENOTDIR') || parent === absolute) throw err;
    return path.join(await realpathOrAncestor(parent), path.basename(absolute));
  }
}

const outside = 'outside the workspace folders';

export const PATH_CORPUS: readonly PathCase[] = [
  // Ordinary work inside the workspace: the tool's mode decides.
  { name: 'a source file', input: 'src/a.ts', access: 'read', expect: 'default' },
  { name: 'a source file', input: 'src/a.ts', access: 'write', expect: 'default' },
  { name: 'an absolute path inside', input: '{ws}/src/a.ts', access: 'read', expect: 'default' },
  { name: 'a detour that stays inside', input: './src/../src/a.ts', access: 'write', expect: 'default' },
  { name: 'a file to create in a new folder', input: 'new/deeper/file.ts', access: 'write', expect: 'default' },
  { name: 'a symlink that points inside', input: 'link-in/a.ts', access: 'read', expect: 'default' },
  { name: 'a name that starts with two dots', input: '..foo', access: 'read', expect: 'default' },
  { name: 'the folder itself', input: '.', access: 'read', expect: 'default' },
  { name: 'an env template', input: '.env.example', access: 'read', expect: 'default' },
  { name: 'a name like .vscode but not it', input: '.vscodeignore', access: 'write', expect: 'default' },
  { name: 'a CI workflow', input: '.github/workflows/ci.yml', access: 'write', expect: 'default' },
  { name: 'a doc that mentions MCP', input: 'docs/mcp.md', access: 'write', expect: 'default' },
  { name: 'a doc about secrets', input: 'docs/secrets-guide.md', access: 'read', expect: 'default' },
  { name: 'a name of 255 characters', input: `${'n'.repeat(255)}`, access: 'write', expect: 'default' },
  { name: 'reading workspace settings', input: '.vscode/settings.json', access: 'read', expect: 'default' },
  { name: 'reading agent rules', input: 'AGENTS.md', access: 'read', expect: 'default' },
  { name: 'a folder opened through a symlink', input: 'src/a.ts', access: 'write', expect: 'default', folders: ['wslink'] },
  { name: 'the real path of a folder opened through a symlink', input: '{ws}/src/a.ts', access: 'read', expect: 'default', folders: ['wslink'] },
  { name: 'the symlinked path of an open folder', input: '{wslink}/src/a.ts', access: 'read', expect: 'default' },
  { name: 'multi-root: the second folder', input: '{ws2}/b.ts', access: 'write', expect: 'default', folders: ['ws', 'ws2'] },
  { name: 'multi-root: relative resolves in the first folder', input: 'b.ts', access: 'write', expect: 'default', folders: ['ws', 'ws2'], absolute: '{ws}/b.ts' },

  // Out of the workspace: ask.
  { name: 'a sibling folder sharing the prefix', input: '{wsEvil}/x.txt', access: 'read', expect: 'ask', reason: outside },
  { name: 'a sibling folder through ..', input: '../ws-evil/x.txt', access: 'write', expect: 'ask', reason: outside },
  { name: 'climbing out with ..', input: '../../../../etc/passwd', access: 'read', expect: 'ask', reason: outside },
  { name: 'an absolute path elsewhere', input: '/etc/passwd', access: 'read', expect: 'ask', reason: outside },
  { name: 'out and back in a long way round', input: 'src/../../outside/secret.txt', access: 'read', expect: 'ask', reason: outside },
  { name: 'home', input: '~', access: 'read', expect: 'ask', reason: outside },
  { name: 'a key under home', input: '~/.ssh/id_rsa', access: 'read', expect: 'ask', reason: outside, absolute: '{home}/.ssh/id_rsa' },
  { name: 'a symlinked folder that points out', input: 'link-out/secret.txt', access: 'read', expect: 'ask', reason: outside },
  { name: 'a symlinked file that points out', input: 'link-secret', access: 'write', expect: 'ask', reason: outside },
  { name: 'a new file through a symlink that points out', input: 'link-out/new.txt', access: 'write', expect: 'ask', reason: outside },
  { name: 'multi-root: a sibling of both', input: '{wsEvil}/x.txt', access: 'read', expect: 'ask', reason: outside, folders: ['ws', 'ws2'] },
  { name: 'multi-root: the second folder, not open', input: '{ws2}/b.ts', access: 'read', expect: 'ask', reason: outside },
  { name: 'no folder open', input: '{ws}/src/a.ts', access: 'read', expect: 'ask', reason: 'no workspace folder is open', folders: [] },
  { name: "AI Studio's own settings", input: '{root}/storage/settings.json', access: 'write', expect: 'ask', reason: 'AI Studio' },

  // Configuration is code (CVE-2025-53773, -54135/54136, -59536): writes ask.
  { name: 'workspace settings', input: '.vscode/settings.json', access: 'write', expect: 'ask', reason: 'workspace configuration' },
  { name: 'workspace settings, other case', input: '.VSCode/settings.json', access: 'write', expect: 'ask', reason: 'workspace configuration' },
  { name: 'workspace settings, trailing dot (Windows drops it)', input: '.vscode./settings.json', access: 'write', expect: 'ask' },
  { name: 'workspace settings through an innocent symlink', input: 'config-alias/settings.json', access: 'write', expect: 'ask' },
  { name: 'a .vscode that is a symlink to a plain folder', input: '{ws2}/.vscode/tasks.json', access: 'write', expect: 'ask', folders: ['ws', 'ws2'] },
  { name: 'a workspace file', input: 'x.code-workspace', access: 'write', expect: 'ask', reason: 'workspace configuration' },
  { name: 'a workspace file, other case', input: 'X.Code-Workspace', access: 'write', expect: 'ask' },
  { name: 'git config', input: '.git/config', access: 'write', expect: 'ask', reason: 'git' },
  { name: 'git config (may hold a token)', input: '.git/config', access: 'read', expect: 'ask', reason: 'git' },
  { name: 'a nested repository hook', input: 'a/.git/hooks/pre-commit', access: 'write', expect: 'ask', reason: 'git' },
  { name: 'a nested repository hook, other case', input: 'a/.GIT/hooks/pre-commit', access: 'write', expect: 'ask', reason: 'git' },
  { name: 'MCP config in .vscode', input: '.vscode/mcp.json', access: 'read', expect: 'ask', reason: 'MCP' },
  { name: 'a project MCP config', input: '.mcp.json', access: 'write', expect: 'ask', reason: 'MCP' },
  { name: 'an MCP config anywhere', input: 'tools/MCP.json', access: 'write', expect: 'ask', reason: 'MCP' },
  { name: 'Cursor rules', input: '.cursor/rules/x.mdc', access: 'write', expect: 'ask' },
  { name: 'agent instructions', input: 'AGENTS.md', access: 'write', expect: 'ask', reason: 'agent rules' },
  { name: 'Copilot instructions', input: '.github/copilot-instructions.md', access: 'write', expect: 'ask', reason: 'agent rules' },
  { name: 'Claude settings (hooks)', input: '.claude/settings.json', access: 'write', expect: 'ask', reason: 'agent rules' },
  { name: 'a husky hook', input: '.husky/pre-commit', access: 'write', expect: 'ask', reason: 'hooks' },
  { name: 'a dev container', input: '.devcontainer/devcontainer.json', access: 'write', expect: 'ask' },
  { name: 'Cline rules', input: '.clinerules/style.md', access: 'write', expect: 'ask' },

  // Secrets: reads ask too.
  { name: '.env', input: '.env', access: 'read', expect: 'ask', reason: 'secrets' },
  { name: '.env.local', input: '.env.local', access: 'read', expect: 'ask', reason: 'secrets' },
  { name: '.env.local, other case, written', input: '.ENV.Local', access: 'write', expect: 'ask', reason: 'secrets' },
  { name: 'direnv', input: '.envrc', access: 'read', expect: 'ask', reason: 'secrets' },
  { name: 'a PEM key', input: 'certs/server.PEM', access: 'read', expect: 'ask', reason: 'secrets' },
  { name: 'an SSH key in the workspace', input: 'deploy/id_ed25519', access: 'read', expect: 'ask', reason: 'secrets' },
  { name: 'a credentials file', input: 'config/credentials.prod.json', access: 'read', expect: 'ask', reason: 'secrets' },
  { name: 'npm credentials', input: '.npmrc', access: 'read', expect: 'ask', reason: 'secrets' },

  // Names that do not mean what they seem to: ask.
  { name: 'a backslash (a name character here)', input: 'src\\a.ts', access: 'read', expect: 'ask', reason: 'backslash' },
  { name: 'backslash traversal', input: '..\\..\\etc\\passwd', access: 'write', expect: 'ask', reason: 'backslash' },

  // Nothing usable: deny, with the reason.
  { name: 'an empty path', input: '', access: 'read', expect: 'deny', reason: 'empty' },
  { name: 'a NUL byte', input: 'src/a.ts\0.png', access: 'read', expect: 'deny', reason: 'NUL' },
  { name: 'a name of 256 characters', input: `src/${'n'.repeat(256)}`, access: 'write', expect: 'deny', reason: '256 characters' },
  { name: 'a path over 4096 characters', input: 'abc/'.repeat(1100), access: 'read', expect: 'deny', reason: 'at most 4096' },
  { name: "another user's home", input: '~root/.ssh/id_rsa', access: 'read', expect: 'deny', reason: 'not expanded' },
  { name: 'a relative path with no folder open', input: 'src/a.ts', access: 'read', expect: 'deny', reason: 'no workspace folder', folders: [] },
];
