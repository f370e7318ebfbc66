import type { CostsRepository } from '../../db/repositories/costs';
import type { Message } from '../../db/repositories/messages';
import type { JsonObject, JsonValue } from '../../db/repositories/rows';
import type { RunItem, RunsRepository } from '../../db/repositories/runs';
import type { AssertionPorts } from '../batch/assertions';
import { gradeItem, type ItemGrade, type RunOutcome as GradedOutcome } from '../batch/grade';
import type { BatchItemInput } from '../batch/matrix';
import { itemBackoffMs, type RateGate } from '../batch/rateGate';
import type { ChatRepositories } from '../chat/chatRepositories';
import { asRecord } from '../jsonFields';
import type { Logger } from '../ports';
import type { RunChat } from './runCarrier';
import { callsOf } from './runCalls';
import { outcomeOf, textOf, type RunBudget } from './runOutcome';
import { continueTurn } from './turnResume';

/**
 * One item of a batch, from its start (its session written with it, before the task is sent) to its grade: the
 * agent's turn in the item's session, asked again while the provider says "too many" (the batch slows down), then
 * graded and ended in one write. An item cut off by its window closing stays running, and the batch's Resume
 * carries it on from its last durable step, like a run.
 */

/** Asked again at most this often after the turn itself gave up on a rate limit; then it fails with that error. */
export const MAX_RATE_LIMIT_TRIES = 8;

export interface ItemTurnDeps {
  repos: ChatRepositories;
  costs: CostsRepository;
  runs: RunsRepository;
  chat: RunChat;
  log: Logger;
  gate: RateGate;
  ports: AssertionPorts;
  limits: RunBudget;
  monotonic(): number;
  /** The batch was cancelled (here or by another window). */
  cancelled(): boolean;
  /** The item's turn was stopped on its budget: what was reached ("30 steps"). */
  limitReached(): string | undefined;
  /** This window is closing: an item cut off stays running, for Resume. */
  closing(): boolean;
  signal: AbortSignal;
  /** The item's session, while its turn runs (so Stop and pending questions reach it). */
  track(sessionId: string | undefined): void;
  random?: () => number;
}

/** What a finished item keeps in its output, beside its grade. */
export interface BatchItemOutput {
  text: string;
  steps: number;
  costUsd: number | null;
  latencyMs: number | null;
  /** Times the provider refused it for a rate limit or overload, the ones the turn's own retry waited out included. */
  rateLimited: number;
  grade: ItemGrade;
}

export type ItemEnd = 'ended' | 'left';

export async function runBatchItem(deps: ItemTurnDeps, item: RunItem, input: BatchItemInput, rateLimitsSeen: () => number): Promise<ItemEnd> {
  const { chat, repos } = deps;
  const sessionId = item.sessionId ?? (await startItem(deps, item, input));
  deps.track(sessionId);
  chat.pinVersion(sessionId, { versionId: input.column.versionId ?? '', ...(input.column.model !== undefined ? { model: input.column.model } : {}) });
  try {
    const resumed = item.sessionId !== null;
    const started = deps.monotonic();
    let waitedMs = 0;
    let tries = 0;
    if (!deps.cancelled()) {
      await continueTurn(chat, sessionId, headOf(repos, sessionId), input.task, deps.limits);
    }
    for (;;) {
      await chat.whenIdle(sessionId);
      const head = headOf(repos, sessionId);
      const retryAfter = rateLimitOf(head);
      if (head === undefined || retryAfter === undefined || deps.cancelled() || deps.closing() || tries >= MAX_RATE_LIMIT_TRIES) {
        break;
      }
      tries++;
      const delay = itemBackoffMs(tries, retryAfter ?? undefined, deps.random);
      deps.log.info(`Batch item ${item.id}: rate limited (try ${tries}); asking again in ${Math.round(delay)} ms`);
      deps.gate.rateLimited(delay);
      const pausedAt = deps.monotonic();
      try {
        await deps.gate.whenOpen(deps.signal);
      } catch {
        break; // cancelled while waiting
      }
      waitedMs += deps.monotonic() - pausedAt;
      await chat.retry(head.id, { sessionId }, { limits: deps.limits });
    }
    const head = headOf(repos, sessionId);
    const { steps, costUsd } = callsOf(deps.costs, sessionId);
    const ended = outcomeOf(head, { cancelled: deps.cancelled(), closing: deps.closing(), steps });
    if (ended.status === 'left') {
      return 'left';
    }
    const reached = deps.limitReached();
    const outcome: typeof ended = ended.status === 'cancelled' && !deps.cancelled() && reached !== undefined ? { status: 'failed', error: { message: `the item reached its limit of ${reached}` } } : ended;
    const latencyMs = resumed ? null : Math.max(0, Math.round(deps.monotonic() - started - waitedMs));
    const facts: GradedOutcome = {
      output: head ? textOf(head) : '',
      status: outcome.status,
      ...(outcome.status === 'failed' ? { error: errorMessage(outcome.error) } : {}),
      ...(costUsd !== null ? { costUsd } : {}),
      ...(latencyMs !== null ? { latencyMs } : {}),
      toolCalls: head ? toolCallsOf(repos, head.id) : [],
      steps,
    };
    const grade = await gradeItem({ id: input.datasetItemId, vars: input.vars, assert: input.assert, ...(input.threshold !== undefined ? { threshold: input.threshold } : {}) }, facts, deps.ports);
    const output: BatchItemOutput = { text: facts.output, steps, costUsd, latencyMs, rateLimited: tries + rateLimitsSeen(), grade };
    await deps.runs.updateItem(item.id, {
      status: outcome.status,
      output: output as unknown as JsonObject,
      ...(outcome.status === 'failed' ? { error: outcome.error } : {}),
    });
    if (output.rateLimited === 0 && outcome.status === 'completed') {
      deps.gate.succeeded();
    }
    return 'ended';
  } finally {
    chat.pinVersion(sessionId, undefined);
    deps.track(undefined);
  }
}

/** The item's session and its running status, one write, before anything is sent. */
async function startItem(deps: ItemTurnDeps, item: RunItem, input: BatchItemInput): Promise<string> {
  return deps.repos.store.write((sql) => {
    const session = deps.repos.sessions.within(sql).create({ agentId: input.column.agentId });
    deps.runs.within(sql).updateItem(item.id, { status: 'running', sessionId: session.id });
    return session.id;
  });
}

function headOf(repos: ChatRepositories, sessionId: string): Message | undefined {
  const headId = repos.sessions.get(sessionId)?.headMessageId;
  return headId ? repos.messages.get(headId) : undefined;
}

/**
 * A reply that failed on a rate limit or an overload that waiting fixes (its stored actions offer Retry): the
 * provider's retry-after, or null when it gave none. Undefined for any other head (a spent quota included).
 */
export function rateLimitOf(head: Message | undefined): number | null | undefined {
  if (head?.role !== 'assistant' || head.status !== 'error') {
    return undefined;
  }
  const error = asRecord(head.error);
  const retryable = Array.isArray(error.actions) && error.actions.includes('retry');
  if ((error.kind !== 'rate_limit' && error.kind !== 'overloaded') || !retryable) {
    return undefined;
  }
  return typeof error.retryAfterMs === 'number' ? error.retryAfterMs : null;
}

/** The tools the agent called on the way to `headId`, in order (what trajectory checks look at). */
function toolCallsOf(repos: ChatRepositories, headId: string): { name: string }[] {
  return repos.messages
    .path(headId)
    .flatMap((message) => (message.role === 'assistant' ? message.content.flatMap((part) => (part.type === 'tool_call' ? [{ name: part.name }] : [])) : []));
}

function errorMessage(error: JsonValue): string {
  const message = asRecord(error).message;
  return typeof message === 'string' ? message : 'the run failed';
}
