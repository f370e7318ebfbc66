import path from 'node:path';
import type { SqlJsStatic } from 'sql.js';
import type { BlobStore } from './blobs';
import { latestSchemaVersion, migrate, readUserVersion } from './schema/migrations';
import { registerSearchFunctions } from './search';
import { workerSnapshotBuilder } from './snapshotWorker';
import { Store } from './store';
import { TextIndexer } from './textIndexer';

/**
 * AI Studio's store as the product opens it: the schema migrated in its first write, the search functions
 * registered on every connection (including replay), checkpoints on a worker thread, and queued text indexed
 * while the window is idle.
 */
export interface StudioStoreOptions {
  /** The store folder (inside VS Code's global storage). */
  dir: string;
  SQL: SqlJsStatic;
  wasmPath: string;
  /** The bundled checkpoint worker (dist/checkpointWorker.js in the extension). */
  workerPath: string;
  onError(error: Error): void;
}

export async function openStudioStore(options: StudioStoreOptions): Promise<Store> {
  const store = await Store.open({
    dir: options.dir,
    SQL: options.SQL,
    buildSnapshot: workerSnapshotBuilder(options.workerPath, options.wasmPath),
    prepare: registerSearchFunctions,
    migrate: { needed: (sql) => readUserVersion(sql) !== latestSchemaVersion, run: (sql) => migrate(sql) },
    watch: true,
    onError: (error) => options.onError(error),
  });
  // Lives as long as the store: its timers are unref'd and stop once the store is closed.
  new TextIndexer(store, { onError: (error) => options.onError(error) });
  return store;
}

const storeFolderName = 'store';
export const storeDir = (globalStoragePath: string) => path.join(globalStoragePath, storeFolderName);

export const blobsDir = (globalStoragePath: string) => path.join(storeDir(globalStoragePath), 'blobs');

/** Removes blob files no row refers to, as of everything every window has committed. */
export async function collectOrphanBlobs(store: Store, blobs: BlobStore, now: number, graceMs: number) {
  await store.catchUp();
  const referenced = store.read((sql) => sql.all<{ hash: string }>('SELECT DISTINCT hash FROM blob_refs'));
  return blobs.collect(new Set(referenced.map((row) => row.hash)), now, graceMs);
}
