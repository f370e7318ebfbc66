import type { Clock } from '../../core/ports';
import { createIdFactory } from '../ids';
import type { SqlReader, SqlWriter } from '../sql';
import { nowMs, NotFoundError, required } from './rows';
import type { StorePort } from './storePort';

export interface Session {
  id: string;
  /** null when the session has no agent, or its agent was deleted. */
  agentId: string | null;
  title: string;
  /** The leaf of the branch the session currently shows; null while it has no messages. */
  headMessageId: string | null;
  createdAt: number;
  /** Last activity: creation or the latest message. */
  updatedAt: number;
  archivedAt: number | null;
}

export interface NewSession {
  agentId?: string | null;
  title?: string;
}

export interface SessionListOptions {
  includeArchived?: boolean;
  agentId?: string;
  limit?: number;
  /** Leaves out the sessions runs carried out their tasks in (the Runs view lists those). */
  excludeRunSessions?: boolean;
}

interface SessionRow {
  id: string;
  agent_id: string | null;
  title: string;
  head_message_id: string | null;
  created_at: number;
  updated_at: number;
  archived_at: number | null;
}

export class SessionsRepository {
  constructor(
    private readonly store: StorePort,
    private readonly clock: Clock,
    private readonly newId: () => string = createIdFactory(clock),
  ) {}

  /** The same writes, synchronous, inside a transaction the caller holds, so several make one commit. */
  within(sql: SqlWriter): SessionWrites {
    return new SessionWrites(sql, this.clock, this.newId);
  }

  create(input: NewSession = {}): Promise<Session> {
    return this.store.write((sql) => this.within(sql).create(input));
  }

  /** Renaming is not activity: the session keeps its place in the list. */
  rename(id: string, title: string): Promise<Session> {
    return this.store.write((sql) => this.within(sql).rename(id, title));
  }

  archive(id: string): Promise<Session> {
    return this.store.write((sql) => this.within(sql).archive(id));
  }

  unarchive(id: string): Promise<Session> {
    return this.store.write((sql) => this.within(sql).unarchive(id));
  }

  /** Shows another branch: `messageId` (any message of this session) becomes the head. */
  setHead(id: string, messageId: string): Promise<Session> {
    return this.store.write((sql) => this.within(sql).setHead(id, messageId));
  }

  /** The agent the session's next messages go to (null: none). Not activity: the session keeps its place. */
  setAgent(id: string, agentId: string | null): Promise<Session> {
    return this.store.write((sql) => this.within(sql).setAgent(id, agentId));
  }

  /** Gives an untitled session a title; a session someone already named keeps its name. Returns whether it did. */
  nameIfUntitled(id: string, title: string): Promise<boolean> {
    return this.store.write((sql) => this.within(sql).nameIfUntitled(id, title));
  }

  /** Deletes the session with its messages and events (run items that used it keep their other data). */
  delete(id: string): Promise<void> {
    return this.store.write((sql) => this.within(sql).delete(id));
  }

  get(id: string): Session | undefined {
    return this.store.read((sql) => selectSession(sql, id));
  }

  /** Most recently active first. */
  list(options: SessionListOptions = {}): Session[] {
    const conditions: string[] = [];
    const params: (string | number)[] = [];
    if (!options.includeArchived) {
      conditions.push('archived_at IS NULL');
    }
    if (options.agentId !== undefined) {
      conditions.push('agent_id = ?');
      params.push(options.agentId);
    }
    if (options.excludeRunSessions) {
      conditions.push('NOT EXISTS (SELECT 1 FROM run_items WHERE run_items.session_id = sessions.id)');
    }
    const where = conditions.length > 0 ? `WHERE ${conditions.join(' AND ')}` : '';
    params.push(options.limit ?? -1);
    return this.store.read((sql) =>
      sql
        .all<SessionRow>(`SELECT * FROM sessions ${where} ORDER BY updated_at DESC, id DESC LIMIT ?`, params)
        .map(toSession),
    );
  }
}

export class SessionWrites {
  constructor(
    private readonly sql: SqlWriter,
    private readonly clock: Clock,
    private readonly newId: () => string,
  ) {}

  create(input: NewSession = {}): Session {
    const agentId = input.agentId ?? null;
    if (agentId !== null) {
      required(this.sql.get('SELECT 1 AS found FROM agents WHERE id = ?', [agentId]), 'agent', agentId);
    }
    const id = this.newId();
    const now = nowMs(this.clock);
    this.sql.run('INSERT INTO sessions (id, agent_id, title, created_at, updated_at) VALUES (?, ?, ?, ?, ?)', [
      id,
      agentId,
      input.title?.trim() ?? '',
      now,
      now,
    ]);
    return required(selectSession(this.sql, id), 'session', id);
  }

  rename(id: string, title: string): Session {
    return this.updateColumn(id, 'title', title.trim());
  }

  archive(id: string): Session {
    return this.updateColumn(id, 'archived_at', nowMs(this.clock));
  }

  unarchive(id: string): Session {
    return this.updateColumn(id, 'archived_at', null);
  }

  setHead(id: string, messageId: string): Session {
    required(selectSession(this.sql, id), 'session', id);
    const message = required(
      this.sql.get<{ session_id: string }>('SELECT session_id FROM messages WHERE id = ?', [messageId]),
      'message',
      messageId,
    );
    if (message.session_id !== id) {
      throw new Error(`Message ${messageId} belongs to session ${message.session_id}, not ${id}`);
    }
    return this.updateColumn(id, 'head_message_id', messageId);
  }

  setAgent(id: string, agentId: string | null): Session {
    if (agentId !== null) {
      required(this.sql.get('SELECT 1 AS found FROM agents WHERE id = ?', [agentId]), 'agent', agentId);
    }
    if (this.sql.run('UPDATE sessions SET agent_id = ? WHERE id = ?', [agentId, id]).changes === 0) {
      throw new NotFoundError('session', id);
    }
    return required(selectSession(this.sql, id), 'session', id);
  }

  /**
   * Sets the title only while it is empty, in the statement itself, so a rename another window committed first
   * wins. An empty title is what "not named yet" means: sessions are created with '' unless named.
   */
  nameIfUntitled(id: string, title: string): boolean {
    required(selectSession(this.sql, id), 'session', id);
    const trimmed = title.trim();
    if (trimmed === '') {
      return false;
    }
    return this.sql.run("UPDATE sessions SET title = ? WHERE id = ? AND title = ''", [trimmed, id]).changes > 0;
  }

  delete(id: string): void {
    if (this.sql.run('DELETE FROM sessions WHERE id = ?', [id]).changes === 0) {
      throw new NotFoundError('session', id);
    }
  }

  private updateColumn(
    id: string,
    column: 'title' | 'archived_at' | 'head_message_id',
    value: string | number | null,
  ): Session {
    // `column` is one of the literal names above, never user input.
    if (this.sql.run(`UPDATE sessions SET ${column} = ? WHERE id = ?`, [value, id]).changes === 0) {
      throw new NotFoundError('session', id);
    }
    return required(selectSession(this.sql, id), 'session', id);
  }
}

export function selectSession(sql: SqlReader, id: string): Session | undefined {
  const row = sql.get<SessionRow>('SELECT * FROM sessions WHERE id = ?', [id]);
  return row && toSession(row);
}

function toSession(row: SessionRow): Session {
  return {
    id: row.id,
    agentId: row.agent_id,
    title: row.title,
    headMessageId: row.head_message_id,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    archivedAt: row.archived_at,
  };
}
