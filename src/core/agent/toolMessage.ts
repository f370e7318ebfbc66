import type { ContentPart } from '../../db/repositories/messages';
import type { ChatRepositories } from '../chat/chatRepositories';
import type { ChatEmitter } from '../chat/chatEmitter';
import type { StreamLeases } from '../chat/streamLeases';
import { toMessageView } from '../chat/chatViews';
import { toolCallViews } from './toolViews';
import type { EventType } from '../../db/repositories/events';
import { defined } from '../jsonFields';
import type { CallEvent, CallRecorder, StepUpdate } from './toolCall';

/**
 * The `tool` message of one step: created (streaming, with its lease) when the step's calls are known, before
 * any of them runs, with a `pending` step per call, so every call is on record from the start; then each call's
 * events and its new state are committed together. Finished as complete, or cancelled when Stop cut it short.
 */
export class ToolMessage {
  private readonly steps = new Map<string, Extract<ContentPart, { type: 'tool_step' }>>();
  private readonly results = new Map<string, Extract<ContentPart, { type: 'tool_result' }>>();
  private heartbeat: ReturnType<typeof setInterval> | undefined;

  private constructor(
    private readonly deps: { repos: ChatRepositories; leases: StreamLeases; emitter: ChatEmitter; sessionId: string; heartbeatMs: number },
    readonly id: string,
    private readonly order: readonly { id: string; name: string }[],
  ) {
    for (const call of order) {
      this.steps.set(call.id, { type: 'tool_step', callId: call.id, name: call.name, summary: call.name, state: 'pending' });
    }
  }

  static async create(
    deps: { repos: ChatRepositories; leases: StreamLeases; emitter: ChatEmitter; sessionId: string; heartbeatMs: number },
    parentId: string,
    calls: readonly { id: string; name: string }[],
  ): Promise<ToolMessage> {
    const steps: ContentPart[] = calls.map((call) => ({ type: 'tool_step', callId: call.id, name: call.name, summary: call.name, state: 'pending' }));
    const message = await deps.repos.store.write((sql) => {
      const created = deps.repos.messages.within(sql).append(deps.sessionId, parentId, { role: 'tool', content: steps, status: 'streaming' });
      deps.leases.hold(sql, created.id, deps.sessionId);
      return created;
    });
    deps.emitter.emit(deps.sessionId, { method: 'chat/message', params: toMessageView(message) });
    const toolMessage = new ToolMessage(deps, message.id, calls);
    // A command may run for many minutes: the lease says this window is still on it.
    toolMessage.heartbeat = setInterval(() => {
      void deps.repos.store.write((sql) => deps.leases.hold(sql, message.id, deps.sessionId)).catch(() => undefined);
    }, deps.heartbeatMs);
    toolMessage.heartbeat.unref?.();
    return toolMessage;
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
      record: async (events, update) => {
        this.apply(callId, update);
        const content = this.content();
        const { repos, sessionId } = this.deps;
        const list: readonly CallEvent[] = Array.isArray(events) ? events : [events as CallEvent];
        await repos.store.write((sql) => {
          repos.messages.within(sql).update(this.id, { content });
          const writes = repos.events.within(sql);
          for (const event of list) {
            writes.append({
              type: event.type as EventType,
              sessionId,
              messageId: this.id,
              payload: defined(event.payload),
              ...(event.durationMs === undefined ? {} : { durationMs: event.durationMs }),
              text: event.text ?? '',
            });
          }
        });
        this.emit(callId);
      },
    };
  }

  /** Ends the message: every call has a result (the ones Stop kept from running say so), the lease released. */
  async finish(status: 'complete' | 'cancelled'): Promise<void> {
    clearInterval(this.heartbeat);
    for (const call of this.order) {
      if (!this.results.has(call.id)) {
        const text = 'Not run: the turn was stopped before this call ran.';
        this.apply(call.id, { state: 'denied', summary: this.steps.get(call.id)?.summary ?? call.name, result: { content: text, isError: true } });
        this.emit(call.id);
      }
    }
    const content = this.content();
    const { repos, leases } = this.deps;
    const message = await repos.store.write((sql) => {
      const updated = repos.messages.within(sql).update(this.id, { content, status });
      leases.release(sql, this.id);
      return updated;
    });
    this.deps.emitter.emit(this.deps.sessionId, { method: 'chat/message', params: toMessageView(message) });
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
