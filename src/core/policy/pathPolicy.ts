/**
 * Path confinement: whether a path a tool was given stays inside the workspace folders, and whether it is one of
 * the protected ones. The real path decides (symlinks resolved), compared with `path.relative`, never `startsWith`:
 * CVE-2025-53109/53110 (the filesystem MCP server) let `/ws-evil` pass for `/ws` and a symlink inside the workspace
 * reach out of it. Pure: the real path comes in as a function (WorkspacePort.realpath in production).
 */
import * as nodePath from 'node:path';
import type { JudgedVerdict, PathAccess, PathJudgement } from './policyTypes';
import { protectionOf } from './protectedPaths';

export interface PathContext {
  /** The workspace folders; the first is where relative paths resolve. */
  folders: readonly string[];
  /** Symlinks resolved; for a path that does not exist yet, its nearest existing ancestor's real path + the rest. */
  realpath(absolute: string): Promise<string>;
  /** The home folder, so `~/x` resolves (to a path outside the workspace, which asks). */
  home?: string;
  /** 'win32' for Windows paths; anything else ('posix', or `process.platform` as it is) is POSIX. */
  platform?: 'posix' | 'win32' | NodeJS.Platform;
  /** absolute paths that always ask (AI Studio's own settings/storage) */
  extraProtected?: readonly string[];
}

export const OUTSIDE_WORKSPACE = 'outside the workspace folders';

const MAX_PATH = 4096;
const MAX_SEGMENT = 255;

type PathModule = typeof nodePath.posix;

const pathsOf = (platform: PathContext['platform']): PathModule => (platform === 'win32' ? nodePath.win32 : nodePath.posix);

/**
 * The absolute path a tool argument names. Relative paths resolve against the FIRST folder; `~` and `~/x` resolve
 * under `home` (outside the workspace, so the judge asks); `~name` is refused rather than guessed (a home folder or
 * a file called `~name`?).
 */
export function resolveToolPath(
  input: string,
  context: Pick<PathContext, 'folders' | 'platform' | 'home'>,
): { absolute: string } | { error: string } {
  const win32 = context.platform === 'win32';
  const paths = pathsOf(context.platform);
  if (input.length === 0) return { error: 'the path is empty' };
  if (input.includes('\0')) return { error: 'the path contains a NUL byte' };
  if (input.length > MAX_PATH) return { error: `the path is ${input.length} characters long; at most ${MAX_PATH} are allowed` };
  const long = input.split(win32 ? /[\\/]/ : '/').find((segment) => segment.length > MAX_SEGMENT);
  if (long !== undefined) {
    return { error: `a name in the path is ${long.length} characters long; at most ${MAX_SEGMENT} are allowed` };
  }
  if (input.startsWith('~')) {
    const first = input.split(win32 ? /[\\/]/ : '/')[0] ?? input;
    if (first !== '~') {
      return { error: `"${first}" is not expanded: write ./${first} for a file of that name in the workspace, or give the absolute path` };
    }
    if (context.home === undefined) return { error: 'the home folder is not known here, so "~" cannot be resolved; give the absolute path' };
    return { absolute: paths.resolve(context.home, `.${input.slice(1)}`) };
  }
  const base = context.folders[0];
  if (win32) {
    // `C:name` is relative to drive C's current folder, which only a process has: refuse, do not guess.
    if (/^[a-zA-Z]:(?![\\/])/.test(input)) return { error: `"${input.slice(0, 2)}" without a separator is relative to that drive's current folder; give the full path` };
    // `\name` is rooted on the current drive: take the first folder's (path.win32.resolve would read process.cwd()).
    if (/^[\\/](?![\\/])/.test(input)) {
      if (base === undefined) return { error: 'a path rooted on the current drive needs a drive letter when no folder is open' };
      return { absolute: paths.resolve(paths.parse(base).root, input) };
    }
  }
  if (paths.isAbsolute(input)) return { absolute: paths.resolve(input) };
  if (base === undefined) {
    return { error: 'no workspace folder is open, so a relative path has nothing to resolve against; give the absolute path' };
  }
  return { absolute: paths.resolve(base, input) };
}

/** The path of `target` inside `folder` ('/'-separated, '' for the folder itself), or undefined when it is not inside. */
function inside(paths: PathModule, folder: string, target: string): string | undefined {
  // path.win32.relative compares case-insensitively, and gives an absolute path across drives.
  const rel = paths.relative(folder, target);
  if (paths.isAbsolute(rel)) return undefined;
  const segments = rel.split(paths.sep);
  if (segments[0] === '..') return undefined;
  return segments.join('/');
}

const WINDOWS_DEVICE = /^(con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³])(\..*)?$/i;

/** Names that do not mean what they seem to; the person should see them before anything happens. */
function suspiciousName(input: string, relative: readonly string[], platform: PathContext['platform']): string | undefined {
  if (platform !== 'win32') {
    if (input.includes('\\')) {
      return 'the path has a backslash, which here is part of a name, not a folder separator';
    }
    return undefined;
  }
  for (const segment of relative.flatMap((r) => r.split('/'))) {
    if (segment.includes(':')) return `"${segment}" names an alternate data stream`;
    if (/[. ]$/.test(segment)) return `"${segment}" ends in a dot or space, which Windows drops`;
    if (WINDOWS_DEVICE.test(segment)) return `"${segment}" is a Windows device name`;
    if (/~\d/.test(segment)) return `"${segment}" looks like a short (8.3) name of another file`;
  }
  return undefined;
}

async function realOrSelf(context: PathContext, absolute: string): Promise<string> {
  try {
    return await context.realpath(absolute);
  } catch {
    return absolute;
  }
}

type Verdict = PathJudgement & { absolute?: string };

async function judge(input: string, access: PathAccess, context: PathContext): Promise<Verdict> {
  const paths = pathsOf(context.platform);
  const resolved = resolveToolPath(input, context);
  if ('error' in resolved) return { verdict: 'deny', reason: resolved.error };
  const { absolute } = resolved;
  let realPath: string;
  try {
    realPath = await context.realpath(absolute);
  } catch (err) {
    return { verdict: 'ask', reason: `the real path could not be found (${err instanceof Error ? err.message : String(err)})`, absolute };
  }
  const result = (verdict: JudgedVerdict, reason: string): Verdict => ({ verdict, reason, realPath, absolute });

  for (const extra of context.extraProtected ?? []) {
    const realExtra = await realOrSelf(context, extra);
    if (inside(paths, realExtra, realPath) !== undefined || inside(paths, extra, absolute) !== undefined) {
      return result('ask', "AI Studio's own settings or storage");
    }
  }
  if (context.folders.length === 0) return result('ask', 'no workspace folder is open');

  const realFolders = await Promise.all(context.folders.map((folder) => realOrSelf(context, folder)));
  const realInside = realFolders.map((folder) => inside(paths, folder, realPath)).filter((r) => r !== undefined);
  if (realInside.length === 0) return result('ask', OUTSIDE_WORKSPACE);

  // Judge the path as written too: a `.vscode` that is a symlink to an ordinary folder is still what VS Code reads.
  const asWritten = [...context.folders, ...realFolders].map((folder) => inside(paths, folder, absolute)).filter((r) => r !== undefined);
  const relatives = [...new Set([...realInside, ...asWritten])];

  const odd = suspiciousName(input, relatives, context.platform);
  if (odd !== undefined) return result('ask', odd);
  for (const relative of relatives) {
    const protection = protectionOf(relative, access);
    if (protection !== undefined) return result('ask', protection);
  }
  return result('default', 'inside the workspace');
}

/**
 * The path policy's view of one access: 'deny' for input that names no usable path (empty, NUL, too long), 'ask'
 * outside the workspace, for protected paths and secret-looking reads, for odd names, and when no folder is open,
 * else 'default' (the tool's mode decides). `absolute` is the path the tool must use; `realPath` the one judged.
 * Never throws: a failure to judge asks.
 */
export async function judgePath(input: string, access: PathAccess, context: PathContext): Promise<PathJudgement & { absolute?: string }> {
  try {
    return await judge(input, access, context);
  } catch (err) {
    return { verdict: 'ask', reason: `the path could not be checked (${err instanceof Error ? err.message : String(err)})` };
  }
}
