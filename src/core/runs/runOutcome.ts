import type { Message } from '../../db/repositories/messages';
import type { JsonObject, JsonValue } from '../../db/repositories/rows';
import type { TurnLimits } from '../agent/agentTools';
import { asRecord } from '../jsonFields';

/**
 * How a run ends, read from its session once the turn stopped: the head message is the truth (the chat loop wrote
 * it before it let go), so a window deciding after a restart decides the same way.
 */

export type RunOutcome =
  | { status: 'completed'; output: JsonObject }
  | { status: 'failed'; error: JsonValue }
  | { status: 'cancelled' }
  /** The turn was cut off because this window is closing: the run stays running and shows as interrupted. */
  | { status: 'left' };

export interface OutcomeContext {
  /** Cancel was asked for (here or by another window). */
  cancelled: boolean;
  /** This window is shutting down. */
  closing: boolean;
  /** Model calls the run made. */
  steps: number;
}

export function outcomeOf(head: Message | undefined, context: OutcomeContext): RunOutcome {
  if (context.cancelled) {
    return { status: 'cancelled' };
  }
  if (head?.status === 'complete' && head.role === 'assistant') {
    return { status: 'completed', output: { text: textOf(head), steps: context.steps } };
  }
  if (head?.status === 'error') {
    return { status: 'failed', error: head.error ?? { message: 'The model call failed.' } };
  }
  if (context.closing || head?.status === 'streaming') {
    return { status: 'left' };
  }
  if (head === undefined || head.role === 'user') {
    return { status: 'failed', error: { message: 'The run ended before the agent answered.' } };
  }
  if (head.role === 'tool' || head.status === 'cancelled') {
    // Stop, or "Stop" answered to a limit: the person ended it.
    return { status: 'cancelled' };
  }
  // A reply cut short that was not this window closing (the stream ended without its final event).
  return { status: 'failed', error: head.error ?? { message: 'The reply ended before it was complete.' } };
}

export function textOf(message: Pick<Message, 'content'>): string {
  return message.content.flatMap((part) => (part.type === 'text' ? [part.text] : [])).join('');
}

export type RunBudget = Partial<TurnLimits>;

const BUDGET_WORDS: Record<keyof TurnLimits, string> = { steps: 'steps', tokens: 'tokens', costUsd: 'cost in USD', minutes: 'minutes' };

/** The budget as given, checked: every figure a number above 0 (steps and tokens whole). Throws a message for people. */
export function checkBudget(budget: RunBudget | undefined): RunBudget | undefined {
  if (budget === undefined) {
    return undefined;
  }
  const checked: RunBudget = {};
  for (const [key, word] of Object.entries(BUDGET_WORDS) as [keyof TurnLimits, string][]) {
    const figure = budget[key];
    if (figure === undefined) {
      continue;
    }
    const whole = key === 'steps' || key === 'tokens';
    if (typeof figure !== 'number' || !Number.isFinite(figure) || figure <= 0 || (whole && !Number.isInteger(figure))) {
      throw new Error(`The run's budget of ${word} must be ${whole ? 'a whole number' : 'a number'} above 0, not ${String(figure)}.`);
    }
    checked[key] = figure;
  }
  return checked;
}

/** A stored budget back as limits (leniently: a figure that is not usable is left to the agent's). */
export function budgetOf(stored: JsonValue | null): RunBudget {
  const record = asRecord(stored ?? undefined);
  const budget: RunBudget = {};
  for (const key of Object.keys(BUDGET_WORDS) as (keyof TurnLimits)[]) {
    const figure = record[key];
    if (typeof figure === 'number' && Number.isFinite(figure) && figure > 0) {
      budget[key] = figure;
    }
  }
  return budget;
}
