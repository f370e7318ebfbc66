import path from 'node:path';

/**
 * File layout of a store folder:
 *   snapshot-000007.sqlite   the database as it was before journal 7 (absent for generation 1: empty database)
 *   snapshot-000007.sqlite.crc32   its checksum, written before it
 *   journal-000007.log       transactions committed after snapshot 7
 *   store.lock               the cross-process write lock (a folder, managed by proper-lockfile)
 *   corrupt/                 damaged files moved aside, never deleted
 * Recovery takes the newest snapshot that loads and replays every journal from its generation on.
 */

const SNAPSHOT = /^snapshot-(\d{6,})\.sqlite$/;
const JOURNAL = /^journal-(\d{6,})\.log$/;

export const snapshotName = (generation: number) => `snapshot-${pad(generation)}.sqlite`;
export const journalName = (generation: number) => `journal-${pad(generation)}.log`;
/**
 * CRC-32 of a snapshot, written before the snapshot itself. A snapshot whose bytes match it is exactly what the
 * store wrote, so opening it skips SQLite's quick_check (1.4 s of a 2.3 s open at 200 MB); without it, or on a
 * mismatch, the full check decides.
 */
export const checksumName = (generation: number) => `${snapshotName(generation)}.crc32`;
/** proper-lockfile locks `<target>.lock`, so the lock folder is `store.lock`. */
export const lockTarget = (dir: string) => path.join(dir, 'store');
export const corruptDir = (dir: string) => path.join(dir, 'corrupt');

function pad(generation: number): string {
  return String(generation).padStart(6, '0');
}

export interface Generations {
  snapshots: number[];
  journals: number[];
}

/** Generations present in a folder listing, each list sorted ascending. */
export function parseGenerations(names: readonly string[]): Generations {
  const pick = (pattern: RegExp) =>
    names
      .map((name) => pattern.exec(name)?.[1])
      .filter((value): value is string => value !== undefined)
      .map(Number)
      .sort((a, b) => a - b);
  return { snapshots: pick(SNAPSHOT), journals: pick(JOURNAL) };
}
