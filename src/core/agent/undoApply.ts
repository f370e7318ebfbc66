import type { EventsRepository } from '../../db/repositories/events';
import type { StorePort } from '../../db/repositories/storePort';
import type { WorkspacePort } from '../tools/toolTypes';
import type { BlobReader, UndoAction, UndoFile, UndoPlan } from './undo';
import { decodeText, readVersion, sameVersion, sha256Hex, UNDO_EVENT, type FileVersion } from './undoRecords';

export interface UndoApplyDeps {
  store: StorePort;
  events: Pick<EventsRepository, 'within'>;
  blobs: BlobReader;
  workspace: Pick<WorkspacePort, 'writeText' | 'deleteFile' | 'stat' | 'readText'>;
}

/** What happened to a file: written back, deleted (a turn created it), already as before, or left as it is. */
export type UndoOutcome = 'restored' | 'deleted' | 'unchanged' | 'skipped';

export interface UndoResult {
  /** Files written back or deleted. */
  restored: number;
  /** Files that needed undoing and were left as they are: conflicts not approved, originals gone, write refused. */
  skipped: number;
  files: { path: string; action: UndoAction; outcome: UndoOutcome }[];
}

/** A file undo will write: what it must still have right before, and what it gets (null: delete it). */
interface Pending {
  file: UndoFile;
  expected: FileVersion;
  text: string | null;
}

/**
 * Carries out a plan: restores the files it says to, asks about conflicts (once, through `resolveConflicts`,
 * which returns the paths to restore anyway), and commits one `tool.undo` event saying what happened. Nothing
 * outside the plan is touched. Each file is checked again right before it is written: one that changed since
 * it was planned (or since the person was asked) is a conflict and is skipped unless the person approved it as
 * it is now. The event is committed even when a write fails halfway, so the log says what was done.
 */
export async function applyUndo(
  deps: UndoApplyDeps,
  plan: UndoPlan,
  resolveConflicts: (files: UndoFile[]) => Promise<Set<string>>,
): Promise<UndoResult> {
  const outcomes = new Map<string, UndoOutcome>(plan.files.map((file) => [file.path, 'skipped']));
  try {
    const ready: Pending[] = [];
    const conflicts: Pending[] = [];
    for (const file of plan.files) {
      if (file.action === 'unchanged' || file.action === 'missing-original') {
        outcomes.set(file.path, file.action === 'unchanged' ? 'unchanged' : 'skipped');
        continue;
      }
      const original = await originalOf(deps, file);
      if (original === undefined) {
        continue; // The blob is gone since the plan: nothing to restore from.
      }
      const now = await readVersion(deps.workspace, file.path);
      if (sameVersion(now, original.version)) {
        outcomes.set(file.path, 'unchanged');
      } else if (now.kind === 'other') {
        // A folder where the file was: never written over, never offered.
      } else if (file.action !== 'conflict' && sameVersion(now, file.current)) {
        ready.push({ file, expected: now, text: original.text });
      } else {
        const reason = file.action === 'conflict' ? file.reason : 'it changed after the undo was planned';
        conflicts.push({ file: { ...file, action: 'conflict', reason, current: now }, expected: now, text: original.text });
      }
    }
    const approved = conflicts.length === 0 ? new Set<string>() : await resolveConflicts(conflicts.map((pending) => pending.file));
    const toWrite = [...ready, ...conflicts.filter((pending) => approved.has(pending.file.path))];
    toWrite.sort((a, b) => plan.files.indexOf(a.file) - plan.files.indexOf(b.file));
    for (const pending of toWrite) {
      outcomes.set(pending.file.path, await restoreOne(deps, pending));
    }
  } finally {
    await commitUndo(deps, plan, outcomes);
  }
  return summarize(plan, outcomes);
}

async function originalOf(deps: UndoApplyDeps, file: UndoFile): Promise<{ version: FileVersion; text: string | null } | undefined> {
  if (file.original === null) {
    return { version: { kind: 'missing' }, text: null };
  }
  try {
    const bytes = await deps.blobs.get(file.original.hash);
    return { version: { kind: 'file', sha256: sha256Hex(bytes) }, text: decodeText(bytes) };
  } catch {
    return undefined;
  }
}

/** Right before touching the file: it must still be what was checked (or shown to the person), else skip it. */
async function restoreOne(deps: UndoApplyDeps, pending: Pending): Promise<UndoOutcome> {
  const now = await readVersion(deps.workspace, pending.file.path);
  if (!sameVersion(now, pending.expected)) {
    return 'skipped';
  }
  if (pending.text === null) {
    if (now.kind === 'missing') {
      return 'unchanged';
    }
    await deps.workspace.deleteFile(pending.file.path);
    return 'deleted';
  }
  await deps.workspace.writeText(pending.file.path, pending.text);
  return 'restored';
}

async function commitUndo(deps: UndoApplyDeps, plan: UndoPlan, outcomes: Map<string, UndoOutcome>): Promise<void> {
  const files = summarize(plan, outcomes).files.map((file) => ({ ...file }));
  await deps.store.write((sql) => {
    deps.events.within(sql).append({
      type: UNDO_EVENT,
      sessionId: plan.sessionId,
      messageId: plan.messageId,
      payload: { turnIds: [...plan.turnIds], scope: plan.scope, files },
      text: '',
    });
  });
}

function summarize(plan: UndoPlan, outcomes: Map<string, UndoOutcome>): UndoResult {
  const files = plan.files.map((file) => ({ path: file.path, action: file.action, outcome: outcomes.get(file.path) ?? 'skipped' }));
  const restored = files.filter((file) => file.outcome === 'restored' || file.outcome === 'deleted').length;
  const skipped = files.filter((file) => file.outcome === 'skipped').length;
  return { restored, skipped, files };
}
