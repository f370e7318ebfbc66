import path from 'node:path';
import type { FsPort } from './fsPort';
import { encodeRecord, type JournalRecord } from './journal';
import type { Repair } from './rebuild';
import { checksumName, corruptDir, journalName, parseGenerations, snapshotName } from './storeFiles';

/** The store's file operations that take more than one step, each ordered so a crash at any point is safe. */

/** temp file, write, fsync, rename over the target, fsync the folder: readers see the old or the new file. */
export async function writeFileDurably(fs: FsPort, dir: string, name: string, bytes: Uint8Array, tag: string): Promise<void> {
  const temp = path.join(dir, `${name}.tmp-${tag}`);
  try {
    const handle = await fs.open(temp, 'new');
    try {
      await handle.write(bytes, 0);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await fs.rename(temp, path.join(dir, name));
    await fs.syncDir(dir);
  } catch (err) {
    await fs.unlink(temp).catch(() => undefined);
    throw err;
  }
}

/** The checksum file first, then the snapshot: a snapshot on disk always has its checksum beside it. */
export async function writeSnapshot(fs: FsPort, dir: string, generation: number, bytes: Uint8Array, checksum: string, tag: string) {
  await writeFileDurably(fs, dir, checksumName(generation), Buffer.from(checksum), tag);
  await writeFileDurably(fs, dir, snapshotName(generation), bytes, tag);
}

/** Keeps the newest `keep` snapshots as backups, and every journal a kept snapshot still needs. */
export async function pruneGenerations(fs: FsPort, dir: string, keep: number): Promise<void> {
  const { snapshots, journals } = parseGenerations(await fs.readdir(dir));
  const oldestKept = snapshots.slice(-keep)[0];
  if (oldestKept === undefined) {
    return;
  }
  const remove = (name: string) => fs.unlink(path.join(dir, name)).catch(() => undefined);
  for (const g of snapshots.filter((s) => s < oldestKept)) {
    await remove(snapshotName(g));
    await remove(checksumName(g));
  }
  for (const g of journals.filter((j) => j < oldestKept)) {
    await remove(journalName(g));
  }
}

/** Starts journal `generation` with its header record, durably, and returns its open handle and length. */
export async function createJournal(fs: FsPort, dir: string, generation: number, base: 'create' | 'checkpoint' | 'restore') {
  const header = encodeRecord({ t: 'header', generation, base } satisfies JournalRecord);
  const handle = await fs.open(path.join(dir, journalName(generation)), 'new');
  try {
    await handle.write(header, 0);
    await handle.sync();
    await fs.syncDir(dir);
  } catch (err) {
    await handle.close();
    throw err;
  }
  return { handle, length: header.length };
}

/** Carries out what recovery decided. Damaged files are kept in corrupt/ with a timestamp, never deleted. */
export async function applyRepairs(fs: FsPort, dir: string, repairs: readonly Repair[], stamp: number): Promise<void> {
  const aside = corruptDir(dir);
  for (const repair of repairs) {
    const file = path.join(dir, repair.name);
    const target = path.join(aside, `${stamp}-${repair.name}`);
    if (repair.kind === 'truncate') {
      const handle = await fs.open(file, 'existing');
      try {
        await handle.truncate(repair.length);
        await handle.sync();
      } finally {
        await handle.close();
      }
      continue;
    }
    await fs.mkdir(aside);
    if (repair.kind === 'moveAside') {
      await fs.rename(file, target);
    } else {
      const copy = await fs.open(target, 'new');
      try {
        await copy.write(await fs.readFile(file), 0);
        await copy.sync();
      } finally {
        await copy.close();
      }
    }
  }
  if (repairs.length > 0) {
    await fs.syncDir(dir);
  }
}

export function describeFsError(err: unknown, action: string): Error {
  const code = (err as NodeJS.ErrnoException).code;
  const hint =
    code === 'ENOSPC'
      ? 'The disk is full; free some space and try again.'
      : code === 'EACCES' || code === 'EPERM'
        ? 'AI Studio is not allowed to write its data folder; check its permissions.'
        : code === 'EROFS'
          ? 'The data folder is on a read-only file system.'
          : '';
  const reason = err instanceof Error ? err.message : String(err);
  return new Error(`Could not ${action}: ${reason}${hint ? `. ${hint}` : ''} Everything saved before is intact.`, { cause: err });
}
