import * as assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { BlobStore } from '../../../src/db/blobs';
import { nodeFs, type FsPort } from '../../../src/db/fsPort';

describe('blobs: adopting a file and reading in chunks', () => {
  let dir: string;
  let blobs: BlobStore;
  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'ais-blobstreams-'));
    blobs = new BlobStore(nodeFs, path.join(dir, 'blobs'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const content = Buffer.from('tool output\n'.repeat(300_000)); // 3.6 MB: several chunks
  const sha = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');
  const collect = async (hash: string, chunkBytes?: number) => {
    const parts: Uint8Array[] = [];
    for await (const chunk of blobs.chunks(hash, chunkBytes)) {
      parts.push(chunk);
    }
    return Buffer.concat(parts);
  };

  it('moves a finished file in under its hash, the same blob put() would make', async () => {
    const file = path.join(dir, 'output.tmp');
    writeFileSync(file, content);
    const stored = await blobs.adopt(file);
    assert.deepEqual(stored, { hash: sha(content), size: content.length });
    assert.equal(existsSync(file), false, 'the file was moved, not copied');
    assert.deepEqual(Buffer.from(await blobs.get(stored.hash)), content);
    assert.deepEqual(await blobs.put(content), stored);
  });

  it('drops a file whose content is already stored', async () => {
    const first = path.join(dir, 'a.tmp');
    const second = path.join(dir, 'b.tmp');
    writeFileSync(first, content);
    writeFileSync(second, content);
    await blobs.adopt(first);
    await blobs.adopt(second);
    assert.equal(existsSync(second), false);
    const files = readdirSync(path.join(dir, 'blobs'), { recursive: true, withFileTypes: true }).filter((e) => e.isFile());
    assert.equal(files.length, 1);
  });

  it('copies durably when the file is on another file system (EXDEV)', async () => {
    const renames: string[] = [];
    const crossDevice: FsPort = {
      ...nodeFs,
      rename: async (from, to) => {
        renames.push(path.basename(from));
        if (from.endsWith('.tmp')) {
          throw Object.assign(new Error('EXDEV: cross-device link not permitted'), { code: 'EXDEV' });
        }
        await nodeFs.rename(from, to);
      },
    };
    const store = new BlobStore(crossDevice, path.join(dir, 'blobs'));
    const file = path.join(dir, 'far.tmp');
    writeFileSync(file, content);
    const stored = await store.adopt(file);
    assert.equal(existsSync(file), false);
    assert.deepEqual(Buffer.from(await store.get(stored.hash)), content);
    assert.equal(renames.length, 2, 'the copy went to a temp beside the blob and was renamed into place');
    assert.match(renames[1]!, new RegExp(`^${stored.hash}\\.tmp-`));
  });

  it('streams a blob in chunks and checks its hash at the end', async () => {
    const { hash } = await blobs.put(content);
    const read = await collect(hash, 1_000_000);
    assert.deepEqual(read, content);
    const blobFile = path.join(dir, 'blobs', hash.slice(0, 2), hash);
    writeFileSync(blobFile, Buffer.concat([content.subarray(0, -1), Buffer.from('!')]));
    await assert.rejects(collect(hash), /damaged/);
    await assert.rejects(collect('0'.repeat(64)), /missing/);
    await assert.rejects(collect('../../x'), /Not a blob hash/);
  });
});
