import { z } from 'zod';

/**
 * The run header of the chat panel (issue 13). A run's panel is the chat panel on the run's session; when the
 * session belongs to a run, the host also sends what the run is doing (its state in words, its budget meters,
 * Cancel / Resume) and, once it ended, its result, totals and the files it changed. The webview only shows it:
 * every figure and every sentence is made by the host (src/core/runs/runHeader.ts), so the words are tested once.
 */

const id = z.string().regex(/^[0-9A-HJKMNP-TV-Z]{26}$/, 'not an id');

export type RunHeaderState = 'queued' | 'running' | 'waiting' | 'interrupted' | 'completed' | 'failed' | 'cancelled';

export type RunMeterKind = 'steps' | 'tokens' | 'costUsd' | 'minutes';

/** One budget limit of the run and how much of it is used. */
export interface RunMeterView {
  kind: RunMeterKind;
  used: number;
  limit: number;
  /** For screen readers (aria-valuetext) and the tooltip: "12 of 30 steps". */
  label: string;
  /** What the meter shows next to its bar: "12 / 30 steps". */
  text: string;
  /** At or above 80 % of the limit: shown in the warning colour (and said in the label). */
  warning: boolean;
}

/** A file the run's tool calls changed, with its last write: enough for the existing `chat/openDiff`. */
export interface RunFileView {
  /** The path as the host names it (what `chat/openDiff` takes). */
  path: string;
  /** How the person reads it (workspace-relative when known). */
  shown: string;
  change: 'created' | 'modified' | 'deleted';
  /** The tool message and the call of the last write to it. */
  messageId: string;
  callId: string;
}

export interface RunTotalsView {
  steps: number;
  tokens: number;
  /** The known part of the cost in USD; `costUnknown` says whether some calls had no price. */
  costUsd: number;
  costUnknown: boolean;
  /** From the start to the end; null when the run never started. */
  durationMs: number | null;
  /** "12 steps · 45,200 tokens · $0.0123 · 3 min 20 s". */
  label: string;
}

/** What the header shows once a run ended. */
export interface RunEndView {
  /** A completed run's answer, trimmed and cut to a preview (the whole answer is in the transcript). */
  result?: { text: string; truncated: boolean };
  /** A failed run's error, in words. */
  error?: string;
  totals: RunTotalsView;
  /** Distinct paths, sorted. */
  files: RunFileView[];
}

export interface RunHeaderView {
  runId: string;
  state: RunHeaderState;
  /** The state for people: "Waiting for you: the agent needs an answer or an approval". */
  stateLabel: string;
  /** The run's task (capped); the header shows its first line, the whole of it in the tooltip. */
  task: string;
  /** One per limit of the run's budget, in the order steps, tokens, cost, minutes. */
  meters: RunMeterView[];
  canCancel: boolean;
  canResume: boolean;
  /** The first message of the run's session (its task), for "Undo All": `chat/undo` with scope 'since' on it. */
  firstMessageId: string | null;
  /** Present once the run completed, failed or was cancelled. */
  ended?: RunEndView;
}

/** Host -> panel: the run the session belongs to (null: none, or not any more; the header hides). */
export type RunHeaderEvent = { method: 'chat/run'; params: { run: RunHeaderView | null } };

export const runHeaderRequests = {
  /** Cancels the panel's run. Refused unless `runId` is the run of the panel's session. */
  'chat/cancelRun': { params: z.strictObject({ runId: id }), result: z.null() },
  /** Resumes the panel's run (interrupted only). Refused unless `runId` is the run of the panel's session. */
  'chat/resumeRun': { params: z.strictObject({ runId: id }), result: z.null() },
} as const;

export type RunHeaderRequests = typeof runHeaderRequests;
export type RunHeaderMethod = keyof RunHeaderRequests;
