import type { Run, RunsRepository, RunStatus } from '../../db/repositories/runs';
import { selectRun } from '../../db/repositories/runWrites';
import type { JsonObject, JsonValue } from '../../db/repositories/rows';
import type { StorePort } from '../../db/repositories/storePort';
import type { SqlWriter } from '../../db/sql';
import { canTransition, checkTransition, isEnded } from './runLifecycle';
import type { RunLeases } from './runLeases';
import type { RunOutcome } from './runOutcome';

/**
 * Every status write of the runner, each one transaction that reads the run's status inside it (so two windows
 * deciding at once are serialized by the store, and the second sees what the first wrote) and goes only where
 * runLifecycle allows. The status is on disk before its effect: a run is 'running' before its turn starts.
 */

export interface TransitionDeps {
  store: StorePort;
  runs: RunsRepository;
  leases: RunLeases;
}

/** A queued run becomes running here, with its item and this window's lease; undefined when it is no longer queued. */
export function claimStart(deps: TransitionDeps, runId: string, itemId: string): Promise<Run | undefined> {
  return deps.store.write((sql) => {
    const run = selectRun(sql, runId);
    if (run?.status !== 'queued') {
      return undefined;
    }
    const started = moveWithin(sql, deps.runs, run, 'running');
    deps.runs.within(sql).updateItem(itemId, { status: 'running' });
    deps.leases.hold(sql, runId);
    return started;
  });
}

/** A queued batch becomes running here with this window's lease (its items start one by one); undefined when no longer queued. */
export function claimBatchStart(deps: TransitionDeps, runId: string): Promise<Run | undefined> {
  return deps.store.write((sql) => {
    const run = selectRun(sql, runId);
    if (run?.status !== 'queued') {
      return undefined;
    }
    const started = moveWithin(sql, deps.runs, run, 'running');
    deps.leases.hold(sql, runId);
    return started;
  });
}

/**
 * Ends a batch once none of its items runs: completed (whatever its items' grades) or cancelled, with what it
 * ended with; items that never started are skipped with it. Lets go of the lease. Undefined when the run is gone.
 */
export function finishBatch(deps: TransitionDeps, runId: string, status: 'completed' | 'cancelled', result: JsonObject): Promise<Run | undefined> {
  return deps.store.write((sql) => {
    const run = selectRun(sql, runId);
    if (run === undefined) {
      return undefined;
    }
    deps.leases.release(sql, runId);
    if (isEnded(run.status)) {
      return run;
    }
    const writes = deps.runs.within(sql);
    writes.endItems(runId, ['queued'], 'skipped');
    writes.setResult(runId, result);
    return moveWithin(sql, deps.runs, run, status);
  });
}

/** An interrupted run is carried on here: running again, with this window's lease (any stale cancel request dropped). */
export function claimResume(deps: TransitionDeps, runId: string): Promise<Run> {
  return deps.store.write((sql) => {
    const run = selectRun(sql, runId);
    if (run === undefined) {
      throw new Error(`There is no run ${runId}; it may have been deleted.`);
    }
    if (run.status !== 'running' && run.status !== 'waiting') {
      throw new Error(`Only an interrupted run can be resumed; this one is ${run.status}.`);
    }
    if (deps.leases.liveElsewhere(deps.leases.leaseOf(runId, sql))) {
      throw new Error('Another window has just taken this run on; it is no longer interrupted.');
    }
    deps.leases.release(sql, runId);
    deps.leases.hold(sql, runId);
    return moveWithin(sql, deps.runs, run, 'running');
  });
}

/** Renews this window's leases, of runs still running or waiting only (an ended run's lease stays deleted). */
export function renewLeases(deps: TransitionDeps, runIds: readonly string[]): Promise<void> {
  return deps.store.write((sql) => {
    for (const runId of runIds) {
      const status = selectRun(sql, runId)?.status;
      if (status === 'queued' || status === 'running' || status === 'waiting') {
        deps.leases.hold(sql, runId);
      }
    }
  });
}

/** Running <-> waiting as the turn waits for the person or goes on; false when nothing changed. */
export function setWaiting(deps: TransitionDeps, runId: string, want: 'running' | 'waiting'): Promise<boolean> {
  return deps.store.write((sql) => {
    const run = selectRun(sql, runId);
    if (run === undefined || run.status === want || (run.status !== 'running' && run.status !== 'waiting')) {
      return false;
    }
    moveWithin(sql, deps.runs, run, want);
    return true;
  });
}

/** Ends the run and its item from the turn's outcome, and lets go of the lease; undefined when the run is gone. */
export function finishRun(deps: TransitionDeps, runId: string, itemId: string, outcome: Exclude<RunOutcome, { status: 'left' }>): Promise<Run | undefined> {
  return deps.store.write((sql) => {
    const run = selectRun(sql, runId);
    if (run === undefined) {
      return undefined;
    }
    deps.leases.release(sql, runId);
    if (isEnded(run.status)) {
      return run;
    }
    const error = outcome.status === 'failed' ? outcome.error : undefined;
    const ended = moveWithin(sql, deps.runs, run, outcome.status, error);
    const output = outcome.status === 'completed' ? outcome.output : undefined;
    deps.runs.within(sql).updateItem(itemId, { status: outcome.status, ...(output === undefined ? {} : { output }), ...(error === undefined ? {} : { error }) });
    return ended;
  });
}

/**
 * A cancel of a run this window does not carry: a queued run is cancelled (it never starts), an interrupted one
 * too (nobody runs it), and one another live window carries gets a cancel request, which that window honours.
 */
export function cancelDurably(deps: TransitionDeps, runId: string, itemId: string | undefined): Promise<'cancelled' | 'requested'> {
  return deps.store.write((sql) => {
    const run = selectRun(sql, runId);
    if (run === undefined) {
      throw new Error(`There is no run ${runId}; it may have been deleted.`);
    }
    if (isEnded(run.status)) {
      throw new Error(`This run has already ended (${run.status}); there is nothing to cancel.`);
    }
    if (run.status !== 'queued' && deps.leases.liveElsewhere(deps.leases.leaseOf(runId, sql))) {
      deps.leases.requestCancel(sql, runId);
      return 'requested';
    }
    moveWithin(sql, deps.runs, run, 'cancelled');
    if (run.kind === 'batch') {
      // Nobody carries it: items cut off and items never started end with it.
      deps.runs.within(sql).endItems(runId, ['queued', 'running'], 'cancelled');
    } else if (itemId !== undefined) {
      deps.runs.within(sql).updateItem(itemId, { status: 'cancelled' });
    }
    deps.leases.release(sql, runId);
    return 'cancelled';
  });
}

/** Writes `to`, through running when a waiting run completes (waiting -> completed is not a step of its own). */
function moveWithin(sql: SqlWriter, runs: RunsRepository, run: Run, to: RunStatus, error?: JsonValue): Run {
  let from = run.status;
  if (from === to) {
    return run;
  }
  if (from === 'waiting' && !canTransition(from, to)) {
    checkTransition(from, 'running');
    runs.within(sql).setStatus(run.id, 'running');
    from = 'running';
  }
  checkTransition(from, to);
  return runs.within(sql).setStatus(run.id, to, error);
}
