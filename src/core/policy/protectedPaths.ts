/**
 * Paths that always need the person's approval, even in `auto` mode and after "Approve for this session": files
 * that are configuration (and so code) for the editor, git, MCP and other agents, and files that look like they hold
 * secrets. Matched case-insensitively on every platform (macOS and Windows file systems are case-insensitive, so
 * `.VSCode/settings.json` is `.vscode/settings.json`), on any segment of the path (a nested folder can be a
 * workspace folder of its own, and worktrees put a `.git` file in subfolders).
 *
 * Decisions worth knowing:
 * - `.env.example`, `.env.sample`, `.env.template` and `.env.dist` are NOT secret: they are committed templates
 *   whose whole purpose is to be read. Every other `.env*` (`.env.local`, `.env.production`, `prod.env`) is, and
 *   so is direnv's `.envrc` (it exports tokens).
 * - Configuration groups ask for writes; reads ask only where the file commonly carries credentials (MCP configs
 *   hold servers' API keys in `env`/`headers`; `.git/config` can hold a token in a remote URL).
 * - Windows drops trailing dots and spaces from names and reads `name::$DATA` as `name`, so `.vscode./x` is judged
 *   like `.vscode/x` (on POSIX that only makes a few odd names ask).
 */
import type { PathAccess } from './policyTypes';

interface Rule {
  /** Applies to writes, and to reads too when `reads` is set. */
  matches(segments: readonly string[]): boolean;
  reads: boolean;
  reason: string;
}

const TEMPLATE_ENV = new Set(['.env.example', '.env.sample', '.env.template', '.env.dist']);

const base = (segments: readonly string[]): string => segments[segments.length - 1] ?? '';
const hasSegment = (segments: readonly string[], ...names: string[]): boolean => segments.some((s) => names.includes(s));
/** `.github/instructions/x`: a segment followed by one of the names. */
const hasPair = (segments: readonly string[], first: string, ...second: string[]): boolean =>
  segments.some((s, i) => s === first && second.includes(segments[i + 1] ?? ''));
const endsWith = (segments: readonly string[], ...tail: string[]): boolean =>
  tail.length <= segments.length && tail.every((name, i) => segments[segments.length - tail.length + i] === name);

function looksSecret(segments: readonly string[]): boolean {
  const name = base(segments);
  if (name === '.env' || name === '.envrc' || name.endsWith('.env')) return true;
  if (name.startsWith('.env.') && !TEMPLATE_ENV.has(name)) return true;
  if (/\.(pem|key|p12|pfx|keystore|jks)$/.test(name)) return true;
  if (/^id_(rsa|dsa|ecdsa|ed25519)/.test(name)) return true;
  if (['.npmrc', '.pypirc', '.netrc', '_netrc', '.git-credentials', '.htpasswd'].includes(name)) return true;
  if (/^credentials.*\.json$/.test(name) || /^secrets\./.test(name)) return true;
  if (endsWith(segments, '.docker', 'config.json')) return true;
  return hasSegment(segments, '.aws', '.ssh', '.gnupg');
}

function isMcpConfig(segments: readonly string[]): boolean {
  const name = base(segments);
  return ['mcp.json', '.mcp.json', 'cline_mcp_settings.json', 'mcp_settings.json'].includes(name) || endsWith(segments, '.gemini', 'settings.json');
}

const RULES: readonly Rule[] = [
  {
    // Not one CVE but the other half of every chain below: a prompt-injected agent reads a key and sends it out
    // through a fetch or a command. Reading a secret, or replacing one, is the person's call.
    matches: looksSecret,
    reads: true,
    reason: 'the file looks like it holds secrets (keys, tokens or passwords)',
  },
  {
    // CVE-2025-54135 / CVE-2025-54136 (Cursor, "CurXecute" / "MCPoison"): an agent wrote a new MCP server into the
    // config, or a config approved once was swapped later, and its command ran. The configs also hold API keys.
    matches: isMcpConfig,
    reads: true,
    reason: 'MCP server configuration: it starts programs and holds their keys',
  },
  {
    // Same CVEs: whole folders of MCP and agent settings of Cursor, Kilo Code and Continue.
    matches: (s) => hasSegment(s, '.cursor', '.kilocode', '.continue'),
    reads: false,
    reason: 'agent and MCP configuration: it decides what other agents run',
  },
  {
    // A remote URL can carry a token (https://user:token@host/...).
    matches: (s) => endsWith(s, '.git', 'config'),
    reads: true,
    reason: 'git configuration: it runs programs on the next git command and can hold credentials',
  },
  {
    // Hooks and config (core.hooksPath, core.fsmonitor) run code on the next git command, the same class as
    // CVE-2025-59536's project hooks. Any `.git` segment: worktrees and submodules have their own.
    matches: (s) => hasSegment(s, '.git'),
    reads: false,
    reason: 'git internals: hooks and configuration run programs on the next git command',
  },
  {
    // CVE-2025-53773 (Copilot): the agent wrote `"chat.tools.autoApprove": true` into .vscode/settings.json and so
    // approved its own next commands. Tasks, launch configs and workspace files run code too.
    matches: (s) => hasSegment(s, '.vscode') || base(s).endsWith('.code-workspace'),
    reads: false,
    reason: 'workspace configuration: settings can turn off approvals, tasks run programs',
  },
  {
    // CVE-2025-59536 (Claude Code): project hooks and MCP servers ran before the trust dialog. Rules files steer
    // every later agent turn; husky and dev-container hooks run programs on commit and on container start.
    matches: (s) => {
      const name = base(s);
      return (
        s.some((seg) => seg.startsWith('.clinerules')) ||
        hasSegment(s, '.roo', '.claude', '.gemini', '.windsurf', '.husky', '.devcontainer') ||
        ['.cursorrules', '.windsurfrules', 'agents.md', 'claude.md', 'claude.local.md', 'gemini.md'].includes(name) ||
        endsWith(s, '.github', 'copilot-instructions.md') ||
        hasPair(s, '.github', 'instructions', 'prompts', 'chatmodes', 'agents')
      );
    },
    reads: false,
    reason: 'agent rules or hooks: they steer agents or run programs on their own',
  },
];

/** Windows' own reading of a name: trailing dots and spaces dropped, an alternate data stream (`x::$DATA`) cut off. */
function windowsName(segment: string): string {
  return segment.replace(/:.*$/, '').replace(/[. ]+$/, '');
}

function segmentsOf(relativePosixPath: string): string[] {
  return relativePosixPath
    .toLowerCase()
    .split('/')
    .filter((s) => s !== '' && s !== '.');
}

/**
 * Why a path inside a workspace folder (relative to it, `/`-separated) needs approval for this access, or undefined
 * when it does not.
 */
export function protectionOf(relativePosixPath: string, access: PathAccess): string | undefined {
  const asWritten = segmentsOf(relativePosixPath);
  const asWindowsReads = asWritten.map(windowsName);
  for (const rule of RULES) {
    if (access === 'read' && !rule.reads) continue;
    if (rule.matches(asWritten) || rule.matches(asWindowsReads)) return rule.reason;
  }
  return undefined;
}
