import { displayState, viewGroup, type RunDisplayState, type RunViewGroup } from '../core/runs/runLifecycle';
import type { Run, RunItemStatus } from '../db/repositories/runs';
import type { JsonValue } from '../db/repositories/rows';
import { escapeMarkdown } from './providersModel';
import type { TreeRow } from './treeRow';

/**
 * What the Runs view shows, computed without VS Code: runs in progress, runs that need the person (waiting on an
 * approval, or interrupted when their window went away), and finished runs, newest first and capped. The tree
 * provider only turns these into TreeItems (plus a "Show more" row when `hidden` is above 0).
 */

export const RUN_GROUP_LABELS: Record<RunViewGroup, string> = {
  running: 'Running',
  waiting: 'Waiting for you',
  finished: 'Finished',
};

const GROUP_ORDER: readonly RunViewGroup[] = ['running', 'waiting', 'finished'];

/** Finished runs shown before "Show more". */
export const FINISHED_PAGE = 50;

export const LABEL_MAX = 60;

export const UNTITLED_RUN = 'Run without a task';

export interface RunRowInput {
  run: Run;
  /** A window is carrying the run on now (given by the runner; never guessed here). */
  live: boolean;
  steps: number;
  /** null when a model call's price is unknown. */
  costUsd: number | null;
  /** undefined when the agent was deleted or is unknown. */
  agentName?: string;
  /** Present for a batch run. */
  batch?: {
    datasetName: string;
    /** Run items in all: dataset items × columns. */
    items: number;
    counts: Partial<Record<RunItemStatus, number>>;
    /** Agents (versions, models) compared; 1 when absent. */
    columns?: number;
    /** Times a provider rate limited it, and the time it waited for that, in ms. */
    rateLimited?: number;
    waitedMs?: number;
  };
}

export interface RunRowOptions {
  now: number;
  formatTime(epochMs: number): string;
  /** Finished runs to show; the rest are counted in `hidden`. Default FINISHED_PAGE. */
  finishedLimit?: number;
}

export interface RunRow extends TreeRow {
  kind: 'run';
  state: RunDisplayState;
}

export interface RunGroup {
  kind: 'group';
  id: RunViewGroup;
  label: string;
  runs: RunRow[];
  /** Runs of this group left out by the cap. */
  hidden: number;
}

const ICONS: Record<RunDisplayState, { id: string; color?: string }> = {
  queued: { id: 'clock' },
  running: { id: 'sync~spin' },
  waiting: { id: 'bell', color: 'notificationsWarningIcon.foreground' },
  interrupted: { id: 'debug-restart', color: 'notificationsWarningIcon.foreground' },
  completed: { id: 'pass', color: 'testing.iconPassed' },
  failed: { id: 'error', color: 'testing.iconFailed' },
  cancelled: { id: 'circle-slash' },
};

const STATE_WORDS: Record<RunDisplayState, string> = {
  queued: 'Queued: starts when a run slot is free',
  running: 'Running',
  waiting: 'Waiting for you: the agent needs an answer or an approval',
  interrupted: 'Interrupted: its window closed while it ran. Resume to carry on from the last step.',
  completed: 'Completed',
  failed: 'Failed',
  cancelled: 'Cancelled',
};

/** Groups in display order; empty groups are left out. */
export function buildRunGroups(inputs: readonly RunRowInput[], options: RunRowOptions): RunGroup[] {
  const groups = new Map<RunViewGroup, { at: number; id: string; row: RunRow }[]>();
  for (const input of inputs) {
    const row = buildRunRow(input, options);
    const group = viewGroup(row.state);
    const list = groups.get(group) ?? [];
    list.push({ at: group === 'finished' ? finishedAt(input.run) : input.run.createdAt, id: input.run.id, row });
    groups.set(group, list);
  }
  const limit = options.finishedLimit ?? FINISHED_PAGE;
  return GROUP_ORDER.flatMap((id) => {
    const list = groups.get(id);
    if (list === undefined) {
      return [];
    }
    const rows = list.sort((a, b) => b.at - a.at || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0)).map((entry) => entry.row);
    const shown = id === 'finished' ? rows.slice(0, limit) : rows;
    return [{ kind: 'group' as const, id, label: RUN_GROUP_LABELS[id], runs: shown, hidden: rows.length - shown.length }];
  });
}

export function buildRunRow(input: RunRowInput, options: Pick<RunRowOptions, 'now' | 'formatTime'>): RunRow {
  const { run, batch } = input;
  const state = displayState(run, input.live);
  const label = batch ? batchLabel(batch) : runLabel(run.task);
  const agent = input.agentName ?? (run.agentId === null ? 'deleted agent' : 'unknown agent');
  const progress = batch ? `${doneCount(batch.counts)}/${batch.items} done` : `${input.steps} ${input.steps === 1 ? 'step' : 'steps'}`;
  const age = ageText(options.now, finishedAt(run));
  const description = [agent, progress, costLabel(input.costUsd), age].join(' · ');
  const error = state === 'failed' ? errorMessage(run.error) : undefined;
  const tooltip = [
    `**${escapeMarkdown(label)}**`,
    '',
    `${STATE_WORDS[state]}${error !== undefined ? `: ${escapeMarkdown(error)}` : ''}`,
    `Agent: ${escapeMarkdown(agent)}`,
    ...(batch ? [`Items: ${escapeMarkdown(countsText(batch.counts))}`, ...rateLimitLine(batch)] : [`Steps: ${input.steps}`]),
    `Cost: ${costLabel(input.costUsd)}`,
    `Created: ${escapeMarkdown(options.formatTime(run.createdAt))}`,
    ...(run.endedAt !== null ? [`Ended: ${escapeMarkdown(options.formatTime(run.endedAt))}`] : []),
  ].join('  \n');
  return {
    kind: 'run',
    id: run.id,
    label,
    description,
    tooltip,
    icon: ICONS[state],
    contextValue: `aiStudio.run.${viewGroup(state) === 'finished' ? 'finished' : state}`,
    accessibilityLabel: `${label}, ${state}, ${description}`,
    state,
  };
}

function batchLabel(batch: NonNullable<RunRowInput['batch']>): string {
  const columns = batch.columns ?? 1;
  const rows = columns > 1 ? Math.round(batch.items / columns) : batch.items;
  const items = `${rows.toLocaleString('en-US')} ${rows === 1 ? 'item' : 'items'}`;
  return `Batch: ${batch.datasetName} (${columns > 1 ? `${items} × ${columns} agents` : items})`;
}

function rateLimitLine(batch: NonNullable<RunRowInput['batch']>): string[] {
  const times = batch.rateLimited ?? 0;
  return times > 0 ? [`Rate limited ${times} ${times === 1 ? 'time' : 'times'}, waited ${Math.round((batch.waitedMs ?? 0) / 1000)} s (items are asked again, not failed)`] : [];
}

/** The task's first non-blank line, cut to LABEL_MAX characters with an ellipsis. */
export function runLabel(task: string): string {
  const line = task.split(/\r?\n/).map((text) => text.trim()).find((text) => text !== '') ?? '';
  if (line === '') {
    return UNTITLED_RUN;
  }
  const chars = [...line]; // by code point, so an emoji is never cut in half
  return chars.length > LABEL_MAX ? `${chars.slice(0, LABEL_MAX - 1).join('').trimEnd()}…` : line;
}

/** "$0.0123" below a dollar, "$1.25" above; "cost unknown" when a price was missing. */
export function costLabel(costUsd: number | null): string {
  if (costUsd === null) {
    return 'cost unknown';
  }
  return `$${costUsd.toFixed(costUsd < 1 ? 4 : 2)}`;
}

/** "just now", "2 min ago", "3 h ago", "5 days ago"; a time ahead of now (another clock) is "just now". */
export function ageText(now: number, at: number): string {
  const minutes = Math.floor((now - at) / 60_000);
  if (minutes < 1) {
    return 'just now';
  }
  if (minutes < 60) {
    return `${minutes} min ago`;
  }
  const hours = Math.floor(minutes / 60);
  if (hours < 24) {
    return `${hours} h ago`;
  }
  const days = Math.floor(hours / 24);
  return `${days} ${days === 1 ? 'day' : 'days'} ago`;
}

/** The run's last landmark: its end, else its start, else its creation. */
function finishedAt(run: Run): number {
  return run.endedAt ?? run.startedAt ?? run.createdAt;
}

function doneCount(counts: Partial<Record<RunItemStatus, number>>): number {
  return (counts.completed ?? 0) + (counts.failed ?? 0) + (counts.cancelled ?? 0) + (counts.skipped ?? 0);
}

const COUNT_ORDER: readonly RunItemStatus[] = ['completed', 'failed', 'cancelled', 'skipped', 'running', 'queued'];

function countsText(counts: Partial<Record<RunItemStatus, number>>): string {
  const parts = COUNT_ORDER.filter((status) => (counts[status] ?? 0) > 0).map((status) => `${counts[status] ?? 0} ${status}`);
  return parts.length > 0 ? parts.join(', ') : 'none yet';
}

/** The stored error as words: a string, or an object's message, else its JSON. */
function errorMessage(error: JsonValue | null): string | undefined {
  if (error === null) {
    return undefined;
  }
  if (typeof error === 'string') {
    return error;
  }
  if (typeof error === 'object' && !Array.isArray(error) && typeof (error as { message?: unknown }).message === 'string') {
    return (error as { message: string }).message;
  }
  return JSON.stringify(error);
}
