import { createTwoFilesPatch, FILE_HEADERS_ONLY } from 'diff';
import { judgePath } from '../policy/pathPolicy';
import { shownPath } from './toolPaths';
import { plural, splitLines } from './toolText';
import { ToolError, type ToolContext, type ToolPlan, type ToolResult, type ToolRunContext, type WorkspacePort } from './toolTypes';

/**
 * What replace_in_file and write_file share: the diff of a planned edit, and carrying out exactly the edit that
 * was approved. `run` never recomputes: it writes `plan.edit.after`, and only while the file still holds
 * `plan.edit.before` (the person, or another tool, may have changed it while the approval card was open).
 */

/** How long the line diff may take before it gives up and shows the whole file replaced. */
const DIFF_TIMEOUT_MS = 1_000;

/** A unified diff (`--- a/path`, `+++ b/path`, hunks with 3 lines of context). Computed off the event loop. */
export async function editDiff(shown: string, before: string | null, after: string): Promise<string> {
  const from = before === null ? '/dev/null' : `a/${shown}`;
  const to = `b/${shown}`;
  const patch = await new Promise<string | undefined>((resolve) => {
    createTwoFilesPatch(from, to, before ?? '', after, undefined, undefined, {
      context: 3,
      timeout: DIFF_TIMEOUT_MS,
      headerOptions: FILE_HEADERS_ONLY,
      callback: resolve,
    });
  });
  return patch ?? wholeFileDiff(from, to, before ?? '', after);
}

/**
 * An edit's plan, or, when computing it failed on a file the model may not read without asking (outside the
 * workspace, `.env`, ...), a plan without an edit that asks first. `plan` runs before the policy has judged the
 * paths, so a precise "not found; the closest line is ..." for such a file would hand the model its text
 * unasked, and even a bare "not found" is an oracle that can be asked again and again. Deferred, the person
 * sees the attempt (and why it fails) on the approval card, and the model hears why only once it is approved.
 */
export async function planOrDefer(
  context: ToolContext,
  absolute: string,
  reads: string[],
  compute: () => Promise<ToolPlan>,
): Promise<ToolPlan> {
  try {
    return await compute();
  } catch (err) {
    if (!(err instanceof ToolError) || !(await readNeedsApproval(context.workspace, absolute))) {
      throw err;
    }
    const shown = shownPath(context.workspace, absolute);
    const why = err.message.split(/(?<=\.)\s/)[0] ?? err.message;
    return {
      summary: `Edit ${shown}: this edit cannot be made (${why.replace(/\.$/, '')}); approving only tells the model why`,
      reads,
      writes: [absolute],
    };
  }
}

/** run for a plan `planOrDefer` deferred: the model hears why the edit cannot be made; nothing is written. */
export async function failDeferred(compute: () => Promise<ToolPlan>, shown: string): Promise<never> {
  await compute();
  throw new ToolError(`${shown} changed since the edit was proposed; read it again and make the edit anew. Nothing was written.`);
}

/** Whether the path policy would ask (or refuse) before a read of this file. */
async function readNeedsApproval(workspace: WorkspacePort, absolute: string): Promise<boolean> {
  const judged = await judgePath(absolute, 'read', {
    folders: workspace.folders(),
    realpath: (p) => workspace.realpath(p),
    platform: process.platform,
  });
  return judged.verdict === 'ask' || judged.verdict === 'deny';
}

/** The edit in a plan, for the tool's run. */
export function planEdit(plan: ToolPlan): NonNullable<ToolPlan['edit']> {
  if (plan.edit === undefined) {
    throw new Error('edit tool: the plan has no edit');
  }
  return plan.edit;
}

/** Writes the approved edit: the before-check, `beforeChange` (the undo record), then the write. */
export async function applyEdit(plan: ToolPlan, context: ToolRunContext, summary: string): Promise<ToolResult> {
  const edit = planEdit(plan);
  const shown = shownPath(context.workspace, edit.path);
  const current = await currentText(context.workspace, edit.path);
  if (current !== edit.before) {
    const what = edit.before === null ? 'was created' : current === null ? 'was deleted' : 'changed';
    throw new ToolError(`${shown} ${what} since the edit was proposed; read it again and make the edit anew. Nothing was written.`);
  }
  await context.beforeChange(edit.path);
  await context.workspace.writeText(edit.path, edit.after);
  const change = edit.before === null ? 'created' : 'modified';
  return {
    content: `${summary} (${diffStat(edit.diff)}).`,
    details: { files: [{ path: edit.path, shown, change }] },
  };
}

/** The file's text as the editor has it, or null when there is no such file. */
export async function currentText(workspace: WorkspacePort, absolute: string): Promise<string | null> {
  const stat = await workspace.stat(absolute);
  if (stat === undefined) {
    return null;
  }
  if (stat.type !== 'file') {
    throw new ToolError(`${shownPath(workspace, absolute)} is a ${stat.type === 'directory' ? 'folder' : 'special file'}, not a file.`);
  }
  return workspace.readText(absolute);
}

/** "+3 -1 lines" from a unified diff. */
export function diffStat(diff: string): string {
  let added = 0;
  let removed = 0;
  for (const line of diff.split('\n')) {
    if (line.startsWith('+') && !line.startsWith('+++ ')) {
      added++;
    } else if (line.startsWith('-') && !line.startsWith('--- ')) {
      removed++;
    }
  }
  return `${plural(added, 'line')} added, ${removed} removed`;
}

function wholeFileDiff(from: string, to: string, before: string, after: string): string {
  const old = splitLines(before);
  const next = splitLines(after);
  const hunk = `@@ -${old.length === 0 ? 0 : 1},${old.length} +${next.length === 0 ? 0 : 1},${next.length} @@`;
  return [`--- ${from}`, `+++ ${to}`, hunk, ...old.map((l) => `-${l}`), ...next.map((l) => `+${l}`)].join('\n') + '\n';
}
