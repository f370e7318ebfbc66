import { createIdFactory } from '../../../../src/db/ids';
import type { StudioEvent } from '../../../../src/db/repositories/events';
import type { JsonValue } from '../../../../src/db/repositories/rows';
import { ManualClock } from '../../db/support/memoryStore';

/**
 * Hand-built event logs for the mapping tests: real ULIDs from the store's id factory, times chosen by the test,
 * every field a real event has. The shapes follow what the chat loop writes (turnStart.ts, turnRecorder.ts).
 */

export const T0 = Date.UTC(2025, 4, 1, 12, 0, 0);
export const SESSION = '01JT0000000000000000000000';

const noTokens = { input: null, output: null, cacheRead: null, cacheWrite: null, reasoning: null };

export class EventLog {
  readonly events: StudioEvent[] = [];
  private readonly clock = new ManualClock(T0);
  private readonly newId = createIdFactory(this.clock);

  add(fields: Partial<StudioEvent> & Pick<StudioEvent, 'type'>): StudioEvent {
    this.clock.time = Math.max(this.clock.time, fields.startedAt ?? this.clock.time);
    const event: StudioEvent = {
      id: this.newId(),
      sessionId: SESSION,
      runId: null,
      parentEventId: null,
      messageId: null,
      startedAt: this.clock.time,
      endedAt: null,
      durationMs: null,
      tokens: noTokens,
      costMicroUsd: null,
      model: null,
      payload: {},
      ...fields,
    };
    this.events.push(event);
    return event;
  }

  /** One chat turn as the chat loop records it: question, request, outcome, reply. */
  turn(options: { at: number; user?: string; reply: string; model?: string; fail?: { kind: string; message: string } }): TurnEvents {
    const model = options.model ?? 'gpt-4o';
    const user = options.user === undefined ? undefined : this.add({ type: 'message.user', messageId: options.user, startedAt: options.at });
    const request = this.add({
      type: 'llm.request.started',
      messageId: options.reply,
      startedAt: options.at,
      model,
      payload: requestPayload(options.user === undefined ? 'retry' : 'send'),
    });
    const figures: Record<string, JsonValue> = { provider: 'openai', status: options.fail ? 'error' : 'complete', timeToFirstTokenMs: 180, textLength: 51 };
    const outcome = this.add({
      type: options.fail ? 'llm.error' : 'llm.response.completed',
      messageId: options.reply,
      parentEventId: request.id,
      startedAt: options.at,
      endedAt: options.at + 1_250,
      durationMs: 1_243,
      model,
      tokens: options.fail ? noTokens : { input: 34, output: 12, cacheRead: 5, cacheWrite: 3, reasoning: 7 },
      costMicroUsd: options.fail ? null : 66,
      payload: options.fail
        ? { ...figures, kind: options.fail.kind, message: options.fail.message, httpStatus: 429 }
        : { ...figures, promptTokens: 42, finishReason: 'stop', priceSource: 'table', priceAsOf: '2025-04-01' },
    });
    const reply = options.fail ? undefined : this.add({ type: 'message.assistant', messageId: options.reply, startedAt: options.at + 1_250, model, payload: { status: 'complete' } });
    return { ...(user ? { user } : {}), request, outcome, ...(reply ? { reply } : {}) };
  }
}

export interface TurnEvents {
  user?: StudioEvent;
  request: StudioEvent;
  outcome: StudioEvent;
  reply?: StudioEvent;
}

export function requestPayload(trigger: string): JsonValue {
  return {
    provider: 'openai',
    agentId: 'agent-1',
    agentVersionId: 'version-1',
    trigger,
    messageCount: 1,
    hasSystemPrompt: true,
    parameters: { temperature: 0.3, maxTokens: 256, stop: ['END'] },
  };
}
