import { mkdirSync } from 'node:fs';
import { rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type * as vscode from 'vscode';

/**
 * The global storage folder is where the database will live. VS Code hands out its Uri but does not create it,
 * so it is created at activation: a failure here (read-only home, full disk) should surface at once, with the
 * path in the message, not later as a lost write. Node's fs is used rather than `workspace.fs`: the folder is
 * always on the extension host's own machine, and `workspace.fs` goes through the workbench. It is synchronous
 * on purpose: one mkdir costs well under a millisecond, while awaiting anything during activation hands the
 * extension host's event loop to every other extension activating at the same time.
 */
export function ensureGlobalStorage(context: vscode.ExtensionContext): string {
  const folder = context.globalStorageUri.fsPath;
  try {
    mkdirSync(folder, { recursive: true });
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    throw new Error(`Cannot create AI Studio's storage folder ${folder}: ${reason}`, { cause: err });
  }
  return folder;
}

/** Proves the folder accepts writes, by writing and removing a small probe file. */
export async function probeWritable(folder: string): Promise<void> {
  const probe = path.join(folder, `.write-probe-${process.pid}-${Date.now()}`);
  await writeFile(probe, 'ok');
  await rm(probe);
}
