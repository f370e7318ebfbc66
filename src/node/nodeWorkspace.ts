import { realpathSync } from 'node:fs';
import * as fs from 'node:fs/promises';
import path from 'node:path';
import type { FileStat, WorkspacePort } from '../core/tools/toolTypes';
import { rgListFiles, rgSearch } from './ripgrep';

/**
 * The workspace port over plain fs and ripgrep: what the unit tests and the benchmark run the tools on, and the
 * model for the VS Code implementation (which reads open documents' unsaved text, writes through WorkspaceEdit
 * and reports real diagnostics; here there are no editors, so files are the truth and there are no problems).
 */

export interface NodeWorkspaceOptions {
  folders: string[];
  /** Workspace Trust; default true. */
  trusted?: boolean;
  /** The rg binary (findRipgrep). */
  ripgrep: string;
  /** `files.exclude`-style globs left out of listings and searches. Default: VS Code's default files.exclude. */
  excludeGlobs?: string[];
}

/** VS Code's default `files.exclude`. */
export const DEFAULT_EXCLUDE_GLOBS = ['**/.git', '**/.svn', '**/.hg', '**/.DS_Store', '**/Thumbs.db', '**/CVS'];

export function createNodeWorkspace(options: NodeWorkspaceOptions): WorkspacePort {
  const folders = options.folders.map((folder) => realpathSync(folder));
  const excludeGlobs = options.excludeGlobs ?? DEFAULT_EXCLUDE_GLOBS;
  return {
    folders: () => folders,
    isTrusted: () => options.trusted ?? true,
    realpath,
    stat,
    readText: (absolute) => fs.readFile(absolute, 'utf8'),
    listFiles: (query, signal) => rgListFiles(options.ripgrep, { ...query, excludeGlobs }, signal),
    searchText: (query, signal) => rgSearch(options.ripgrep, { ...query, excludeGlobs }, signal),
    problems: () => Promise.resolve([]),
    writeText: async (absolute, text) => {
      await fs.mkdir(path.dirname(absolute), { recursive: true });
      await fs.writeFile(absolute, text, 'utf8');
    },
    deleteFile: (absolute) => fs.rm(absolute),
  };
}

/**
 * Symlinks resolved; for a path that does not exist (yet), the real path of its nearest existing ancestor joined
 * with the rest, so `ws/link-out/new.txt` is judged where it would really be created. A dangling symlink is
 * followed to where it points: writing through `ws/evil -> /etc/x` creates /etc/x, so that is its real path.
 */
async function realpath(absolute: string): Promise<string> {
  const rest: string[] = [];
  let current = path.resolve(absolute);
  for (let hops = 0; ; ) {
    try {
      return path.join(await fs.realpath(current), ...[...rest].reverse());
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      const parent = path.dirname(current);
      if ((code !== 'ENOENT' && code !== 'ENOTDIR') || parent === current) {
        throw err;
      }
      const link = await fs.readlink(current).catch(() => undefined);
      if (link !== undefined) {
        if (++hops > 40) {
          throw Object.assign(new Error(`Too many symbolic links: ${absolute}`), { code: 'ELOOP' });
        }
        current = path.resolve(parent, link);
        continue;
      }
      rest.push(path.basename(current));
      current = parent;
    }
  }
}

async function stat(absolute: string): Promise<FileStat | undefined> {
  try {
    const found = await fs.stat(absolute);
    return { type: found.isFile() ? 'file' : found.isDirectory() ? 'directory' : 'other', size: found.size, mtimeMs: found.mtimeMs };
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') {
      return undefined;
    }
    throw err;
  }
}
