import { randomUUID } from 'node:crypto';
import { watch, type FSWatcher } from 'node:fs';
import path from 'node:path';
import type { Database, SqlJsStatic } from 'sql.js';
import { nodeFs, type FileHandlePort, type FsPort } from './fsPort';
import { decodeRecords, encodeRecord, tablesWritten, type Statement } from './journal';
import { acquireLock, LockLease, Mutex, type Release } from './lock';
import { rebuildDatabase, type RecoveryNotice } from './rebuild';
import { applyRecord, openSnapshot, snapshotChecksum } from './replay';
import { recordingWriter, SqlJsExecutor, type SqlReader, type SqlWriter } from './sql';
import { applyRepairs, createJournal, describeFsError, pruneGenerations, writeFileDurably, writeSnapshot } from './storeIo';
import { journalName, lockTarget, snapshotName } from './storeFiles';

/**
 * The durable store: one in-memory sql.js database per window, made durable by an append-only journal and
 * periodic snapshots in a folder shared by every window. A write runs under the cross-process lock: first the
 * records other windows appended are applied, then the transaction runs, is appended and fsync'd, and only then
 * committed in memory. The lock is kept for a moment after a write (LockLease), so a burst takes it once. So every window replays the same log in the same order, and a write that returned is on
 * disk. Checkpoints rotate the journal under the lock and build the next snapshot on a worker thread.
 */

export interface StoreChange {
  /** The tables written; ['*'] when the whole database was reloaded from the files. */
  tables: string[];
  /** 'local' for this window's writes, 'remote' for records another window appended. */
  origin: 'local' | 'remote';
}

/**
 * Builds the snapshot for `generation` from the files of the generations before it, with its checksum file's
 * content, off the host thread (a CRC-32 of 200 MB alone is ~50 ms of blocking).
 */
export type SnapshotBuilder = (input: { dir: string; generation: number }) => Promise<{ bytes: Uint8Array; checksum: string }>;

export interface StoreOptions {
  dir: string;
  SQL: SqlJsStatic;
  buildSnapshot: SnapshotBuilder;
  fs?: FsPort;
  /** Runs inside the first write after opening when `needsMigration` says so (schema migrations). */
  migrate?: { needed(sql: SqlReader): boolean; run(sql: SqlWriter): void };
  /** Per-connection setup, e.g. registering SQL functions. */
  prepare?(db: Database): void;
  /** Start a checkpoint when the journal grows past this (default 8 MiB). */
  checkpointBytes?: number;
  /** Snapshots kept as backups (default 3). */
  keepSnapshots?: number;
  lockStaleMs?: number;
  lockTimeoutMs?: number;
  onError?(error: Error): void;
  /**
   * Watch the folder and apply other windows' commits soon after they land, so views refresh without waiting
   * for this window's next write. The watcher only hints; the journal position is the truth.
   */
  watch?: boolean;
}

export interface WriteOptions {
  /**
   * 'now' (the default): the transaction is on disk when the write resolves. 'withNext': it is appended to the
   * journal (other windows see it, and a crash of this window keeps it) and flushed to disk by this window's
   * next 'now' write, one fsync for both, or by a timer within LAZY_SYNC_MS: group commit, for a transaction
   * that precedes no effect of its own, when the next commit is the one that must be on disk before an effect
   * (SQLite's WAL with synchronous=NORMAL makes the same trade). A power cut can lose such a transaction, never
   * tear it or reorder it: the journal is append-only and checksummed.
   */
  durability?: 'now' | 'withNext';
}

/**
 * The lock is kept this long after a write for the next one (a turn commits several times per step, a few
 * milliseconds apart), and let go after a burst this long so other windows get their turn.
 */
const LOCK_LINGER_MS = 25;
const LOCK_MAX_HOLD_MS = 250;

/** The longest a 'withNext' transaction stays in the OS's cache without an fsync. */
const LAZY_SYNC_MS = 250;

/** Coalesces a burst of file events (one commit touches the journal several times) into one catch-up. */
const WATCH_DEBOUNCE_MS = 25;

export class Store {
  private readonly fs: FsPort;
  private readonly mutex = new Mutex();
  private readonly lease: LockLease;
  private readonly writer = randomUUID();
  private readonly listeners = new Set<(change: StoreChange) => void>();
  private executor: SqlJsExecutor;
  private journal: FileHandlePort | undefined;
  private checkpointing: Promise<void> | undefined;
  private watcher: FSWatcher | undefined;
  private hint: ReturnType<typeof setTimeout> | undefined;
  private closed = false;
  /** Appended 'withNext' transactions not yet flushed (the next 'now' write or the timer flushes them). */
  private unsynced = false;
  private lazySync: ReturnType<typeof setTimeout> | undefined;

  private db: Database;
  private generation: number;
  private offset: number;

  private constructor(
    private readonly options: StoreOptions,
    loaded: LoadedState,
    readonly notices: readonly RecoveryNotice[],
  ) {
    this.fs = options.fs ?? nodeFs;
    const staleMs = options.lockStaleMs ?? 10_000;
    this.lease = new LockLease(
      lockTarget(options.dir),
      {
        staleMs,
        acquireTimeoutMs: options.lockTimeoutMs ?? staleMs * 3,
        onCompromised: (err) => options.onError?.(err),
        lingerMs: LOCK_LINGER_MS,
        maxHoldMs: LOCK_MAX_HOLD_MS,
      },
      this.mutex,
    );
    this.db = loaded.db;
    this.executor = new SqlJsExecutor(loaded.db);
    this.generation = loaded.generation;
    this.offset = loaded.offset;
    this.journal = loaded.journal;
  }

  static async open(options: StoreOptions): Promise<Store> {
    const fs = options.fs ?? nodeFs;
    await fs.mkdir(options.dir);
    const store = await withLock(options, async () => {
      const loaded = await loadFromFiles(options, fs, true);
      return new Store(options, loaded, loaded.notices);
    });
    if (options.migrate?.needed(store.executor)) {
      try {
        await store.write((sql) => options.migrate!.run(sql));
      } catch (err) {
        await store.close();
        throw err;
      }
    }
    if (options.watch) {
      store.watcher = watch(options.dir, () => store.onHint());
      store.watcher.on('error', (err) => options.onError?.(err));
    }
    return store;
  }

  read<T>(fn: (sql: SqlReader) => T): T {
    this.assertOpen();
    return fn(this.executor);
  }

  /**
   * Runs `fn` as one transaction. `fn` is synchronous; when the returned promise resolves, the transaction is
   * on disk. If `fn` throws, or the journal cannot be written, nothing of it remains, in memory or on disk.
   */
  async write<T>(fn: (sql: SqlWriter) => T, options: WriteOptions = {}): Promise<T> {
    this.assertOpen();
    const result = await this.mutex.run(() =>
      this.lease.run(async (continued) => {
        // Held since our last write: nobody else can have appended or rotated the journal.
        if (!continued) {
          await this.catchUpLocked(true);
        }
        return this.commit(fn, options.durability ?? 'now');
      }),
    );
    this.maybeCheckpoint();
    return result;
  }

  /**
   * Runs `fn` as one transaction that is NOT journaled: for work that changes how this connection stores data
   * but not the data (indexing queued text). Other replicas do the same work on their own; a crash loses only
   * work that is redone. Serialized with writes, so it never runs inside one's open transaction.
   */
  async maintain<T>(fn: (sql: SqlWriter) => T): Promise<T> {
    this.assertOpen();
    return this.mutex.run(() => {
      this.assertOpen();
      this.db.run('BEGIN');
      try {
        const result = fn(this.executor);
        this.db.run('COMMIT');
        return Promise.resolve(result);
      } catch (err) {
        this.db.run('ROLLBACK');
        return Promise.reject(err instanceof Error ? err : new Error(String(err)));
      }
    });
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** Applies what other windows committed since we last looked (a file watcher calls this on a hint). */
  async catchUp(): Promise<void> {
    this.assertOpen();
    await this.mutex.run(() => this.catchUpLocked(false));
  }

  onDidChange(listener: (change: StoreChange) => void): { dispose(): void } {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }

  /** Rotates the journal and writes a new snapshot built on a worker. Resolves when the snapshot is durable. */
  checkpoint(): Promise<void> {
    this.checkpointing ??= this.runCheckpoint().finally(() => {
      this.checkpointing = undefined;
    });
    return this.checkpointing;
  }

  /** Writes a consistent copy of the whole store to `target` (a SQLite file any SQLite tool can open). */
  async exportTo(target: string): Promise<void> {
    await this.checkpoint();
    const bytes = await this.fs.readFile(path.join(this.options.dir, snapshotName(this.generation)));
    await writeFileDurably(this.fs, path.dirname(target), path.basename(target), bytes, this.writer);
  }

  /**
   * Replaces the store's contents with a backup made by `exportTo`. The current state stays on disk as the
   * previous snapshots and journals, so a restore can itself be undone from the files until they are pruned.
   */
  async restoreFrom(source: string): Promise<void> {
    this.assertOpen();
    const bytes = await this.fs.readFile(source);
    openSnapshot(this.options.SQL, bytes).close();
    await this.mutex.run(() =>
      this.lease.run(async () => {
        await this.catchUpLocked(true);
        const generation = this.generation + 1;
        // The snapshot goes first: a window that sees the new journal must find the snapshot it starts from.
        await writeSnapshot(this.fs, this.options.dir, generation, bytes, snapshotChecksum(bytes), this.writer);
        const created = await createJournal(this.fs, this.options.dir, generation, 'restore');
        await created.handle.close();
        await this.reload(true);
      }),
    );
    if (this.options.migrate?.needed(this.executor)) {
      await this.write((sql) => this.options.migrate!.run(sql));
    }
  }

  async close(): Promise<void> {
    if (this.closed) {
      return;
    }
    this.watcher?.close();
    clearTimeout(this.hint);
    clearTimeout(this.lazySync);
    await this.checkpointing?.catch(() => undefined);
    await this.mutex.run(async () => {
      this.closed = true;
      await this.closeJournal();
      await this.lease.drop();
      this.db.close();
    });
  }

  private commit<T>(fn: (sql: SqlWriter) => T, durability: 'now' | 'withNext'): Promise<T> {
    const statements: Statement[] = [];
    const recorder = recordingWriter(this.executor, (sql, params) => statements.push([sql, params]));
    this.db.run('BEGIN');
    let result: T;
    try {
      result = fn(recorder);
    } catch (err) {
      this.db.run('ROLLBACK');
      return Promise.reject(err instanceof Error ? err : new Error(String(err)));
    }
    if (statements.length === 0) {
      this.db.run('COMMIT');
      return Promise.resolve(result);
    }
    const tables = [...new Set(statements.flatMap(([sql]) => tablesWritten(sql)))];
    const frame = encodeRecord({ t: 'tx', writer: this.writer, statements, tables });
    return this.append(frame, durability).then(
      async () => {
        try {
          this.db.run('COMMIT');
        } catch (err) {
          // A deferred constraint failed at COMMIT, after the record was appended: take the record back (we
          // still hold the lock, so no writer follows it; a reader that saw it fails the same COMMIT and retries).
          this.db.run('ROLLBACK');
          await this.journal!.truncate(this.offset);
          await this.journal!.sync();
          throw err;
        }
        this.offset += frame.length;
        this.emit({ tables, origin: 'local' });
        return result;
      },
      async (err: unknown) => {
        this.db.run('ROLLBACK');
        // Cut off whatever part of the record reached the file; if even that fails, the next writer's
        // catch-up sees a torn tail and cuts it.
        await this.journal!.truncate(this.offset).catch(() => undefined);
        throw describeFsError(err, 'save to the AI Studio journal');
      },
    );
  }

  private async append(frame: Uint8Array, durability: 'now' | 'withNext'): Promise<void> {
    await this.journal!.write(frame, this.offset);
    if (durability === 'now') {
      // Also flushes every 'withNext' transaction appended before this one: they are earlier in the same file.
      await this.journal!.sync();
      this.unsynced = false;
      return;
    }
    this.unsynced = true;
    this.lazySync ??= setTimeout(() => {
      this.lazySync = undefined;
      this.mutex
        .run(() => this.syncJournal())
        .catch((err: unknown) => this.options.onError?.(describeFsError(err, 'save to the AI Studio journal')));
    }, LAZY_SYNC_MS);
    this.lazySync.unref?.();
  }

  /** Flushes appended 'withNext' transactions; run inside the mutex (the journal may be rotated otherwise). */
  private async syncJournal(): Promise<void> {
    if (this.unsynced && this.journal && !this.closed) {
      await this.journal.sync();
      this.unsynced = false;
    }
  }

  /** Closes the journal this window appends to, flushing it first if a 'withNext' transaction is pending. */
  private async closeJournal(): Promise<void> {
    await this.syncJournal();
    await this.journal?.close();
  }

  /** Applies records appended by others; under the lock it also cuts a torn tail so the next append is clean. */
  private async catchUpLocked(holdingLock: boolean): Promise<void> {
    const { dir } = this.options;
    for (;;) {
      const name = journalName(this.generation);
      const size = await this.fs.size(path.join(dir, name));
      if (size === undefined) {
        // This window fell so far behind that the journal it was reading was pruned: start over from the files.
        await this.reload(holdingLock);
        return;
      }
      if (size > this.offset) {
        const bytes = await this.fs.readRange(path.join(dir, name), this.offset, size - this.offset);
        const decoded = decodeRecords(bytes);
        const tables = new Set<string>();
        for (const { record } of decoded.records) {
          if (record.t === 'header' && record.base === 'restore') {
            // Another window restored a backup: its snapshot replaces everything this window holds.
            await this.reload(holdingLock);
            return;
          }
          applyRecord(this.db, record);
          if (record.t === 'tx') {
            record.tables.forEach((table) => tables.add(table));
          }
        }
        this.offset += decoded.validEnd;
        if (tables.size > 0) {
          this.emit({ tables: [...tables], origin: 'remote' });
        }
        if (decoded.problem && holdingLock) {
          await this.journal!.truncate(this.offset);
          await this.journal!.sync();
        }
      }
      // One stat, not a folder listing: this runs before every commit.
      if ((await this.fs.size(path.join(dir, journalName(this.generation + 1)))) === undefined) {
        return;
      }
      // Another window rotated the journal: everything up to here is in its snapshot, continue in the next one.
      await this.closeJournal();
      this.generation += 1;
      this.offset = 0;
      this.journal = await this.fs.open(path.join(dir, journalName(this.generation)), 'existing');
    }
  }

  private async reload(holdingLock: boolean): Promise<void> {
    const loaded = await loadFromFiles(this.options, this.fs, holdingLock);
    await this.closeJournal();
    this.db.close();
    this.db = loaded.db;
    this.executor = new SqlJsExecutor(loaded.db);
    this.generation = loaded.generation;
    this.offset = loaded.offset;
    this.journal = loaded.journal;
    this.emit({ tables: ['*'], origin: 'remote' });
  }

  private onHint(): void {
    if (this.hint || this.closed) {
      return;
    }
    this.hint = setTimeout(() => {
      this.hint = undefined;
      if (!this.closed) {
        this.catchUp().catch((err: unknown) => this.options.onError?.(err instanceof Error ? err : new Error(String(err))));
      }
    }, WATCH_DEBOUNCE_MS);
  }

  private maybeCheckpoint(): void {
    if (this.offset >= (this.options.checkpointBytes ?? 8 * 1024 * 1024) && !this.checkpointing && !this.closed) {
      this.checkpoint().catch((err: unknown) => this.options.onError?.(err instanceof Error ? err : new Error(String(err))));
    }
  }

  private async runCheckpoint(): Promise<void> {
    const { dir } = this.options;
    const next = await this.mutex.run(() =>
      this.lease.run(async () => {
        await this.catchUpLocked(true);
        const generation = this.generation + 1;
        const created = await createJournal(this.fs, dir, generation, 'checkpoint');
        await this.closeJournal();
        this.journal = created.handle;
        this.generation = generation;
        this.offset = created.length;
        return generation;
      }),
    );
    // From here on writes go to the new journal while the worker replays the old files into a snapshot.
    const { bytes, checksum } = await this.options.buildSnapshot({ dir, generation: next });
    try {
      await writeSnapshot(this.fs, dir, next, bytes, checksum, this.writer);
    } catch (err) {
      throw describeFsError(err, 'write a new AI Studio snapshot (the journal still holds everything)');
    }
    await this.mutex.run(() => this.lease.run(() => pruneGenerations(this.fs, dir, this.options.keepSnapshots ?? 3)));
  }

  private emit(change: StoreChange): void {
    for (const listener of this.listeners) {
      try {
        listener(change);
      } catch (err) {
        this.options.onError?.(err instanceof Error ? err : new Error(String(err)));
      }
    }
  }

  private assertOpen(): void {
    if (this.closed) {
      throw new Error('The AI Studio store is closed');
    }
  }
}

interface LoadedState {
  db: Database;
  generation: number;
  offset: number;
  /** Undefined only when the journal does not exist yet and we may not create it (no lock held). */
  journal: FileHandlePort | undefined;
  notices: RecoveryNotice[];
}

/** Rebuilds the database from the folder; holding the lock, it also repairs and creates what is missing. */
async function loadFromFiles(options: StoreOptions, fs: FsPort, holdingLock: boolean): Promise<LoadedState> {
  const { dir } = options;
  const rebuilt = await rebuildDatabase({
    SQL: options.SQL,
    names: await fs.readdir(dir),
    read: (name) => fs.readFile(path.join(dir, name)),
    prepare: (db) => options.prepare?.(db),
  });
  const loaded: LoadedState = { ...rebuilt, journal: undefined };
  if (holdingLock) {
    await applyRepairs(fs, dir, rebuilt.repairs, Date.now());
  }
  if (rebuilt.journalExists) {
    loaded.journal = await fs.open(path.join(dir, journalName(rebuilt.generation)), 'existing');
  } else if (holdingLock) {
    const created = await createJournal(fs, dir, rebuilt.generation, 'create');
    loaded.journal = created.handle;
    loaded.offset = created.length;
  }
  return loaded;
}

async function withLock<T>(options: StoreOptions, work: () => Promise<T>): Promise<T> {
  const staleMs = options.lockStaleMs ?? 10_000;
  const release: Release = await acquireLock(lockTarget(options.dir), {
    staleMs,
    acquireTimeoutMs: options.lockTimeoutMs ?? staleMs * 3,
    onCompromised: (err) => options.onError?.(err),
  });
  try {
    return await work();
  } finally {
    await release().catch((err: unknown) => options.onError?.(err instanceof Error ? err : new Error(String(err))));
  }
}
