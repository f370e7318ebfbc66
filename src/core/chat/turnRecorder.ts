import type { NewEvent, StudioEvent } from '../../db/repositories/events';
import type { Message, MessageStatus } from '../../db/repositories/messages';
import type { CollectedAnswer } from '../../llm/collect';
import { costOf, resolvePrice, toMicroDollars, type ResolvedPrice } from '../../llm/pricing';
import type { Usage } from '../../llm/types';
import type { SqlWriter } from '../../db/sql';
import { interruptedError, storedErrorOf, toJsonError, type StoredChatError } from './chatErrors';
import { replyContent, storedReply, titleFrom } from './chatRequest';
import type { ProviderConnection } from './chatTypes';
import type { TurnContext, TurnPlan } from './chatTurn';
import { toMessageView } from './chatViews';
import { defined } from '../jsonFields';

/**
 * Writes how a reply ended, in one transaction: the message's final text and status (with the error and the
 * actions that fix it), the call's event (`llm.response.completed` with tokens, cost, latency, time to first
 * token and finish reason, or `llm.error`), `message.assistant` when there is something to show, the lease
 * released, and the session's title from its first question after the first complete reply.
 */

export interface TurnOutcome {
  answer: CollectedAnswer;
  /** Absent when the provider could not even be opened (no key, bad settings). */
  connection?: ProviderConnection;
  /** Time spent opening the provider (reading the key), part of what the person waited. */
  openMs: number;
}

/** What the agent loop needs to know of a recorded step. */
export interface RecordedStep {
  status: MessageStatus;
  /** The session (or the reply) was deleted while it streamed: nothing more to do. */
  deleted: boolean;
  toolCalls: CollectedAnswer['toolCalls'];
  /** Input + output tokens of the call. */
  tokens: number;
  /** Undefined when the price is unknown. */
  costUsd?: number;
  /** The reply as written (absent when it was deleted). */
  message?: Message;
}

export type ToolCallsWriter = (sql: SqlWriter, calls: CollectedAnswer['toolCalls']) => void;

export class TurnRecorder {
  constructor(
    private readonly context: TurnContext,
    private readonly plan: TurnPlan,
  ) {}

  /**
   * `withToolCalls` writes, in the same transaction, what a complete reply that asks for tools leads to (the agent
   * loop's tool message): one commit instead of two before the first call is judged.
   */
  async record(outcome: TurnOutcome, interrupted: boolean, withToolCalls?: ToolCallsWriter): Promise<RecordedStep> {
    const { repos, leases, emitter, log } = this.context;
    const { plan } = this;
    const { answer } = outcome;
    let status: MessageStatus = answer.status;
    let error: StoredChatError | undefined = answer.error && answer.status !== 'cancelled' ? storedErrorOf(answer.error) : undefined;
    if (interrupted && status === 'cancelled') {
      status = 'incomplete';
      error = interruptedError();
    }
    const origin = outcome.connection ? (outcome.connection.adapter.kind ?? outcome.connection.endpoint.kind) : undefined;
    const content = answer.reply ? storedReply(answer.reply, origin) : replyContent(answer.text, answer.reasoning, answer.toolCalls);
    const price = outcome.connection && answer.usage ? resolvePrice(outcome.connection.endpoint, plan.model, outcome.connection.priceOverrides) : undefined;
    const callEvent = this.callEvent(outcome, status, error, price);
    if (repos.messages.get(plan.assistantId) === undefined) {
      log.info(`Reply ${plan.assistantId} was deleted while streaming; nothing to record`);
      await repos.store.write((sql) => leases.release(sql, plan.assistantId));
      return { status: 'error', deleted: true, toolCalls: [], tokens: 0 };
    }
    // A reply that asks for tools is followed by the commit that judges its first call, before anything runs:
    // that one goes to disk, and takes this one with it.
    const leadsToTools = withToolCalls !== undefined && status === 'complete' && answer.toolCalls.length > 0;
    const written = await repos.store.write((sql) => {
      const message = repos.messages.within(sql).update(plan.assistantId, {
        content,
        status,
        error: error === undefined ? null : toJsonError(error),
      });
      const events = repos.events.within(sql);
      const call = events.append(callEvent);
      if (content.length > 0) {
        events.append({
          type: 'message.assistant',
          sessionId: plan.sessionId,
          messageId: plan.assistantId,
          model: plan.model,
          payload: { status },
          text: '',
        });
      }
      leases.release(sql, plan.assistantId);
      const titled = status === 'complete' && repos.sessions.within(sql).nameIfUntitled(plan.sessionId, titleFrom(plan.titleSource));
      if (leadsToTools) {
        withToolCalls(sql, answer.toolCalls);
      }
      return { message, call, titled };
    }, leadsToTools ? { durability: 'withNext' } : {});
    emitter.emit(plan.sessionId, { method: 'chat/message', params: toMessageView(written.message, written.call) });
    if (written.titled) {
      this.context.sessionChanged(plan.sessionId);
    }
    log.info(summary(written.message, written.call, error));
    const tokens = (answer.usage?.inputTokens ?? 0) + (answer.usage?.outputTokens ?? 0);
    return {
      status,
      deleted: false,
      toolCalls: answer.toolCalls,
      tokens,
      message: written.message,
      ...(written.call.costMicroUsd === null ? {} : { costUsd: written.call.costMicroUsd / 1_000_000 }),
    };
  }

  private callEvent(outcome: TurnOutcome, status: MessageStatus, error: StoredChatError | undefined, price: ResolvedPrice | undefined): NewEvent {
    const { plan } = this;
    const { answer, openMs } = outcome;
    const usage = answer.usage;
    const costUsd = usage ? costOf(usage, price?.price) : undefined;
    // A wall clock stepped back during the call must not make the event end before it started.
    const now = Math.max(plan.requestedAt, this.context.clock.now());
    const common = {
      sessionId: plan.sessionId,
      messageId: plan.assistantId,
      parentEventId: plan.requestEventId,
      startedAt: plan.requestedAt,
      endedAt: now,
      durationMs: Math.round(openMs + answer.totalMs),
      model: plan.model,
      ...(usage ? { tokens: billedTokens(usage) } : {}),
      // Unknown stays unknown (null), never 0: a budget summed over unknown costs would be silently wrong.
      costMicroUsd: costUsd === undefined ? null : toMicroDollars(costUsd),
    };
    const figures = defined({
      provider: plan.providerId,
      status,
      timeToFirstTokenMs: answer.timeToFirstChunkMs === undefined ? undefined : Math.round(openMs + answer.timeToFirstChunkMs),
      promptTokens: usage?.inputTokens,
      finishReason: answer.finishReason,
      priceSource: price?.source,
      priceAsOf: price?.asOf,
      textLength: answer.text.length,
    });
    if (status === 'complete') {
      return { ...common, type: 'llm.response.completed', payload: figures, text: '' };
    }
    const failure = error ?? { kind: 'cancelled', message: 'Stopped.' };
    return {
      ...common,
      type: 'llm.error',
      payload: { ...figures, kind: failure.kind, message: failure.message, ...(error?.status === undefined ? {} : { httpStatus: error.status }) },
      // Searchable by what went wrong, not by figures.
      text: `${failure.kind}\n${failure.message}`,
    };
  }
}

/** The store bills input without cached tokens (those have their own columns); src/llm counts the whole prompt. */
export function billedTokens(usage: Usage) {
  const cacheRead = usage.cacheReadTokens ?? null;
  const cacheWrite = usage.cacheWriteTokens ?? null;
  return {
    input: Math.max(0, usage.inputTokens - (cacheRead ?? 0) - (cacheWrite ?? 0)),
    output: usage.outputTokens,
    cacheRead,
    cacheWrite,
    reasoning: usage.reasoningTokens ?? null,
  };
}


/** Sizes and outcomes only: never the question or the answer, which are the person's own. */
function summary(message: Message, call: StudioEvent, error: StoredChatError | undefined): string {
  const tokens = call.tokens.output === null ? 'no usage reported' : `${call.tokens.input ?? 0}+${call.tokens.cacheRead ?? 0} cached in / ${call.tokens.output} out`;
  const cost = call.costMicroUsd === null ? 'cost unknown' : `${call.costMicroUsd} µ$`;
  const why = error === undefined ? '' : ` (${error.kind})`;
  return `Reply ${message.id} in session ${message.sessionId}: ${message.status}${why}, ${call.model ?? 'no model'}, ${tokens}, ${cost}, ${call.durationMs ?? '?'} ms`;
}
