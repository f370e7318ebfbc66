import { z } from 'zod';
import type { RequestMap } from './rpc';

/**
 * The Inspector panel's protocol: the typed event log of a session (or an imported trace) as a timeline.
 *
 * Built for 100,000 events: the snapshot carries the counts, the totals and the first and last page, never every
 * event. The panel asks for rows by index range as its virtualized list scrolls (`inspector/rows`) and keeps a
 * bounded number of pages, so its memory stays flat; one event's full JSON comes on selection
 * (`inspector/detail`). Filters are applied by the host and change the row set (a new count). While a session
 * streams, `inspector/changed` says how many rows there are now, so new rows appear.
 *
 * Every value from the panel is bounded, so a hostile message cannot make the host scan or allocate without limit.
 */

/** Rows per `inspector/rows` answer at most; the panel asks for pages of PAGE_SIZE. */
export const MAX_ROWS_PER_REQUEST = 500;
export const PAGE_SIZE = 100;
/** Longest text filter; longer queries are refused, not truncated. */
export const MAX_FILTER_TEXT = 200;

/** Event ids: ULIDs for recorded events; an imported trace may carry its own (hex span ids, prefixed ids). */
const eventId = z.string().regex(/^[\w.:-]{1,128}$/, 'not an event id');
const eventType = z.string().regex(/^[a-z][a-z0-9_]*(\.[a-z0-9_]+)+$/, 'not an event type').max(100);
const index = z.number().int().nonnegative().max(100_000_000);

export const inspectorFilterSchema = z.strictObject({
  /** Case-insensitive (ASCII) substring of the event's type, model and payload. Empty: no text filter. */
  text: z.string().max(MAX_FILTER_TEXT),
  /** Only these event types; empty: every type. */
  types: z.array(eventType).max(50),
});
export type InspectorFilter = z.infer<typeof inspectorFilterSchema>;

/** A selection of rows of the filtered list: index ranges (end exclusive) and whole turns. */
export const inspectorSelectionSchema = z.strictObject({
  ranges: z.array(z.strictObject({ start: index, end: index })).max(500),
  turns: z.array(index).max(500),
  ids: z.array(eventId).max(500),
});
export type InspectorSelection = z.infer<typeof inspectorSelectionSchema>;

export interface InspectorTokens {
  /** Input billed at the input price: the prompt WITHOUT cached tokens (those are cacheRead/cacheWrite). */
  input: number | null;
  output: number | null;
  cacheRead: number | null;
  cacheWrite: number | null;
  reasoning: number | null;
}

export type InspectorRowKind = 'message' | 'request' | 'llm' | 'tool' | 'run' | 'route' | 'other';
export type InspectorRowStatus = 'ok' | 'error' | 'cancelled' | 'running';

/** One event as a row of the timeline. */
export interface InspectorRow {
  /** Position in the filtered list. */
  index: number;
  id: string;
  type: string;
  kind: InspectorRowKind;
  /** e.g. `chat gpt-4o`, `execute_tool read_file`, `User message`. */
  label: string;
  model: string | null;
  /** 1-based turn (a turn starts at a `message.user` event); 0 for events before the first question. */
  turn: number;
  /** This row starts its turn (a `message.user`). */
  turnHead: boolean;
  startedAt: number;
  /** From the first event of the whole session. */
  offsetMs: number;
  /** From the start of this row's turn, and the turn's whole span (first start to last end): the bar's scale. */
  turnOffsetMs: number;
  turnSpanMs: number;
  durationMs: number | null;
  /** Time to first token, for a model call. */
  ttftMs: number | null;
  tokens: InspectorTokens;
  /** The whole prompt as the provider counted it (input + cached), when recorded. */
  promptTokens: number | null;
  /** Micro-dollars; null: unknown (never shown as $0). */
  costMicroUsd: number | null;
  status: InspectorRowStatus;
  /** What went wrong, short. */
  error: string | null;
  parentEventId: string | null;
  messageId: string | null;
}

export interface InspectorTotals {
  events: number;
  /** Finished model calls (responses, errors and replays). */
  calls: number;
  toolCalls: number;
  errors: number;
  tokens: { input: number; output: number; cacheRead: number; cacheWrite: number; reasoning: number };
  /** Sum of the known costs, micro-dollars. */
  costMicroUsd: number;
  /** Model calls whose cost is unknown: the total is then a lower bound, shown as such (never as the cost). */
  unknownCostCalls: number;
  /** First start to last end; null without events. */
  startedAt: number | null;
  endedAt: number | null;
  wallMs: number | null;
}

export interface InspectorTypeCount {
  type: string;
  count: number;
}

export interface InspectorDetailSection {
  /** `Event`, `Request`, `Response`, `Message`. */
  name: string;
  /** The event id this section shows, when it is an event (the panel can jump to it). */
  eventId: string | null;
  /** Formatted JSON with every key-like value redacted. */
  json: string;
}

export interface InspectorDetail {
  eventId: string;
  label: string;
  type: string;
  startedAt: number;
  sections: InspectorDetailSection[];
}

/** A page of rows. */
export interface InspectorPage {
  start: number;
  rows: InspectorRow[];
}

/** The list for one filter: how many rows, their totals, and the first and last page. */
export interface InspectorView {
  filter: InspectorFilter;
  count: number;
  /** null while the host is still summing (a large session's first open); `inspector/changed` brings them. */
  totals: InspectorTotals | null;
  head: InspectorPage;
  tail: InspectorPage;
}

export type InspectorScope = { kind: 'session'; sessionId: string } | { kind: 'imported' };

export interface InspectorSnapshot {
  title: string;
  scope: InspectorScope;
  /** Events of the whole session (unfiltered). */
  total: number;
  /** Totals of the whole session (unfiltered); null while the host is still summing (they follow). */
  totals: InspectorTotals | null;
  types: InspectorTypeCount[] | null;
  /** The rows for the panel's current filter. */
  view: InspectorView;
  /** Rows keep coming (a session); false for an imported trace. */
  live: boolean;
  /** An event to show first: its row index in `view` and its id (opened from a chat's Inspect button). */
  focus: { eventId: string; index: number } | null;
}

const viewResult = z.custom<InspectorView>((value) => typeof value === 'object' && value !== null);

export const inspectorRequests = {
  /** Applies a filter: the host remembers it (a reloaded panel gets it back) and answers with its rows' view. */
  'inspector/query': { params: z.strictObject({ filter: inspectorFilterSchema }), result: viewResult },
  /** Rows `start` to `start + count` of the filtered list (fewer at its end), and the list's current length. */
  'inspector/rows': {
    params: z.strictObject({ filter: inspectorFilterSchema, start: index, count: z.number().int().min(1).max(MAX_ROWS_PER_REQUEST) }),
    result: z.custom<InspectorPage & { count: number }>((value) => typeof value === 'object' && value !== null),
  },
  /** One event's request and response as formatted, redacted JSON; null when it no longer exists. */
  'inspector/detail': {
    params: z.strictObject({ eventId }),
    result: z.custom<InspectorDetail | null>((value) => value === null || (typeof value === 'object' && value !== null)),
  },
  /** Totals of a selection of the filtered list. */
  'inspector/totals': {
    params: z.strictObject({ filter: inspectorFilterSchema, selection: inspectorSelectionSchema }),
    result: z.custom<InspectorTotals>((value) => typeof value === 'object' && value !== null),
  },
  /** Where an event is in the filtered list (to jump to a request from its response); null when filtered out. */
  'inspector/locate': {
    params: z.strictObject({ filter: inspectorFilterSchema, eventId }),
    result: z.custom<{ index: number } | null>((value) => value === null || (typeof value === 'object' && value !== null)),
  },
} satisfies RequestMap;
export type InspectorRequests = typeof inspectorRequests;

/** Host -> panel, after the snapshot. */
export type InspectorEvent =
  /**
   * Events were appended (or the log changed): the new sizes and totals. `filter` is the filter `count` and
   * `filteredTotals` are for (the host's current one); `from` is the first row index whose content may have
   * changed, so the panel drops its cached pages from there and re-asks for what it shows.
   */
  | {
      method: 'inspector/changed';
      params: {
        total: number;
        /** null while the host is still summing (the panel keeps what it shows). */
        totals: InspectorTotals | null;
        types: InspectorTypeCount[] | null;
        filter: InspectorFilter;
        count: number;
        filteredTotals: InspectorTotals | null;
        from: number;
      };
    }
  /** Show this event (the Inspector was opened again on it): its index in the list under `filter`. */
  | { method: 'inspector/focus'; params: { eventId: string; index: number; filter: InspectorFilter } }
  /** The session was renamed. */
  | { method: 'inspector/title'; params: { title: string } };

export const EMPTY_FILTER: InspectorFilter = { text: '', types: [] };
