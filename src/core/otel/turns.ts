import type { StudioEvent } from '../../db/repositories/events';
import { member, TOOL_OUTCOME_TYPES } from '../inspector/toolCalls';
import { toolGroups } from './toolSpans';

/**
 * Which events belong together in one trace.
 *
 * A TURN (a question and its reply) is one trace with an `invoke_agent` span at its root, rather than the whole
 * session being one trace under one root: a turn is the unit that finishes, so the live exporter can send a
 * closed trace the moment a reply is recorded, where a session root would stay open for days (viewers show a
 * span that never ends, or a parent they never receive). Trace viewers built for LLM apps (Langfuse, Phoenix)
 * also treat a trace as one interaction and group a conversation's traces by `gen_ai.conversation.id`, which
 * every span carries. Jaeger lists one row per question, each with its own duration.
 *
 * A turn with tools is many steps (model call, tool calls, model call, ...) and stays ONE trace: each later step's
 * request says it carries tool results (`trigger: 'tool_results'`) and joins the turn it continues.
 *
 * A replay (`llm.replay.*`) runs a recorded call again, possibly days later: it is a trace of its own, linked
 * to the call it replays, so it does not stretch the original turn's span over the time in between.
 */

export type EventRole =
  /** Starts a model call (`llm.request.started`): the call's span. */
  | 'request'
  /** Ends the call its parentEventId started (`llm.response.completed`, `llm.error`). */
  | 'completion'
  /** A whole model call in one event, outside any turn (`llm.replay.completed`, `llm.replay.error`). */
  | 'call'
  /** Part of a tool call (`tool.call.requested|approved|denied|completed`). */
  | 'tool'
  /** Something that happened at one moment in a turn (`message.user`, `message.assistant`, `route.decision`, `run.*`). */
  | 'point';

export function roleOf(type: string): EventRole {
  if (type === 'llm.request.started') {
    return 'request';
  }
  if (type === 'llm.response.completed' || type === 'llm.error') {
    return 'completion';
  }
  if (type.startsWith('llm.replay.')) {
    return 'call';
  }
  return type.startsWith('tool.call.') ? 'tool' : 'point';
}

export interface Turn {
  /** The turn's first event: its id names the trace and the root span. */
  anchor: StudioEvent;
  /** In the order they started. */
  events: StudioEvent[];
}

export interface Grouping {
  turns: Turn[];
  /** Events that are traces of their own (replays). */
  calls: StudioEvent[];
}

/**
 * Splits a session's (or a run's) events into turns: a `message.user` starts one; a model request joins the turn
 * its reply message or its question belongs to, else starts one (a retry has no question of its own); any other
 * event joins the turn of its parent event or its message, else the latest turn.
 */
export function groupTurns(events: readonly StudioEvent[]): Grouping {
  // Ties broken by id: ULIDs from one window grow in the order events were written, so a question comes before
  // its request and a request before its outcome, whatever order the caller listed them in.
  const ordered = [...events].sort((a, b) => a.startedAt - b.startedAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const turns: Turn[] = [];
  const calls: StudioEvent[] = [];
  const byEvent = new Map<string, Turn>();
  const byMessage = new Map<string, Turn>();
  const withRequest = new Set<Turn>();
  let latest: Turn | undefined;
  const open = (event: StudioEvent): Turn => {
    const turn: Turn = { anchor: event, events: [] };
    turns.push(turn);
    latest = turn;
    return turn;
  };
  for (const event of ordered) {
    const role = roleOf(event.type);
    if (role === 'call') {
      calls.push(event);
      continue;
    }
    let turn = linkedTurn(event, byEvent, byMessage);
    if (turn === undefined) {
      if (event.type === 'message.user' || latest === undefined) {
        turn = open(event);
      } else if (role === 'request') {
        // The question's turn waits for its first request; a second request there is a retry, a new turn, unless
        // it is the next step of a turn with tools.
        turn = withRequest.has(latest) && !continuesTurn(event) ? open(event) : latest;
      } else {
        turn = latest;
      }
    }
    turn.events.push(event);
    byEvent.set(event.id, turn);
    if (event.messageId !== null && !byMessage.has(event.messageId)) {
      byMessage.set(event.messageId, turn);
    }
    if (role === 'request') {
      withRequest.add(turn);
    }
  }
  return { turns, calls };
}

/** A model request that sends tool results back: the next step of the turn before it. */
function continuesTurn(request: StudioEvent): boolean {
  return member(request.payload, 'trigger') === 'tool_results';
}

/** The turn an event is tied to by its parent event or by the message it is about; a question is always new. */
function linkedTurn(event: StudioEvent, byEvent: ReadonlyMap<string, Turn>, byMessage: ReadonlyMap<string, Turn>): Turn | undefined {
  if (event.type === 'message.user') {
    return undefined;
  }
  const byParent = event.parentEventId === null ? undefined : byEvent.get(event.parentEventId);
  return byParent ?? (event.messageId === null ? undefined : byMessage.get(event.messageId));
}

/** The events of the turn that produced the reply `replyMessageId`, or undefined when no turn did. */
export function turnOfReply(events: readonly StudioEvent[], replyMessageId: string): StudioEvent[] | undefined {
  return groupTurns(events).turns.find((turn) => turn.events.some((event) => roleOf(event.type) === 'request' && event.messageId === replyMessageId))?.events;
}

/**
 * The trace can be sent, nothing in it will change: every model request has its outcome, every tool call has
 * ended, and the last model call did not ask for tools (its step's calls are about to be recorded: the reply of
 * a step that asks for tools is written before its first tool event).
 */
export function isTurnFinished(events: readonly StudioEvent[]): boolean {
  const completions = events.filter((event) => roleOf(event.type) === 'completion');
  const answered = new Set(completions.map((event) => event.parentEventId));
  if (!events.every((event) => roleOf(event.type) !== 'request' || answered.has(event.id))) {
    return false;
  }
  const last = completions.reduce<StudioEvent | undefined>((latest, event) => (latest === undefined || event.startedAt >= latest.startedAt ? event : latest), undefined);
  if (last !== undefined && last.type === 'llm.response.completed' && member(last.payload, 'finishReason') === 'tool_calls') {
    return false;
  }
  // A call is known to be under way from its request (another tool's trace may hold only outcomes).
  return toolGroups(events.filter((event) => roleOf(event.type) === 'tool')).every(
    (call) => !call.some((event) => event.type === 'tool.call.requested') || call.some((event) => TOOL_OUTCOME_TYPES.includes(event.type)),
  );
}
