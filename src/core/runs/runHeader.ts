import type { SpendTotals } from '../../db/repositories/costs';
import type { JsonValue } from '../../db/repositories/rows';
import type { RunFileView, RunHeaderState, RunHeaderView, RunMeterKind, RunMeterView, RunTotalsView } from '../../protocol/runHeader';
import { asRecord } from '../jsonFields';
import type { RunDetails } from './runService';
import { budgetOf } from './runOutcome';

/**
 * What the run header of the chat panel shows for a run (issue 13), from the run's details and a few facts read
 * from its session. Pure: the same inputs give the same words, so they are tested in plain Node. The figures are
 * the ones the budget counts (src/core/agent/turnLimits.ts), so a meter at its limit is where the turn pauses.
 */

/** What the caller reads from the run's session besides RunDetails. */
export interface RunHeaderFacts {
  /** Input (cached included) + output tokens of the run's calls: what the budget's token limit counts. */
  tokens: number;
  /** The known part of the cost in USD. */
  knownCostUsd: number;
  /** Calls whose price is unknown: not in knownCostUsd, and not $0 either. */
  unknownCostCalls: number;
  /** The files the run's calls changed, each with its last write. */
  files: RunFileView[];
  /** The first message of the shown path of the session (the task), for Undo All; null when there is none. */
  firstMessageId: string | null;
}

/** How much of a completed run's answer the header previews; the transcript shows all of it. */
export const RESULT_PREVIEW_CHARS = 1_500;
/** The task in the header: its tooltip shows all of it, up to this. */
export const TASK_CHARS = 4_000;
/** At or above this share of a limit, the meter is shown in the warning colour. */
export const WARNING_SHARE = 0.8;

const METER_ORDER: readonly RunMeterKind[] = ['steps', 'tokens', 'costUsd', 'minutes'];

const STATE_WORDS: Record<RunHeaderState, string> = {
  queued: 'Queued: starts when a run slot is free',
  running: 'Running',
  waiting: 'Waiting for you: the agent needs an answer or an approval',
  interrupted: 'Interrupted: its window closed while it ran. Resume carries it on from the last step.',
  completed: 'Completed',
  failed: 'Failed',
  cancelled: 'Cancelled',
};

export function buildRunHeader(details: RunDetails, facts: RunHeaderFacts, now: number): RunHeaderView {
  const { run, state } = details;
  const elapsedMs = run.startedAt === null ? null : Math.max(0, (run.endedAt ?? now) - run.startedAt);
  const budget = budgetOf(run.budget);
  const used: Record<RunMeterKind, number> = {
    steps: details.steps,
    tokens: facts.tokens,
    costUsd: facts.knownCostUsd,
    minutes: (elapsedMs ?? 0) / 60_000,
  };
  const meters = METER_ORDER.flatMap((kind) => {
    const limit = budget[kind];
    return limit === undefined ? [] : [meter(kind, used[kind], limit, facts.unknownCostCalls)];
  });
  const ended = state === 'completed' || state === 'failed' || state === 'cancelled';
  const header: RunHeaderView = {
    runId: run.id,
    state,
    stateLabel: STATE_WORDS[state],
    task: cut(run.task, TASK_CHARS).text,
    meters,
    canCancel: state === 'queued' || state === 'running' || state === 'waiting',
    canResume: state === 'interrupted',
    firstMessageId: facts.firstMessageId,
  };
  if (ended) {
    const totals = totalsOf(details.steps, facts, elapsedMs);
    header.ended = { totals, files: [...facts.files].sort((a, b) => (a.shown < b.shown ? -1 : a.shown > b.shown ? 1 : 0)) };
    if (state === 'completed') {
      header.ended.result = cut(outputText(details.item?.output ?? null).trim(), RESULT_PREVIEW_CHARS);
    } else if (state === 'failed') {
      header.ended.error = errorText(details.item?.error ?? null) ?? errorText(run.error) ?? 'The run failed; the transcript shows where it stopped.';
    }
  }
  return header;
}

/** The tokens the budget counts, from a session's spend (the store keeps cached input in its own columns). */
export function spendFacts(totals: SpendTotals): Pick<RunHeaderFacts, 'tokens' | 'knownCostUsd' | 'unknownCostCalls'> {
  return {
    tokens: totals.tokensIn + totals.tokensCacheRead + totals.tokensCacheWrite + totals.tokensOut,
    knownCostUsd: totals.costMicroUsd / 1_000_000,
    unknownCostCalls: totals.unknownCostCalls,
  };
}

function meter(kind: RunMeterKind, used: number, limit: number, unknownCostCalls: number): RunMeterView {
  const warning = used >= limit * WARNING_SHARE;
  const [usedText, limitText] = [figure(kind, used), figure(kind, limit)];
  const unit = UNITS[kind];
  let label = `${usedText} of ${limitText}${unit.long}`;
  if (kind === 'costUsd' && unknownCostCalls > 0) {
    label += ` (${unknownCostCalls} ${unknownCostCalls === 1 ? 'call' : 'calls'} of unknown cost not counted)`;
  }
  if (used >= limit) {
    label += ': limit reached';
  } else if (warning) {
    label += ': close to the limit';
  }
  return { kind, used, limit, label, text: `${usedText} / ${limitText}${unit.short}`, warning };
}

const UNITS: Record<RunMeterKind, { long: string; short: string }> = {
  steps: { long: ' steps', short: ' steps' },
  tokens: { long: ' tokens', short: ' tokens' },
  costUsd: { long: '', short: '' },
  minutes: { long: ' minutes', short: ' min' },
};

function figure(kind: RunMeterKind, value: number): string {
  switch (kind) {
    case 'steps':
    case 'tokens':
      return Math.round(value).toLocaleString('en-US');
    case 'costUsd':
      return dollars(value);
    case 'minutes':
      // Tenths: the meter moves while it runs; a whole limit stays whole ("15", not "15.0").
      return Number.isInteger(value) ? String(value) : (Math.floor(value * 10) / 10).toFixed(1);
  }
}

/** Cents, and a cent's fractions only below a cent ("$0.0042"), so a meter reads "$0.12 / $1.00". */
function dollars(usd: number): string {
  return `$${usd.toFixed(usd > 0 && usd < 0.01 ? 4 : 2)}`;
}

function totalsOf(steps: number, facts: RunHeaderFacts, durationMs: number | null): RunTotalsView {
  const costUnknown = facts.unknownCostCalls > 0;
  const cost = costUnknown ? `${dollars(facts.knownCostUsd)} + ${facts.unknownCostCalls} of unknown cost` : dollars(facts.knownCostUsd);
  const parts = [`${steps} ${steps === 1 ? 'step' : 'steps'}`, `${facts.tokens.toLocaleString('en-US')} tokens`, cost];
  if (durationMs !== null) {
    parts.push(durationText(durationMs));
  }
  return { steps, tokens: facts.tokens, costUsd: facts.knownCostUsd, costUnknown, durationMs, label: parts.join(' · ') };
}

/** "45 s", "3 min 20 s", "2 h 5 min". */
export function durationText(ms: number): string {
  const seconds = Math.round(ms / 1000);
  if (seconds < 60) {
    return `${seconds} s`;
  }
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) {
    return seconds % 60 === 0 ? `${minutes} min` : `${minutes} min ${seconds % 60} s`;
  }
  const hours = Math.floor(minutes / 60);
  return minutes % 60 === 0 ? `${hours} h` : `${hours} h ${minutes % 60} min`;
}

function outputText(output: JsonValue | null): string {
  const text = asRecord(output ?? undefined).text;
  return typeof text === 'string' ? text : '';
}

function errorText(error: JsonValue | null): string | undefined {
  if (typeof error === 'string' && error.trim() !== '') {
    return error;
  }
  const message = asRecord(error ?? undefined).message;
  return typeof message === 'string' && message.trim() !== '' ? message : undefined;
}

/** Cut by code point, so an emoji is never split in half. */
function cut(text: string, max: number): { text: string; truncated: boolean } {
  if (text.length <= max) {
    return { text, truncated: false };
  }
  const chars = [...text];
  return chars.length <= max ? { text, truncated: false } : { text: `${chars.slice(0, max).join('').trimEnd()}…`, truncated: true };
}
