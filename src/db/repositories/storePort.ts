import type { SqlReader, SqlWriter } from '../sql';

/**
 * What repositories need from the store. `write` runs `fn` synchronously inside one transaction and journals the
 * statements it runs, so everything inside `fn` must be deterministic given the database state: ids and times
 * are computed in TypeScript and passed as parameters.
 */
export interface StorePort {
  /** Synchronous read of the current in-memory state. */
  read<T>(fn: (sql: SqlReader) => T): T;
  /**
   * One transaction: `fn` runs synchronously inside BEGIN/COMMIT; a throw rolls it back; resolves once durable,
   * or with durability 'withNext' once appended, to be flushed with the next durable write (see Store).
   */
  write<T>(fn: (sql: SqlWriter) => T, options?: { durability?: 'now' | 'withNext' }): Promise<T>;
  /** One transaction that is not journaled: physical upkeep only, such as indexing queued text. */
  maintain<T>(fn: (sql: SqlWriter) => T): Promise<T>;
}
