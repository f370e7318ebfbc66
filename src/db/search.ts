import type { Database } from 'sql.js';
import type { SqlReader, SqlValue } from './sql';

/**
 * Full-text search over message text and event payloads (the FTS4 tables messages_fts and events_fts, kept in
 * step by triggers; see schema/v1Initial.ts).
 *
 * FTS4 has no built-in ranking, so results are ranked by BM25 computed from matchinfo() in a JavaScript SQL
 * function. SqlReader cannot register functions, so the store calls `registerSearchFunctions(db)` once on
 * every sql.js Database it opens (functions belong to a connection, not to the file); the queries here only use
 * the name. Search is read-only: no journaled statement ever calls the function, so a replay worker needs none.
 */

export const bm25FunctionName = 'aistudio_bm25';

export interface SearchOptions {
  /** Most hits returned (default 50, at most 500). */
  limit?: number;
  /** Only messages and events of this session. */
  sessionId?: string;
  /** Only events of this run. */
  runId?: string;
}

export interface SearchHit {
  kind: 'message' | 'event';
  id: string;
  sessionId: string | null;
  runId: string | null;
  /** The message's role or the event's type. */
  label: string;
  createdAt: number;
  /** Plain text around the matches ('…' where text was cut); never HTML. */
  snippet: string;
  /** [start, end) character ranges of `snippet` that matched, for highlighting. */
  highlights: [number, number][];
  /** BM25; higher is better. Comparable across kinds only roughly (each index has its own statistics). */
  score: number;
}

export function registerSearchFunctions(db: Database): void {
  db.create_function(bm25FunctionName, (matchinfo: unknown) => bm25(matchinfo));
}

const maxTerms = 32;
const open = '\u0002';
const close = '\u0003';

/**
 * Turns what a person typed into a MATCH expression that cannot be a syntax error: every word group becomes a
 * quoted phrase (so AND, OR, NOT, NEAR, -, ( and column filters are plain words), a trailing * keeps prefix
 * search, and "quoted text" stays a phrase. Returns undefined when nothing searchable is left.
 */
export function toMatchExpression(query: string): string | undefined {
  const phrases: string[] = [];
  for (const [, quoted, bare] of query.matchAll(/"([^"]*)"|([^\s"]+)/g)) {
    const text = quoted ?? bare ?? '';
    // The same notion of a word as the unicode61 tokenizer: letters, digits and combining marks.
    const words = text.toLowerCase().match(/[\p{L}\p{N}\p{M}]+/gu);
    if (words !== null) {
      const prefix = bare !== undefined && bare.endsWith('*');
      phrases.push(`"${words.join(' ')}${prefix ? '*' : ''}"`);
    }
  }
  return phrases.length === 0 ? undefined : phrases.slice(0, maxTerms).join(' ');
}

export function search(sql: SqlReader, query: string, options: SearchOptions = {}): SearchHit[] {
  const match = toMatchExpression(query);
  if (match === undefined) {
    return [];
  }
  const limit = Math.min(Math.max(Math.floor(options.limit ?? 50), 0), 500);
  const sources = [messageSource, eventSource].filter(
    (source) => options.runId === undefined || source.kind === 'event',
  );
  // Pass 1 scores every match (matchinfo only) and sorts inside SQLite, so only each index's best `limit` rows
  // cross into JavaScript; pass 2 builds snippets for the hits actually returned. The join to the table is
  // there only to filter, and CROSS JOIN keeps the full-text match as the outer loop.
  const ranked = sources.flatMap((source) => {
    const [filter, params] = source.filter(options);
    const join = filter === '' ? '' : `CROSS JOIN ${source.table} AS t ON t.seq = f.docid`;
    return guard(() =>
      sql.all<{ docid: number; score: number }>(
        `SELECT f.docid AS docid, ${bm25FunctionName}(matchinfo(${source.fts}, 'pcnalx')) AS score
         FROM ${source.fts} AS f ${join}
         WHERE ${source.fts} MATCH ?${filter}
         ORDER BY score DESC, docid DESC LIMIT ?`,
        [match, ...params, limit],
      ),
    ).map((row) => ({ source, docid: row.docid, score: row.score }));
  });
  ranked.sort((a, b) => b.score - a.score || b.docid - a.docid);
  const top = ranked.slice(0, limit);
  const details = new Map<string, SearchHit>();
  for (const source of sources) {
    const docids = top.filter((hit) => hit.source === source).map((hit) => hit.docid);
    if (docids.length === 0) {
      continue;
    }
    const rows = sql.all<DetailRow>(
      `SELECT f.docid AS docid, t.id AS id, t.session_id AS sessionId, ${source.runId} AS runId, ${source.label} AS label,
         ${source.createdAt} AS createdAt, snippet(${source.fts}, char(2), char(3), '…', -1, 16) AS snippet
       FROM ${source.fts} AS f CROSS JOIN ${source.table} AS t ON t.seq = f.docid
       WHERE ${source.fts} MATCH ? AND f.docid IN (${docids.map(() => '?').join(', ')})`,
      [match, ...docids],
    );
    for (const row of rows) {
      details.set(`${source.kind}:${row.docid}`, toHit(source.kind, row));
    }
  }
  return top.flatMap(({ source, docid, score }) => {
    const hit = details.get(`${source.kind}:${docid}`);
    return hit ? [{ ...hit, score }] : [];
  });
}

/**
 * Okapi BM25 (k1 = 1.2, b = 0.75) from matchinfo 'pcnalx': phrase and column counts, row count, average and
 * current column lengths in tokens, then per phrase and column: hits in this row, hits in all rows, rows with a
 * hit. The idf is the non-negative variant, so a term found in most rows still counts a little.
 */
export function bm25(matchinfo: unknown): number {
  if (!(matchinfo instanceof Uint8Array) || matchinfo.byteLength < 12) {
    return 0;
  }
  const view = new DataView(matchinfo.buffer, matchinfo.byteOffset, matchinfo.byteLength);
  const at = (index: number): number => (index * 4 + 4 <= view.byteLength ? view.getUint32(index * 4, true) : 0);
  const [phrases, columns, rows] = [at(0), at(1), at(2)];
  const k1 = 1.2;
  const b = 0.75;
  let score = 0;
  for (let column = 0; column < columns; column += 1) {
    const averageLength = at(3 + column) || 1;
    const length = at(3 + columns + column);
    for (let phrase = 0; phrase < phrases; phrase += 1) {
      const base = 3 + 2 * columns + 3 * (phrase * columns + column);
      const hits = at(base);
      const rowsWithHits = at(base + 2);
      if (hits === 0) {
        continue;
      }
      const idf = Math.log(1 + (rows - rowsWithHits + 0.5) / (rowsWithHits + 0.5));
      score += (idf * hits * (k1 + 1)) / (hits + k1 * (1 - b + (b * length) / averageLength));
    }
  }
  return score;
}

interface Source {
  kind: 'message' | 'event';
  fts: string;
  table: string;
  runId: string;
  label: string;
  createdAt: string;
  filter(options: SearchOptions): [string, SqlValue[]];
}

type DetailRow = Omit<SearchHit, 'kind' | 'highlights' | 'score'> & { docid: number };

const messageSource: Source = {
  kind: 'message',
  fts: 'messages_fts',
  table: 'messages',
  runId: 'NULL',
  label: 't.role',
  createdAt: 't.created_at',
  filter: (options) => (options.sessionId === undefined ? ['', []] : [' AND t.session_id = ?', [options.sessionId]]),
};

const eventSource: Source = {
  kind: 'event',
  fts: 'events_fts',
  table: 'events',
  runId: 't.run_id',
  label: 't.type',
  createdAt: 't.started_at',
  filter: (options) => {
    const conditions: string[] = [];
    const params: SqlValue[] = [];
    for (const [column, value] of [
      ['session_id', options.sessionId],
      ['run_id', options.runId],
    ] as const) {
      if (value !== undefined) {
        conditions.push(` AND t.${column} = ?`);
        params.push(value);
      }
    }
    return [conditions.join(''), params];
  },
};

function toHit(kind: SearchHit['kind'], row: DetailRow): SearchHit {
  const highlights: [number, number][] = [];
  let snippet = '';
  let start = -1;
  for (const char of row.snippet) {
    if (char === open) {
      start = snippet.length;
    } else if (char === close) {
      if (start >= 0 && snippet.length > start) {
        highlights.push([start, snippet.length]);
      }
      start = -1;
    } else {
      snippet += char;
    }
  }
  return {
    kind,
    id: row.id,
    sessionId: row.sessionId,
    runId: row.runId,
    label: row.label,
    createdAt: row.createdAt,
    snippet,
    highlights,
    score: 0,
  };
}

function guard<T>(query: () => T): T {
  try {
    return query();
  } catch (error) {
    if (error instanceof Error && error.message.includes(bm25FunctionName)) {
      throw new Error(`Search needs registerSearchFunctions(db) on this Database first (${error.message})`, {
        cause: error,
      });
    }
    throw error;
  }
}
