import { randomUUID } from 'node:crypto';
import path from 'node:path';
import * as vscode from 'vscode';

/**
 * Diff editors for agents' edits: the proposed change before it is approved (before ↔ after, both held in
 * memory), and afterwards a kept original against the file as it is now. The texts are served read-only under
 * our own scheme, so a diff side can never be edited or saved by accident, and each diff gets its own URIs (an
 * old tab keeps showing what it showed).
 */
export const diffScheme = 'ai-studio-diff';

/** Texts kept for open (and reopened) diff tabs: two per proposed change, one per file diff. */
const KEEP_TEXTS = 100;

export interface DiffViews extends vscode.Disposable {
  /** Opens a diff editor of `before` (null: the file is new) against `after`, for the file at `path`. */
  show(title: string, path: string, before: string | null, after: string): Promise<void>;
  /** Opens a diff editor of a kept original (null: the file did not exist) against the file on disk. */
  showFileDiff(path: string, before: string | null, title?: string): Promise<void>;
}

export function createDiffViews(): DiffViews {
  const texts = new Map<string, string>();
  let sequence = 0;
  // VS Code asks every provider of a scheme in turn and takes the first answer: each instance answers only for
  // its own URIs (the authority), so two instances in one extension host (a test's and the extension's) coexist.
  const instance = randomUUID();
  const registration = vscode.workspace.registerTextDocumentContentProvider(diffScheme, {
    provideTextDocumentContent: (uri) =>
      uri.authority === instance ? (texts.get(uri.toString()) ?? 'This version is no longer kept by AI Studio.\n') : undefined,
  });

  /** A read-only document of `text`, named like the file so the diff gets its language (and its icon). */
  const keep = (file: string, side: string, text: string): vscode.Uri => {
    const uri = vscode.Uri.from({ scheme: diffScheme, authority: instance, path: vscode.Uri.file(file).path, query: `${sequence}-${side}` });
    texts.set(uri.toString(), text);
    while (texts.size > KEEP_TEXTS) {
      texts.delete(texts.keys().next().value as string);
    }
    return uri;
  };
  const open = async (left: vscode.Uri, right: vscode.Uri, title: string) => {
    await vscode.commands.executeCommand('vscode.diff', left, right, title, { preview: true } satisfies vscode.TextDocumentShowOptions);
  };

  return {
    async show(title, file, before, after) {
      sequence += 1;
      await open(keep(file, 'before', before ?? ''), keep(file, 'after', after), title);
    },
    async showFileDiff(file, before, title) {
      sequence += 1;
      const onDisk = vscode.Uri.file(file);
      // A file deleted since shows as empty rather than as an editor error.
      const right = (await exists(onDisk)) ? onDisk : keep(file, 'deleted', '');
      await open(keep(file, 'original', before ?? ''), right, title ?? `${path.basename(file)} (before AI Studio ↔ now)`);
    },
    dispose() {
      registration.dispose();
      texts.clear();
    },
  };
}

async function exists(uri: vscode.Uri): Promise<boolean> {
  try {
    await vscode.workspace.fs.stat(uri);
    return true;
  } catch {
    return false;
  }
}
