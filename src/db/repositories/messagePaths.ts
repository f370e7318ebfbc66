import type { SqlReader } from '../sql';
import type { Message } from './messages';
import { messageColumns, selectMessage, toMessage, type MessageRow } from './messageWrites';
import { required } from './rows';

/**
 * Pieces of a conversation path, for views that show a long session a page at a time: the newest messages of a
 * path first, older ones as the reader scrolls up. Reading 10,000 messages to show 30 is what made opening a
 * long session slow; these read only what is asked for, through the primary key and `messages_by_parent`.
 */

/** A page of the path that ends at `fromId`: up to `limit` messages, root side first, `fromId` last. */
export function selectPathWindow(sql: SqlReader, fromId: string, limit: number): Message[] {
  required(selectMessage(sql, fromId), 'message', fromId);
  const columns = messageColumns.replace(/(^|, )/g, '$1m.');
  return sql
    .all<MessageRow>(
      `WITH RECURSIVE chain(id, depth) AS (
         SELECT ?, 0
         UNION ALL
         SELECT m.parent_id, chain.depth + 1 FROM messages m JOIN chain ON m.id = chain.id
         WHERE m.parent_id IS NOT NULL AND chain.depth + 1 < ?
       )
       SELECT ${columns} FROM chain JOIN messages m ON m.id = chain.id ORDER BY chain.depth DESC`,
      [fromId, Math.max(1, Math.floor(limit))],
    )
    .map(toMessage);
}

/**
 * How many steps `ancestorId` is above `fromId` on its path (0: the same message), or undefined when it is not
 * on that path. Walks ids only, so finding an old message in a long path costs no message bodies.
 */
export function pathDistance(sql: SqlReader, fromId: string, ancestorId: string): number | undefined {
  const row = sql.get<{ depth: number }>(
    `WITH RECURSIVE chain(id, depth) AS (
       SELECT ?, 0
       UNION ALL
       SELECT m.parent_id, chain.depth + 1 FROM messages m JOIN chain ON m.id = chain.id
       WHERE m.parent_id IS NOT NULL AND chain.id <> ?
     )
     SELECT depth FROM chain WHERE id = ?`,
    [fromId, ancestorId, ancestorId],
  );
  return row?.depth;
}

/**
 * The replies of each of these parents (null: the session's first messages), oldest first, for the parents
 * that have more than one: what a branch switcher needs ("2 of 3") without loading the other branches.
 */
export function selectSiblingIds(sql: SqlReader, sessionId: string, parentIds: readonly (string | null)[]): Map<string | null, string[]> {
  const siblings = new Map<string | null, string[]>();
  const ids = [...new Set(parentIds.filter((id): id is string => id !== null))];
  const rows: { id: string; parent_id: string | null }[] = [];
  if (parentIds.includes(null)) {
    rows.push(...sql.all<{ id: string; parent_id: null }>('SELECT id, parent_id FROM messages WHERE session_id = ? AND parent_id IS NULL ORDER BY created_at, seq', [sessionId]));
  }
  // Bounded batches: SQLite limits the number of bound parameters.
  for (let start = 0; start < ids.length; start += 500) {
    const batch = ids.slice(start, start + 500);
    rows.push(
      ...sql.all<{ id: string; parent_id: string }>(
        `SELECT id, parent_id FROM messages WHERE session_id = ? AND parent_id IN (${batch.map(() => '?').join(', ')}) ORDER BY created_at, seq`,
        [sessionId, ...batch],
      ),
    );
  }
  for (const row of rows) {
    const list = siblings.get(row.parent_id);
    if (list) {
      list.push(row.id);
    } else {
      siblings.set(row.parent_id, [row.id]);
    }
  }
  for (const [parentId, list] of siblings) {
    if (list.length < 2) {
      siblings.delete(parentId);
    }
  }
  return siblings;
}

/** For the copies among these messages (fork), the message each was copied from: where its footer comes from. */
export function selectCopySources(sql: SqlReader, messageIds: readonly string[]): Map<string, string> {
  const sources = new Map<string, string>();
  for (let start = 0; start < messageIds.length; start += 500) {
    const batch = messageIds.slice(start, start + 500);
    const rows = sql.all<{ id: string; copied_from: string }>(
      `SELECT id, copied_from FROM messages WHERE id IN (${batch.map(() => '?').join(', ')}) AND copied_from IS NOT NULL`,
      batch,
    );
    for (const row of rows) {
      sources.set(row.id, row.copied_from);
    }
  }
  return sources;
}
