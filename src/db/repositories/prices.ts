import type { Clock } from '../../core/ports';
import type { SqlWriter } from '../sql';
import { checkTime, nowMs, required } from './rows';
import type { StorePort } from './storePort';

/**
 * Model prices in US dollars per million tokens, each valid from `effectiveFrom` until a later row for the same
 * provider and model. Stored as integer micro-dollars per million tokens, exact for any price with up to six
 * decimals; the API speaks dollars because that is how providers publish them.
 */
export interface Price {
  provider: string;
  model: string;
  effectiveFrom: number;
  inputPerMTok: number;
  outputPerMTok: number;
  /** null: cache reads cost the input price. */
  cacheReadPerMTok: number | null;
  /** null: cache writes cost the input price. */
  cacheWritePerMTok: number | null;
}

/**
 * Token counts as the cost is computed from them: `input` excludes cached tokens (they are counted in cacheRead
 * and cacheWrite) and `output` includes reasoning tokens. Adapters whose provider reports otherwise normalise.
 */
export interface BilledTokens {
  input?: number | null;
  output?: number | null;
  cacheRead?: number | null;
  cacheWrite?: number | null;
}

interface PriceRow {
  provider: string;
  model: string;
  effective_from: number;
  input_micro_usd_per_mtok: number;
  output_micro_usd_per_mtok: number;
  cache_read_micro_usd_per_mtok: number | null;
  cache_write_micro_usd_per_mtok: number | null;
}

export class PricesRepository {
  constructor(
    private readonly store: StorePort,
    private readonly clock: Clock,
  ) {}

  /** The same writes, synchronous, inside a transaction the caller holds, so several make one commit. */
  within(sql: SqlWriter): PriceWrites {
    return new PriceWrites(sql, this.clock);
  }

  /** Adds a price, or replaces the one with the same provider, model and effectiveFrom. */
  upsert(price: Price): Promise<Price> {
    return this.store.write((sql) => this.within(sql).upsert(price));
  }

  /** The price in force for a model at time `at` (default now): the latest one that started at or before it. */
  effective(provider: string, model: string, at: number = this.clock.now()): Price | undefined {
    const row = this.store.read((sql) =>
      sql.get<PriceRow>(
        `SELECT * FROM prices WHERE provider = ? AND model = ? AND effective_from <= ?
         ORDER BY effective_from DESC LIMIT 1`,
        [provider, model, Math.floor(at)],
      ),
    );
    return row && toPrice(row);
  }

  /** All prices, optionally of one provider, by provider, model and date. */
  list(provider?: string): Price[] {
    return this.store.read((sql) =>
      sql
        .all<PriceRow>(
          `SELECT * FROM prices ${provider === undefined ? '' : 'WHERE provider = ?'} ORDER BY provider, model, effective_from`,
          provider === undefined ? [] : [provider],
        )
        .map(toPrice),
    );
  }

  delete(provider: string, model: string, effectiveFrom: number): Promise<boolean> {
    return this.store.write((sql) => this.within(sql).delete(provider, model, effectiveFrom));
  }
}

export class PriceWrites {
  constructor(
    private readonly sql: SqlWriter,
    private readonly clock: Clock,
  ) {}

  upsert(price: Price): Price {
    const params = [
      checkText(price.provider, 'provider'),
      checkText(price.model, 'model'),
      checkTime(price.effectiveFrom, 'effectiveFrom'),
      toMicros(price.inputPerMTok, 'inputPerMTok'),
      toMicros(price.outputPerMTok, 'outputPerMTok'),
      price.cacheReadPerMTok === null ? null : toMicros(price.cacheReadPerMTok, 'cacheReadPerMTok'),
      price.cacheWritePerMTok === null ? null : toMicros(price.cacheWritePerMTok, 'cacheWritePerMTok'),
    ];
    this.sql.run(
      `INSERT INTO prices (provider, model, effective_from, input_micro_usd_per_mtok, output_micro_usd_per_mtok,
         cache_read_micro_usd_per_mtok, cache_write_micro_usd_per_mtok, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (provider, model, effective_from) DO UPDATE SET
         input_micro_usd_per_mtok = excluded.input_micro_usd_per_mtok,
         output_micro_usd_per_mtok = excluded.output_micro_usd_per_mtok,
         cache_read_micro_usd_per_mtok = excluded.cache_read_micro_usd_per_mtok,
         cache_write_micro_usd_per_mtok = excluded.cache_write_micro_usd_per_mtok,
         updated_at = excluded.updated_at`,
      [...params, nowMs(this.clock)],
    );
    const key = params.slice(0, 3);
    const row = this.sql.get<PriceRow>(
      'SELECT * FROM prices WHERE provider = ? AND model = ? AND effective_from = ?',
      key,
    );
    return toPrice(required(row, 'price', key.join(' ')));
  }

  delete(provider: string, model: string, effectiveFrom: number): boolean {
    const key = [provider, model, effectiveFrom];
    return this.sql.run('DELETE FROM prices WHERE provider = ? AND model = ? AND effective_from = ?', key).changes > 0;
  }
}

/** The cost of a call in integer micro-dollars, rounded once at the end. */
export function costMicroUsd(price: Price, tokens: BilledTokens): number {
  const micros = (perMTok: number | null): number => toMicros(perMTok ?? price.inputPerMTok, 'price');
  // tokens × micro-dollars per million tokens = pico-dollars; exact in a double far beyond any real call.
  const picoUsd =
    (tokens.input ?? 0) * micros(price.inputPerMTok) +
    (tokens.output ?? 0) * micros(price.outputPerMTok) +
    (tokens.cacheRead ?? 0) * micros(price.cacheReadPerMTok) +
    (tokens.cacheWrite ?? 0) * micros(price.cacheWritePerMTok);
  return Math.round(picoUsd / 1_000_000);
}

function toMicros(usd: number, what: string): number {
  if (!Number.isFinite(usd) || usd < 0) {
    throw new Error(`${what} must be a non-negative number of dollars, got ${usd}`);
  }
  return Math.round(usd * 1_000_000);
}

function checkText(value: string, what: string): string {
  if (value.trim() === '') {
    throw new Error(`A price needs a ${what}`);
  }
  return value;
}

function toPrice(row: PriceRow): Price {
  return {
    provider: row.provider,
    model: row.model,
    effectiveFrom: row.effective_from,
    inputPerMTok: row.input_micro_usd_per_mtok / 1_000_000,
    outputPerMTok: row.output_micro_usd_per_mtok / 1_000_000,
    cacheReadPerMTok: row.cache_read_micro_usd_per_mtok === null ? null : row.cache_read_micro_usd_per_mtok / 1_000_000,
    cacheWritePerMTok:
      row.cache_write_micro_usd_per_mtok === null ? null : row.cache_write_micro_usd_per_mtok / 1_000_000,
  };
}
