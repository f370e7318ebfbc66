import { collectAnswer } from '../../llm/collect';
import { streamChat } from '../../llm/streamChat';
import type { ChatRequest, Chunk } from '../../llm/types';
import type { Clock, Logger } from '../ports';
import type { ChatEmitter } from './chatEmitter';
import { asProviderError } from './chatErrors';
import { storedReply } from './chatRequest';
import { ReplyAssembler } from '../../llm/assemble';
import type { ProviderKind } from '../../llm/endpoints';
import type { ChatRepositories } from './chatRepositories';
import type { ChatTiming, ProviderAccess, ProviderConnection } from './chatTypes';
import { TurnRecorder, type RecordedStep, type ToolCallsWriter, type TurnOutcome } from './turnRecorder';
import type { StreamLeases } from './streamLeases';
import { StreamSaver } from './streamSaver';

/**
 * One streamed reply, from the moment its rows exist to its final status: opens the provider, streams through
 * streamChat (retry, watchdogs, final-event check, Stop), tells listeners every chunk, saves the text as it
 * grows, and hands the outcome to the recorder.
 */

/** What the service decided before the reply's rows were written. */
export interface TurnPlan {
  sessionId: string;
  assistantId: string;
  /** The llm.request.started event, parent of the call's completion or error event. */
  requestEventId: string;
  /** Wall-clock time the request event carries. */
  requestedAt: number;
  providerId: string;
  model: string;
  request: ChatRequest;
  /** The branch's first user message: the session's title if it has none yet. */
  titleSource: string;
}

export interface TurnContext {
  repos: ChatRepositories;
  leases: StreamLeases;
  providers: ProviderAccess;
  emitter: ChatEmitter;
  log: Logger;
  clock: Clock;
  timing: ChatTiming;
  monotonic: () => number;
  /** Tells listeners the session's title (or agent) changed. */
  sessionChanged(sessionId: string): void;
  /** A model call failed with a fault worth waiting out and is tried again after `delayMs` (a batch slows down on it). */
  retrying?(sessionId: string, retry: ProviderRetry): void;
}

export interface ProviderRetry {
  attempt: number;
  delayMs: number;
  kind: string;
}

export class ChatTurn {
  private readonly controller = new AbortController();
  private interrupted = false;
  private text = '';
  private reasoning = '';
  /** The reply in stream order (reasoning blocks with their signatures, text, tool calls): what is stored. */
  private readonly reply = new ReplyAssembler();
  /** Where the reply's reasoning signatures come from: only that provider gets them back. */
  private origin: ProviderKind | undefined;
  /** Chunks seen at the last save, so a heartbeat without news does not rewrite the reply. */
  private savedChunks = 0;
  private chunks = 0;
  /** When this window last renewed the reply's lease (the turn's first write claimed it). */
  private leaseRenewedAt = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly context: TurnContext,
    readonly plan: TurnPlan,
    /** The agent loop's writes for a reply that asks for tools, committed with the reply (TurnRecorder). */
    private readonly withToolCalls?: ToolCallsWriter,
  ) {}

  get assistantId(): string {
    return this.plan.assistantId;
  }

  /** The reply as it stands, newer than the last save: what a panel opened mid-stream must show. */
  get live(): { text: string; reasoning: string } {
    return { text: this.text, reasoning: this.reasoning };
  }

  /** The person pressed Stop: the reply ends as cancelled, its text kept. */
  stop(): void {
    this.controller.abort();
  }

  /** The window is closing: the reply ends as incomplete (interrupted), not as something the person stopped. */
  interrupt(): void {
    this.interrupted = true;
    this.controller.abort();
  }

  async run(): Promise<RecordedStep> {
    const { timing, monotonic, log } = this.context;
    const saver = new StreamSaver({
      everyMs: timing.persistEveryMs,
      everyChars: timing.persistEveryChars,
      save: () => this.saveProgress(),
      onError: (err) => log.warn(`Could not save reply ${this.assistantId} while streaming: ${describe(err)}`),
      now: monotonic,
    });
    const heartbeat = setInterval(() => saver.heartbeat(), timing.heartbeatMs);
    heartbeat.unref?.();
    let outcome: TurnOutcome;
    try {
      outcome = await this.stream(saver);
    } finally {
      clearInterval(heartbeat);
      await saver.close();
    }
    const recorder = new TurnRecorder(this.context, this.plan);
    return recorder.record(outcome, this.interrupted, this.withToolCalls);
  }

  /** Whether Stop or shutdown ended this step. */
  get aborted(): boolean {
    return this.controller.signal.aborted;
  }

  private async stream(saver: StreamSaver): Promise<TurnOutcome> {
    const { providers, monotonic, log } = this.context;
    const { plan } = this;
    const started = monotonic();
    let connection: ProviderConnection;
    try {
      connection = await providers.open(plan.providerId);
    } catch (err) {
      const error = asProviderError(err, plan.providerId);
      const status = this.controller.signal.aborted ? 'cancelled' : 'error';
      return { answer: { status, text: '', reasoning: '', toolCalls: [], error, totalMs: 0 }, openMs: monotonic() - started };
    }
    const openMs = monotonic() - started;
    this.origin = connection.adapter.kind ?? connection.endpoint.kind;
    const signal = this.controller.signal;
    const stream = streamChat(connection.adapter, plan.request, {
      signal,
      watchdogs: connection.endpoint.watchdogs,
      retry: {
        onRetry: ({ attempt, delayMs, error }) => {
          log.info(`Reply ${plan.assistantId}: attempt ${attempt} failed (${error.kind}); trying again in ${Math.round(delayMs)} ms`);
          this.context.retrying?.(plan.sessionId, { attempt, delayMs, kind: error.kind });
        },
      },
    });
    // A Stop pressed while the provider was being opened ends the stream at its first step, as cancelled.
    const answer = await collectAnswer(stream, (chunk) => this.onChunk(chunk, saver), monotonic);
    return { answer, connection, openMs };
  }

  private onChunk(chunk: Chunk, saver: StreamSaver): void {
    const id = this.assistantId;
    const { emitter } = this.context;
    this.reply.add(chunk);
    this.chunks += 1;
    switch (chunk.type) {
      case 'text':
        emitter.emit(this.plan.sessionId, { method: 'chat/delta', params: { id, text: chunk.text, offset: this.text.length } });
        this.text += chunk.text;
        saver.changed(chunk.text.length);
        break;
      case 'reasoning':
        this.reasoning += chunk.text;
        emitter.emit(this.plan.sessionId, { method: 'chat/delta', params: { id, reasoning: chunk.text } });
        saver.changed(chunk.text.length);
        break;
      case 'tool_call':
        saver.changed(chunk.arguments.length);
        break;
      case 'reasoning_signature':
      case 'reasoning_redacted':
        saver.changed(1);
        break;
      default:
        break;
    }
  }

  private async saveProgress(): Promise<void> {
    const { repos, leases } = this.context;
    const { assistantId, sessionId } = this.plan;
    const seen = this.chunks;
    const changed = seen !== this.savedChunks;
    const content = storedReply(this.reply, this.origin);
    try {
      await repos.store.write((sql) => {
        if (changed) {
          repos.messages.within(sql).update(assistantId, { content });
        }
        // Renewed once per heartbeat, not with every save: a settings write refreshes the Sessions view and every
        // open chat panel's header, four times a second while a reply streams.
        const now = this.context.clock.now();
        if (!changed || now - this.leaseRenewedAt >= this.context.timing.heartbeatMs) {
          leases.hold(sql, assistantId, sessionId);
          this.leaseRenewedAt = now;
        }
      });
    } catch (err) {
      if (repos.messages.get(assistantId) === undefined) {
        // The session was deleted while its reply streamed: nobody is left to read the rest.
        this.context.log.info(`Reply ${assistantId} was deleted while streaming; stopping it`);
        this.controller.abort();
        return;
      }
      throw err;
    }
    this.savedChunks = seen;
  }
}

export function describe(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
