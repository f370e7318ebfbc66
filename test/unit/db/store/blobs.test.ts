import * as assert from 'node:assert/strict';
import { readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { systemClock } from '../../../../src/core/ports';
import { BLOB_THRESHOLD_BYTES, BlobStore } from '../../../../src/db/blobs';
import { nodeFs } from '../../../../src/db/fsPort';
import { MessagesRepository } from '../../../../src/db/repositories/messages';
import { SessionsRepository } from '../../../../src/db/repositories/sessions';
import { collectOrphanBlobs, openStudioStore } from '../../../../src/db/studioStore';
import { sqlEngine, tempStoreDir, wasmPath, workerPath } from './fixture';

describe('content-addressed blobs', function () {
  this.timeout(30_000);
  let dir: string;
  let blobs: BlobStore;
  beforeEach(() => {
    dir = tempStoreDir();
    blobs = new BlobStore(nodeFs, path.join(dir, 'blobs'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const bigOutput = (seed: string) => Buffer.from(seed.repeat(Math.ceil((BLOB_THRESHOLD_BYTES * 2) / seed.length)));
  const allBlobFiles = () => readdirSync(path.join(dir, 'blobs'), { recursive: true, withFileTypes: true }).filter((e) => e.isFile());
  /** Makes every blob file look older than the grace period. */
  const ageAll = () => {
    for (const entry of allBlobFiles()) {
      utimesSync(path.join(entry.parentPath, entry.name), new Date(0), new Date(0));
    }
  };

  it('stores the same content once and reads it back', async () => {
    const first = await blobs.put(bigOutput('tool output '));
    const again = await blobs.put(bigOutput('tool output '));
    assert.deepEqual(first, again);
    assert.equal(allBlobFiles().length, 1);
    assert.deepEqual(Buffer.from(await blobs.get(first.hash)), bigOutput('tool output '));
  });

  it('refuses to hand out a damaged blob, and explains a missing one', async () => {
    const { hash } = await blobs.put(bigOutput('abc'));
    writeFileSync(path.join(dir, 'blobs', hash.slice(0, 2), hash), 'tampered');
    await assert.rejects(blobs.get(hash), /damaged/);
    await assert.rejects(blobs.get('0'.repeat(64)), /missing/);
    await assert.rejects(blobs.get('../../etc/passwd'), /Not a blob hash/);
  });

  it('collects blobs no message refers to any more, and spares referenced and young ones', async () => {
    const store = await openStudioStore({ dir, SQL: await sqlEngine(), wasmPath, workerPath, onError: (err) => assert.fail(err) });
    const session = await new SessionsRepository(store, systemClock).create({ title: 'Tools' });
    const messages = new MessagesRepository(store, systemClock);
    const kept = await blobs.put(bigOutput('kept '));
    const dropped = await blobs.put(bigOutput('dropped '));
    const blobPart = (blob: { hash: string; size: number }) => ({ type: 'blob' as const, hash: blob.hash, size: blob.size, mimeType: 'text/plain' });
    await messages.append(session.id, null, { role: 'tool', content: [blobPart(kept)] });
    const doomed = await messages.append(session.id, null, { role: 'tool', content: [blobPart(dropped)] });
    await messages.deleteSubtree(doomed.id);
    const young = await blobs.put(bigOutput('another window is about to commit this '));

    ageAll();
    const { hash: youngHash } = young;
    utimesSync(path.join(dir, 'blobs', youngHash.slice(0, 2), youngHash), new Date(), new Date());
    const collected = await collectOrphanBlobs(store, blobs, Date.now(), 60_000);
    assert.equal(collected.files, 1);
    assert.ok(collected.bytes >= BLOB_THRESHOLD_BYTES);
    assert.ok(await blobs.get(kept.hash));
    await assert.rejects(blobs.get(dropped.hash), /missing/);
    assert.ok(await blobs.get(youngHash));
    await store.close();
  });
});
