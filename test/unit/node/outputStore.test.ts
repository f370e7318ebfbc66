import * as assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { OutputStore } from '../../../src/core/tools/toolTypes';
import { BlobStore } from '../../../src/db/blobs';
import { nodeFs } from '../../../src/db/fsPort';
import { createOutputStore, MAX_READ_LINE_CHARS } from '../../../src/node/outputStore';

describe('output store (whole tool outputs as blobs)', function () {
  this.timeout(20_000);
  let dir: string;
  let blobs: BlobStore;
  let store: OutputStore;
  const tempDir = () => path.join(dir, 'tmp');
  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'ais-outputs-'));
    blobs = new BlobStore(nodeFs, path.join(dir, 'blobs'));
    store = createOutputStore(blobs, tempDir());
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const keep = async (chunks: string[]) => {
    const writer = store.create();
    for (const chunk of chunks) {
      writer.write(chunk);
    }
    return writer.close();
  };

  it('keeps what was written, named by its SHA-256, with its size and line count, and leaves no temp file', async () => {
    const text = 'first line\nsecond ünïcode line\nthird, without newline';
    const ref = await keep(['first li', 'ne\nsecond ünïcode', ' line\nthird, without newline']);
    assert.deepEqual(ref, { hash: createHash('sha256').update(text).digest('hex'), size: Buffer.byteLength(text), lines: 3 });
    assert.equal(Buffer.from(await blobs.get(ref.hash)).toString('utf8'), text);
    assert.deepEqual(readdirSync(tempDir()), []);
    assert.equal((await keep(['a\nb\n'])).lines, 2, 'a final newline ends the last line; it starts none');
    assert.equal((await keep([])).lines, 0);
  });

  it('reads line ranges back, each line followed by a newline, with the total', async () => {
    const ref = await keep(['one\ntwo\r\n', 'three\nfour']);
    assert.deepEqual(await store.readLines(ref, 1, 2), { text: 'one\ntwo\r\n', totalLines: 4 });
    assert.deepEqual(await store.readLines(ref, 3, 10), { text: 'three\nfour\n', totalLines: 4 });
    assert.deepEqual(await store.readLines(ref, 9, 10), { text: '', totalLines: 4 });
  });

  it('decodes characters split across the chunks the blob is streamed in, and bounds one huge line', async () => {
    // 1 MiB chunks: put a 3-byte character across the first boundary.
    const filler = 'x'.repeat(1024 * 1024 - 1);
    const ref = await keep([`${filler}€\n`, 'after\n', `${'y'.repeat(MAX_READ_LINE_CHARS + 10)}\n`]);
    const first = await store.readLines(ref, 1, 2);
    assert.equal(first.text, `${filler}`.slice(0, MAX_READ_LINE_CHARS) + `… [${filler.length + 1 - MAX_READ_LINE_CHARS} more characters on this line]\nafter\n`);
    assert.equal(first.totalLines, 3);
    // 262,143 lines of "abc\n" and an "abc": the next character's 3 bytes start 1 byte before the chunk boundary.
    const lines = await keep(['abc\n'.repeat(262_143), 'abc', '€\n', 'end\n']);
    assert.deepEqual(await store.readLines(lines, 262_144, 5), { text: 'abc€\nend\n', totalLines: 262_145 });
  });

  it('throws a discarded output away', async () => {
    const writer = store.create();
    writer.write('scratch\n');
    await writer.discard();
    assert.deepEqual(readdirSync(tempDir()), []);
    assert.deepEqual(readdirSync(dir).sort(), ['tmp']);
  });

  it('refuses to read back a damaged output', async () => {
    const ref = await keep(['good\n']);
    writeFileSync(path.join(dir, 'blobs', ref.hash.slice(0, 2), ref.hash), 'evil\n');
    await assert.rejects(store.readLines(ref, 1, 1), /damaged/);
    await assert.rejects(store.readLines({ hash: 'f'.repeat(64) }, 1, 1), /missing/);
  });

  it('stores the same output once', async () => {
    const a = await keep(['same\n']);
    const b = await keep(['sa', 'me\n']);
    assert.equal(a.hash, b.hash);
    const files = readdirSync(path.join(dir, 'blobs'), { recursive: true, withFileTypes: true }).filter((e) => e.isFile());
    assert.equal(files.length, 1);
    assert.equal(readFileSync(path.join(files[0]!.parentPath, files[0]!.name), 'utf8'), 'same\n');
  });
});
