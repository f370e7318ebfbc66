import { z } from 'zod';
import { chatToolRequests, type ChatToolEvent, type PendingView, type ToolCallView } from './chatTools';
import { runHeaderRequests, type RunHeaderEvent } from './runHeader';
import type { RequestMap } from './rpc';

export type { RunEndView, RunFileView, RunHeaderEvent, RunHeaderState, RunHeaderView, RunMeterKind, RunMeterView, RunTotalsView } from './runHeader';

/**
 * The chat panel's protocol. The host owns the truth (the store); the panel renders a snapshot sent on `ready`
 * and the events that follow, so a hidden or reloaded panel shows the whole history, a reply still streaming
 * included. Every string from the panel is bounded, and ids are ULIDs, so a hostile message cannot make the
 * host read or write anything it would not for a user.
 */

const id = z.string().regex(/^[0-9A-HJKMNP-TV-Z]{26}$/, 'not an id');
/** A message a person typed: generous, but bounded so a runaway script cannot post 1 GB. */
const userText = z.string().min(1).max(200_000);

export const chatErrorActionSchema = z.enum(['setKey', 'retry', 'openSettings', 'newBranch']);
export type ChatErrorAction = z.infer<typeof chatErrorActionSchema>;

/** A message as the panel shows it: its text already extracted, its call figures already computed. */
export interface ChatMessageView {
  id: string;
  parentId: string | null;
  role: 'user' | 'assistant' | 'system' | 'tool';
  status: 'streaming' | 'complete' | 'incomplete' | 'cancelled' | 'error';
  /** Markdown for the panel to render (sanitized there); never HTML from the host. */
  text: string;
  reasoning: string;
  toolCalls: { id: string; name: string; arguments: string }[];
  /** A `tool` message: the calls of the assistant message before it, with their state and results. */
  tools?: ToolCallView[];
  model: string | null;
  /** The agent version that produced an assistant message. */
  agentVersionId: string | null;
  createdAt: number;
  /**
   * This message and its siblings (the replies to the same parent), oldest first, when there is more than one:
   * the branch switcher's "2 of 3" without the other branches' messages. Absent: the only reply.
   */
  siblingIds?: string[];
  /** For assistant messages once the call finished. */
  footer?: {
    inputTokens?: number;
    outputTokens?: number;
    /** USD; undefined when the price is unknown (shown as "cost unknown", never $0). */
    costUsd?: number;
    latencyMs?: number;
    timeToFirstTokenMs?: number;
    finishReason?: string;
  };
  error?: { kind: string; message: string; actions: ChatErrorAction[] };
}

export interface ChatAgentView {
  id: string;
  name: string;
  provider: string;
  model: string;
  versionId: string;
}

/**
 * How many messages of the shown path a snapshot carries (the newest), and a `chat/history` page at most. A
 * screen shows a few dozen; the rest of a long session comes page by page as the reader scrolls up, so opening a
 * 10,000-message session costs the same as opening a 200-message one.
 */
export const HISTORY_PAGE = 200;

export interface ChatSnapshot {
  session: { id: string; title: string; agentId: string | null };
  /**
   * The newest messages (at most HISTORY_PAGE) of the path to `leafId`, root side first. When the first one has a
   * parent, there is older history: `chat/history` from that parent.
   */
  messages: ChatMessageView[];
  /** The message whose path from the root is shown; null for an empty session. */
  leafId: string | null;
  /** The agent (and model override) the next message goes to. */
  agent: ChatAgentView | null;
  modelOverride: string | null;
  /** Agents to switch to, for the picker. */
  agents: ChatAgentView[];
  /** The assistant message streaming right now, if any. */
  streamingId: string | null;
  /** What the session's turn waits on: approvals and limits (empty when nothing waits). */
  pending: PendingView[];
}

export const chatRequests = {
  /** Sends a user message after `parentId` (null: a first message) and streams the reply. */
  'chat/send': { params: z.strictObject({ text: userText, parentId: id.nullable() }), result: z.strictObject({ userId: id, assistantId: id }) },
  /** Stops the reply streaming in this session (Esc). */
  'chat/stop': { params: z.strictObject({}), result: z.null() },
  /** Asks again for a new sibling of this assistant message (same question, new branch). */
  'chat/retry': { params: z.strictObject({ messageId: id }), result: z.strictObject({ assistantId: id }) },
  /** Edits an earlier user message: a new sibling with this text, then a reply. Nothing is deleted. */
  'chat/edit': { params: z.strictObject({ messageId: id, text: userText }), result: z.strictObject({ userId: id, assistantId: id }) },
  /**
   * A page of the path that ends at `fromId` (included), root side first: older history as the reader scrolls up,
   * or the path of a branch the panel has not loaded. With `throughId`, the page reaches at least up to that
   * message of the path (a search hit far up a long session).
   */
  'chat/history': {
    params: z.strictObject({ fromId: id, limit: z.number().int().min(1).max(HISTORY_PAGE).optional(), throughId: id.optional() }),
    result: z.strictObject({ messages: z.array(z.custom<ChatMessageView>()) }),
  },
  /** Shows the branch through this message (the newest path below it). */
  'chat/selectBranch': { params: z.strictObject({ messageId: id }), result: z.strictObject({ leafId: id }) },
  /** Copies the path up to this message into a new session and opens it. */
  'chat/fork': { params: z.strictObject({ messageId: id }), result: z.strictObject({ sessionId: id }) },
  /** The agent and model for the next message (model null: the agent's own). */
  'chat/setAgent': { params: z.strictObject({ agentId: id, model: z.string().min(1).max(200).nullable() }), result: z.null() },
  /** Inserts a code block at the cursor of the last active text editor. */
  'chat/insertAtCursor': { params: z.strictObject({ code: z.string().max(1_000_000) }), result: z.null() },
  /** Opens a link from a message, after the host asks the user; only http(s). */
  'chat/openLink': { params: z.strictObject({ url: z.string().max(8_000) }), result: z.null() },
  /** The fix an error offered: set the provider's key, open its settings. */
  'chat/runErrorAction': {
    params: z.strictObject({ messageId: id, action: chatErrorActionSchema }),
    result: z.null(),
  },
  /** Opens the Inspector on this session (issue 6), or on one message's call. */
  'chat/inspect': { params: z.strictObject({ messageId: id.nullable() }), result: z.null() },
  ...chatToolRequests,
  ...runHeaderRequests,
} satisfies RequestMap;
export type ChatRequests = typeof chatRequests;

/** Host -> panel, after the snapshot. */
export type ChatEvent =
  /** A message was created or changed (status, footer, error, or its full text after streaming). */
  | { method: 'chat/message'; params: ChatMessageView }
  /**
   * Text streamed into a message: appended to what the panel has. `offset` is the length of the message's text
   * before this delta, so a panel that got a snapshot already holding it (deltas queued before `ready`) skips the
   * repeat, and one that missed a delta asks for a fresh snapshot instead of showing a wrong reply.
   */
  | { method: 'chat/delta'; params: { id: string; text?: string; offset?: number; reasoning?: string } }
  /** The path shown changed (after send, edit, retry, selectBranch). */
  | { method: 'chat/leaf'; params: { leafId: string | null } }
  | { method: 'chat/streaming'; params: { streamingId: string | null } }
  /** Scrolls to a message of the shown path and focuses it (a search hit); sent after the leaf that shows it. */
  | { method: 'chat/reveal'; params: { messageId: string } }
  /** Title, agent or model changed. */
  | { method: 'chat/session'; params: Pick<ChatSnapshot, 'session' | 'agent' | 'modelOverride' | 'agents'> }
  | ChatToolEvent
  /** The run this session belongs to (issue 13): on open, and whenever the run changes. */
  | RunHeaderEvent;
