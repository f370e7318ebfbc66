import type { SqlWriter } from '../sql';
import type { Migration } from './migrations';

/**
 * Schema version 3: a message copied into another session (fork) remembers the message it was copied from.
 * The copy's reply footer (model, tokens, cost, latency) is the original call's; copying the call events instead
 * would have counted their cost twice in every spending roll-up, and would have shown calls in the fork's
 * Inspector that never happened there. Plain text, not a foreign key: deleting the original session must not
 * touch its forks (the footer then simply has nothing to show).
 */
export const v3MessageCopies: Migration = {
  version: 3,
  name: 'message copies',
  up(sql: SqlWriter): void {
    sql.run('ALTER TABLE messages ADD COLUMN copied_from TEXT');
  },
};
