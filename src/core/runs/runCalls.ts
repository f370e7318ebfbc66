import type { EventsRepository, EventType } from '../../db/repositories/events';

/**
 * A run's model calls, from its session's events: each call of the chat loop ends in exactly one of these, with
 * its cost (see costs.ts), so a step stopped or failed counts too, as it was billed; a Replay someone made in the
 * session is not a step of the run. Unknown cost is not $0: null.
 */
const STEP_END_TYPES: readonly EventType[] = ['llm.response.completed', 'llm.error'];

export function callsOf(events: EventsRepository, sessionId: string): { steps: number; costUsd: number | null } {
  const calls = events.list({ sessionId }, { types: STEP_END_TYPES });
  let micro = 0;
  let unknown = false;
  for (const call of calls) {
    if (call.costMicroUsd === null) {
      unknown = true;
    } else {
      micro += call.costMicroUsd;
    }
  }
  return { steps: calls.length, costUsd: unknown ? null : micro / 1_000_000 };
}
