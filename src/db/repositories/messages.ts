import type { Clock } from '../../core/ports';
import { createIdFactory } from '../ids';
import type { SqlWriter } from '../sql';
import {
  MessageWrites,
  messageColumns,
  selectChildren,
  selectMessage,
  selectPath,
  selectWithStatus,
  toMessage,
  type MessageRow,
} from './messageWrites';
import { pathDistance, selectCopySources, selectPathWindow, selectSiblingIds } from './messagePaths';
import { required, type JsonValue } from './rows';
import type { StorePort } from './storePort';

export type MessageRole = 'system' | 'user' | 'assistant' | 'tool';
/** `streaming` while a reply is being written; `incomplete` when it stopped without finishing (crash, cut stream). */
export type MessageStatus = 'streaming' | 'complete' | 'incomplete' | 'cancelled' | 'error';

/**
 * One part of a message. Large payloads are stored beside the database as content-addressed files and referenced
 * by a blob part; any `{type: 'blob', hash}` object, also nested inside a tool result, is recorded in blob_refs.
 */
export type ContentPart =
  | { type: 'text'; text: string }
  /**
   * Reasoning the model showed. `signature` (an Anthropic thinking block's, a Gemini thought's) and `redacted`
   * (Anthropic's encrypted redacted_thinking) go back unchanged to the provider `origin` with a tool turn.
   */
  | { type: 'reasoning'; text: string; signature?: string; redacted?: string; origin?: string }
  /** A call the model made; `signature`: Gemini's thoughtSignature on it, for the provider `origin` only. */
  | { type: 'tool_call'; id: string; name: string; arguments: JsonValue; signature?: string; origin?: string }
  | { type: 'tool_result'; callId: string; output: JsonValue; isError?: boolean }
  /**
   * A `tool` message's record of one call as the person sees it (state, summary, who decided, the result's
   * details); the durable trail of each step is in the tool.call.* events. Never sent to a provider.
   */
  | { type: 'tool_step'; callId: string; name: string; summary: string; state: ToolStepState; decidedBy?: 'policy' | 'person' | 'session'; details?: JsonValue; durationMs?: number }
  | { type: 'blob'; hash: string; mimeType: string; size: number; name?: string };

export type ToolStepState = 'pending' | 'awaiting_approval' | 'running' | 'completed' | 'failed' | 'denied' | 'interrupted';

export interface Message {
  id: string;
  sessionId: string;
  /** null for a first message; several messages with the same parent are branches. */
  parentId: string | null;
  role: MessageRole;
  content: ContentPart[];
  status: MessageStatus;
  agentVersionId: string | null;
  model: string | null;
  error: JsonValue | null;
  createdAt: number;
  updatedAt: number;
}

export interface NewMessage {
  role: MessageRole;
  content: readonly ContentPart[];
  status?: MessageStatus;
  agentVersionId?: string | null;
  model?: string | null;
  error?: JsonValue | null;
}

export interface MessageChanges {
  content?: readonly ContentPart[];
  status?: MessageStatus;
  model?: string | null;
  error?: JsonValue | null;
}

/** Messages form a tree per session: branching and edit-and-resend add children and never delete anything. */
export class MessagesRepository {
  constructor(
    private readonly store: StorePort,
    private readonly clock: Clock,
    private readonly newId: () => string = createIdFactory(clock),
  ) {}

  /** The same writes, synchronous, inside a transaction the caller holds, so several make one commit. */
  within(sql: SqlWriter): MessageWrites {
    return new MessageWrites(sql, this.clock, this.newId);
  }

  /** Adds a reply to `parentId` (null: a first message) and makes it the session's head. */
  append(sessionId: string, parentId: string | null, input: NewMessage): Promise<Message> {
    return this.store.write((sql) => this.within(sql).append(sessionId, parentId, input));
  }

  /** A new branch beside `siblingId`: another child of the same parent (edit-and-resend, retry). */
  branch(siblingId: string, input: NewMessage): Promise<Message> {
    return this.store.write((sql) => this.within(sql).branch(siblingId, input));
  }

  /** Changes a message in place, typically one being streamed: more content, then its final status. */
  update(id: string, changes: MessageChanges): Promise<Message> {
    return this.store.write((sql) => this.within(sql).update(id, changes));
  }

  /** Copies the path root..`leafId` into another session with new ids (fork); see MessageWrites.copyPath. */
  copyPath(leafId: string, targetSessionId: string): Promise<Message[]> {
    return this.store.write((sql) => this.within(sql).copyPath(leafId, targetSessionId));
  }

  /** Deletes a message and its replies; the session's head moves up if it was among them. */
  deleteSubtree(id: string): Promise<number> {
    return this.store.write((sql) => this.within(sql).deleteSubtree(id));
  }

  get(id: string): Message | undefined {
    return this.store.read((sql) => selectMessage(sql, id));
  }

  /** The conversation that leads to `leafId`: root first, `leafId` last. */
  path(leafId: string): Message[] {
    return this.store.read((sql) => selectPath(sql, leafId));
  }

  /** Up to `limit` messages of the path that ends at `fromId`, root side first (a page of a long path). */
  pathWindow(fromId: string, limit: number): Message[] {
    return this.store.read((sql) => selectPathWindow(sql, fromId, limit));
  }

  /** Steps from `fromId` up to `ancestorId` (0: the same), or undefined when it is not on that path. */
  pathDistance(fromId: string, ancestorId: string): number | undefined {
    return this.store.read((sql) => pathDistance(sql, fromId, ancestorId));
  }

  /** For each of these parents with more than one reply, the replies' ids, oldest first. */
  siblingIds(sessionId: string, parentIds: readonly (string | null)[]): Map<string | null, string[]> {
    return this.store.read((sql) => selectSiblingIds(sql, sessionId, parentIds));
  }

  /** For the copies (fork) among these messages, the message each was copied from. */
  copySources(messageIds: readonly string[]): Map<string, string> {
    return this.store.read((sql) => selectCopySources(sql, messageIds));
  }

  /** Direct replies to a message, oldest first. */
  children(id: string): Message[] {
    return this.store.read((sql) => {
      const message = required(selectMessage(sql, id), 'message', id);
      return selectChildren(sql, message.sessionId, id);
    });
  }

  /** The message and its branch siblings (same parent), oldest first. */
  siblings(id: string): Message[] {
    return this.store.read((sql) => {
      const message = required(selectMessage(sql, id), 'message', id);
      return selectChildren(sql, message.sessionId, message.parentId);
    });
  }

  /** Every message of a session in creation order; a UI builds the tree from parentId. */
  listBySession(sessionId: string): Message[] {
    return this.store.read((sql) =>
      sql
        .all<MessageRow>(`SELECT ${messageColumns} FROM messages WHERE session_id = ? ORDER BY created_at, seq`, [
          sessionId,
        ])
        .map(toMessage),
    );
  }

  /** Every message with this status, across sessions, oldest first (e.g. replies left streaming by a crash). */
  listWithStatus(status: MessageStatus): Message[] {
    return this.store.read((sql) => selectWithStatus(sql, status));
  }

  /** The end of the newest line of replies under `id` (itself if none): where to go when picking a branch. */
  latestLeaf(id: string): Message {
    return this.store.read((sql) => {
      let current = required(selectMessage(sql, id), 'message', id);
      for (;;) {
        const next = selectChildren(sql, current.sessionId, current.id).at(-1);
        if (next === undefined) {
          return current;
        }
        current = next;
      }
    });
  }
}
