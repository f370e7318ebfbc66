import path from 'node:path';
import type { SqlJsStatic } from 'sql.js';
import type * as vscode from 'vscode';
import type { Logger } from '../core/ports';
import type { RecoveryNotice } from '../db/rebuild';
import type { Store } from '../db/store';
import { corruptDir } from '../db/storeFiles';
import { loadSqlJs } from '../db/sqlJs';
import { BlobStore } from '../db/blobs';
import { nodeFs } from '../db/fsPort';
import { blobsDir, collectOrphanBlobs, openStudioStore, storeDir } from '../db/studioStore';
import { formatBytes } from '../core/format';
import { notifyWithLog } from './notify';

/**
 * Opens the store in the background, so activation never waits on disk or on another window's lock, and tells
 * the user when opening needed repairs or failed. Everything that needs data awaits `ready`.
 */
const BLOB_GRACE_MS = 60 * 60 * 1000;

export class StoreHost implements vscode.Disposable {
  readonly ready: Promise<Store>;
  /** The sql.js engine, loaded once for the store and anything else that needs SQLite. */
  readonly engine: Promise<SqlJsStatic>;
  readonly dir: string;
  readonly blobs: BlobStore;

  constructor(
    extensionPath: string,
    globalStoragePath: string,
    private readonly log: Logger,
    private readonly showLog: () => void,
  ) {
    this.dir = storeDir(globalStoragePath);
    this.blobs = new BlobStore(nodeFs, blobsDir(globalStoragePath));
    const wasmPath = path.join(extensionPath, 'dist', 'sql-wasm.wasm');
    const started = Date.now();
    this.engine = loadSqlJs(wasmPath);
    this.ready = this.engine.then((SQL) =>
      openStudioStore({
        dir: this.dir,
        SQL,
        wasmPath,
        workerPath: path.join(extensionPath, 'dist', 'checkpointWorker.js'),
        onError: (error) => log.error(error),
      }),
    );
    this.ready.then(
      (store) => {
        log.info(`Store opened in ${Date.now() - started} ms: ${this.dir}`);
        this.report(store.notices);
        void this.collectBlobs(store);
      },
      (err: unknown) => this.reportFailure(err),
    );
  }

  dispose(): void {
    // Every commit is already on disk; closing only releases files and lets a running checkpoint finish.
    this.ready.then((store) => store.close()).catch(() => undefined);
  }

  /** Once per start, in the background; an hour's grace spares blobs another window is about to commit. */
  private async collectBlobs(store: Store): Promise<void> {
    try {
      const { files, bytes } = await collectOrphanBlobs(store, this.blobs, Date.now(), BLOB_GRACE_MS);
      if (files > 0) {
        this.log.info(`Removed ${files} unreferenced payload file(s), ${formatBytes(bytes)}`);
      }
    } catch (err) {
      this.log.warn(`Could not clean up unreferenced payload files: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  private report(notices: readonly RecoveryNotice[]): void {
    if (notices.length === 0) {
      return;
    }
    for (const notice of notices) {
      this.log.warn(`Store repair: ${notice.file}: ${notice.problem}; ${notice.consequence}`);
    }
    const message =
      `AI Studio found ${notices.length === 1 ? 'a damaged file' : `${notices.length} damaged files`} in its data ` +
      `folder and recovered from its backups. The damaged files were kept in ${corruptDir(this.dir)}.`;
    void notifyWithLog('warning', message, this.showLog);
  }

  private reportFailure(err: unknown): void {
    this.log.error(err instanceof Error ? err : new Error(String(err)));
    const reason = err instanceof Error ? err.message : String(err);
    void notifyWithLog('error', `AI Studio could not open its data: ${reason}`, this.showLog);
  }
}
