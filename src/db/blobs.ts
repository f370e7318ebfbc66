import { createHash, randomBytes } from 'node:crypto';
import path from 'node:path';
import type { FsPort } from './fsPort';
import { writeFileDurably } from './storeIo';

/**
 * Large payloads (tool outputs, attachments) live beside the store as content-addressed files, not in the
 * database: a 5 MB tool output in a row would be copied by every snapshot and replayed from every journal.
 * Rows hold `{type: 'blob', hash, size, mimeType}` parts instead; the schema's blob_refs table tracks which
 * rows point at which hash, so files no row refers to can be collected.
 *
 *   blobs/ab/abcdef…   (sha-256 of the content, fanned out by its first two hex digits)
 */

/** Payloads larger than this go to a blob file. */
export const BLOB_THRESHOLD_BYTES = 64 * 1024;

const HASH = /^[0-9a-f]{64}$/;
/** A temp file that a crashed writer left behind. */
const LEFTOVER = /^[0-9a-f]{64}\.tmp-/;

export interface StoredBlob {
  hash: string;
  size: number;
}

export class BlobStore {
  constructor(
    private readonly fs: FsPort,
    private readonly dir: string,
  ) {}

  /**
   * Writes the content durably, once: the same content is stored once, whoever writes it. Call it before the
   * transaction that refers to the blob, so no committed row ever points at a missing file.
   */
  async put(content: Uint8Array): Promise<StoredBlob> {
    const hash = createHash('sha256').update(content).digest('hex');
    const folder = path.join(this.dir, hash.slice(0, 2));
    if ((await this.fs.size(path.join(folder, hash))) === content.length) {
      return { hash, size: content.length };
    }
    await this.fs.mkdir(folder);
    await writeFileDurably(this.fs, folder, hash, content, `${process.pid}`);
    return { hash, size: content.length };
  }

  /** Reads a blob and checks it is still what was stored. */
  async get(hash: string): Promise<Uint8Array> {
    const file = this.fileOf(hash);
    let content: Uint8Array;
    try {
      content = await this.fs.readFile(file);
    } catch (err) {
      throw new Error(`The stored payload ${hash.slice(0, 12)}… is missing from ${this.dir}`, { cause: err });
    }
    if (createHash('sha256').update(content).digest('hex') !== hash) {
      throw new Error(`The stored payload ${hash.slice(0, 12)}… is damaged (its content no longer matches its hash)`);
    }
    return content;
  }

  /**
   * Moves a finished file (a tool output written to a temp file as it streamed) into the store, without ever
   * holding it in memory: it is hashed in chunks, synced, and renamed into place (copied when it is on another
   * file system). The file is gone afterwards, whether its content was new or already stored.
   */
  async adopt(file: string): Promise<StoredBlob> {
    const size = await this.fs.size(file);
    if (size === undefined) {
      throw new Error(`No file to store as a blob: ${file}`);
    }
    const hasher = createHash('sha256');
    for await (const chunk of this.fileChunks(file, size)) {
      hasher.update(chunk);
    }
    const hash = hasher.digest('hex');
    const folder = path.join(this.dir, hash.slice(0, 2));
    const target = path.join(folder, hash);
    if ((await this.fs.size(target)) === size) {
      await this.fs.unlink(file);
      return { hash, size };
    }
    await this.fs.mkdir(folder);
    const handle = await this.fs.open(file, 'existing');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
    try {
      await this.fs.rename(file, target);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EXDEV') {
        throw err;
      }
      await this.copyDurably(file, size, folder, hash);
      await this.fs.unlink(file);
    }
    await this.fs.syncDir(folder);
    return { hash, size };
  }

  /**
   * Reads a blob in chunks, so a 50 MB output is never held whole. Whether it still matches its hash is known
   * only at the end: the last step throws if it does not, so a caller that reads to the end never acts on a
   * damaged blob's result.
   */
  async *chunks(hash: string, chunkBytes = 1024 * 1024): AsyncGenerator<Uint8Array> {
    const file = this.fileOf(hash);
    const size = await this.fs.size(file);
    if (size === undefined) {
      throw new Error(`The stored payload ${hash.slice(0, 12)}… is missing from ${this.dir}`);
    }
    const hasher = createHash('sha256');
    for await (const chunk of this.fileChunks(file, size, chunkBytes)) {
      hasher.update(chunk);
      yield chunk;
    }
    if (hasher.digest('hex') !== hash) {
      throw new Error(`The stored payload ${hash.slice(0, 12)}… is damaged (its content no longer matches its hash)`);
    }
  }

  /**
   * Deletes blob files that no row refers to. A file younger than `graceMs` is spared: it may belong to a
   * transaction another window is about to commit. Returns how many files and bytes were removed.
   */
  async collect(referenced: ReadonlySet<string>, now: number, graceMs: number): Promise<{ files: number; bytes: number }> {
    let files = 0;
    let bytes = 0;
    for (const fan of await this.fs.readdir(this.dir)) {
      for (const name of await this.fs.readdir(path.join(this.dir, fan))) {
        const file = path.join(this.dir, fan, name);
        const orphan = (HASH.test(name) && !referenced.has(name)) || LEFTOVER.test(name);
        if (!orphan) {
          continue;
        }
        const modified = await this.fs.modifiedAt(file);
        if (modified === undefined || now - modified < graceMs) {
          continue;
        }
        bytes += (await this.fs.size(file)) ?? 0;
        await this.fs.unlink(file);
        files += 1;
      }
    }
    return { files, bytes };
  }

  private async *fileChunks(file: string, size: number, chunkBytes = 1024 * 1024): AsyncGenerator<Uint8Array> {
    for (let position = 0; position < size; ) {
      const chunk = await this.fs.readRange(file, position, Math.min(chunkBytes, size - position));
      if (chunk.length === 0) {
        throw new Error(`${file} ended at ${position} bytes, before its ${size} bytes`);
      }
      position += chunk.length;
      yield chunk;
    }
  }

  /** temp beside the target, write, fsync, rename: as `put`, in chunks. */
  private async copyDurably(file: string, size: number, folder: string, hash: string): Promise<void> {
    const temp = path.join(folder, `${hash}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`);
    try {
      const handle = await this.fs.open(temp, 'new');
      try {
        let position = 0;
        for await (const chunk of this.fileChunks(file, size)) {
          await handle.write(chunk, position);
          position += chunk.length;
        }
        await handle.sync();
      } finally {
        await handle.close();
      }
      await this.fs.rename(temp, path.join(folder, hash));
    } catch (err) {
      await this.fs.unlink(temp).catch(() => undefined);
      throw err;
    }
  }

  private fileOf(hash: string): string {
    if (!HASH.test(hash)) {
      throw new Error(`Not a blob hash: ${JSON.stringify(hash.slice(0, 80))}`);
    }
    return path.join(this.dir, hash.slice(0, 2), hash);
  }
}
