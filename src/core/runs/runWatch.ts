import type { Run, RunsRepository } from '../../db/repositories/runs';
import type { Disposable } from '../chat/chatTypes';
import { describe } from '../chat/chatTurn';
import type { Logger } from '../ports';
import type { RunCarrier, RunChat } from './runCarrier';
import type { RunQueue } from './runQueue';

/**
 * What a window watches for its runs: the chat loop's questions (a run waits while its turn asks the person),
 * other windows' writes (a cancel they asked of a run carried here, a queued run of this window they cancelled,
 * runs to show anew), and a heartbeat that renews this window's leases and notices runs of other windows whose
 * owner went away (no write tells of that: the lease just grows old).
 */

export interface StoreChanges {
  onDidChange(listener: (change: { origin: 'local' | 'remote'; tables: readonly string[] }) => void): Disposable;
}

export interface WatchDeps {
  chat: RunChat;
  storeChanges: StoreChanges;
  /** The runs (and batches) this window carries. */
  carrier: Pick<RunCarrier, 'pendingChanged' | 'honourCancelRequests' | 'renewLeases'>;
  queue: RunQueue;
  runs: RunsRepository;
  log: Logger;
  heartbeatMs: number;
  isLive(run: Run): boolean;
  /** Any run may have changed. */
  changed(): void;
}

export class RunWatch implements Disposable {
  private readonly subscriptions: Disposable[];
  private readonly timer: ReturnType<typeof setInterval>;
  private renewing = false;
  /** Which running or waiting runs were live at the last look. */
  private liveness = '';
  private disposed = false;

  constructor(private readonly deps: WatchDeps) {
    this.subscriptions = [
      deps.chat.onDidChange((change) => {
        if (change.event.method === 'chat/pending') {
          deps.carrier.pendingChanged(change.sessionId);
        }
      }),
      deps.storeChanges.onDidChange((change) => {
        if (change.origin === 'remote' && !this.disposed) {
          this.remoteChange(change.tables);
        }
      }),
    ];
    this.timer = setInterval(() => this.heartbeat(), deps.heartbeatMs);
    this.timer.unref?.();
  }

  dispose(): void {
    this.disposed = true;
    clearInterval(this.timer);
    this.subscriptions.forEach((subscription) => subscription.dispose());
  }

  private remoteChange(tables: readonly string[]): void {
    const all = tables.includes('*');
    if (all || tables.includes('settings')) {
      this.deps.carrier.honourCancelRequests();
    }
    if (all || tables.includes('runs') || tables.includes('run_items')) {
      for (const id of this.deps.queue.queued()) {
        if (this.deps.runs.get(id)?.status !== 'queued') {
          this.deps.queue.cancel(id);
        }
      }
      this.deps.changed();
    }
  }

  private heartbeat(): void {
    if (this.renewing || this.disposed) {
      return;
    }
    this.renewing = true;
    void this.deps.carrier
      .renewLeases(this.deps.queue.queued())
      .catch((err: unknown) => this.deps.log.warn(`Could not renew the leases of this window's runs: ${describe(err)}`))
      .finally(() => {
        this.renewing = false;
        const { runs } = this.deps;
        const active = [...runs.list({ status: 'queued' }), ...runs.list({ status: 'running' }), ...runs.list({ status: 'waiting' })];
        const liveness = active.map((run) => `${run.id}:${this.deps.isLive(run) ? 1 : 0}`).join(',');
        if (liveness !== this.liveness) {
          this.liveness = liveness;
          this.deps.changed();
        }
      });
  }
}
