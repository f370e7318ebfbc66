import * as vscode from 'vscode';

/**
 * The global storage folder is where the database will live. VS Code hands out its Uri but does not create it,
 * so it is created at activation: a failure here (read-only home, full disk) should surface at once, with the
 * path in the message, not later as a lost write.
 */
export async function ensureGlobalStorage(context: vscode.ExtensionContext): Promise<vscode.Uri> {
  const folder = context.globalStorageUri;
  try {
    await vscode.workspace.fs.createDirectory(folder);
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    throw new Error(`Cannot create AI Studio's storage folder ${folder.fsPath}: ${reason}`, { cause: err });
  }
  return folder;
}

/** Proves the folder accepts writes, by writing and removing a small probe file. */
export async function probeWritable(folder: vscode.Uri): Promise<void> {
  const probe = vscode.Uri.joinPath(folder, `.write-probe-${process.pid}-${Date.now()}`);
  await vscode.workspace.fs.writeFile(probe, new TextEncoder().encode('ok'));
  await vscode.workspace.fs.delete(probe);
}
