import type { EventsRepository, StudioEvent } from '../../db/repositories/events';
import type { Message, MessagesRepository } from '../../db/repositories/messages';
import type { SessionsRepository } from '../../db/repositories/sessions';
import type { WorkspacePort } from '../tools/toolTypes';
import {
  FILE_ORIGINAL_EVENT,
  FILE_WRITTEN_EVENT,
  readOriginalPayload,
  readVersion,
  readWrittenPayload,
  sameVersion,
  sha256Hex,
  type FileVersion,
} from './undoRecords';

/**
 * Undo of what an agent's turns did to files. It restores only the files those turns recorded originals for
 * (never `git clean`, never a file the agent did not touch), and only while a file still has what the agent
 * left in it: a file the person (or anything else) changed since is a conflict the person decides about.
 */

/** 'turn': the turn a message belongs to; 'since': that turn and every later one on the branch shown. */
export type UndoScope = 'turn' | 'since';

/**
 * restore: write the original back; delete: a turn created the file; unchanged: it already is as before;
 * conflict: it changed since the agent wrote it (restoring would lose that change); missing-original: the kept
 * original is gone from the store, so there is nothing to restore from (reported, never guessed).
 */
export type UndoAction = 'restore' | 'delete' | 'unchanged' | 'conflict' | 'missing-original';

export interface UndoFile {
  path: string;
  action: UndoAction;
  /** One line for the person: why this action. */
  reason: string;
  /** What undoing writes back: the blob of the text before the turns, or null (a turn created it: delete it). */
  original: { hash: string; size: number } | null;
  /** The file when planned (apply checks it still is, right before touching it). */
  current: FileVersion;
}

export interface UndoPlan {
  sessionId: string;
  /** The message undo was asked for. */
  messageId: string;
  scope: UndoScope;
  /** The turns undone (their user messages' ids), oldest first. */
  turnIds: string[];
  /** Every file the turns touched, by path. */
  files: UndoFile[];
}

export interface BlobReader {
  get(hash: string): Promise<Uint8Array>;
}

export interface UndoReadDeps {
  events: Pick<EventsRepository, 'list'>;
  messages: Pick<MessagesRepository, 'get' | 'path'>;
  /** For the session's head: 'since' follows the branch the session shows, never another. */
  sessions: Pick<SessionsRepository, 'get'>;
  blobs: BlobReader;
  workspace: Pick<WorkspacePort, 'stat' | 'readText'>;
}

export interface UndoInput {
  sessionId: string;
  messageId: string;
  scope: UndoScope;
}

/** What the turns recorded about one path, over the range. */
interface Touched {
  path: string;
  /** From the earliest turn of the range that kept it; undefined when no turn did (nothing to restore from). */
  original: { hash: string; size: number } | null | undefined;
  /** The last write in the range; undefined when none was recorded (the write failed or never happened). */
  written: FileVersion | undefined;
  /** Versions that turns after the range wrote: a conflict then says a later turn changed it. */
  laterWrites: FileVersion[];
}

export async function planUndo(deps: UndoReadDeps, input: UndoInput): Promise<UndoPlan> {
  const { line, turnOf, first, end } = turnRange(deps, input);
  const turnIds = line.filter((message, index) => index >= first && index < end && message.role === 'user').map((m) => m.id);
  const touched = collectTouched(deps.events.list({ sessionId: input.sessionId }, { types: [FILE_ORIGINAL_EVENT, FILE_WRITTEN_EVENT] }), {
    turnOf,
    first,
    end,
  });
  const files: UndoFile[] = [];
  for (const entry of [...touched.values()].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))) {
    files.push(await classify(deps, entry));
  }
  return { sessionId: input.sessionId, messageId: input.messageId, scope: input.scope, turnIds, files };
}

/**
 * The branch the session shows (root..head), and for every message on it the index of the user message its turn
 * started with. The range is [first, end) in message indexes: from the message's turn to the next turn ('turn')
 * or to the head ('since').
 */
function turnRange(deps: UndoReadDeps, input: UndoInput): { line: Message[]; turnOf: Map<string, number>; first: number; end: number } {
  const message = deps.messages.get(input.messageId);
  if (message === undefined || message.sessionId !== input.sessionId) {
    throw new Error(`No message ${input.messageId} in session ${input.sessionId}`);
  }
  const head = deps.sessions.get(input.sessionId)?.headMessageId ?? null;
  const line = head === null ? [] : deps.messages.path(head);
  const at = line.findIndex((entry) => entry.id === input.messageId);
  if (at < 0) {
    // Undo acts on what the person sees; guessing which branch below another message was meant could restore
    // files from a conversation that is not on screen.
    throw new Error('That message is not on the branch the session shows: switch to its branch to undo it');
  }
  const turnOf = new Map<string, number>();
  let turn = -1;
  line.forEach((entry, index) => {
    if (entry.role === 'user') {
      turn = index;
    }
    if (turn >= 0) {
      turnOf.set(entry.id, turn);
    }
  });
  const first = turnOf.get(input.messageId);
  if (first === undefined) {
    throw new Error('That message belongs to no turn (there is no user message before it)');
  }
  const next = line.findIndex((entry, index) => index > first && entry.role === 'user');
  const end = input.scope === 'since' || next < 0 ? line.length : next;
  return { line, turnOf, first, end };
}

/**
 * Folds the file events of the turns on the line into one entry per path. Only events attached to a message of
 * the line whose turn is the one they name count: a branch not shown (another reply to the same message
 * included) is never undone, even though it has the same turn id.
 */
function collectTouched(events: StudioEvent[], range: { turnOf: Map<string, number>; first: number; end: number }): Map<string, Touched> {
  const located: { turn: number; order: number; event: StudioEvent }[] = [];
  events.forEach((event, order) => {
    const turn = event.messageId === null ? undefined : range.turnOf.get(event.messageId);
    if (turn !== undefined && turn >= range.first) {
      located.push({ turn, order, event });
    }
  });
  // Turn order first, then the order the log has: the earliest original of the range is the one to go back to.
  located.sort((a, b) => a.turn - b.turn || a.order - b.order);
  const touched = new Map<string, Touched>();
  const entryFor = (path: string): Touched => {
    let entry = touched.get(path);
    if (entry === undefined) {
      entry = { path, original: undefined, written: undefined, laterWrites: [] };
      touched.set(path, entry);
    }
    return entry;
  };
  for (const { turn, event } of located) {
    const inRange = turn < range.end;
    if (event.type === FILE_ORIGINAL_EVENT) {
      const payload = readOriginalPayload(event);
      if (payload === undefined || !turnMatches(range.turnOf, event, payload.turnId) || !inRange) {
        continue;
      }
      const entry = entryFor(payload.path);
      if (entry.original === undefined) {
        entry.original = payload.original && { hash: payload.original.hash, size: payload.original.size };
      }
    } else {
      const payload = readWrittenPayload(event);
      if (payload === undefined || !turnMatches(range.turnOf, event, payload.turnId)) {
        continue;
      }
      const version: FileVersion = payload.sha256 === null ? { kind: 'missing' } : { kind: 'file', sha256: payload.sha256 };
      if (inRange) {
        entryFor(payload.path).written = version;
      } else {
        touched.get(payload.path)?.laterWrites.push(version);
      }
    }
  }
  return touched;
}

function turnMatches(turnOf: Map<string, number>, event: StudioEvent, turnId: string): boolean {
  return event.messageId !== null && turnOf.get(event.messageId) === turnOf.get(turnId);
}

async function classify(deps: UndoReadDeps, entry: Touched): Promise<UndoFile> {
  const current = await readVersion(deps.workspace, entry.path);
  const file = (action: UndoAction, reason: string): UndoFile => ({
    path: entry.path,
    action,
    reason,
    original: entry.original ?? null,
    current,
  });
  if (entry.original === undefined) {
    return file('missing-original', 'no original of this file was kept, so there is nothing to restore it from');
  }
  let before: FileVersion = { kind: 'missing' };
  if (entry.original !== null) {
    try {
      before = { kind: 'file', sha256: sha256Hex(await deps.blobs.get(entry.original.hash)) };
    } catch (error) {
      return file('missing-original', `the kept original is gone: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  if (sameVersion(current, before)) {
    return file('unchanged', entry.original === null ? 'does not exist, as before the agent created it' : 'already has its content from before');
  }
  if (current.kind === 'other') {
    return file('conflict', 'is no longer a file (a folder?): left alone');
  }
  if (entry.written !== undefined && sameVersion(current, entry.written)) {
    if (entry.original === null) {
      return file('delete', 'the agent created it');
    }
    return file('restore', current.kind === 'missing' ? 'the agent deleted it' : 'the agent changed it');
  }
  return file('conflict', conflictReason(entry, current));
}

function conflictReason(entry: Touched, current: FileVersion): string {
  if (entry.laterWrites.some((version) => sameVersion(version, current))) {
    return 'a later turn changed it since; undoing from this turn on would include that turn';
  }
  if (entry.written === undefined) {
    return 'there is no record of what the agent wrote to it, so a change since cannot be ruled out';
  }
  return current.kind === 'missing' ? 'it was deleted since the agent changed it' : 'it was changed since the agent wrote it';
}
