import type { ContentPart, Message } from '../../db/repositories/messages';
import type { SqlWriter } from '../../db/sql';
import type { ChatRepositories } from '../chat/chatRepositories';
import type { ChatEmitter } from '../chat/chatEmitter';
import type { StreamLeases } from '../chat/streamLeases';
import { toMessageView } from '../chat/chatViews';
import { toolCallViews } from './toolViews';
import type { EventType } from '../../db/repositories/events';
import { defined } from '../jsonFields';
import type { CallEvent, CallRecorder, StepUpdate } from './toolCall';

export interface ToolMessageDeps {
  repos: ChatRepositories;
  leases: StreamLeases;
  emitter: ChatEmitter;
  sessionId: string;
  heartbeatMs: number;
}

/**
 * The `tool` message of one step: created (streaming, with its lease) in the transaction that records the step's
 * reply, before any call runs, with a `pending` step per call, so every call is on record from the start; then
 * each call's events and its new state are committed together before its effect (asking, running). A result,
 * which follows an effect rather than precedes one, may wait for the next commit (the next call's, or the one
 * that finishes the message and starts the next step): fewer fsyncs per step, and still durable before the next
 * model call. Finished as complete, or cancelled when Stop cut it short.
 */
export class ToolMessage {
  private readonly steps = new Map<string, Extract<ContentPart, { type: 'tool_step' }>>();
  private readonly results = new Map<string, Extract<ContentPart, { type: 'tool_result' }>>();
  private heartbeat: ReturnType<typeof setInterval> | undefined;

  /** Events of calls whose result is known but not committed yet (see `record`'s `later`). */
  private readonly unwritten: CallEvent[] = [];
  private created: Message | undefined;

  private constructor(
    private readonly deps: ToolMessageDeps,
    readonly id: string,
    private readonly order: readonly { id: string; name: string }[],
  ) {
    for (const call of order) {
      this.steps.set(call.id, { type: 'tool_step', callId: call.id, name: call.name, summary: call.name, state: 'pending' });
    }
  }

  /**
   * Writes the message inside the caller's transaction (the one that records the step's reply, so the reply and
   * its calls land together); `started` must be called once that transaction committed.
   */
  static createWithin(sql: SqlWriter, deps: ToolMessageDeps, parentId: string, calls: readonly { id: string; name: string }[]): ToolMessage {
    const steps: ContentPart[] = calls.map((call) => ({ type: 'tool_step', callId: call.id, name: call.name, summary: call.name, state: 'pending' }));
    const created = deps.repos.messages.within(sql).append(deps.sessionId, parentId, { role: 'tool', content: steps, status: 'streaming' });
    deps.leases.hold(sql, created.id, deps.sessionId);
    const toolMessage = new ToolMessage(deps, created.id, calls);
    toolMessage.created = created;
    return toolMessage;
  }

  /** After the creating transaction committed: the panel learns of the message, and its lease is kept fresh. */
  started(): void {
    if (this.created !== undefined) {
      this.deps.emitter.emit(this.deps.sessionId, { method: 'chat/message', params: toMessageView(this.created) });
      this.created = undefined;
    }
    const { repos, leases, sessionId, heartbeatMs } = this.deps;
    // A command may run for many minutes: the lease says this window is still on it.
    this.heartbeat = setInterval(() => {
      void repos.store.write((sql) => leases.hold(sql, this.id, sessionId)).catch(() => undefined);
    }, heartbeatMs);
    this.heartbeat.unref?.();
  }

  /** The content as it stands: each call's step, then its result once there is one. */
  content(): ContentPart[] {
    return this.order.flatMap((call) => {
      const step = this.steps.get(call.id);
      const result = this.results.get(call.id);
      return [...(step ? [step] : []), ...(result ? [result] : [])];
    });
  }

  recorder(callId: string): CallRecorder {
    return {
      record: async (events, update, when = 'now') => {
        this.apply(callId, update);
        const list: readonly CallEvent[] = Array.isArray(events) ? events : [events as CallEvent];
        this.unwritten.push(...list);
        if (when !== 'later') {
          await this.deps.repos.store.write((sql) => this.writeWithin(sql), { durability: when });
        }
        this.emit(callId);
      },
    };
  }

  /** Ends the message in its own transaction (see `finishWithin`). */
  async finish(status: 'complete' | 'cancelled'): Promise<Message> {
    const message = await this.deps.repos.store.write((sql) => this.finishWithin(sql, status));
    this.finished(message);
    return message;
  }

  /**
   * Ends the message inside the caller's transaction (the one that starts the next step, so a call's result is
   * committed before the next model call and no sooner than needed): every call has a result (the ones Stop kept
   * from running say so), the lease released. `finished` must be called once that transaction committed.
   */
  finishWithin(sql: SqlWriter, status: 'complete' | 'cancelled'): Message {
    clearInterval(this.heartbeat);
    for (const call of this.order) {
      if (!this.results.has(call.id)) {
        const text = 'Not run: the turn was stopped before this call ran.';
        this.apply(call.id, { state: 'denied', summary: this.steps.get(call.id)?.summary ?? call.name, result: { content: text, isError: true } });
        this.emit(call.id);
      }
    }
    const message = this.writeWithin(sql, status);
    this.deps.leases.release(sql, this.id);
    return message;
  }

  finished(message: Message): void {
    this.deps.emitter.emit(this.deps.sessionId, { method: 'chat/message', params: toMessageView(message) });
  }

  /** The content as it stands and every event not yet written. */
  private writeWithin(sql: SqlWriter, status?: 'complete' | 'cancelled'): Message {
    const { repos, sessionId } = this.deps;
    const message = repos.messages.within(sql).update(this.id, { content: this.content(), ...(status === undefined ? {} : { status }) });
    const writes = repos.events.within(sql);
    for (const event of this.unwritten) {
      writes.append({
        type: event.type as EventType,
        sessionId,
        messageId: this.id,
        payload: defined(event.payload),
        ...(event.durationMs === undefined ? {} : { durationMs: event.durationMs }),
        text: event.text ?? '',
      });
    }
    // Only once the caller's transaction is under way; if it fails, the store keeps nothing of it and these events
    // are gone with it, like the call's state in a failed record.
    this.unwritten.length = 0;
    return message;
  }

  private apply(callId: string, update: StepUpdate): void {
    const previous = this.steps.get(callId);
    const step: Extract<ContentPart, { type: 'tool_step' }> = {
      type: 'tool_step',
      callId,
      name: previous?.name ?? '',
      summary: update.summary,
      state: update.state,
      ...(update.decidedBy === undefined ? (previous?.decidedBy === undefined ? {} : { decidedBy: previous.decidedBy }) : { decidedBy: update.decidedBy }),
      ...(update.details === undefined ? {} : { details: update.details }),
      ...(update.durationMs === undefined ? {} : { durationMs: update.durationMs }),
    };
    this.steps.set(callId, step);
    if (update.result) {
      this.results.set(callId, { type: 'tool_result', callId, output: update.result.content, ...(update.result.isError ? { isError: true } : {}) });
    }
  }

  private emit(callId: string): void {
    const view = toolCallViews(this.content()).find((candidate) => candidate.id === callId);
    if (view) {
      this.deps.emitter.emit(this.deps.sessionId, { method: 'chat/tool', params: { messageId: this.id, call: view } });
    }
  }
}
