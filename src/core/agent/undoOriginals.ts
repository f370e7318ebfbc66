import type { EventsRepository, NewEvent } from '../../db/repositories/events';
import type { StorePort } from '../../db/repositories/storePort';
import type { WorkspacePort } from '../tools/toolTypes';
import {
  FILE_ORIGINAL_EVENT,
  FILE_WRITTEN_EVENT,
  readContent,
  textSha256,
  type FileOriginalPayload,
  type FileWrittenPayload,
} from './undoRecords';

/** Where originals are kept: content-addressed and durable once `put` resolves (src/db/blobs.ts BlobStore). */
export interface BlobWriter {
  put(bytes: Uint8Array): Promise<{ hash: string; size: number }>;
}

export interface FileOriginalsDeps {
  store: StorePort;
  events: Pick<EventsRepository, 'within'>;
  blobs: BlobWriter;
  workspace: Pick<WorkspacePort, 'stat' | 'readText'>;
  sessionId: string;
  /** The id of the user message the turn started with. */
  turnId: string;
  /** The message being run when a file is kept (the tool message), which the events are attached to. */
  messageId: () => string;
}

/**
 * The originals of the files one turn changes, kept so the turn can be undone without touching anything else.
 * The tool loop awaits `keep(path)` before each write and calls `recordWritten` after it.
 */
export class FileOriginals {
  /** One keeping per path: concurrent calls for the same path share it, so there is one original per turn. */
  private readonly kept = new Map<string, Promise<void>>();

  constructor(private readonly deps: FileOriginalsDeps) {}

  /**
   * The first time in this turn: reads the file (a missing file is kept as null: the turn creates it), writes
   * its text to a blob and commits `tool.file.original`. Resolves once that is durable, so a crash right after
   * the tool writes still leaves the original behind. A failed keep is forgotten, so the next call tries again.
   */
  keep(path: string): Promise<void> {
    const pending = this.kept.get(path);
    if (pending !== undefined) {
      return pending;
    }
    const keeping = this.keepOnce(path);
    this.kept.set(path, keeping);
    void keeping.catch(() => {
      if (this.kept.get(path) === keeping) {
        this.kept.delete(path);
      }
    });
    return keeping;
  }

  /** Whether `keep(path)` was called in this turn (it may still be in progress). */
  has(path: string): boolean {
    return this.kept.has(path);
  }

  /** What the agent left in the file (null: it deleted it), so undo can tell a file the person edited since. */
  async recordWritten(path: string, text: string | null): Promise<void> {
    if (!this.kept.has(path)) {
      // Without an original the write could never be undone; the loop must keep before it writes.
      throw new Error(`recordWritten(${JSON.stringify(path)}) before keep(): the original of the file was not kept`);
    }
    const payload: FileWrittenPayload = { turnId: this.deps.turnId, path, sha256: text === null ? null : textSha256(text) };
    await this.commit({ type: FILE_WRITTEN_EVENT, payload: { ...payload } });
  }

  private async keepOnce(path: string): Promise<void> {
    const content = await readContent(this.deps.workspace, path);
    if (content.kind === 'other') {
      throw new Error(`${path} is not a file, so its original cannot be kept`);
    }
    let original: FileOriginalPayload['original'] = null;
    if (content.kind === 'file') {
      // The blob first: a committed event never points at a blob that is not on disk.
      const blob = await this.deps.blobs.put(new TextEncoder().encode(content.text));
      original = { type: 'blob', hash: blob.hash, mimeType: 'text/plain', size: blob.size };
    }
    const payload: FileOriginalPayload = { turnId: this.deps.turnId, path, original };
    await this.commit({ type: FILE_ORIGINAL_EVENT, payload: { ...payload, original: original && { ...original } } });
  }

  private async commit(event: Pick<NewEvent, 'type' | 'payload'>): Promise<void> {
    const messageId = this.deps.messageId();
    await this.deps.store.write((sql) => {
      this.deps.events.within(sql).append({ ...event, sessionId: this.deps.sessionId, messageId, text: '' });
    });
  }
}
