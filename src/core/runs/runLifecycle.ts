import type { Run, RunStatus } from '../../db/repositories/runs';

/**
 * Where a run may go from where it is, and what the Runs view calls it.
 *
 * The store refuses only to reopen an ended run; this is the stricter rule the runner follows, so a bug that, say,
 * completes a run that was never started fails loudly instead of leaving a run with an end and no start.
 */

export type RunDisplayState = 'queued' | 'running' | 'waiting' | 'interrupted' | 'completed' | 'failed' | 'cancelled';
export type RunViewGroup = 'running' | 'waiting' | 'finished';

const NEXT: Record<RunStatus, readonly RunStatus[]> = {
  queued: ['running', 'cancelled'],
  running: ['waiting', 'completed', 'failed', 'cancelled'],
  waiting: ['running', 'cancelled', 'failed'],
  completed: [],
  failed: [],
  cancelled: [],
};

export const ENDED_STATUSES: readonly RunStatus[] = ['completed', 'failed', 'cancelled'];

export function isEnded(status: RunStatus): boolean {
  return ENDED_STATUSES.includes(status);
}

export function canTransition(from: RunStatus, to: RunStatus): boolean {
  return NEXT[from].includes(to);
}

export class RunTransitionError extends Error {
  constructor(
    readonly from: RunStatus,
    readonly to: RunStatus,
  ) {
    super(transitionMessage(from, to));
    this.name = 'RunTransitionError';
  }
}

/** Throws a RunTransitionError that says what the run may do instead. */
export function checkTransition(from: RunStatus, to: RunStatus): void {
  if (!canTransition(from, to)) {
    throw new RunTransitionError(from, to);
  }
}

function transitionMessage(from: RunStatus, to: RunStatus): string {
  if (isEnded(from)) {
    return `A ${from} run has ended and cannot become ${to}; start a new run instead`;
  }
  if (from === to) {
    return `The run is already ${from}`;
  }
  return `A ${from} run cannot become ${to}; it can become ${NEXT[from].join(' or ')}`;
}

/**
 * What the person sees. A running or waiting run that no open window is carrying on was cut off (the window closed
 * or crashed): it is interrupted, and shown with Resume. So is a queued run whose window closed before it started:
 * no other window picks it up by itself, because its tools would act in that window's folders, not the ones it
 * was started for; Resume in a window of the person's choosing queues it there.
 */
export function displayState(run: Pick<Run, 'status'>, live: boolean): RunDisplayState {
  if ((run.status === 'queued' || run.status === 'running' || run.status === 'waiting') && !live) {
    return 'interrupted';
  }
  return run.status;
}

/** Interrupted runs sit with the waiting ones: both stop until the person acts. A queued run is on its way to running. */
export function viewGroup(state: RunDisplayState): RunViewGroup {
  switch (state) {
    case 'queued':
    case 'running':
      return 'running';
    case 'waiting':
    case 'interrupted':
      return 'waiting';
    case 'completed':
    case 'failed':
    case 'cancelled':
      return 'finished';
  }
}
