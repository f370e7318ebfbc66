import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { parentPort, workerData } from 'node:worker_threads';
import { rebuildDatabase } from './rebuild';
import { snapshotChecksum } from './replay';
import { SqlJsExecutor } from './sql';
import { loadSqlJs } from './sqlJs';
import { indexPendingText, pendingTextCount } from './textIndex';

/**
 * Worker thread entry: builds the snapshot for a new generation from the files of the older ones, compacts it
 * (VACUUM) and hands the bytes back. It runs off the extension host's thread, because exporting a large sql.js
 * database blocks for seconds, and it only reads files: the store writes the snapshot and prunes.
 */

export interface CheckpointJob {
  dir: string;
  generation: number;
  wasmPath: string;
}

async function build(job: CheckpointJob): Promise<{ bytes: Uint8Array; checksum: string }> {
  const SQL = await loadSqlJs(job.wasmPath);
  const names = await readdir(job.dir);
  const rebuilt = await rebuildDatabase({
    SQL,
    names,
    read: (name) => readFile(path.join(job.dir, name)),
    upToGeneration: job.generation - 1,
  });
  try {
    // The queued text is indexed here, off the host thread, so the snapshot every window opens has a full index
    // and the segment merges of a large index never block a window.
    const sql = new SqlJsExecutor(rebuilt.db);
    if (pendingTextCount(sql) > 0) {
      rebuilt.db.run('BEGIN');
      indexPendingText(sql);
      rebuilt.db.run('COMMIT');
    }
    rebuilt.db.run('VACUUM');
    const bytes = rebuilt.db.export();
    return { bytes, checksum: snapshotChecksum(bytes) };
  } finally {
    rebuilt.db.close();
  }
}

if (parentPort) {
  const port = parentPort;
  build(workerData as CheckpointJob).then(
    ({ bytes, checksum }) => port.postMessage({ ok: true, bytes, checksum }, [bytes.buffer as ArrayBuffer]),
    (err: unknown) => port.postMessage({ ok: false, message: err instanceof Error ? err.message : String(err) }),
  );
}
