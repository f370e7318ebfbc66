import type { SqlWriter } from '../sql';
import type { Migration } from './migrations';

/**
 * Schema version 1. Conventions, and why:
 * - STRICT tables: a wrong type (a fractional timestamp, a number where text belongs) fails at the write that
 *   made it instead of being stored and found much later.
 * - Ids are ULID text made in TypeScript (src/db/ids.ts); times are epoch milliseconds passed as parameters.
 *   Nothing here calls random(), datetime('now') or similar, because writes are journaled and replayed.
 * - JSON lives in TEXT columns guarded by json_valid(), so a replayed or hand-edited row cannot break parsing.
 * - Money is integer micro-dollars (cost) and micro-dollars per million tokens (prices): sums are exact, and
 *   one micro-dollar is far below what any price or UI shows.
 * - messages and events carry an INTEGER PRIMARY KEY `seq` next to their text id. It is the docid of their
 *   full-text index; VACUUM keeps explicit integer keys but may renumber implicit rowids, which would silently
 *   detach the index from its rows. `seq` is max+1 on insert, identical on every replica that replays the
 *   journal in the same order.
 * - A message's parent must be in the same session (composite foreign key). That key has no ON DELETE action on
 *   purpose: cascading through a deep reply chain would nest one level per message and hit SQLite's trigger
 *   depth limit, so subtrees are deleted by one statement (MessagesRepository.deleteSubtree).
 * - Deleting an agent keeps its sessions and runs (their agent columns become NULL): history is never dropped
 *   as a side effect of tidying the agent list.
 */
const statements: readonly string[] = [
  `CREATE TABLE agents (
    id TEXT NOT NULL PRIMARY KEY,
    name TEXT NOT NULL CHECK (length(trim(name)) > 0),
    current_version_id TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    archived_at INTEGER,
    -- Deferred so an agent and its first version can be inserted in either order within one transaction.
    FOREIGN KEY (id, current_version_id) REFERENCES agent_versions (agent_id, id) DEFERRABLE INITIALLY DEFERRED
  ) STRICT`,
  `CREATE TABLE agent_versions (
    id TEXT NOT NULL PRIMARY KEY,
    agent_id TEXT NOT NULL REFERENCES agents (id) ON DELETE CASCADE,
    version INTEGER NOT NULL CHECK (version >= 1),
    provider TEXT NOT NULL,
    model TEXT NOT NULL,
    system_prompt TEXT NOT NULL,
    params TEXT NOT NULL CHECK (json_valid(params) AND json_type(params) = 'object'),
    tools TEXT NOT NULL CHECK (json_valid(tools) AND json_type(tools) = 'array'),
    created_at INTEGER NOT NULL,
    UNIQUE (agent_id, version),
    UNIQUE (agent_id, id)
  ) STRICT`,

  `CREATE TABLE sessions (
    id TEXT NOT NULL PRIMARY KEY,
    agent_id TEXT REFERENCES agents (id) ON DELETE SET NULL,
    title TEXT NOT NULL,
    head_message_id TEXT REFERENCES messages (id) ON DELETE SET NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    archived_at INTEGER
  ) STRICT`,
  'CREATE INDEX sessions_by_updated ON sessions (updated_at DESC)',
  'CREATE INDEX sessions_by_agent ON sessions (agent_id)',
  'CREATE INDEX sessions_by_head ON sessions (head_message_id)',

  `CREATE TABLE messages (
    seq INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    session_id TEXT NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    parent_id TEXT,
    role TEXT NOT NULL CHECK (role IN ('system', 'user', 'assistant', 'tool')),
    content TEXT NOT NULL CHECK (json_valid(content) AND json_type(content) = 'array'),
    text TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('streaming', 'complete', 'incomplete', 'cancelled', 'error')),
    agent_version_id TEXT REFERENCES agent_versions (id) ON DELETE SET NULL,
    model TEXT,
    error TEXT CHECK (error IS NULL OR json_valid(error)),
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    UNIQUE (session_id, id),
    FOREIGN KEY (session_id, parent_id) REFERENCES messages (session_id, id)
  ) STRICT`,
  'CREATE INDEX messages_by_parent ON messages (session_id, parent_id, created_at)',
  'CREATE INDEX messages_by_agent_version ON messages (agent_version_id)',

  `CREATE TABLE runs (
    id TEXT NOT NULL PRIMARY KEY,
    agent_id TEXT REFERENCES agents (id) ON DELETE SET NULL,
    agent_version_id TEXT REFERENCES agent_versions (id) ON DELETE SET NULL,
    status TEXT NOT NULL CHECK (status IN ('queued', 'running', 'waiting', 'completed', 'failed', 'cancelled')),
    task TEXT NOT NULL,
    budget TEXT CHECK (budget IS NULL OR (json_valid(budget) AND json_type(budget) = 'object')),
    error TEXT CHECK (error IS NULL OR json_valid(error)),
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    started_at INTEGER,
    ended_at INTEGER
  ) STRICT`,
  'CREATE INDEX runs_by_created ON runs (created_at DESC)',
  'CREATE INDEX runs_by_agent ON runs (agent_id)',
  'CREATE INDEX runs_by_agent_version ON runs (agent_version_id)',

  `CREATE TABLE run_items (
    id TEXT NOT NULL PRIMARY KEY,
    run_id TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    position INTEGER NOT NULL CHECK (position >= 0),
    input TEXT NOT NULL CHECK (json_valid(input)),
    status TEXT NOT NULL CHECK (status IN ('queued', 'running', 'completed', 'failed', 'cancelled', 'skipped')),
    output TEXT CHECK (output IS NULL OR json_valid(output)),
    session_id TEXT REFERENCES sessions (id) ON DELETE SET NULL,
    error TEXT CHECK (error IS NULL OR json_valid(error)),
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    started_at INTEGER,
    ended_at INTEGER,
    UNIQUE (run_id, position)
  ) STRICT`,
  'CREATE INDEX run_items_by_session ON run_items (session_id)',

  // An event belongs to a session, a run, or both (a batch item's chat is a session inside a run).
  `CREATE TABLE events (
    seq INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    session_id TEXT REFERENCES sessions (id) ON DELETE CASCADE,
    run_id TEXT REFERENCES runs (id) ON DELETE CASCADE,
    parent_event_id TEXT REFERENCES events (id) ON DELETE SET NULL,
    message_id TEXT REFERENCES messages (id) ON DELETE SET NULL,
    type TEXT NOT NULL CHECK (type GLOB '[a-z]*'),
    started_at INTEGER NOT NULL,
    ended_at INTEGER CHECK (ended_at IS NULL OR ended_at >= started_at),
    duration_ms INTEGER CHECK (duration_ms IS NULL OR duration_ms >= 0),
    tokens_in INTEGER CHECK (tokens_in IS NULL OR tokens_in >= 0),
    tokens_out INTEGER CHECK (tokens_out IS NULL OR tokens_out >= 0),
    tokens_cache_read INTEGER CHECK (tokens_cache_read IS NULL OR tokens_cache_read >= 0),
    tokens_cache_write INTEGER CHECK (tokens_cache_write IS NULL OR tokens_cache_write >= 0),
    tokens_reasoning INTEGER CHECK (tokens_reasoning IS NULL OR tokens_reasoning >= 0),
    cost_micro_usd INTEGER CHECK (cost_micro_usd IS NULL OR cost_micro_usd >= 0),
    model TEXT,
    payload TEXT NOT NULL CHECK (json_valid(payload)),
    text TEXT NOT NULL,
    CHECK (session_id IS NOT NULL OR run_id IS NOT NULL)
  ) STRICT`,
  'CREATE INDEX events_by_session ON events (session_id, started_at)',
  'CREATE INDEX events_by_run ON events (run_id, started_at)',
  'CREATE INDEX events_by_parent ON events (parent_event_id)',
  'CREATE INDEX events_by_message ON events (message_id)',

  `CREATE TABLE settings (
    key TEXT NOT NULL PRIMARY KEY,
    value TEXT NOT NULL CHECK (json_valid(value)),
    updated_at INTEGER NOT NULL
  ) STRICT, WITHOUT ROWID`,

  // NULL cache prices mean the provider does not price cache tokens separately (they cost the input price).
  `CREATE TABLE prices (
    provider TEXT NOT NULL,
    model TEXT NOT NULL,
    effective_from INTEGER NOT NULL,
    input_micro_usd_per_mtok INTEGER NOT NULL CHECK (input_micro_usd_per_mtok >= 0),
    output_micro_usd_per_mtok INTEGER NOT NULL CHECK (output_micro_usd_per_mtok >= 0),
    cache_read_micro_usd_per_mtok INTEGER CHECK (cache_read_micro_usd_per_mtok >= 0),
    cache_write_micro_usd_per_mtok INTEGER CHECK (cache_write_micro_usd_per_mtok >= 0),
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (provider, model, effective_from)
  ) STRICT, WITHOUT ROWID`,

  // Which rows point at which content-addressed blob files; a file whose hash appears nowhere here is an orphan.
  `CREATE TABLE blob_refs (
    hash TEXT NOT NULL CHECK (length(hash) > 0),
    owner_table TEXT NOT NULL CHECK (owner_table IN ('messages', 'events')),
    owner_id TEXT NOT NULL,
    PRIMARY KEY (hash, owner_table, owner_id)
  ) STRICT, WITHOUT ROWID`,
  'CREATE INDEX blob_refs_by_owner ON blob_refs (owner_table, owner_id)',

  ...fullTextIndex('messages'),
  ...fullTextIndex('events'),
  ...blobRefTriggers('messages', 'content'),
  ...blobRefTriggers('events', 'payload'),
];

/**
 * An external-content FTS4 index over `table.text` (the text is stored once, in the table), kept in step by
 * triggers so it changes in the same transaction as its row, and again identically when the journal is
 * replayed. Rows with empty text are left out of the index; the insert and delete sides use the same condition,
 * because deleting a never-indexed row from an external-content index would corrupt its statistics.
 */
function fullTextIndex(table: 'messages' | 'events'): string[] {
  const fts = `${table}_fts`;
  return [
    `CREATE VIRTUAL TABLE ${fts} USING fts4 (content="${table}", text, tokenize=unicode61 "remove_diacritics=2")`,
    `CREATE TRIGGER ${fts}_after_insert AFTER INSERT ON ${table} WHEN new.text <> '' BEGIN
      INSERT INTO ${fts} (docid, text) VALUES (new.seq, new.text);
    END`,
    // BEFORE, while the old text is still in the table: an external-content index reads it to un-index it.
    `CREATE TRIGGER ${fts}_before_update BEFORE UPDATE OF text ON ${table} WHEN old.text <> '' BEGIN
      DELETE FROM ${fts} WHERE docid = old.seq;
    END`,
    `CREATE TRIGGER ${fts}_after_update AFTER UPDATE OF text ON ${table} WHEN new.text <> '' BEGIN
      INSERT INTO ${fts} (docid, text) VALUES (new.seq, new.text);
    END`,
    `CREATE TRIGGER ${fts}_before_delete BEFORE DELETE ON ${table} WHEN old.text <> '' BEGIN
      DELETE FROM ${fts} WHERE docid = old.seq;
    END`,
  ];
}

/**
 * Records every JSON object `{"type": "blob", "hash": "..."}` found anywhere in a row's JSON column. The instr()
 * term does not depend on the walk, so SQLite tests it once up front and skips the JSON walk for the (common)
 * rows without blobs.
 */
function blobRefTriggers(table: 'messages' | 'events', column: 'content' | 'payload'): string[] {
  const insertRefs = `INSERT OR IGNORE INTO blob_refs (hash, owner_table, owner_id)
      SELECT json_extract(value, '$.hash'), '${table}', new.id FROM json_tree(new.${column})
      WHERE instr(new.${column}, '"blob"') > 0
        AND type = 'object' AND json_extract(value, '$.type') = 'blob' AND json_type(value, '$.hash') = 'text';`;
  const deleteRefs = `DELETE FROM blob_refs WHERE owner_table = '${table}' AND owner_id = old.id;`;
  return [
    `CREATE TRIGGER ${table}_blob_refs_after_insert AFTER INSERT ON ${table} BEGIN ${insertRefs} END`,
    `CREATE TRIGGER ${table}_blob_refs_after_update AFTER UPDATE OF ${column} ON ${table} BEGIN
      ${deleteRefs}
      ${insertRefs}
    END`,
    `CREATE TRIGGER ${table}_blob_refs_after_delete AFTER DELETE ON ${table} BEGIN ${deleteRefs} END`,
  ];
}

export const v1Initial: Migration = {
  version: 1,
  name: 'initial schema',
  up(sql: SqlWriter): void {
    // One statement per run(): sql.js runs only the first statement of a parameterised call.
    for (const statement of statements) {
      sql.run(statement);
    }
  },
};
