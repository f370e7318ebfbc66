import { asProviderError } from '../chat/chatErrors';
import { replyContent } from '../chat/chatRequest';
import type { ProviderAccess, ProviderConnection } from '../chat/chatTypes';
import type { Clock, Logger } from '../ports';
import type { NewEvent, StudioEvent } from '../../db/repositories/events';
import type { Message } from '../../db/repositories/messages';
import { NotFoundError, type JsonValue } from '../../db/repositories/rows';
import { collectAnswer, type CollectedAnswer } from '../../llm/collect';
import { streamChat } from '../../llm/streamChat';
import { changesIn, comparisonOf, replayEvent, requireReplayEvent } from './replayRecord';
import { asRecord } from '../jsonFields';
import { diffRequests, editsConversation, loadCall, parseReplayRequest, rebuildRequest, toChatRequest } from './replayRequest';
import type { ReplayRequest } from './replaySchema';
import { isCompletedCall, ReplayError, type ReplayChange, type ReplayComparison, type ReplayRepositories } from './replayTypes';

/**
 * Replay: runs an edited copy of a recorded call through the same path the chat loop uses (ProviderAccess,
 * streamChat's retry and watchdogs, collectAnswer, the same pricing), records the result as one event linked to
 * the original call, and can continue it as a new branch of the session. A replay never touches the session's
 * messages until it is continued, so it may run while the session is streaming.
 */

export interface ReplayServiceDeps {
  repos: ReplayRepositories;
  providers: ProviderAccess;
  clock: Clock;
  log: Logger;
  /** A monotonic clock in ms for latencies (default performance.now): wall time can jump. */
  monotonic?: () => number;
}

/** What a branch made from a replay says about it, in its message.assistant event. */
const EDITED_NOTE = 'This reply answered an edited system prompt or conversation, not exactly the messages above it.';

export class ReplayService {
  private readonly running = new Set<AbortController>();
  private readonly monotonic: () => number;
  private closed = false;

  constructor(private readonly deps: ReplayServiceDeps) {
    this.monotonic = deps.monotonic ?? (() => performance.now());
  }

  /** The exact request of the call an event belongs to, ready to edit. Throws ReplayError. */
  rebuild(eventId: string): ReplayRequest {
    return rebuildRequest(this.deps.repos, eventId);
  }

  /**
   * Runs `input` (a ReplayRequest, checked here again: it may come straight from a panel) and records ONE event,
   * llm.replay.completed or llm.replay.error, in the original's session. A failed or stopped replay is recorded
   * too and resolves normally; only a request that cannot be replayed at all throws (ReplayError).
   */
  async run(input: unknown, signal?: AbortSignal): Promise<ReplayComparison> {
    if (this.closed) {
      throw new ReplayError('closed', 'AI Studio is shutting down.');
    }
    const request = parseReplayRequest(input);
    const { repos, clock, log } = this.deps;
    const call = loadCall(repos, request.sourceEventId);
    if (call.request.sessionId !== request.sessionId) {
      throw new ReplayError('invalid', 'The edited request names another session than the call it replays.');
    }
    const changes = diffRequests(call.request, request);
    const controller = new AbortController();
    const onAbort = () => controller.abort();
    signal?.addEventListener('abort', onAbort, { once: true });
    if (signal?.aborted) {
      controller.abort();
    }
    this.running.add(controller);
    try {
      const startedAt = clock.now();
      const outcome = await this.stream(request, controller.signal);
      const event = replayEvent(call, request, changes, { ...outcome, startedAt, endedAt: clock.now() });
      const recorded = await this.record(event);
      log.info(summary(recorded, changes));
      return comparisonOf(repos, recorded.id);
    } finally {
      signal?.removeEventListener('abort', onAbort);
      this.running.delete(controller);
    }
  }

  /** A recorded replay next to its original, from the store (a panel reopened later). Throws ReplayError. */
  comparison(replayEventId: string): ReplayComparison {
    return comparisonOf(this.deps.repos, replayEventId);
  }

  /**
   * A new assistant message beside the original reply (same parent: a new branch, nothing deleted) holding the
   * replay's answer, model and status complete, with its message.assistant event, in one transaction. Continuing
   * the same replay again returns the branch already made. Returns the message id; the session's head moves to
   * it, and ChatService.selectBranch shows it in a chat panel.
   */
  async continueAsBranch(replayEventId: string): Promise<string> {
    const { repos } = this.deps;
    const replay = requireReplayEvent(repos, replayEventId);
    const payload = asRecord(replay.payload);
    if (!isCompletedCall(replay.type)) {
      const status = typeof payload.status === 'string' ? payload.status : 'with an error';
      throw new ReplayError('not_completed', `Only a replay that completed can be continued as a branch; this one ended ${status}.`);
    }
    const sourceMessageId = typeof payload.sourceMessageId === 'string' ? payload.sourceMessageId : replay.messageId;
    const original = sourceMessageId === null ? undefined : repos.messages.get(sourceMessageId);
    if (original === undefined || replay.sessionId === null) {
      throw new ReplayError('deleted', 'The reply this replay came from was deleted: there is no place left in the session to branch from.');
    }
    const content = replyContent(stringIn(payload.text), stringIn(payload.reasoning), toolCallsIn(payload.toolCalls));
    if (content.length === 0) {
      throw new ReplayError('not_completed', 'The replay produced no answer to continue with.');
    }
    const existing = this.existingBranch(replay);
    if (existing !== undefined) {
      return existing.id;
    }
    const changes = changesIn(payload.changes);
    const edited = editsConversation(changes);
    // The agent version made this reply only if nothing but the model changed (a model is recorded on its own).
    const keepsVersion = changes.every((change) => change.field === 'model');
    const sessionId = replay.sessionId;
    try {
      const message = await repos.store.write((sql) => {
        const branch = repos.messages.within(sql).branch(original.id, {
          role: 'assistant',
          content,
          status: 'complete',
          agentVersionId: keepsVersion ? original.agentVersionId : null,
          model: replay.model,
        });
        repos.events.within(sql).append({
          type: 'message.assistant',
          sessionId,
          messageId: branch.id,
          parentEventId: replay.id,
          model: replay.model,
          payload: {
            status: 'complete',
            origin: 'replay',
            replayEventId: replay.id,
            sourceMessageId: original.id,
            ...(typeof payload.sourceEventId === 'string' ? { sourceEventId: payload.sourceEventId } : {}),
            ...(typeof payload.provider === 'string' ? { provider: payload.provider } : {}),
            changed: changes.map((change) => change.field),
            conversationEdited: edited,
            ...(edited ? { note: EDITED_NOTE } : {}),
          },
          text: '',
        });
        return branch;
      });
      this.deps.log.info(`Replay ${replay.id} continued as reply ${message.id} in session ${sessionId}${edited ? ' (edited request)' : ''}`);
      return message.id;
    } catch (err) {
      if (err instanceof NotFoundError) {
        throw new ReplayError('deleted', 'The reply this replay came from was deleted meanwhile: there is no place left to branch from.');
      }
      throw err;
    }
  }

  /** Stops every replay in progress (each is recorded as cancelled); later runs are refused. */
  dispose(): void {
    this.closed = true;
    for (const controller of this.running) {
      controller.abort();
    }
  }

  private async stream(request: ReplayRequest, signal: AbortSignal): Promise<{ answer: CollectedAnswer; connection?: ProviderConnection; openMs: number }> {
    const { providers, log } = this.deps;
    const started = this.monotonic();
    let connection: ProviderConnection;
    try {
      connection = await providers.open(request.provider);
    } catch (err) {
      const error = asProviderError(err, request.provider);
      const status = signal.aborted ? 'cancelled' : 'error';
      return { answer: { status, text: '', reasoning: '', toolCalls: [], error, totalMs: 0 }, openMs: this.monotonic() - started };
    }
    const openMs = this.monotonic() - started;
    const stream = streamChat(connection.adapter, toChatRequest(request), {
      signal,
      watchdogs: connection.endpoint.watchdogs,
      retry: {
        onRetry: ({ attempt, delayMs, error }) =>
          log.info(`Replay of ${request.sourceEventId}: attempt ${attempt} failed (${error.kind}); trying again in ${Math.round(delayMs)} ms`),
      },
    });
    // A stop before the provider was open ends the stream at its first step, as cancelled.
    const answer = await collectAnswer(stream, undefined, this.monotonic);
    return { answer, connection, openMs };
  }

  /**
   * Writes the replay's event. Its reply or its original call may have been deleted meanwhile: the event then
   * loses that link (the payload still names them); a deleted session leaves nowhere to record it.
   */
  private record(event: NewEvent): Promise<StudioEvent> {
    const { repos } = this.deps;
    return repos.store.write((sql) => {
      if (sql.get('SELECT 1 AS found FROM sessions WHERE id = ?', [event.sessionId ?? null]) === undefined) {
        throw new ReplayError('deleted', 'The session was deleted while the replay ran; its result was not kept.');
      }
      const linked = { ...event };
      if (linked.messageId && sql.get('SELECT 1 AS found FROM messages WHERE id = ?', [linked.messageId]) === undefined) {
        linked.messageId = null;
      }
      if (linked.parentEventId && sql.get('SELECT 1 AS found FROM events WHERE id = ?', [linked.parentEventId]) === undefined) {
        linked.parentEventId = null;
      }
      return repos.events.within(sql).append(linked);
    });
  }

  /** The branch an earlier continue of this replay made, if it is still there. */
  private existingBranch(replay: StudioEvent): Message | undefined {
    if (replay.sessionId === null) {
      return undefined;
    }
    const { events, messages } = this.deps.repos;
    for (const event of events.list({ sessionId: replay.sessionId }, { types: ['message.assistant'] })) {
      if (event.parentEventId === replay.id && event.messageId !== null) {
        const message = messages.get(event.messageId);
        if (message !== undefined) {
          return message;
        }
      }
    }
    return undefined;
  }
}

function stringIn(value: JsonValue | undefined): string {
  return typeof value === 'string' ? value : '';
}

function toolCallsIn(value: JsonValue | undefined): { id: string; name: string; arguments: string }[] {
  if (!Array.isArray(value)) {
    return [];
  }
  return (value as readonly JsonValue[]).flatMap((item) => {
    const call = asRecord(item);
    return typeof call.id === 'string' && typeof call.name === 'string' && typeof call.arguments === 'string'
      ? [{ id: call.id, name: call.name, arguments: call.arguments }]
      : [];
  });
}

/** Sizes and outcomes only: never the request's or the answer's text. */
function summary(event: StudioEvent, changes: readonly ReplayChange[]): string {
  const payload = asRecord(event.payload);
  const status = typeof payload.status === 'string' ? payload.status : event.type;
  const tokens = event.tokens.output === null ? 'no usage reported' : `${event.tokens.input ?? 0} in / ${event.tokens.output} out`;
  const cost = event.costMicroUsd === null ? 'cost unknown' : `${event.costMicroUsd} µ$`;
  const changed = changes.length === 0 ? 'unchanged' : `changed ${changes.map((c) => c.field).join(', ')}`;
  return `Replay ${event.id} of ${event.parentEventId ?? 'a deleted call'} in session ${event.sessionId ?? '?'}: ${status}, ${event.model ?? 'no model'}, ${changed}, ${tokens}, ${cost}, ${event.durationMs ?? '?'} ms`;
}
