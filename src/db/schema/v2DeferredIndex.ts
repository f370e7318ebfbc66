import type { SqlWriter } from '../sql';
import type { Migration } from './migrations';

/**
 * Schema version 2: full-text indexing moves out of the commit. FTS4 merges its index segments inside the
 * INSERT that fills a level, and at a few hundred MB one such merge takes most of a second; with the index
 * written by triggers, that second landed in an ordinary commit (bench:storage measured p99 13 ms and stalls of
 * 0.7 s at 200 MB). Now the triggers only queue the row in `fts_pending`, and `indexPendingText`
 * (src/db/textIndex.ts) indexes the queue in batches: when the window is idle, before every search, and on the
 * checkpoint worker before the snapshot is written.
 *
 * The invariant: a row with non-empty text is either in its index or in the queue, never both. Each index's
 * external content is a view of exactly its indexed rows (not the table), so that
 *  - un-indexing, which for an external-content index reads the old text, happens only for rows not queued;
 *  - `PRAGMA integrity_check`, which compares an FTS4 index with its content (the store runs it on files it
 *    cannot verify by checksum), holds while rows are queued.
 * Indexing is a physical detail of each connection and is not journaled: every replica queues the same rows and
 * indexes them on its own schedule. Upgrading queues every existing row instead of rebuilding in the commit.
 */
const tables = ['messages', 'events'] as const;

function statementsFor(table: (typeof tables)[number]): string[] {
  const fts = `${table}_fts`;
  const queued = (row: string) => `EXISTS (SELECT 1 FROM fts_pending WHERE tbl = '${table}' AND docid = ${row}.seq)`;
  return [
    ...['after_insert', 'before_update', 'after_update', 'before_delete'].map((name) => `DROP TRIGGER ${fts}_${name}`),
    `DROP TABLE ${fts}`,
    `CREATE VIEW ${table}_indexed AS SELECT seq AS rowid, text FROM ${table} WHERE text <> '' AND NOT ${queued(table)}`,
    `CREATE VIRTUAL TABLE ${fts} USING fts4 (content="${table}_indexed", text, tokenize=unicode61 "remove_diacritics=2")`,
    `INSERT INTO fts_pending (tbl, docid) SELECT '${table}', seq FROM ${table} WHERE text <> ''`,
    `CREATE TRIGGER ${fts}_after_insert AFTER INSERT ON ${table} WHEN new.text <> '' BEGIN
      INSERT OR IGNORE INTO fts_pending (tbl, docid) VALUES ('${table}', new.seq);
    END`,
    // BEFORE, while the old text is still in the row: an external-content index reads it to un-index it.
    `CREATE TRIGGER ${fts}_before_update BEFORE UPDATE OF text ON ${table} WHEN old.text <> '' AND NOT ${queued('old')} BEGIN
      DELETE FROM ${fts} WHERE docid = old.seq;
    END`,
    `CREATE TRIGGER ${fts}_after_update AFTER UPDATE OF text ON ${table} WHEN new.text <> '' BEGIN
      INSERT OR IGNORE INTO fts_pending (tbl, docid) VALUES ('${table}', new.seq);
    END`,
    `CREATE TRIGGER ${fts}_before_delete BEFORE DELETE ON ${table} WHEN old.text <> '' AND NOT ${queued('old')} BEGIN
      DELETE FROM ${fts} WHERE docid = old.seq;
    END`,
    // A queued row that is deleted leaves nothing to index.
    `CREATE TRIGGER ${fts}_after_delete AFTER DELETE ON ${table} BEGIN
      DELETE FROM fts_pending WHERE tbl = '${table}' AND docid = old.seq;
    END`,
  ];
}

const statements: readonly string[] = [
  `CREATE TABLE fts_pending (
    tbl TEXT NOT NULL CHECK (tbl IN ('messages', 'events')),
    docid INTEGER NOT NULL,
    PRIMARY KEY (tbl, docid)
  ) STRICT, WITHOUT ROWID`,
  ...tables.flatMap(statementsFor),
];

export const v2DeferredIndex: Migration = {
  version: 2,
  name: 'full-text indexing outside the commit',
  up(sql: SqlWriter): void {
    for (const statement of statements) {
      sql.run(statement);
    }
  },
};
