import type { Clock } from '../../../../src/core/ports';
import { EventsRepository, type NewEvent, type StudioEvent } from '../../../../src/db/repositories/events';
import type { StorePort } from '../../../../src/db/repositories/storePort';
import type { SqlWriter } from '../../../../src/db/sql';

/**
 * A chat session's event log as the chat loop writes it (src/core/chat/turnStart.ts, turnRecorder.ts), made up
 * deterministically: per turn a `message.user`, an `llm.request.started`, sometimes tool calls, then an
 * `llm.response.completed` (or an `llm.error`) linked to the request, and a `message.assistant`. Some calls have
 * no price (cost unknown), some fail, some are stopped. Used by the unit tests, the webview harness and the bench.
 */

export interface SeedOptions {
  sessionId: string;
  /** Events to write, at least; whole turns are written, so a few more may be. */
  events: number;
  /** Epoch ms of the first event. */
  start?: number;
  /** Put these strings into payloads (hostile text for the webview tests). */
  payloadText?: (turn: number) => string | undefined;
  /** Turn models: `turn => model`. */
  model?: (turn: number) => string;
}

export const SEED_START = Date.UTC(2025, 0, 1, 9, 0, 0);

/** A fixed clock: every seeded event gives its own times. */
export const seedClock: Clock = { now: () => SEED_START };

/** Writes the events in one transaction; returns them as stored, in the order written. */
export async function seedSession(store: StorePort, options: SeedOptions, clock: Clock = seedClock): Promise<StudioEvent[]> {
  const repository = new EventsRepository(store, clock);
  return store.write((sql) => writeSeed(repository, sql, options));
}

function writeSeed(repository: EventsRepository, sql: SqlWriter, options: SeedOptions): StudioEvent[] {
  const writes = repository.within(sql);
  const written: StudioEvent[] = [];
  const append = (event: NewEvent) => {
    const stored = writes.append({ sessionId: options.sessionId, text: '', ...event });
    written.push(stored);
    return stored;
  };
  let time = options.start ?? SEED_START;
  for (let turn = 1; written.length < options.events; turn++) {
    const model = options.model?.(turn) ?? (turn % 3 === 0 ? 'claude-sonnet-4-5' : 'gpt-4o');
    const provider = model.startsWith('claude') ? 'anthropic' : 'openai';
    const extra = options.payloadText?.(turn);
    append({ type: 'message.user', startedAt: time, payload: extra === undefined ? {} : { note: extra } });
    const request = append({
      type: 'llm.request.started',
      startedAt: time,
      model,
      payload: { provider, agentId: 'agent-1', trigger: 'send', messageCount: turn * 2 - 1, hasSystemPrompt: true, parameters: { temperature: 0.2 } },
    });
    const ttft = 200 + ((turn * 37) % 400);
    const duration = ttft + 500 + ((turn * 131) % 2500);
    if (turn % 5 === 0) {
      append({
        type: 'tool.call.completed',
        startedAt: time + ttft + 50,
        endedAt: time + ttft + 250,
        payload: { name: 'read_file', arguments: { path: `src/file${turn}.ts` }, isError: turn % 10 === 0 },
      });
    }
    const input = 1000 + turn * 10;
    const cached = turn % 2 === 0 ? 800 : 0;
    const output = 100 + (turn % 50);
    const priced = turn % 7 !== 0;
    const failed = turn % 11 === 0;
    const common = {
      parentEventId: request.id,
      startedAt: time,
      endedAt: time + duration,
      durationMs: duration,
      model,
    };
    if (failed) {
      const stopped = turn % 22 === 0;
      append({
        ...common,
        type: 'llm.error',
        costMicroUsd: null,
        payload: {
          provider,
          status: stopped ? 'cancelled' : 'error',
          timeToFirstTokenMs: ttft,
          kind: stopped ? 'cancelled' : 'rate_limit',
          message: stopped ? 'Stopped.' : 'Rate limited: try again in 20 s.',
          ...(extra === undefined ? {} : { detail: extra }),
        },
      });
    } else {
      append({
        ...common,
        type: 'llm.response.completed',
        tokens: { input: input - cached, output, cacheRead: cached === 0 ? null : cached, cacheWrite: null, reasoning: turn % 4 === 0 ? 40 : null },
        costMicroUsd: priced ? (input - cached) * 2 + cached + output * 8 : null,
        payload: {
          provider,
          status: 'complete',
          timeToFirstTokenMs: ttft,
          promptTokens: input,
          finishReason: 'stop',
          textLength: output * 4,
          ...(extra === undefined ? {} : { detail: extra }),
        },
      });
    }
    append({ type: 'message.assistant', startedAt: time + duration, model, payload: { status: failed ? (turn % 22 === 0 ? 'cancelled' : 'error') : 'complete' } });
    time += duration + 5_000 + ((turn * 977) % 20_000);
  }
  return written;
}
