import { Worker } from 'node:worker_threads';
import type { CheckpointJob } from './checkpointWorker';
import type { SnapshotBuilder } from './store';

type WorkerReply = { ok: true; bytes: Uint8Array; checksum: string } | { ok: false; message: string };

/** A SnapshotBuilder that runs each checkpoint in a fresh worker thread (checkpointWorker.ts, bundled beside). */
export function workerSnapshotBuilder(workerPath: string, wasmPath: string): SnapshotBuilder {
  return ({ dir, generation }) =>
    new Promise<{ bytes: Uint8Array; checksum: string }>((resolve, reject) => {
      const job: CheckpointJob = { dir, generation, wasmPath };
      const worker = new Worker(workerPath, { workerData: job });
      let settled = false;
      worker.once('message', (reply: WorkerReply) => {
        settled = true;
        if (reply.ok) {
          resolve({ bytes: reply.bytes, checksum: reply.checksum });
        } else {
          reject(new Error(`Building snapshot ${generation} failed: ${reply.message}`));
        }
        void worker.terminate();
      });
      worker.once('error', (err) => {
        settled = true;
        reject(err);
      });
      worker.once('exit', (code) => {
        if (!settled) {
          reject(new Error(`The checkpoint worker stopped (exit code ${code}) before building snapshot ${generation}`));
        }
      });
    });
}
