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

export type { ReplayField, ReplayChange, CallStatus, CallFigures, ReplayComparison } from '../../protocol/inspector';
