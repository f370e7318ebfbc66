import type { StorePort } from './repositories/storePort';
import { search, type SearchHit, type SearchOptions } from './search';
import { indexPendingText } from './textIndex';

/**
 * Keeps the full-text index caught up with the queue while the window is idle: after a quiet spell following
 * writes (so a burst of commits, such as a streaming answer, is indexed once, in one segment), or at the latest
 * `maxDelayMs` after the first unindexed write. Each run indexes at most `batch` rows and yields between runs.
 */
export interface TextIndexerOptions {
  quietMs?: number;
  maxDelayMs?: number;
  batch?: number;
  onError(error: Error): void;
}

interface IndexedStore extends StorePort {
  readonly isClosed: boolean;
  onDidChange(listener: () => void): { dispose(): void };
}

export class TextIndexer {
  private timer: ReturnType<typeof setTimeout> | undefined;
  private firstQueuedAt: number | undefined;
  private running: Promise<void> | undefined;
  private readonly subscription: { dispose(): void };
  private readonly quietMs: number;
  private readonly maxDelayMs: number;
  private readonly batch: number;

  constructor(
    private readonly store: IndexedStore,
    private readonly options: TextIndexerOptions,
  ) {
    this.quietMs = options.quietMs ?? 500;
    this.maxDelayMs = options.maxDelayMs ?? 5_000;
    this.batch = options.batch ?? 200;
    this.subscription = store.onDidChange(() => this.schedule());
    // A store opened from a journal may hold rows queued before the last session ended.
    this.schedule();
  }

  /** Indexes everything queued now; searches call this so they see every committed row. */
  async flush(): Promise<void> {
    await this.running;
    await this.store.maintain((sql) => indexPendingText(sql));
  }

  dispose(): void {
    clearTimeout(this.timer);
    this.subscription.dispose();
  }

  private schedule(): void {
    const now = Date.now();
    this.firstQueuedAt ??= now;
    clearTimeout(this.timer);
    const wait = Math.max(0, Math.min(this.quietMs, this.firstQueuedAt + this.maxDelayMs - now));
    this.timer = setTimeout(() => this.run(), wait);
    this.timer.unref?.();
  }

  private run(): void {
    this.firstQueuedAt = undefined;
    if (this.store.isClosed) {
      return;
    }
    this.running = this.store
      .maintain((sql) => indexPendingText(sql, this.batch))
      .then((indexed) => {
        if (indexed === this.batch) {
          // More is queued: carry on after whatever else is waiting on the event loop.
          this.timer = setTimeout(() => this.run(), 0);
          this.timer.unref?.();
        }
      })
      .catch((err: unknown) => {
        if (!this.store.isClosed) {
          this.options.onError(err instanceof Error ? err : new Error(String(err)));
        }
      })
      .finally(() => {
        this.running = undefined;
      });
  }
}

/** Full-text search over everything committed, the rows still queued for indexing included. */
export async function searchStore(store: StorePort, query: string, options?: SearchOptions): Promise<SearchHit[]> {
  await store.maintain((sql) => indexPendingText(sql));
  return store.read((sql) => search(sql, query, options));
}
