import { createHash } from 'node:crypto';
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

  private fileOf(hash: string): string {
    if (!HASH.test(hash)) {
      throw new Error(`Not a blob hash: ${JSON.stringify(hash.slice(0, 80))}`);
    }
    return path.join(this.dir, hash.slice(0, 2), hash);
  }
}
