import { randomBytes } from 'node:crypto';
import { createWriteStream, mkdirSync } from 'node:fs';
import { unlink } from 'node:fs/promises';
import path from 'node:path';
import type { OutputRef, OutputStore, OutputWriter } from '../core/tools/toolTypes';
import type { BlobStore } from '../db/blobs';

/**
 * Whole tool outputs, kept as blobs. A writer streams to a temp file as the output comes (memory stays flat for
 * a 50 MB build log), and `close` moves that file into the blob store under its hash, durably. Reading streams
 * the blob too: lines are counted and the wanted ones kept, never the whole output.
 *
 * `tempDir` should be on the store's file system (e.g. beside the blobs folder), so `close` is a rename rather
 * than a copy; it is created if missing. A temp file a crash left behind is not referenced by anything.
 */

/** A line longer than this is cut when read back (the tools cap far lower): one 50 MB line stays bounded too. */
export const MAX_READ_LINE_CHARS = 100_000;

export function createOutputStore(blobs: BlobStore, tempDir: string): OutputStore {
  return {
    create: () => createWriter(blobs, tempDir),
    readLines: (ref, fromLine, lineCount) => readLines(blobs, ref.hash, fromLine, lineCount),
  };
}

function createWriter(blobs: BlobStore, tempDir: string): OutputWriter {
  mkdirSync(tempDir, { recursive: true });
  const file = path.join(tempDir, `output-${process.pid}-${randomBytes(6).toString('hex')}.tmp`);
  const stream = createWriteStream(file, { flags: 'wx' });
  let failure: Error | undefined;
  stream.on('error', (err) => {
    failure ??= err;
  });
  const closed = new Promise<void>((resolve) => stream.once('close', () => resolve()));
  let size = 0;
  let newlines = 0;
  let endsWithNewline = false;
  let done = false;

  const finish = async () => {
    if (done) {
      throw new Error('This output was already closed or discarded');
    }
    done = true;
    stream.end();
    await closed;
  };

  return {
    write(text) {
      if (done || text === '') {
        return;
      }
      const bytes = Buffer.from(text, 'utf8');
      size += bytes.length;
      for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) {
        newlines++;
      }
      endsWithNewline = text.endsWith('\n');
      stream.write(bytes);
    },
    async close(): Promise<OutputRef> {
      await finish();
      if (failure !== undefined) {
        await unlink(file).catch(() => undefined);
        throw new Error(`The output could not be kept: ${failure.message}`, { cause: failure });
      }
      const stored = await blobs.adopt(file);
      if (stored.size !== size) {
        throw new Error(`The kept output has ${stored.size} bytes, not the ${size} written`);
      }
      return { hash: stored.hash, size, lines: newlines + (size > 0 && !endsWithNewline ? 1 : 0) };
    },
    async discard() {
      if (!done) {
        done = true;
        stream.destroy();
        await closed;
      }
      await unlink(file).catch(() => undefined);
    },
  };
}

/**
 * Lines [fromLine, fromLine + lineCount) of a blob, each followed by "\n", and how many lines it has: the whole
 * blob is streamed (its hash checked at the end), only the wanted lines are kept.
 */
async function readLines(blobs: BlobStore, hash: string, fromLine: number, lineCount: number): Promise<{ text: string; totalLines: number }> {
  const end = fromLine + lineCount;
  const kept: string[] = [];
  const decoder = new TextDecoder('utf-8');
  let line = 1;
  let partial = '';
  let partialLength = 0;
  let lineHasText = false;

  const keep = (piece: string) => {
    partialLength += piece.length;
    if (partial.length < MAX_READ_LINE_CHARS) {
      partial += piece.slice(0, MAX_READ_LINE_CHARS - partial.length);
    }
  };
  const endLine = () => {
    if (line >= fromLine && line < end) {
      const cut = partialLength - partial.length;
      kept.push(cut > 0 ? `${partial}… [${cut} more characters on this line]` : partial);
    }
    partial = '';
    partialLength = 0;
    lineHasText = false;
    line++;
  };
  const scan = (text: string) => {
    let start = 0;
    while (start <= text.length) {
      const newline = text.indexOf('\n', start);
      const stop = newline === -1 ? text.length : newline;
      if (stop > start) {
        lineHasText = true;
        if (line >= fromLine && line < end) {
          keep(text.slice(start, stop));
        }
      }
      if (newline === -1) {
        return;
      }
      endLine();
      start = newline + 1;
    }
  };

  for await (const chunk of blobs.chunks(hash)) {
    scan(decoder.decode(chunk, { stream: true }));
  }
  scan(decoder.decode());
  if (lineHasText) {
    endLine();
  }
  return { text: kept.map((l) => `${l}\n`).join(''), totalLines: line - 1 };
}
