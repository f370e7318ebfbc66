import type { Database, SqlJsStatic } from 'sql.js';
import { decodeRecords } from './journal';
import { applyRecord, configureConnection, openSnapshot } from './replay';
import { checksumName, journalName, parseGenerations, snapshotName } from './storeFiles';

/**
 * Rebuilds the database from a store folder: the newest snapshot that loads, then every journal from its
 * generation on. It only decides; the caller carries out the repairs it lists (the store does, under the lock;
 * the checkpoint worker, which must never touch files, ignores them).
 */

export interface RecoveryNotice {
  file: string;
  problem: string;
  consequence: string;
}

export type Repair =
  | { kind: 'moveAside'; name: string }
  | { kind: 'copyAside'; name: string }
  | { kind: 'truncate'; name: string; length: number };

export interface RebuildResult {
  db: Database;
  /** The journal new transactions go to, and where in it the applied records end. */
  generation: number;
  offset: number;
  /** Whether that journal exists yet (a brand-new store has none). */
  journalExists: boolean;
  notices: RecoveryNotice[];
  repairs: Repair[];
}

export interface RebuildInput {
  SQL: SqlJsStatic;
  names: readonly string[];
  read(name: string): Promise<Uint8Array>;
  /** Stop after this journal (the checkpoint worker builds the snapshot for the next generation). */
  upToGeneration?: number;
  /** Per-connection setup (SQL functions) that replayed statements may rely on. */
  prepare?(db: Database): void;
}

export async function rebuildDatabase(input: RebuildInput): Promise<RebuildResult> {
  const { SQL } = input;
  const limit = input.upToGeneration ?? Number.MAX_SAFE_INTEGER;
  const found = parseGenerations(input.names);
  const snapshots = found.snapshots.filter((g) => g <= limit);
  const journals = found.journals.filter((g) => g <= limit);
  const notices: RecoveryNotice[] = [];
  const repairs: Repair[] = [];

  let db: Database | undefined;
  let generation = 1;
  for (const candidate of [...snapshots].reverse()) {
    const name = snapshotName(candidate);
    try {
      const checksum = await input.read(checksumName(candidate)).then(
        (bytes) => Buffer.from(bytes).toString('utf8'),
        () => undefined,
      );
      db = openSnapshot(SQL, await input.read(name), checksum);
      prepareConnection(db, input);
      generation = candidate;
      break;
    } catch (err) {
      notices.push({ file: name, problem: describe(err), consequence: 'moved aside; an older backup is used' });
      repairs.push({ kind: 'moveAside', name });
    }
  }
  if (!db) {
    db = new SQL.Database();
    prepareConnection(db, input);
    const oldest = journals[0];
    if (oldest !== undefined && oldest > 1) {
      // The history before the oldest journal lived only in the snapshots that failed to load.
      notices.push({
        file: journalName(oldest),
        problem: 'no readable snapshot holds the history before this journal',
        consequence: 'starting from an empty store; the unreadable files are kept in the corrupt folder',
      });
      for (const g of journals) {
        repairs.push({ kind: 'moveAside', name: journalName(g) });
      }
      return { db, generation: journals[journals.length - 1]! + 1, offset: 0, journalExists: false, notices, repairs };
    }
  }

  let offset = 0;
  let journalExists = false;
  for (let g = generation; journals.includes(g); g++) {
    const name = journalName(g);
    const bytes = await input.read(name);
    const decoded = decodeRecords(bytes);
    let applied = 0;
    for (const record of decoded.records) {
      try {
        applyRecord(db, record.record);
      } catch (err) {
        notices.push({ file: name, problem: describe(err), consequence: 'later transactions in this journal are skipped' });
        break;
      }
      applied = record.end;
    }
    generation = g;
    offset = applied;
    journalExists = true;
    const isLast = !journals.includes(g + 1);
    if (decoded.problem || applied < decoded.validEnd) {
      const problem = decoded.problem;
      if (problem?.kind === 'torn' && isLast && applied === decoded.validEnd) {
        // The normal trace of a crash during a commit: that commit never returned, so nothing is lost.
        repairs.push({ kind: 'truncate', name, length: applied });
      } else {
        notices.push({
          file: name,
          problem: problem ? `${problem.reason} at byte ${problem.offset}` : 'a transaction could not be replayed',
          consequence: 'a copy is kept in the corrupt folder; the transactions after the damage are lost',
        });
        repairs.push({ kind: 'copyAside', name }, { kind: 'truncate', name, length: applied });
        if (!isLast) {
          // Later journals were written on top of what was lost; replaying them could fail or mislead.
          for (let later = g + 1; journals.includes(later); later++) {
            repairs.push({ kind: 'moveAside', name: journalName(later) });
          }
          break;
        }
      }
    }
  }
  return { db, generation, offset, journalExists, notices, repairs };
}

/** Replay must run with the same connection settings as the original writes (ON DELETE CASCADE needs foreign keys). */
function prepareConnection(db: Database, input: RebuildInput): void {
  configureConnection(db);
  input.prepare?.(db);
}

function describe(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
