import type { InspectorPage, InspectorRow } from '../../../src/protocol/inspector';

/**
 * The rows the panel holds: a bounded number of pages of the filtered list, fetched from the host as the list
 * scrolls. Whatever the session's size, at most MAX_PAGES pages are kept (the least recently shown go first), so
 * the panel's memory stays flat at 100,000 events. A filter change starts a new generation: answers to the old
 * one's requests are dropped when they arrive.
 */

export const PAGE_SIZE = 100;
/** 40 pages of 100 rows: a few screens either side of any scroll position, ~1 MB at most. */
const MAX_PAGES = 40;
/** Pages asked for at once; the rest wait until one arrives (a scrollbar dragged across 1,000 pages asks for few). */
const MAX_IN_FLIGHT = 4;

export type FetchPage = (start: number, count: number) => Promise<(InspectorPage & { count?: number }) | undefined>;

export class RowCache {
  private readonly pages = new Map<number, InspectorRow[]>();
  private readonly inFlight = new Set<number>();
  private generation = 0;
  private wanted: number[] = [];
  count = 0;
  /** The latest end (from the session's start) among the rows seen: the session scale until the totals arrive. */
  maxEndMs = 1;

  constructor(
    private readonly fetch: FetchPage,
    /** A page arrived (for the current generation), or the list's length changed. */
    private readonly onLoaded: (countChanged: boolean) => void,
    private readonly onError: (error: unknown) => void,
  ) {}

  /** Starts over: a new filter (its count and first/last pages known). */
  reset(count: number, pages: readonly InspectorPage[]): void {
    this.generation++;
    this.pages.clear();
    this.inFlight.clear();
    this.wanted = [];
    this.count = count;
    this.maxEndMs = 1;
    for (const page of pages) {
      this.put(page.start, page.rows);
    }
  }

  row(index: number): InspectorRow | undefined {
    const page = this.pages.get(Math.floor(index / PAGE_SIZE));
    return page?.[index % PAGE_SIZE];
  }

  /** Pages held now (the bench and tests read it to see memory stay bounded). */
  get pageCount(): number {
    return this.pages.size;
  }

  /** Marks rows [first, last] as on screen: their pages are kept, and fetched when missing. */
  want(first: number, last: number): void {
    if (this.count === 0 || last < first) {
      this.wanted = [];
      return;
    }
    const from = Math.floor(Math.max(0, first) / PAGE_SIZE);
    const to = Math.floor(Math.min(this.count - 1, last) / PAGE_SIZE);
    this.wanted = [];
    for (let page = from; page <= to; page++) {
      const rows = this.pages.get(page);
      if (rows) {
        // Most recently shown last: the eviction order.
        this.pages.delete(page);
        this.pages.set(page, rows);
        if (rows.length < PAGE_SIZE && page * PAGE_SIZE + rows.length < this.count) {
          // A short page that the list has grown past (rows appended while it was held): fetch it again.
          this.pages.delete(page);
          this.wanted.push(page);
        }
      } else {
        this.wanted.push(page);
      }
    }
    this.pump();
  }

  /** Rows from `from` on may have changed (appended, a request answered): drop the pages holding them. */
  invalidateFrom(from: number, count: number): void {
    this.count = count;
    const firstPage = Math.floor(from / PAGE_SIZE);
    for (const page of [...this.pages.keys()]) {
      if (page >= firstPage) {
        this.pages.delete(page);
      }
    }
    // Answers in flight may predate the change: a new generation ignores them.
    this.generation++;
    this.inFlight.clear();
  }

  private pump(): void {
    for (const page of this.wanted) {
      if (this.inFlight.size >= MAX_IN_FLIGHT) {
        return;
      }
      if (this.inFlight.has(page) || this.pages.has(page)) {
        continue;
      }
      this.load(page);
    }
  }

  private load(page: number): void {
    const generation = this.generation;
    this.inFlight.add(page);
    this.fetch(page * PAGE_SIZE, PAGE_SIZE).then(
      (result) => {
        if (generation !== this.generation) {
          return;
        }
        this.inFlight.delete(page);
        if (!result) {
          this.onError(new Error('The host sent a page of rows that does not match the protocol.'));
          return;
        }
        const countChanged = result.count !== undefined && result.count !== this.count;
        if (result.count !== undefined) {
          this.count = result.count;
        }
        this.put(result.start, result.rows);
        this.onLoaded(countChanged);
        this.pump();
      },
      (error: unknown) => {
        if (generation === this.generation) {
          this.inFlight.delete(page);
          this.onError(error);
        }
      },
    );
  }

  private put(start: number, rows: readonly InspectorRow[]): void {
    // The host answers page-aligned requests with aligned pages (its tail, too); anything else is not kept.
    if (start % PAGE_SIZE !== 0) {
      return;
    }
    for (const row of rows) {
      this.maxEndMs = Math.max(this.maxEndMs, row.offsetMs + (row.durationMs ?? 0));
    }
    for (let offset = 0; offset < rows.length; offset += PAGE_SIZE) {
      const page = (start + offset) / PAGE_SIZE;
      this.pages.delete(page);
      this.pages.set(page, rows.slice(offset, offset + PAGE_SIZE));
    }
    while (this.pages.size > MAX_PAGES) {
      const oldest = this.pages.keys().next();
      if (oldest.done) {
        break;
      }
      this.pages.delete(oldest.value);
    }
  }
}
