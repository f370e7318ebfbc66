import { crc32 } from 'node:zlib';
import type { SqlValue } from './sql';

/**
 * The journal is an append-only file of framed records. Each committed transaction is one record: its
 * statements and parameters, replayed in the same order by every window and at recovery.
 *
 *   frame = magic u32 | payload length u32 | crc32(payload) u32 | payload (UTF-8 JSON)
 *
 * A crash can leave the last frame short, or full length with pages that never reached the disk (zeros or
 * stale bytes). Both fail the length or checksum test and are "torn": ignored, and cut off by the next writer.
 * A bad frame that is followed by good ones is not a crash artifact but damage, reported as "corrupt".
 */

const MAGIC = 0x41495344; // "AISD"
export const FRAME_HEADER_BYTES = 12;
/** Far above any real transaction; a larger length field can only be damage. */
const MAX_PAYLOAD_BYTES = 256 * 1024 * 1024;

export type Statement = [sql: string, params: SqlValue[]];

export type JournalRecord =
  | { t: 'header'; generation: number; base: 'create' | 'checkpoint' | 'restore' }
  | { t: 'tx'; writer: string; statements: Statement[]; tables: string[] };

export function encodeRecord(record: JournalRecord): Buffer {
  const payload = Buffer.from(JSON.stringify(record), 'utf8');
  const frame = Buffer.allocUnsafe(FRAME_HEADER_BYTES + payload.length);
  frame.writeUInt32LE(MAGIC, 0);
  frame.writeUInt32LE(payload.length, 4);
  frame.writeUInt32LE(crc32(payload), 8);
  payload.copy(frame, FRAME_HEADER_BYTES);
  return frame;
}

export interface DecodedRecord {
  offset: number;
  end: number;
  record: JournalRecord;
}

export interface DecodeResult {
  records: DecodedRecord[];
  /** Where the last good record ends: the next append goes here. */
  validEnd: number;
  /** Bytes after validEnd that are not a good record: a torn tail (crash) or damage (followed by good frames). */
  problem?: { kind: 'torn' | 'corrupt'; offset: number; reason: string };
}

export function decodeRecords(bytes: Uint8Array, start = 0): DecodeResult {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const records: DecodedRecord[] = [];
  let offset = start;
  while (offset < buffer.length) {
    const failure = frameProblem(buffer, offset);
    if (failure) {
      const kind = hasGoodFrameAfter(buffer, offset + 1) ? 'corrupt' : 'torn';
      return { records, validEnd: offset, problem: { kind, offset, reason: failure } };
    }
    const length = buffer.readUInt32LE(offset + 4);
    const end = offset + FRAME_HEADER_BYTES + length;
    const record = parsePayload(buffer.subarray(offset + FRAME_HEADER_BYTES, end));
    if (!record) {
      const kind = hasGoodFrameAfter(buffer, end) ? 'corrupt' : 'torn';
      return { records, validEnd: offset, problem: { kind, offset, reason: 'the record is not a journal entry' } };
    }
    records.push({ offset, end, record });
    offset = end;
  }
  return { records, validEnd: offset };
}

function frameProblem(buffer: Buffer, offset: number): string | undefined {
  if (buffer.length - offset < FRAME_HEADER_BYTES) {
    return 'the record header is cut short';
  }
  if (buffer.readUInt32LE(offset) !== MAGIC) {
    return 'the record does not start with the journal marker';
  }
  const length = buffer.readUInt32LE(offset + 4);
  if (length === 0 || length > MAX_PAYLOAD_BYTES) {
    return `the record length ${length} is impossible`;
  }
  if (buffer.length - offset - FRAME_HEADER_BYTES < length) {
    return 'the record is cut short';
  }
  const payload = buffer.subarray(offset + FRAME_HEADER_BYTES, offset + FRAME_HEADER_BYTES + length);
  if (crc32(payload) !== buffer.readUInt32LE(offset + 8)) {
    return 'the record checksum does not match';
  }
  return undefined;
}

/** Whether a complete, checksummed frame starts anywhere at or after `from`: tells damage from a torn tail. */
function hasGoodFrameAfter(buffer: Buffer, from: number): boolean {
  const marker = Buffer.alloc(4);
  marker.writeUInt32LE(MAGIC, 0);
  for (let at = buffer.indexOf(marker, from); at !== -1; at = buffer.indexOf(marker, at + 1)) {
    if (!frameProblem(buffer, at)) {
      return true;
    }
  }
  return false;
}

function parsePayload(payload: Buffer): JournalRecord | undefined {
  try {
    const value = JSON.parse(payload.toString('utf8')) as Partial<JournalRecord> | null;
    if (value?.t === 'header' && typeof value.generation === 'number') {
      return value as JournalRecord;
    }
    if (value?.t === 'tx' && Array.isArray(value.statements) && Array.isArray(value.tables)) {
      return value as JournalRecord;
    }
  } catch {
    // fall through: not JSON
  }
  return undefined;
}

/** The tables a statement writes, so change events can say what changed without parsing SQL fully. */
export function tablesWritten(sql: string): string[] {
  const tables = new Set<string>();
  for (const match of sql.matchAll(/\b(?:insert(?:\s+or\s+\w+)?\s+into|replace\s+into|update(?:\s+or\s+\w+)?|delete\s+from)\s+["`[]?(\w+)/gi)) {
    tables.add(match[1]!.toLowerCase());
  }
  return [...tables];
}
