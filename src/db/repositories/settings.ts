import type { Clock } from '../../core/ports';
import type { SqlWriter } from '../sql';
import { fromJson, nowMs, toJson, type JsonValue } from './rows';
import type { StorePort } from './storePort';

/** Anything with a zod-style `parse`: checks an unknown value and returns it typed, or throws. */
export interface Parser<T> {
  parse(value: unknown): T;
}

/**
 * Application state as key → JSON value (window layout, last selected agent, ...). Not user settings (those live
 * in VS Code's configuration) and never secrets (SecretStorage).
 */
export class SettingsRepository {
  constructor(
    private readonly store: StorePort,
    private readonly clock: Clock,
  ) {}

  /** The same writes, synchronous, inside a transaction the caller holds, so several make one commit. */
  within(sql: SqlWriter): SettingWrites {
    return new SettingWrites(sql, this.clock);
  }

  /**
   * The stored value, checked by `parser` when given. A value the parser rejects reads as undefined, like a
   * missing one: another window running a newer AI Studio may have stored a shape this one does not know.
   */
  get(key: string): JsonValue | undefined;
  get<T>(key: string, parser: Parser<T>): T | undefined;
  get<T>(key: string, parser?: Parser<T>): T | JsonValue | undefined {
    const row = this.store.read((sql) => sql.get<{ value: string }>('SELECT value FROM settings WHERE key = ?', [key]));
    if (row === undefined) {
      return undefined;
    }
    const value = fromJson(row.value);
    if (parser === undefined) {
      return value;
    }
    try {
      return parser.parse(value);
    } catch {
      return undefined;
    }
  }

  set(key: string, value: JsonValue): Promise<void> {
    return this.store.write((sql) => this.within(sql).set(key, value));
  }

  /** Returns whether there was a value. */
  delete(key: string): Promise<boolean> {
    return this.store.write((sql) => this.within(sql).delete(key));
  }

  keys(prefix = ''): string[] {
    return this.store.read((sql) =>
      sql
        .all<{ key: string }>('SELECT key FROM settings WHERE substr(key, 1, ?) = ? ORDER BY key', [
          prefix.length,
          prefix,
        ])
        .map((row) => row.key),
    );
  }
}

export class SettingWrites {
  constructor(
    private readonly sql: SqlWriter,
    private readonly clock: Clock,
  ) {}

  /** The stored value inside the caller's transaction (unchecked: the caller parses it). */
  get(key: string): JsonValue | undefined {
    const row = this.sql.get<{ value: string }>('SELECT value FROM settings WHERE key = ?', [key]);
    return row === undefined ? undefined : fromJson(row.value);
  }

  set(key: string, value: JsonValue): void {
    this.sql.run(
      `INSERT INTO settings (key, value, updated_at) VALUES (?, ?, ?)
       ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
      [key, toJson(value, `setting ${key}`), nowMs(this.clock)],
    );
  }

  /** Returns whether there was a value. */
  delete(key: string): boolean {
    return this.sql.run('DELETE FROM settings WHERE key = ?', [key]).changes > 0;
  }
}
