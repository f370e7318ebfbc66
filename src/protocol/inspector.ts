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

// ---- Replay: the edited request a panel sends back, and the comparison it gets ----

/**
 * The replay request as the Inspector panel edits it and sends it back: untrusted, so every string and list is
 * bounded and every object is strict (unknown keys, `__proto__` included, are refused). It depends on nothing
 * but zod, so it lives here, in the Inspector's protocol (src/core/inspector/replaySchema.ts re-exports it).
 *
 * The shape is what the provider is sent (src/llm's neutral request), never the stored message rows: a replay
 * is a model call, and editing it must not reach into the session's history.
 */

export const REPLAY_LIMITS = {
  id: 200,
  provider: 300,
  model: 300,
  systemPrompt: 200_000,
  messages: 2_000,
  partsPerMessage: 200,
  partText: 1_000_000,
  /** All text of a request together: system prompt, text parts, tool arguments and results. */
  totalText: 4_000_000,
  toolId: 500,
  toolName: 200,
  stop: 16,
  stopText: 500,
  temperatureMax: 2,
  maxTokens: 1_000_000,
} as const;

// eslint-disable-next-line no-control-regex -- control characters are exactly what these fields must not hold
const CONTROL = /[\u0000-\u001f\u007f]/;

/** A name on one line: trimmed, not empty, no control characters. */
const line = (max: number) =>
  z
    .string()
    .trim()
    .min(1, 'must not be empty')
    .max(max)
    .refine((value) => !CONTROL.test(value), 'must be one line without control characters');

const text = z.string().max(REPLAY_LIMITS.partText);

const partSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('text'), text }),
  z.strictObject({
    type: z.literal('tool_call'),
    id: line(REPLAY_LIMITS.toolId),
    name: line(REPLAY_LIMITS.toolName),
    arguments: text,
  }),
  z.strictObject({
    type: z.literal('tool_result'),
    callId: line(REPLAY_LIMITS.toolId),
    // Empty when the call that asked for it is not on the path (the chat loop sends it so).
    name: z.string().max(REPLAY_LIMITS.toolName),
    content: text,
    isError: z.boolean().optional(),
  }),
]);

const messageSchema = z.strictObject({
  role: z.enum(['user', 'assistant', 'tool']),
  content: z.array(partSchema).min(1, 'a message needs at least one part').max(REPLAY_LIMITS.partsPerMessage),
});

export const replayParametersSchema = z.strictObject({
  temperature: z.number().finite().min(0).max(REPLAY_LIMITS.temperatureMax).optional(),
  maxTokens: z.number().int().min(1).max(REPLAY_LIMITS.maxTokens).optional(),
  stop: z.array(z.string().min(1).max(REPLAY_LIMITS.stopText)).max(REPLAY_LIMITS.stop).optional(),
});

export const replayRequestSchema = z
  .strictObject({
    /** The llm.request.started event of the call being replayed: the replay's parent event. */
    sourceEventId: line(REPLAY_LIMITS.id),
    sessionId: line(REPLAY_LIMITS.id),
    /** The provider endpoint id (EndpointConfig.id): `openai`, `ollama`, `openai-compatible:<name>`, ... */
    provider: line(REPLAY_LIMITS.provider),
    model: line(REPLAY_LIMITS.model),
    /** '' (or only white space): no system prompt, as the chat loop sends it. */
    systemPrompt: z.string().max(REPLAY_LIMITS.systemPrompt),
    parameters: replayParametersSchema,
    messages: z.array(messageSchema).min(1, 'a request needs at least one message').max(REPLAY_LIMITS.messages),
  })
  .superRefine((request, context) => {
    let total = request.systemPrompt.length;
    for (const message of request.messages) {
      for (const part of message.content) {
        total += part.type === 'text' ? part.text.length : part.type === 'tool_call' ? part.arguments.length : part.content.length;
      }
    }
    if (total > REPLAY_LIMITS.totalText) {
      context.addIssue({ code: 'custom', message: `the request holds more than ${REPLAY_LIMITS.totalText} characters of text`, path: ['messages'] });
    }
  });

/** One replayable call: exactly what was (or will be) sent, JSON-safe, editable. */
export type ReplayRequest = z.infer<typeof replayRequestSchema>;
export type ReplayParameters = z.infer<typeof replayParametersSchema>;
export type ReplayMessage = ReplayRequest['messages'][number];

/** The fields of a request a replay can change. */
export type ReplayField = 'provider' | 'model' | 'temperature' | 'maxTokens' | 'stop' | 'systemPrompt' | 'messages';

/**
 * What a replay changed from the original request, for people and for honesty later (a branch made from a replay
 * says what it answered). Long texts are summarized by size, never copied here.
 */
export type ReplayChange =
  | { field: 'provider' | 'model'; from: string; to: string }
  | { field: 'temperature' | 'maxTokens'; from: number | null; to: number | null }
  | { field: 'stop'; from: string[]; to: string[] }
  | { field: 'systemPrompt'; fromLength: number; toLength: number }
  /** `edited`: positions (0-based) present in both whose content differs; the rest were added or removed. */
  | { field: 'messages'; fromCount: number; toCount: number; edited: number[] };

/** The status of one call: a reply's statuses, and `streaming` for an original still under way. */
export type CallStatus = 'complete' | 'incomplete' | 'cancelled' | 'error' | 'streaming';

/** One side of a comparison. Unknown figures are null, never 0 (a cost that is not known is not free). */
export interface CallFigures {
  /** The event the figures come from (the original's completion or error, or the replay event); null if none. */
  eventId: string | null;
  provider: string | null;
  model: string | null;
  status: CallStatus;
  /** The answer: the original reply's text, or the replay's. */
  text: string;
  /** The whole prompt, cached parts included (as the chat footer shows it). */
  tokensIn: number | null;
  tokensOut: number | null;
  cacheReadTokens: number | null;
  reasoningTokens: number | null;
  costMicroUsd: number | null;
  /** Total time, opening the provider included. */
  latencyMs: number | null;
  timeToFirstTokenMs: number | null;
  finishReason: string | null;
  error: { kind: string; message: string } | null;
}

export interface ReplayComparison {
  /** The llm.request.started event of the original call (the replay event's parent). */
  sourceEventId: string;
  replayEventId: string;
  sessionId: string;
  changes: ReplayChange[];
  original: CallFigures;
  replay: CallFigures;
}

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

/** Where a tool call stands, as the chat transcript names it (interrupted: its window closed while it ran). */
export type InspectorToolState = 'pending' | 'awaiting_approval' | 'running' | 'completed' | 'failed' | 'denied' | 'interrupted';

/**
 * The tool call a `tool.call.*` row belongs to. The call's first event (normally `tool.call.requested`) is its
 * row: its bar covers the whole call, the approval wait drawn apart from the run; the call's other events follow
 * as its steps, each with its own part of the bar.
 */
export interface InspectorToolCall {
  /** The model's id for the call; null when the event has none (another tool's trace). */
  callId: string | null;
  name: string;
  /** What the call does, as its approval says it (`Read src/app.ts`); null when unknown. */
  summary: string | null;
  /** This row stands for the whole call; false: it is one of its steps. */
  head: boolean;
  /** This row's step: `requested`, `approved`, `denied`, `completed`, `failed`. */
  step: string;
  state: InspectorToolState;
  /** The policy's verdict: `auto`, `ask`, `deny`; null when it never got that far. */
  verdict: string | null;
  /** Who let it run or stopped it: `policy`, `person`, `session`, `window`; null while undecided. */
  decidedBy: string | null;
  /** How long the approval waited (0 when the policy decided); null while it waits or when nobody was asked. */
  waitMs: number | null;
  /** How long the tool ran; null while it runs or when it never ran. */
  runMs: number | null;
  exitCode: number | null;
  timedOut: boolean;
  /** Files it created, changed or deleted; null when it says nothing about files. */
  files: number | null;
}

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
  /** For a `tool.call.*` row: its call. Absent on every other row. */
  tool?: InspectorToolCall;
}

export interface InspectorTotals {
  events: number;
  /** Finished model calls (responses, errors and replays). */
  calls: number;
  /** Tool calls: each ends once (completed, failed or denied). */
  toolCalls: number;
  /** The time tools ran, summed (apart from the wall time: the model and the person wait in between). */
  toolMs?: number;
  /** The time approvals waited for a person, summed. */
  approvalWaitMs?: number;
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
  /**
   * Replay (sessions only): the exact request of the call `eventId` belongs to, ready to edit, with the provider
   * endpoints it can be sent to, and, when `eventId` is itself a replay, its stored comparison.
   */
  'inspector/replay/open': {
    params: z.strictObject({ eventId }),
    result: z.custom<ReplayOpen>((value) => typeof value === 'object' && value !== null),
  },
  /** Runs an edited request (checked against the replay schema) and answers with the comparison; one at a time. */
  'inspector/replay/run': {
    params: z.strictObject({ request: replayRequestSchema }),
    result: z.custom<ReplayComparison>((value) => typeof value === 'object' && value !== null),
  },
  /** Stops the replay in progress (it is recorded as cancelled); nothing when none runs. */
  'inspector/replay/stop': { params: z.strictObject({}), result: z.custom<null>((value) => value === null || value === undefined) },
  /** Continues a completed replay as a new branch of the session and shows it in the chat panel. */
  'inspector/replay/continue': {
    params: z.strictObject({ replayEventId: eventId }),
    result: z.custom<{ sessionId: string; messageId: string }>((value) => typeof value === 'object' && value !== null),
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

export interface ReplayProviderChoice {
  id: string;
  label: string;
}

/** What `inspector/replay/open` answers. */
export interface ReplayOpen {
  request: ReplayRequest;
  /** The configured endpoints (may be empty: the provider is then typed). */
  providers: ReplayProviderChoice[];
  /** The stored comparison when the event opened is a replay; null otherwise. */
  comparison: ReplayComparison | null;
}

export const EMPTY_FILTER: InspectorFilter = { text: '', types: [] };
