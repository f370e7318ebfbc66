import type { Clock } from '../../../../src/core/ports';
import { EventsRepository, type NewEvent, type StudioEvent } from '../../../../src/db/repositories/events';
import { MessagesRepository, type ContentPart } from '../../../../src/db/repositories/messages';
import type { JsonValue } from '../../../../src/db/repositories/rows';
import { SessionsRepository } from '../../../../src/db/repositories/sessions';
import type { StorePort } from '../../../../src/db/repositories/storePort';

/**
 * A tool turn written through the repositories exactly as the agent loop writes it (src/core/chat/turnStart.ts,
 * turnRecorder.ts; src/core/agent/toolCall.ts, toolMessage.ts, toolRecovery.ts), at times the test chooses, so
 * durations and waits are exact: the chain user -> assistant -> tool -> assistant ..., the request and outcome
 * on each assistant message, and per call `tool.call.requested`, `approved` or `denied`, `completed` or `failed`
 * on the tool message. An end is recorded when the call ends, with the run time as its duration, as the loop does.
 */

export const TOOL_T0 = Date.UTC(2025, 5, 1, 10, 0, 0);

type Decision = { by: 'policy' | 'person' | 'session'; waitMs: number } | { denied: true; by: 'policy' | 'person'; waitMs: number; reason: string };

export interface ToolCallScript {
  callId: string;
  tool: string;
  arguments: string;
  summary: string;
  verdict: 'auto' | 'ask' | 'deny';
  /** ms after the step's reply ended that the call was requested. */
  after: number;
  /** Who decided and after how long; `deny` ends the call there. */
  decision?: Decision;
  /** The run: its time and outcome; `interrupted`: the window died while it ran (recovered `recoveredAfter` ms later). */
  run?: { ms: number; exitCode?: number; failed?: string; files?: string[] } | { interrupted: true; recoveredAfter: number };
}

export interface StepScript {
  /** The model call's time, ms. */
  modelMs: number;
  calls?: ToolCallScript[];
}

export class ToolTurnLog {
  readonly events: StudioEvent[] = [];
  readonly messages: MessagesRepository;
  private readonly repo: EventsRepository;
  private readonly clock: { time: number } & Clock;

  private constructor(
    store: StorePort,
    readonly sessionId: string,
  ) {
    const clock = { time: TOOL_T0, now: () => clock.time };
    this.clock = clock;
    this.repo = new EventsRepository(store, clock);
    this.messages = new MessagesRepository(store, clock);
  }

  static async open(store: StorePort): Promise<ToolTurnLog> {
    const clockless = { now: () => TOOL_T0 };
    const session = await new SessionsRepository(store, clockless).create({ title: 'Tool turn' });
    return new ToolTurnLog(store, session.id);
  }

  private async append(event: Omit<NewEvent, 'sessionId'>): Promise<StudioEvent> {
    const stored = await this.repo.append({ sessionId: this.sessionId, text: '', ...event });
    this.events.push(stored);
    return stored;
  }

  /** One turn: the question at `at`, then the steps one after another. Returns when the turn ended. */
  async turn(at: number, question: string, steps: readonly StepScript[]): Promise<number> {
    this.clock.time = at;
    const user = await this.messages.append(this.sessionId, null, { role: 'user', content: [{ type: 'text', text: question }] });
    await this.append({ type: 'message.user', messageId: user.id, startedAt: at });
    let parentId = user.id;
    let time = at;
    for (const [index, step] of steps.entries()) {
      this.clock.time = time;
      const last = index === steps.length - 1;
      const calls = step.calls ?? [];
      const content: ContentPart[] = calls.length === 0 ? [{ type: 'text', text: 'Done.' }] : calls.map((call) => ({ type: 'tool_call', id: call.callId, name: call.tool, arguments: call.arguments }));
      const assistant = await this.messages.append(this.sessionId, parentId, { role: 'assistant', content, status: 'complete', model: 'gpt-4o' });
      const request = await this.append({
        type: 'llm.request.started',
        messageId: assistant.id,
        startedAt: time,
        model: 'gpt-4o',
        payload: { provider: 'openai', agentId: 'agent-1', agentVersionId: 'version-1', trigger: index === 0 ? 'send' : 'tool_results', messageCount: 1 + index * 2, hasSystemPrompt: true, parameters: {} },
      });
      const end = time + step.modelMs;
      await this.append({
        type: 'llm.response.completed',
        messageId: assistant.id,
        parentEventId: request.id,
        startedAt: time,
        endedAt: end,
        durationMs: step.modelMs,
        model: 'gpt-4o',
        tokens: { input: 100, output: 20 },
        costMicroUsd: 140,
        payload: { provider: 'openai', status: 'complete', timeToFirstTokenMs: Math.round(step.modelMs / 4), promptTokens: 100, finishReason: last ? 'stop' : 'tool_calls', textLength: 5 },
      });
      this.clock.time = end;
      await this.append({ type: 'message.assistant', messageId: assistant.id, model: 'gpt-4o', payload: { status: 'complete' } });
      time = end;
      if (calls.length === 0) {
        break;
      }
      const tool = await this.messages.append(this.sessionId, assistant.id, {
        role: 'tool',
        content: calls.map((call) => ({ type: 'tool_step', callId: call.callId, name: call.tool, summary: call.tool, state: 'pending' })),
        status: 'streaming',
      });
      for (const call of calls) {
        time = await this.call(tool.id, call, time);
      }
      const results: ContentPart[] = calls.flatMap((call): ContentPart[] => [
        { type: 'tool_step', callId: call.callId, name: call.tool, summary: call.summary, state: 'completed' },
        { type: 'tool_result', callId: call.callId, output: `result of ${call.tool}` },
      ]);
      await this.messages.update(tool.id, { content: results, status: 'complete' });
      parentId = tool.id;
    }
    return time;
  }

  private async call(messageId: string, call: ToolCallScript, from: number): Promise<number> {
    const base = { callId: call.callId, tool: call.tool };
    let time = from + call.after;
    await this.append({
      type: 'tool.call.requested',
      messageId,
      startedAt: time,
      payload: { ...base, category: 'read', arguments: call.arguments, summary: call.summary, verdict: call.verdict, forced: false, reasons: [] },
    });
    const decision: Decision = call.decision ?? { by: 'policy', waitMs: 0 };
    time += decision.waitMs;
    if ('denied' in decision) {
      await this.append({ type: 'tool.call.denied', messageId, startedAt: time, payload: { ...base, by: decision.by, reason: decision.reason, waitMs: decision.waitMs } });
      return time;
    }
    await this.append({ type: 'tool.call.approved', messageId, startedAt: time, payload: { ...base, by: decision.by, waitMs: decision.waitMs } });
    const run = call.run ?? { ms: 10 };
    if ('interrupted' in run) {
      await this.append({
        type: 'tool.call.failed',
        messageId,
        startedAt: time + run.recoveredAfter,
        payload: { ...base, error: 'Interrupted: the VS Code window closed while this ran.', interrupted: true, outcomeUnknown: true },
      });
      return time;
    }
    time += run.ms;
    const details: JsonValue = {
      ...(run.exitCode === undefined ? {} : { exitCode: run.exitCode, timedOut: false }),
      ...(run.files === undefined ? {} : { files: run.files.map((path) => ({ path, change: 'modified' })) }),
    };
    await this.append({
      type: run.failed === undefined ? 'tool.call.completed' : 'tool.call.failed',
      messageId,
      startedAt: time,
      durationMs: run.ms,
      payload: { ...base, resultChars: 42, ...(run.failed === undefined ? {} : { error: run.failed }), details },
    });
    return time;
  }
}
