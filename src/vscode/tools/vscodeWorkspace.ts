import { realpathSync } from 'node:fs';
import path from 'node:path';
import * as vscode from 'vscode';
import type { Logger } from '../../core/ports';
import type { Diagnostic, FileStat, WorkspacePort } from '../../core/tools/toolTypes';
import { createNodeWorkspace } from '../../node/nodeWorkspace';
import { findRipgrep, rgListFiles, rgSearch } from '../../node/ripgrep';
import { changedRange } from './textChange';

/**
 * The workspace as the editor sees it: open documents' unsaved text, the Problems panel, the person's
 * `files.exclude` / `search.exclude`, Workspace Trust, and edits through WorkspaceEdit so the editor's Undo takes
 * an agent's change back like any other. File listing and text search use the ripgrep VS Code ships (the one its
 * own search runs), so .gitignore is honoured the same way.
 */
export interface VscodeWorkspaceOptions {
  log: Logger;
  /** The rg binary; default: the one under `vscode.env.appRoot`; null: none (listing through VS Code's file search). */
  ripgrep?: string | null;
}

export function createVscodeWorkspace(options: VscodeWorkspaceOptions): WorkspacePort & vscode.Disposable {
  const { log } = options;
  // The very same resolution the plain-Node workspace uses (dangling links followed to where a write would land):
  // path confinement must not differ between the two.
  const plain = createNodeWorkspace({ folders: [], ripgrep: '' });
  const realpath = (absolute: string) => plain.realpath(absolute);
  let folders = readFolders();
  const watcher = vscode.workspace.onDidChangeWorkspaceFolders(() => {
    folders = readFolders();
  });
  let ripgrep: { path: string | undefined } | undefined;
  const rg = (): string | undefined => {
    if (!ripgrep) {
      ripgrep = { path: options.ripgrep === undefined ? findRipgrep(vscode.env.appRoot) : (options.ripgrep ?? undefined) };
      log.info(ripgrep.path ? `ripgrep: ${ripgrep.path}` : `ripgrep was not found (under ${vscode.env.appRoot}): listing files through VS Code, text search unavailable`);
    }
    return ripgrep.path;
  };
  /** The configuration scope of the folder holding `cwd`, so a folder's own excludes apply in a multi-root workspace. */
  const scopeOf = (cwd: string): vscode.Uri | undefined =>
    folders.find((folder) => isInside(folder.real, cwd))?.uri ?? vscode.workspace.getWorkspaceFolder(vscode.Uri.file(cwd))?.uri;

  const stat = async (absolute: string): Promise<FileStat | undefined> => {
    try {
      return toFileStat(await vscode.workspace.fs.stat(vscode.Uri.file(absolute)));
    } catch (err) {
      // A path through a file (`a.txt/b`) does not exist either.
      if (err instanceof vscode.FileSystemError && (err.code === 'FileNotFound' || err.code === 'FileNotADirectory')) {
        return undefined;
      }
      throw err;
    }
  };

  return {
    folders: () => folders.map((folder) => folder.real),
    isTrusted: () => vscode.workspace.isTrusted,
    realpath,
    stat,
    async readText(absolute) {
      const open = openDocument(absolute);
      if (open) {
        return open.getText();
      }
      try {
        return new TextDecoder('utf-8').decode(await vscode.workspace.fs.readFile(vscode.Uri.file(absolute)));
      } catch (err) {
        throw fileError(err, absolute);
      }
    },
    async listFiles(query, signal) {
      const excludeGlobs = excludesOf('files', scopeOf(query.cwd));
      const binary = rg();
      if (binary) {
        return rgListFiles(binary, { cwd: query.cwd, glob: query.glob, limit: query.limit, excludeGlobs }, signal);
      }
      // VS Code's own file search applies files.exclude (not .gitignore: findFiles cannot be told to).
      const cancel = tokenFor(signal);
      try {
        const uris = await vscode.workspace.findFiles(new vscode.RelativePattern(vscode.Uri.file(query.cwd), query.glob), undefined, query.limit + 1, cancel.token);
        const files = uris.map((uri) => uri.fsPath).sort();
        return { files: files.slice(0, query.limit), truncated: files.length > query.limit };
      } finally {
        cancel.dispose();
      }
    },
    searchText(query, signal) {
      const binary = rg();
      if (!binary) {
        return Promise.reject(new Error(`Text search needs the ripgrep that ships with VS Code, and it was not found under ${vscode.env.appRoot}.`));
      }
      const scope = scopeOf(query.cwd);
      const excludeGlobs = [...new Set([...excludesOf('files', scope), ...excludesOf('search', scope)])];
      return rgSearch(binary, { ...query, excludeGlobs }, signal);
    },
    problems(absolute) {
      const entries: [vscode.Uri, vscode.Diagnostic[]][] = absolute
        ? [[vscode.Uri.file(absolute), vscode.languages.getDiagnostics(vscode.Uri.file(absolute))]]
        : vscode.languages.getDiagnostics();
      return Promise.resolve(
        entries
          .filter(([uri]) => uri.scheme === 'file')
          .flatMap(([uri, diagnostics]) => diagnostics.map((diagnostic) => toDiagnostic(uri.fsPath, diagnostic))),
      );
    },
    async writeText(absolute, text) {
      const uri = vscode.Uri.file(absolute);
      const edit = new vscode.WorkspaceEdit();
      const metadata: vscode.WorkspaceEditEntryMetadata = { label: 'AI Studio', needsConfirmation: false };
      const exists = (await stat(absolute)) !== undefined;
      const open = openDocument(absolute);
      if (!exists && !open) {
        // The folders first: a file edit does not create them, and they stay (as they would for a person).
        await vscode.workspace.fs.createDirectory(vscode.Uri.file(path.dirname(absolute)));
        edit.createFile(uri, { ignoreIfExists: true }, metadata);
        // Inserted as text rather than as `contents`, so the new text is on the editor's undo stack too.
        edit.insert(uri, new vscode.Position(0, 0), text, metadata);
      } else {
        const document = open ?? (await vscode.workspace.openTextDocument(uri));
        const change = changedRange(document.getText(), text);
        if (change) {
          const range = new vscode.Range(document.positionAt(change.start), document.positionAt(change.end));
          edit.replace(uri, range, change.text, metadata);
        }
      }
      if (edit.size > 0 && !(await vscode.workspace.applyEdit(edit))) {
        throw new Error(`VS Code did not apply the edit to ${absolute} (the file may be read-only or was changed meanwhile).`);
      }
      // Saved, so what runs next from disk (a test, a build) sees it; Undo in the editor still takes it back.
      const document = await vscode.workspace.openTextDocument(uri);
      if (document.isDirty && !(await document.save())) {
        throw new Error(`VS Code could not save ${absolute}.`);
      }
    },
    async deleteFile(absolute) {
      const edit = new vscode.WorkspaceEdit();
      edit.deleteFile(vscode.Uri.file(absolute), { ignoreIfNotExists: false }, { label: 'AI Studio', needsConfirmation: false });
      if (!(await vscode.workspace.applyEdit(edit))) {
        throw new Error(`VS Code did not delete ${absolute} (it may not exist or be read-only).`);
      }
    },
    dispose() {
      watcher.dispose();
    },
  };
}

interface Folder {
  uri: vscode.Uri;
  real: string;
}

function readFolders(): Folder[] {
  return (vscode.workspace.workspaceFolders ?? [])
    .filter((folder) => folder.uri.scheme === 'file')
    .map((folder) => ({ uri: folder.uri, real: realpathOrSelf(folder.uri.fsPath) }));
}

function realpathOrSelf(absolute: string): string {
  try {
    return realpathSync(absolute);
  } catch {
    return path.resolve(absolute);
  }
}

function isInside(folder: string, candidate: string): boolean {
  const relative = path.relative(folder, candidate);
  return relative === '' || (!relative.startsWith('..') && !path.isAbsolute(relative));
}

function samePath(a: string, b: string): boolean {
  return process.platform === 'win32' || process.platform === 'darwin' ? a.toLowerCase() === b.toLowerCase() : a === b;
}

function openDocument(absolute: string): vscode.TextDocument | undefined {
  const wanted = path.resolve(absolute);
  return vscode.workspace.textDocuments.find((doc) => doc.uri.scheme === 'file' && !doc.isClosed && samePath(doc.uri.fsPath, wanted));
}

/** The globs a `files.exclude`-shaped setting turns on (conditional `{ when }` entries need a sibling check: left out). */
function excludesOf(section: 'files' | 'search', scope: vscode.Uri | undefined): string[] {
  const setting = vscode.workspace.getConfiguration(section, scope).get<Record<string, unknown>>('exclude') ?? {};
  return Object.entries(setting)
    .filter(([, value]) => value === true)
    .map(([glob]) => glob);
}

function toFileStat(stat: vscode.FileStat): FileStat {
  // The type is a bit set: a symbolic link to a file is File | SymbolicLink.
  const type = stat.type & vscode.FileType.Directory ? 'directory' : stat.type & vscode.FileType.File ? 'file' : 'other';
  return { type, size: stat.size, mtimeMs: stat.mtime };
}

function fileError(err: unknown, absolute: string): Error {
  if (err instanceof vscode.FileSystemError) {
    if (err.code === 'FileNotFound') {
      return Object.assign(new Error(`No such file: ${absolute}`), { code: 'ENOENT' });
    }
    if (err.code === 'FileIsADirectory') {
      return Object.assign(new Error(`${absolute} is a folder, not a file`), { code: 'EISDIR' });
    }
  }
  return err instanceof Error ? err : new Error(String(err));
}

const severities = ['error', 'warning', 'information', 'hint'] as const;

function toDiagnostic(file: string, diagnostic: vscode.Diagnostic): Diagnostic {
  const code = typeof diagnostic.code === 'object' ? diagnostic.code.value : diagnostic.code;
  return {
    path: file,
    line: diagnostic.range.start.line + 1,
    column: diagnostic.range.start.character + 1,
    severity: severities[diagnostic.severity] ?? 'error',
    message: diagnostic.message,
    ...(diagnostic.source ? { source: diagnostic.source } : {}),
    ...(code !== undefined ? { code: String(code) } : {}),
  };
}

function tokenFor(signal: AbortSignal): vscode.CancellationTokenSource {
  const source = new vscode.CancellationTokenSource();
  if (signal.aborted) {
    source.cancel();
  } else {
    signal.addEventListener('abort', () => source.cancel(), { once: true });
  }
  return source;
}
