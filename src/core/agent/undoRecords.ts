import { createHash } from 'node:crypto';
import type { EventType, StudioEvent } from '../../db/repositories/events';
import type { WorkspacePort } from '../tools/toolTypes';

/**
 * What undo keeps in the event log, and how it looks at files. A turn that changes a file records, before the
 * first change, `tool.file.original` (the text it had, as a blob; null when the turn creates it) and, after each
 * change, `tool.file.written` (the SHA-256 of the text the agent left; null for a delete). Comparing a file's
 * text now with the last written hash is how undo tells "still what the agent wrote" from "the person edited it".
 */

// events.ts (not this module's) lists the known event types as a union; these are new and not in it yet.
export const FILE_ORIGINAL_EVENT: EventType = 'tool.file.original';
export const FILE_WRITTEN_EVENT: EventType = 'tool.file.written';
export const UNDO_EVENT: EventType = 'tool.undo';

/** A blob part: anywhere in a payload it keeps the blob alive (blob_refs). */
export interface TextBlobPart {
  type: 'blob';
  hash: string;
  mimeType: 'text/plain';
  size: number;
}

export interface FileOriginalPayload {
  turnId: string;
  path: string;
  /** null: the file did not exist before the turn (the turn creates it). */
  original: TextBlobPart | null;
}

export interface FileWrittenPayload {
  turnId: string;
  path: string;
  /** SHA-256 (hex) of the UTF-8 text the agent wrote; null when it deleted the file. */
  sha256: string | null;
}

/** A file as undo sees it: its text's SHA-256, missing, or something that is not a file (a folder). */
export type FileVersion = { kind: 'file'; sha256: string } | { kind: 'missing' } | { kind: 'other' };

export type FileContent = { kind: 'file'; text: string } | { kind: 'missing' } | { kind: 'other' };

export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

export function textSha256(text: string): string {
  return sha256Hex(new TextEncoder().encode(text));
}

/**
 * Blob bytes back to the text they were made from. `ignoreBOM` keeps a leading byte-order mark: the default
 * decoder drops it, and a restored file must be byte for byte what it was.
 */
export function decodeText(bytes: Uint8Array): string {
  return new TextDecoder('utf-8', { ignoreBOM: true }).decode(bytes);
}

export async function readContent(workspace: Pick<WorkspacePort, 'stat' | 'readText'>, path: string): Promise<FileContent> {
  const stat = await workspace.stat(path);
  if (stat === undefined) {
    return { kind: 'missing' };
  }
  if (stat.type !== 'file') {
    return { kind: 'other' };
  }
  try {
    return { kind: 'file', text: await workspace.readText(path) };
  } catch (error) {
    // Deleted between the stat and the read: that is a missing file, not a failure.
    if ((await workspace.stat(path)) === undefined) {
      return { kind: 'missing' };
    }
    throw error;
  }
}

export async function readVersion(workspace: Pick<WorkspacePort, 'stat' | 'readText'>, path: string): Promise<FileVersion> {
  const content = await readContent(workspace, path);
  return content.kind === 'file' ? { kind: 'file', sha256: textSha256(content.text) } : content;
}

export function sameVersion(a: FileVersion, b: FileVersion): boolean {
  if (a.kind === 'file' && b.kind === 'file') {
    return a.sha256 === b.sha256;
  }
  return a.kind === b.kind && a.kind !== 'other';
}

/** Reads an original's payload leniently: an event some other version wrote badly is left out, not fatal. */
export function readOriginalPayload(event: StudioEvent): FileOriginalPayload | undefined {
  const payload = event.payload as Partial<Record<keyof FileOriginalPayload, unknown>> | null;
  if (typeof payload !== 'object' || payload === null || typeof payload.turnId !== 'string' || typeof payload.path !== 'string') {
    return undefined;
  }
  const original = payload.original as Partial<TextBlobPart> | null | undefined;
  if (original === null) {
    return { turnId: payload.turnId, path: payload.path, original: null };
  }
  if (typeof original !== 'object' || typeof original.hash !== 'string' || typeof original.size !== 'number') {
    return undefined;
  }
  return { turnId: payload.turnId, path: payload.path, original: { type: 'blob', hash: original.hash, mimeType: 'text/plain', size: original.size } };
}

export function readWrittenPayload(event: StudioEvent): FileWrittenPayload | undefined {
  const payload = event.payload as Partial<Record<keyof FileWrittenPayload, unknown>> | null;
  if (typeof payload !== 'object' || payload === null || typeof payload.turnId !== 'string' || typeof payload.path !== 'string') {
    return undefined;
  }
  if (payload.sha256 !== null && typeof payload.sha256 !== 'string') {
    return undefined;
  }
  return { turnId: payload.turnId, path: payload.path, sha256: payload.sha256 };
}
