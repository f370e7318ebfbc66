import type { StudioEvent } from '../../db/repositories/events';
import type { InspectorDetail, InspectorFilter, InspectorRow, InspectorSelection, InspectorTotals, InspectorTypeCount } from '../../protocol/inspector';

/**
 * What the Inspector panel reads from: a session's events in the store, or an imported trace in memory. Every
 * method answers for the filtered list (`filter`), by position, so the panel never needs all events at once.
 */
export interface InspectorSource {
  readonly title: string;
  /** Events keep being appended (a session); false for a read-only imported trace. */
  readonly live: boolean;
  /** Every event, unfiltered. */
  total(): number;
  count(filter: InspectorFilter): number;
  /** Rows `start` to `start + count` of the filtered list (fewer at its end). */
  rows(filter: InspectorFilter, start: number, count: number): InspectorRow[];
  /** One event's request and response, redacted; undefined when there is no such event. */
  detail(id: string): InspectorDetail | undefined;
  /** Totals of the filtered list, or of a selection of it. */
  totals(filter: InspectorFilter, selection?: InspectorSelection): InspectorTotals;
  types(): InspectorTypeCount[];
  /**
   * Whether the unfiltered totals and the type counts are at hand; when not, the first answer is a pass over every
   * event, so the panel's first paint does not wait for it (they follow in an event). Absent: always at hand.
   */
  totalsReady?(): boolean;
  /** Gets the totals at hand without blocking for long (summing in steps); after it, `totalsReady()` is true. */
  prepareTotals?(): Promise<void>;
  /**
   * The position in the filtered list of an event, by its id or by the id of its message (a chat reply's Inspect
   * button knows the message: its model call is found, else its first event); undefined when filtered out.
   */
  locate(filter: InspectorFilter, id: string): { eventId: string; index: number } | undefined;
  /** Live sources: calls `listener` after events were appended (or removed), at most every few hundred ms. */
  onDidAppend?(listener: (change: SourceChange) => void): { dispose(): void };
  dispose?(): void;
}

export interface SourceChange {
  /** The first row of the filtered list whose content may have changed (new rows, a request now answered). */
  fromIndex(filter: InspectorFilter): number;
}

/** An imported trace: what src/core/otel's importer produces. */
export interface ImportedTrace {
  title: string;
  events: readonly StudioEvent[];
}

/** Normalizes selection ranges: clipped to [0, count), sorted, overlaps merged. */
export function normalizeRanges(ranges: readonly { start: number; end: number }[], count: number): { start: number; end: number }[] {
  const clipped = ranges
    .map((range) => ({ start: Math.max(0, Math.min(range.start, count)), end: Math.max(0, Math.min(range.end, count)) }))
    .filter((range) => range.end > range.start)
    .sort((a, b) => a.start - b.start);
  const merged: { start: number; end: number }[] = [];
  for (const range of clipped) {
    const last = merged.at(-1);
    if (last && range.start <= last.end) {
      last.end = Math.max(last.end, range.end);
    } else {
      merged.push({ ...range });
    }
  }
  return merged;
}
