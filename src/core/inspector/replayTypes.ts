import type { ChatRepositories } from '../chat/chatRepositories';
import type { EventType } from '../../db/repositories/events';

/**
 * The shapes of replay: re-running one recorded model call with changes, recording the result as an event linked
 * to the original, comparing the two, and continuing the replay as a new branch of the session.
 */

/** The repositories replay reads and writes, on one store. */
export type ReplayRepositories = Pick<ChatRepositories, 'store' | 'agents' | 'messages' | 'events'>;

export const REPLAY_COMPLETED = 'llm.replay.completed' satisfies EventType;
export const REPLAY_ERROR = 'llm.replay.error' satisfies EventType;
export type ReplayEventType = typeof REPLAY_COMPLETED | typeof REPLAY_ERROR;

export function isReplayEventType(type: string): boolean {
  return type === REPLAY_COMPLETED || type === REPLAY_ERROR;
}

/** Whether an event's type says its call completed: the chat loop's llm.response.completed, or a replay's. */
export function isCompletedCall(type: string): boolean {
  return type === 'llm.response.completed' || type === REPLAY_COMPLETED;
}

export type ReplayErrorCode =
  /** The request coming back from the panel is malformed. */
  | 'invalid'
  /** No such event, or it is not one replay can start from. */
  | 'not_found'
  | 'not_a_call'
  /** Something the call needs to be rebuilt exactly was deleted (its reply, its agent version, its session). */
  | 'deleted'
  /** The conversation before the call is no longer what was sent. */
  | 'changed'
  /** A replay that did not complete cannot become a branch. */
  | 'not_completed'
  /** The service is shutting down. */
  | 'closed';

/** Thrown for replays that cannot be done; the message is written for people. */
export class ReplayError extends Error {
  constructor(
    readonly code: ReplayErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'ReplayError';
  }
}

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
