import type { JsonValue } from '../../db/repositories/rows';
import type { SettingsRepository } from '../../db/repositories/settings';
import type { SqlWriter } from '../../db/sql';
import type { Clock } from '../ports';

/**
 * Which window carries which run, and the cancels asked of it by other windows, as settings rows (like the chat
 * loop's StreamLeases, which the same windows share):
 *   runs.lease.<runId>  = { windowId, heartbeatAt }  claimed with the status write that makes the run running here,
 *                         renewed on a timer, deleted with the write that ends it (or when this window lets go).
 *   runs.cancel.<runId> = { windowId, requestedAt }  written by a window that wants to cancel a run another live
 *                         window carries; the owner notices it on the store's change event, stops the run, and
 *                         deletes it with the run's end.
 * A run whose lease is missing or older than the timeout has no window carrying it on: it shows as interrupted.
 */

const LEASE_PREFIX = 'runs.lease.';
export const CANCEL_PREFIX = 'runs.cancel.';

export interface RunLease {
  windowId: string;
  heartbeatAt: number;
}

export function runLeaseKey(runId: string): string {
  return `${LEASE_PREFIX}${runId}`;
}

export function cancelKey(runId: string): string {
  return `${CANCEL_PREFIX}${runId}`;
}

export function readRunLease(value: JsonValue | undefined): RunLease | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return undefined;
  }
  const { windowId, heartbeatAt } = value as { readonly [key: string]: JsonValue };
  return typeof windowId === 'string' && typeof heartbeatAt === 'number' ? { windowId, heartbeatAt } : undefined;
}

export interface RunLeaseDeps {
  settings: SettingsRepository;
  clock: Clock;
  windowId: string;
  leaseTimeoutMs: number;
}

export class RunLeases {
  constructor(private readonly deps: RunLeaseDeps) {}

  /** Claims or renews this window's lease on `runId`, inside the caller's transaction. */
  hold(sql: SqlWriter, runId: string): void {
    const lease: RunLease = { windowId: this.deps.windowId, heartbeatAt: this.deps.clock.now() };
    this.deps.settings.within(sql).set(runLeaseKey(runId), { ...lease });
  }

  /** Drops the lease and any cancel request of the run, inside the caller's transaction. */
  release(sql: SqlWriter, runId: string): void {
    const writes = this.deps.settings.within(sql);
    writes.delete(runLeaseKey(runId));
    writes.delete(cancelKey(runId));
  }

  requestCancel(sql: SqlWriter, runId: string): void {
    this.deps.settings.within(sql).set(cancelKey(runId), { windowId: this.deps.windowId, requestedAt: this.deps.clock.now() });
  }

  cancelRequested(runId: string): boolean {
    return this.deps.settings.get(cancelKey(runId)) !== undefined;
  }

  /**
   * Whether another window carries the run on now: its lease is fresh. This window's own lease is not asked about
   * here: whether this window carries a run is known in memory, never from the store.
   */
  liveElsewhere(lease: RunLease | undefined): boolean {
    return lease !== undefined && lease.windowId !== this.deps.windowId && this.deps.clock.now() - lease.heartbeatAt <= this.deps.leaseTimeoutMs;
  }

  leaseOf(runId: string, sql?: SqlWriter): RunLease | undefined {
    return readRunLease(sql === undefined ? this.deps.settings.get(runLeaseKey(runId)) : this.deps.settings.within(sql).get(runLeaseKey(runId)));
  }
}
