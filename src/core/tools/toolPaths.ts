import path from 'node:path';
import { resolveToolPath } from '../policy/pathPolicy';
import { ToolError, type WorkspacePort } from './toolTypes';

/**
 * How tools turn the model's path arguments into the absolute paths of their plan, and absolute paths back into
 * what the model is shown. The model writes paths relative to the first workspace folder (or absolute); results
 * show them the same way, with forward slashes, so whatever a result names can be passed straight back. Paths
 * are in the platform's form (the workspace port's), so node:path is the right calculus here; nothing is read.
 */

/** The absolute path an argument names; throws ToolError for one that names nothing usable (empty, NUL, ...). */
export function toolPath(workspace: WorkspacePort, input: string): string {
  const resolved = resolveToolPath(input, { folders: workspace.folders(), platform: process.platform });
  if ('error' in resolved) {
    throw new ToolError(resolved.error);
  }
  return resolved.absolute;
}

/** Relative to the first workspace folder with forward slashes ('.' for the folder itself); absolute elsewhere. */
export function shownPath(workspace: WorkspacePort, absolute: string): string {
  const root = workspace.folders()[0];
  if (root === undefined) {
    return absolute;
  }
  const relative = path.relative(root, absolute);
  if (relative === '') {
    return '.';
  }
  if (relative === '..' || relative.startsWith(`..${path.sep}`) || path.isAbsolute(relative)) {
    return absolute;
  }
  return relative.split(path.sep).join('/');
}
