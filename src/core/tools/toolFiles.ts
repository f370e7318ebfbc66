import path from 'node:path';
import { shownPath } from './toolPaths';
import { looksBinary } from './toolText';
import { ToolError, type WorkspacePort } from './toolTypes';

/** What the file tools share: reading a text file with the errors the model can act on. */

/** read_file and the edit tools refuse files larger than this: the whole file is held as a string. */
export const MAX_FILE_BYTES = 20 * 1024 * 1024;

/**
 * The text of an existing file, or a ToolError that says what to do instead: no such file (with a close name
 * from the same folder when there is one), a folder, too large, binary. The file's folder must be in the plan's
 * reads: the suggestion lists it.
 */
export async function readTextFile(workspace: WorkspacePort, absolute: string, signal: AbortSignal): Promise<string> {
  const shown = shownPath(workspace, absolute);
  const stat = await workspace.stat(absolute);
  if (stat === undefined) {
    throw new ToolError(`No such file: ${shown}.${await suggestSibling(workspace, absolute, signal)}`);
  }
  if (stat.type === 'directory') {
    throw new ToolError(`${shown} is a folder, not a file. Use list_files to see what it holds.`);
  }
  if (stat.size > MAX_FILE_BYTES) {
    throw new ToolError(
      `${shown} is ${(stat.size / 1024 / 1024).toFixed(1)} MB, more than the ${MAX_FILE_BYTES / 1024 / 1024} MB this tool handles. ` +
        'Use search_text to find the part you need.',
    );
  }
  const text = await workspace.readText(absolute);
  if (looksBinary(text)) {
    throw new ToolError(`${shown} is a binary file, not text; it cannot be read or edited as text.`);
  }
  return text;
}

/** " Did you mean src/app.ts?" for a missing file, or "" when nothing close is there. */
export async function suggestSibling(workspace: WorkspacePort, absolute: string, signal: AbortSignal): Promise<string> {
  const folder = path.dirname(absolute);
  const folderStat = await workspace.stat(folder);
  if (folderStat?.type !== 'directory') {
    return ` The folder ${shownPath(workspace, folder)} does not exist either.`;
  }
  let files: string[];
  try {
    ({ files } = await workspace.listFiles({ glob: '*', cwd: folder, limit: 2_000 }, signal));
  } catch {
    return '';
  }
  const wanted = path.basename(absolute);
  let best: { name: string; distance: number } | undefined;
  for (const file of files) {
    if (path.dirname(file) !== folder) {
      continue;
    }
    const name = path.basename(file);
    const distance = name.toLowerCase() === wanted.toLowerCase() ? 0 : editDistance(name, wanted);
    if (best === undefined || distance < best.distance) {
      best = { name, distance };
    }
  }
  if (best === undefined || best.distance > Math.max(2, Math.floor(wanted.length / 3))) {
    return ' Use list_files to find it.';
  }
  return ` Did you mean ${shownPath(workspace, path.join(folder, best.name))}?`;
}

/** Levenshtein distance; names are short, so the plain table is fine. */
export function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, substitution));
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}
