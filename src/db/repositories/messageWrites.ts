import type { Clock } from '../../core/ports';
import type { SqlReader, SqlWriter } from '../sql';
import type { ContentPart, Message, MessageChanges, MessageRole, MessageStatus, NewMessage } from './messages';
import { fromJson, fromJsonOrNull, nowMs, required, toJson, toJsonOrNull } from './rows';

/**
 * The message writes, synchronous, inside a transaction the caller holds: `MessagesRepository.within(sql)`.
 * Also the row mapping the repository's reads share.
 */
export class MessageWrites {
  constructor(
    private readonly sql: SqlWriter,
    private readonly clock: Clock,
    private readonly newId: () => string,
  ) {}

  /** Adds a reply to `parentId` (null: a first message) and makes it the session's head. */
  append(sessionId: string, parentId: string | null, input: NewMessage): Message {
    checkNew(input);
    required(this.sql.get('SELECT 1 AS found FROM sessions WHERE id = ?', [sessionId]), 'session', sessionId);
    if (parentId !== null) {
      const parent = required(this.sql.get<{ session_id: string }>('SELECT session_id FROM messages WHERE id = ?', [parentId]), 'message', parentId);
      if (parent.session_id !== sessionId) {
        throw new Error(`Parent message ${parentId} belongs to session ${parent.session_id}, not ${sessionId}`);
      }
    }
    return this.insert(sessionId, parentId, input);
  }

  /** A new branch beside `siblingId`: another child of the same parent (edit-and-resend, retry). */
  branch(siblingId: string, input: NewMessage): Message {
    checkNew(input);
    const sibling = required(selectMessage(this.sql, siblingId), 'message', siblingId);
    return this.insert(sibling.sessionId, sibling.parentId, input);
  }

  /** Changes a message in place, typically one being streamed: more content, then its final status. */
  update(id: string, changes: MessageChanges): Message {
    if (changes.content !== undefined) {
      checkContent(changes.content);
    }
    if (changes.status !== undefined) {
      checkStatus(changes.status);
    }
    // A streamed reply or a tool message is rewritten many times per turn, its content up to tens of kilobytes:
    // the row is read without the content it replaces, and the message returned is built from what was written
    // rather than read back (one JSON parse per update instead of two).
    const row = required(
      this.sql.get<Omit<MessageRow, 'content'> & { content?: string }>(
        `SELECT ${changes.content === undefined ? messageColumns : columnsWithoutContent} FROM messages WHERE id = ?`,
        [id],
      ),
      'message',
      id,
    );
    const now = nowMs(this.clock);
    const content = changes.content === undefined ? row.content! : toJson(changes.content, 'content');
    const error = changes.error === undefined ? row.error : toJsonOrNull(changes.error, 'error');
    const status = changes.status ?? row.status;
    const model = changes.model === undefined ? row.model : changes.model;
    // Only the columns that change are written, so the search triggers run only when the text does.
    const sets = ['updated_at = ?'];
    const params: (string | number | null)[] = [now];
    if (changes.content !== undefined) {
      sets.push('content = ?', 'text = ?');
      params.push(content, messageText(changes.content));
    }
    if (changes.status !== undefined) {
      sets.push('status = ?');
      params.push(status);
    }
    if (changes.model !== undefined) {
      sets.push('model = ?');
      params.push(model);
    }
    if (changes.error !== undefined) {
      sets.push('error = ?');
      params.push(error);
    }
    this.sql.run(`UPDATE messages SET ${sets.join(', ')} WHERE id = ?`, [...params, id]);
    return toMessage({ ...row, content, status, model, error, updated_at: now });
  }

  /**
   * Deletes a message and every reply below it, in one statement; returns how many were deleted. If the
   * session's head was in that subtree, the head moves to the deleted message's parent.
   */
  deleteSubtree(id: string): number {
    const message = required(selectMessage(this.sql, id), 'message', id);
    const head = this.sql.get<{ head: string | null }>('SELECT head_message_id AS head FROM sessions WHERE id = ?', [
      message.sessionId,
    ])?.head;
    const headInSubtree =
      typeof head === 'string' &&
      this.sql.get(`${subtree} SELECT 1 AS found FROM sub WHERE id = ?3`, [message.sessionId, id, head]) !== undefined;
    const { changes } = this.sql.run(`DELETE FROM messages WHERE id IN (${subtree} SELECT id FROM sub)`, [
      message.sessionId,
      id,
    ]);
    if (headInSubtree) {
      this.sql.run('UPDATE sessions SET head_message_id = ? WHERE id = ?', [message.parentId, message.sessionId]);
    }
    return changes;
  }

  /**
   * Copies the conversation that leads to `leafId` (root first) into `targetSessionId`, as a new first line of
   * messages with new ids: what "fork to a new session" needs. Contents, statuses, models and times are kept, so
   * the copy reads like the original; a reply still streaming is copied as incomplete, because nothing will ever
   * finish the copy. The last copy becomes the target session's head. Returns the copies, root first.
   */
  copyPath(leafId: string, targetSessionId: string): Message[] {
    required(this.sql.get('SELECT 1 AS found FROM sessions WHERE id = ?', [targetSessionId]), 'session', targetSessionId);
    const copies: Message[] = [];
    let parentId: string | null = null;
    for (const original of selectPath(this.sql, leafId)) {
      const id = this.newId();
      this.sql.run(`INSERT INTO messages (${messageColumns}, text) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, [
        id,
        targetSessionId,
        parentId,
        original.role,
        toJson(original.content, 'content'),
        original.status === 'streaming' ? 'incomplete' : original.status,
        original.agentVersionId,
        original.model,
        toJsonOrNull(original.error, 'error'),
        original.createdAt,
        original.updatedAt,
        messageText(original.content),
      ]);
      // The message whose call produced it, through copies of copies: where the copy's footer comes from.
      this.sql.run('UPDATE messages SET copied_from = (SELECT coalesce(copied_from, id) FROM messages WHERE id = ?) WHERE id = ?', [original.id, id]);
      copies.push(required(selectMessage(this.sql, id), 'message', id));
      parentId = id;
    }
    if (parentId !== null) {
      this.sql.run('UPDATE sessions SET head_message_id = ?, updated_at = max(updated_at, ?) WHERE id = ?', [
        parentId,
        nowMs(this.clock),
        targetSessionId,
      ]);
    }
    return copies;
  }

  private insert(sessionId: string, parentId: string | null, input: NewMessage): Message {
    const id = this.newId();
    const now = nowMs(this.clock);
    const row: MessageRow = {
      id,
      session_id: sessionId,
      parent_id: parentId,
      role: input.role,
      content: toJson(input.content, 'content'),
      status: input.status ?? 'complete',
      agent_version_id: input.agentVersionId ?? null,
      model: input.model ?? null,
      error: toJsonOrNull(input.error, 'error'),
      created_at: now,
      updated_at: now,
    };
    this.sql.run(`INSERT INTO messages (${messageColumns}, text) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, [
      ...messageColumnList.map((column) => row[column]),
      messageText(input.content),
    ]);
    this.sql.run('UPDATE sessions SET head_message_id = ?, updated_at = max(updated_at, ?) WHERE id = ?', [
      id,
      now,
      sessionId,
    ]);
    // The message as written, not read back (a turn appends one per step).
    return toMessage(row);
  }
}

/**
 * The searchable text of a message: its text parts and string tool results. Reasoning is left out on purpose:
 * it is long, and matches in it would bury matches in what was actually said.
 */
export function messageText(content: readonly ContentPart[]): string {
  const texts: string[] = [];
  for (const part of content) {
    if (part.type === 'text') {
      texts.push(part.text);
    } else if (part.type === 'tool_result' && typeof part.output === 'string') {
      texts.push(part.output);
    }
  }
  return texts.join('\n');
}

export interface MessageRow {
  id: string;
  session_id: string;
  parent_id: string | null;
  role: MessageRole;
  content: string;
  status: MessageStatus;
  agent_version_id: string | null;
  model: string | null;
  error: string | null;
  created_at: number;
  updated_at: number;
}

export const messageColumns =
  'id, session_id, parent_id, role, content, status, agent_version_id, model, error, created_at, updated_at';
const columnsWithoutContent = messageColumns.replace('content, ', '');
const messageColumnList = messageColumns.split(', ') as (keyof MessageRow)[];

/** `WITH sub(id)`: the message bound to ?2 and all its descendants in session ?1. */
const subtree = `WITH RECURSIVE sub(id) AS (
    SELECT ?2
    UNION ALL
    SELECT m.id FROM messages m JOIN sub ON m.session_id = ?1 AND m.parent_id = sub.id
  )`;

export function selectMessage(sql: SqlReader, id: string): Message | undefined {
  const row = sql.get<MessageRow>(`SELECT ${messageColumns} FROM messages WHERE id = ?`, [id]);
  return row && toMessage(row);
}

export function selectChildren(sql: SqlReader, sessionId: string, parentId: string | null): Message[] {
  return sql
    .all<MessageRow>(
      `SELECT ${messageColumns} FROM messages WHERE session_id = ? AND parent_id IS ? ORDER BY created_at, seq`,
      [sessionId, parentId],
    )
    .map(toMessage);
}

/** The conversation that leads to `leafId`: root first, `leafId` last. */
export function selectPath(sql: SqlReader, leafId: string): Message[] {
  required(selectMessage(sql, leafId), 'message', leafId);
  const columns = messageColumns.replace(/(^|, )/g, '$1m.');
  return sql
    .all<MessageRow>(
      `WITH RECURSIVE chain(id, depth) AS (
         SELECT ?, 0
         UNION ALL
         SELECT m.parent_id, chain.depth + 1 FROM messages m JOIN chain ON m.id = chain.id
         WHERE m.parent_id IS NOT NULL
       )
       SELECT ${columns} FROM chain JOIN messages m ON m.id = chain.id ORDER BY chain.depth DESC`,
      [leafId],
    )
    .map(toMessage);
}

/** Every message with this status, across sessions, oldest first (e.g. replies left streaming by a crash). */
export function selectWithStatus(sql: SqlReader, status: MessageStatus): Message[] {
  return sql
    .all<MessageRow>(`SELECT ${messageColumns} FROM messages WHERE status = ? ORDER BY created_at, seq`, [status])
    .map(toMessage);
}

export function toMessage(row: MessageRow): Message {
  return {
    id: row.id,
    sessionId: row.session_id,
    parentId: row.parent_id,
    role: row.role,
    content: fromJson<ContentPart[]>(row.content),
    status: row.status,
    agentVersionId: row.agent_version_id,
    model: row.model,
    error: fromJsonOrNull(row.error),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

const roles: readonly string[] = ['system', 'user', 'assistant', 'tool'];
const statuses: readonly string[] = ['streaming', 'complete', 'incomplete', 'cancelled', 'error'];

function checkNew(input: NewMessage): void {
  if (!roles.includes(input.role)) {
    throw new Error(`Unknown message role ${JSON.stringify(input.role)}`);
  }
  checkContent(input.content);
  if (input.status !== undefined) {
    checkStatus(input.status);
  }
}

function checkContent(content: readonly ContentPart[]): void {
  if (!Array.isArray(content)) {
    throw new Error('Message content must be an array of parts');
  }
}

function checkStatus(status: string): void {
  if (!statuses.includes(status)) {
    throw new Error(`Unknown message status ${JSON.stringify(status)}`);
  }
}
