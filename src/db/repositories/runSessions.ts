import type { StorePort } from './storePort';

/**
 * The two look-ups the chat panel's run header needs that no other repository answers: which run a session
 * belongs to (through the run_items_by_session index), and the first message of the path the session shows
 * (walked up from its head by id only, so a long run's messages are not all parsed for one id).
 */
export class RunSessionReads {
  constructor(private readonly store: Pick<StorePort, 'read'>) {}

  /** The run one of whose items works in this session; undefined for an ordinary chat. */
  runOf(sessionId: string): string | undefined {
    return this.store.read((sql) => sql.get<{ runId: string }>('SELECT run_id AS runId FROM run_items WHERE session_id = ? LIMIT 1', [sessionId]))?.runId;
  }

  /** The root of the path from the session's head: the run's task when it is a user message. */
  firstUserMessageOf(sessionId: string): string | undefined {
    return this.store.read(
      (sql) =>
        sql.get<{ id: string }>(
          `WITH RECURSIVE chain(id, parent_id, role) AS (
             SELECT m.id, m.parent_id, m.role FROM sessions s JOIN messages m ON m.id = s.head_message_id WHERE s.id = ?
             UNION ALL
             SELECT m.id, m.parent_id, m.role FROM messages m JOIN chain ON m.id = chain.parent_id
           )
           SELECT id FROM chain WHERE parent_id IS NULL AND role = 'user'`,
          [sessionId],
        )?.id,
    );
  }
}
