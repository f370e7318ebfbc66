import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { Minimatch } from 'minimatch';
import { ToolError, type TextMatch } from '../core/tools/toolTypes';

/**
 * File listing and text search through the ripgrep binary VS Code itself ships (no package that downloads one at
 * install). Both honour .gitignore (also outside a git repository: --no-require-git), include dotfiles like
 * VS Code does, and leave out `files.exclude` (passed in as `!glob`). Symlinks are not followed: a link inside
 * the workspace to a folder outside it must not make that folder searchable without the policy seeing it.
 *
 * Globs have ripgrep's (.gitignore's) meaning: a glob without a slash matches file names at any depth (`*.ts`),
 * one with a slash matches paths from `cwd` (`src/**\/*.ts`). Results are sorted by path, so a capped result is
 * the same every time.
 */

/** Where VS Code keeps rg under `vscode.env.appRoot`, desktop builds first, then code-server's universal package. */
export function findRipgrep(appRoot: string): string | undefined {
  const exe = process.platform === 'win32' ? 'rg.exe' : 'rg';
  const candidates = [
    path.join(appRoot, 'node_modules', '@vscode', 'ripgrep', 'bin', exe),
    path.join(appRoot, 'node_modules.asar.unpacked', '@vscode', 'ripgrep', 'bin', exe),
    path.join(appRoot, 'node_modules', '@vscode', 'ripgrep-universal', 'bin', `${process.platform}-${process.arch}`, exe),
    path.join(appRoot, 'node_modules.asar.unpacked', '@vscode', 'ripgrep-universal', 'bin', `${process.platform}-${process.arch}`, exe),
  ];
  return candidates.find((candidate) => existsSync(candidate));
}

export interface RgListOptions {
  cwd: string;
  glob?: string;
  limit: number;
  excludeGlobs?: readonly string[];
}

export interface RgSearchOptions {
  pattern: string;
  isRegex: boolean;
  caseSensitive: boolean;
  glob?: string;
  cwd: string;
  maxResults: number;
  excludeGlobs?: readonly string[];
  /** A matching line longer than this is cut to a window around its first match. Default 300. */
  maxColumns?: number;
}

/** A --json record longer than this (one match in a huge minified line) is skipped rather than held. */
const MAX_RECORD_CHARS = 4 * 1024 * 1024;

/** Files under `cwd` (absolute paths), at most `limit`; `truncated` when there were more. */
export async function rgListFiles(rg: string, options: RgListOptions, signal: AbortSignal): Promise<{ files: string[]; truncated: boolean }> {
  const files: string[] = [];
  const args = ['--files', '--null', ...commonArgs(options.excludeGlobs)];
  const wanted = globFilter(options.glob);
  const { stopped } = await runRipgrep(rg, args, options.cwd, signal, '\0', (record) => {
    if (!wanted(record)) {
      return 'more';
    }
    if (files.length >= options.limit) {
      return 'stop';
    }
    files.push(path.resolve(options.cwd, record));
    return 'more';
  });
  return { files, truncated: stopped };
}

/** Matching lines under `cwd`, at most `maxResults`. An invalid regex throws a ToolError with ripgrep's message. */
export async function rgSearch(rg: string, options: RgSearchOptions, signal: AbortSignal): Promise<{ matches: TextMatch[]; truncated: boolean }> {
  const matches: TextMatch[] = [];
  const maxColumns = options.maxColumns ?? 300;
  const args = [
    '--json',
    options.caseSensitive ? '--case-sensitive' : '--ignore-case',
    ...(options.isRegex ? ['--engine', 'auto'] : ['--fixed-strings']),
    ...commonArgs(options.excludeGlobs),
    '--regexp',
    options.pattern,
  ];
  const wanted = globFilter(options.glob);
  const { stopped } = await runRipgrep(rg, args, options.cwd, signal, '\n', (record) => {
    const match = parseMatch(record, options.cwd, maxColumns);
    if (match === undefined || !wanted(path.relative(options.cwd, match.path))) {
      return 'more';
    }
    if (matches.length >= options.maxResults) {
      return 'stop';
    }
    matches.push(match);
    return 'more';
  });
  return { matches, truncated: stopped };
}

/**
 * The caller's glob, applied here rather than as rg's `--glob`: a positive `--glob` in ripgrep whitelists files
 * that .gitignore hides (`rg --files --glob '*.txt'` lists an ignored `x.txt`), so `list_files *.txt` would show
 * what the workspace ignores. Same meaning as rg's: without a slash, a name at any depth.
 */
function globFilter(glob: string | undefined): (relativePath: string) => boolean {
  if (glob === undefined || glob === '' || glob === '**' || glob === '**/*') {
    return () => true;
  }
  const matcher = new Minimatch(glob, { dot: true, matchBase: !glob.includes('/'), nocase: process.platform === 'win32' });
  return (relativePath) => matcher.match(relativePath.split(path.sep).join('/'));
}

function commonArgs(excludeGlobs: readonly string[] | undefined): string[] {
  const args = ['--no-config', '--hidden', '--no-require-git', '--sort', 'path'];
  // Excludes (`files.exclude`) as negative globs: those only ever remove files.
  for (const exclude of excludeGlobs ?? []) {
    args.push('--glob', `!${exclude}`);
  }
  return args;
}

interface RgJsonMatch {
  type: string;
  data?: {
    path?: { text?: string; bytes?: string };
    lines?: { text?: string; bytes?: string };
    line_number?: number;
    submatches?: { start: number; end: number }[];
  };
}

function parseMatch(record: string, cwd: string, maxColumns: number): TextMatch | undefined {
  if (!record.startsWith('{"type":"match"')) {
    return undefined;
  }
  const parsed = JSON.parse(record) as RgJsonMatch;
  const data = parsed.data;
  const file = textOf(data?.path);
  if (data === undefined || file === undefined || data.line_number === undefined) {
    return undefined;
  }
  const raw = (textOf(data.lines) ?? '').replace(/\r?\n$/, '');
  const firstMatch = data.submatches?.[0];
  // Submatch offsets are bytes into the line; the window around the first one is cut in characters.
  const matchAt = firstMatch === undefined ? 0 : Buffer.from(raw, 'utf8').subarray(0, firstMatch.start).toString('utf8').length;
  return { path: path.resolve(cwd, file), line: data.line_number, text: windowAround(raw, matchAt, maxColumns) };
}

function textOf(field: { text?: string; bytes?: string } | undefined): string | undefined {
  if (field?.text !== undefined) {
    return field.text;
  }
  return field?.bytes === undefined ? undefined : Buffer.from(field.bytes, 'base64').toString('utf8');
}

function windowAround(line: string, at: number, max: number): string {
  if (line.length <= max) {
    return line;
  }
  // max - 2 characters of the line, so the result with its two ellipses is still at most max.
  const width = max - 2;
  const start = Math.max(0, Math.min(at - Math.floor(width / 3), line.length - width));
  return `${start > 0 ? '…' : ''}${line.slice(start, start + width)}${start + width < line.length ? '…' : ''}`;
}

/**
 * Runs rg, feeding `onRecord` each separator-terminated record of its stdout until it says 'stop' (then rg is
 * killed: nothing more is needed) or rg ends. Exit 1 is "nothing found"; exit 2 with nothing found is an error
 * (with rg's message), a regex error a ToolError the model can fix.
 */
function runRipgrep(
  rg: string,
  args: string[],
  cwd: string,
  signal: AbortSignal,
  separator: '\n' | '\0',
  onRecord: (record: string) => 'more' | 'stop',
): Promise<{ stopped: boolean }> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) {
      reject(new Error('The search was stopped'));
      return;
    }
    const child = spawn(rg, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'], windowsHide: true });
    let stopped = false;
    let found = 0;
    let pending = '';
    let skipping = false;
    let stderr = '';
    const decoder = new TextDecoder('utf-8');
    const onAbort = () => child.kill();
    signal.addEventListener('abort', onAbort, { once: true });

    const feed = (text: string) => {
      let start = 0;
      while (!stopped) {
        const end = text.indexOf(separator, start);
        if (end === -1) {
          if (!skipping) {
            pending += text.slice(start);
            if (pending.length > MAX_RECORD_CHARS) {
              pending = '';
              skipping = true;
            }
          }
          return;
        }
        const record = skipping ? '' : pending + text.slice(start, end);
        pending = '';
        start = end + 1;
        if (skipping) {
          skipping = false;
          continue;
        }
        if (record !== '') {
          found++;
          if (onRecord(record) === 'stop') {
            stopped = true;
            child.kill();
          }
        }
      }
    };
    child.stdout.on('data', (chunk: Buffer) => feed(decoder.decode(chunk, { stream: true })));
    child.stderr.on('data', (chunk: Buffer) => {
      if (stderr.length < 8_000) {
        stderr += chunk.toString('utf8');
      }
    });
    child.once('error', (err) => {
      signal.removeEventListener('abort', onAbort);
      reject(new Error(`ripgrep (${rg}) could not be started: ${err.message}`, { cause: err }));
    });
    child.once('close', (code) => {
      signal.removeEventListener('abort', onAbort);
      if (!stopped) {
        feed(decoder.decode());
        if (pending !== '' && !stopped) {
          feed(separator);
        }
      }
      if (signal.aborted) {
        reject(new Error('The search was stopped'));
      } else if (stopped || code === 0 || code === 1 || (code === 2 && found > 0)) {
        resolve({ stopped });
      } else if (/regex/i.test(stderr)) {
        const message = stderr
          .replace(/^rg: /, '')
          .split('\n')
          .filter((line) => !/^~+$/.test(line))
          .join('\n')
          .replace(/\n{3,}/g, '\n\n')
          .trim();
        reject(new ToolError(`Invalid regular expression: ${message.slice(0, 2_000)}`));
      } else {
        reject(new Error(`ripgrep failed (exit ${code ?? 'signal'}): ${stderr.trim().slice(0, 2_000)}`));
      }
    });
  });
}
