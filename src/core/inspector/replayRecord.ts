import { storedErrorOf, type StoredChatError } from '../chat/chatErrors';
import { textOf } from '../chat/chatRequest';
import type { ProviderConnection } from '../chat/chatTypes';
import type { NewEvent, StudioEvent } from '../../db/repositories/events';
import type { JsonValue } from '../../db/repositories/rows';
import type { CollectedAnswer } from '../../llm/collect';
import { costOf, resolvePrice, toMicroDollars } from '../../llm/pricing';
import { billedTokens } from '../chat/turnRecorder';
import { asRecord, defined, numberIn } from '../jsonFields';
import { editsConversation, type RecordedCall } from './replayRequest';
import type { ReplayRequest } from './replaySchema';
import {
  isCompletedCall,
  isReplayEventType,
  REPLAY_COMPLETED,
  REPLAY_ERROR,
  ReplayError,
  type CallFigures,
  type CallStatus,
  type ReplayChange,
  type ReplayComparison,
  type ReplayRepositories,
} from './replayTypes';

/**
 * A replay's outcome as ONE event, with the same figures as the chat loop's call events (tokens as the store
 * bills them, cost from the same price resolution, latency, time to first token, finish reason), and the two
 * sides of a comparison read back from the store, so a panel opened later shows what a live one showed.
 */

export interface ReplayOutcome {
  answer: CollectedAnswer;
  /** Absent when the provider could not even be opened (no key, bad settings). */
  connection?: ProviderConnection;
  openMs: number;
  /** Wall-clock times of the replay's start and end. */
  startedAt: number;
  endedAt: number;
}

/** The llm.replay.completed or llm.replay.error event of a replay of `call`. */
export function replayEvent(call: RecordedCall, request: ReplayRequest, changes: readonly ReplayChange[], outcome: ReplayOutcome): NewEvent {
  const { answer, connection, openMs } = outcome;
  const usage = answer.usage;
  const price = connection && usage ? resolvePrice(connection.endpoint, request.model, connection.priceOverrides) : undefined;
  const costUsd = usage ? costOf(usage, price?.price) : undefined;
  const status = answer.status;
  const error: StoredChatError | undefined = answer.error && status !== 'cancelled' ? storedErrorOf(answer.error) : undefined;
  const edited = editsConversation(changes);
  const figures = defined({
    sourceEventId: call.started.id,
    sourceMessageId: call.reply.id,
    provider: request.provider,
    status,
    timeToFirstTokenMs: answer.timeToFirstChunkMs === undefined ? undefined : Math.round(openMs + answer.timeToFirstChunkMs),
    promptTokens: usage?.inputTokens,
    finishReason: answer.finishReason,
    priceSource: price?.source,
    priceAsOf: price?.asOf,
    textLength: answer.text.length,
    // Not a message (yet): the replay's answer lives here until someone continues it as a branch.
    text: answer.text,
    reasoning: answer.reasoning === '' ? undefined : answer.reasoning,
    toolCalls: answer.toolCalls.length === 0 ? undefined : answer.toolCalls.map((c) => ({ id: c.id, name: c.name, arguments: c.arguments })),
    changes,
    // What was sent, as far as the session cannot tell: the texts only when they were edited.
    request: defined({
      provider: request.provider,
      model: request.model,
      parameters: request.parameters,
      systemPrompt: changes.some((c) => c.field === 'systemPrompt') ? request.systemPrompt : undefined,
      messages: changes.some((c) => c.field === 'messages') ? request.messages : undefined,
    }),
    conversationEdited: edited,
  });
  const common = {
    sessionId: request.sessionId,
    messageId: call.reply.id,
    parentEventId: call.started.id,
    startedAt: outcome.startedAt,
    endedAt: Math.max(outcome.startedAt, outcome.endedAt),
    durationMs: Math.round(openMs + answer.totalMs),
    model: request.model,
    ...(usage ? { tokens: billedTokens(usage) } : {}),
    // Unknown stays unknown (null), never 0.
    costMicroUsd: costUsd === undefined ? null : toMicroDollars(costUsd),
  };
  if (status === 'complete') {
    return { ...common, type: REPLAY_COMPLETED, payload: figures, text: '' };
  }
  const failure = error ?? { kind: 'cancelled', message: 'Stopped.' };
  return {
    ...common,
    type: REPLAY_ERROR,
    payload: { ...figures, kind: failure.kind, message: failure.message, ...(error?.status === undefined ? {} : { httpStatus: error.status }) },
    text: `${failure.kind}\n${failure.message}`,
  };
}

/** A stored replay next to its original call. Throws ReplayError when `replayEventId` is not a replay. */
export function comparisonOf(repos: ReplayRepositories, replayEventId: string): ReplayComparison {
  const event = requireReplayEvent(repos, replayEventId);
  const payload = asRecord(event.payload);
  const sourceEventId = typeof payload.sourceEventId === 'string' ? payload.sourceEventId : event.parentEventId;
  if (sourceEventId === null || event.sessionId === null) {
    throw new ReplayError('deleted', 'The call this replay came from was deleted.');
  }
  return {
    sourceEventId,
    replayEventId: event.id,
    sessionId: event.sessionId,
    changes: changesIn(payload.changes),
    original: originalFigures(repos, sourceEventId),
    replay: figuresOf(event, typeof payload.text === 'string' ? payload.text : '', undefined),
  };
}

export function requireReplayEvent(repos: ReplayRepositories, replayEventId: string): StudioEvent {
  const event = repos.events.get(replayEventId);
  if (event === undefined) {
    throw new ReplayError('not_found', `There is no replay ${replayEventId}; it may have been deleted with its session.`);
  }
  if (!isReplayEventType(event.type)) {
    throw new ReplayError('not_a_call', `A ${event.type} event is not a replay.`);
  }
  return event;
}

/** The original side: its outcome event's figures and its reply's text (whatever is left of them). */
function originalFigures(repos: ReplayRepositories, startedId: string): CallFigures {
  const started = repos.events.get(startedId);
  if (started === undefined || started.sessionId === null) {
    return { ...unknownFigures('error'), eventId: null };
  }
  const provider = asRecord(started.payload).provider;
  const reply = started.messageId === null ? undefined : repos.messages.get(started.messageId);
  const text = reply === undefined ? '' : textOf(reply.content);
  const outcome = repos.events
    .list({ sessionId: started.sessionId }, { types: ['llm.response.completed', 'llm.error'] })
    .filter((event) => event.parentEventId === started.id)
    .at(-1);
  if (outcome !== undefined) {
    return figuresOf(outcome, text, typeof provider === 'string' ? provider : null);
  }
  // Still streaming, or ended by a crash before its outcome was written: the reply's status says which.
  return {
    ...unknownFigures(reply?.status ?? 'error'),
    provider: typeof provider === 'string' ? provider : null,
    model: started.model,
    text,
  };
}

function figuresOf(event: StudioEvent, text: string, provider: string | null | undefined): CallFigures {
  const payload = asRecord(event.payload);
  const completed = isCompletedCall(event.type);
  const kind = payload.kind;
  const message = payload.message;
  return {
    eventId: event.id,
    provider: provider ?? (typeof payload.provider === 'string' ? payload.provider : null),
    model: event.model,
    status: callStatus(payload.status) ?? (completed ? 'complete' : 'error'),
    text,
    tokensIn: numberIn(payload.promptTokens) ?? event.tokens.input,
    tokensOut: event.tokens.output,
    cacheReadTokens: event.tokens.cacheRead,
    reasoningTokens: event.tokens.reasoning,
    costMicroUsd: event.costMicroUsd,
    latencyMs: event.durationMs,
    timeToFirstTokenMs: numberIn(payload.timeToFirstTokenMs),
    finishReason: typeof payload.finishReason === 'string' ? payload.finishReason : null,
    error: !completed && typeof kind === 'string' && typeof message === 'string' ? { kind, message } : null,
  };
}

function unknownFigures(status: CallStatus): CallFigures {
  return {
    eventId: null,
    provider: null,
    model: null,
    status,
    text: '',
    tokensIn: null,
    tokensOut: null,
    cacheReadTokens: null,
    reasoningTokens: null,
    costMicroUsd: null,
    latencyMs: null,
    timeToFirstTokenMs: null,
    finishReason: null,
    error: null,
  };
}

const fields: readonly string[] = ['provider', 'model', 'temperature', 'maxTokens', 'stop', 'systemPrompt', 'messages'];

/** A replay event's recorded changes, read defensively (another version of AI Studio may have written them). */
export function changesIn(value: JsonValue | undefined): ReplayChange[] {
  if (!Array.isArray(value)) {
    return [];
  }
  return (value as readonly JsonValue[]).filter((item) => {
    const field = asRecord(item).field;
    return typeof field === 'string' && fields.includes(field);
  }) as unknown as ReplayChange[];
}

const statuses: readonly string[] = ['complete', 'incomplete', 'cancelled', 'error', 'streaming'];

function callStatus(value: JsonValue | undefined): CallStatus | undefined {
  return typeof value === 'string' && statuses.includes(value) ? (value as CallStatus) : undefined;
}

