import type { CostsRepository } from '../../db/repositories/costs';
import type { JsonObject } from '../../db/repositories/rows';
import type { RunItem, RunsRepository } from '../../db/repositories/runs';
import type { AssertionPorts } from '../batch/assertions';
import { readBatchSpec, type BatchSpec } from '../batch/batchPlan';
import { readBatchItemInput } from '../batch/matrix';
import { RateGate, type RateGateReport } from '../batch/rateGate';
import type { ChatRepositories } from '../chat/chatRepositories';
import type { ChatService } from '../chat/chatService';
import type { Disposable } from '../chat/chatTypes';
import { describe } from '../chat/chatTurn';
import type { Logger } from '../ports';
import { runBatchItem } from './batchItemTurn';
import type { RunChat } from './runCarrier';
import type { RunLeases } from './runLeases';
import { budgetOf, type RunBudget } from './runOutcome';
import { claimBatchStart, claimResume, finishBatch, setWaiting, type TransitionDeps } from './runTransitions';

/** What a batch needs of the chat loop: a run's, and word of the retries its model calls wait out. */
export type BatchChat = RunChat & Pick<ChatService, 'onDidRetry' | 'pending' | 'decide'>;

export interface BatchCarrierDeps {
  repos: ChatRepositories;
  costs: CostsRepository;
  runs: RunsRepository;
  leases: RunLeases;
  transitions: TransitionDeps;
  chat: BatchChat;
  log: Logger;
  emit(runId: string): void;
  closing(): boolean;
  monotonic(): number;
  /** The checks' ports for this batch (a judge, JavaScript in a trusted workspace); none is the default. */
  assertionPorts?: (batch: { runId: string; spec: BatchSpec }) => AssertionPorts;
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
}

/** A batch's progress while a window carries it. */
export interface BatchProgress extends RateGateReport {
  total: number;
  /** Items ended (completed, failed, cancelled or skipped). */
  done: number;
  running: number;
}

interface CarriedBatch {
  runId: string;
  spec: BatchSpec;
  limits: RunBudget;
  gate: RateGate;
  controller: AbortController;
  cancelRequested: boolean;
  /** An item was cut off by the window closing: the batch stays running, for Resume. */
  left: boolean;
  /** The sessions of the items under way, and the retries each one's model calls waited out. */
  sessions: Map<string, number>;
  /** Items stopped on their budget, by session: what was reached, in words. */
  reached: Map<string, string>;
  writes: Promise<void>;
  done: Promise<void>;
  letGo(): void;
  emitTimer?: ReturnType<typeof setTimeout>;
}

const ITEM_CHANGE_MS = 200;

/**
 * The batches this window carries: claimed (running, with the lease), their items started as the rate gate lets
 * them (never more than the batch's concurrency, fewer after rate limits), each item's turn driven to its grade,
 * and the batch ended once none is left. Cancel stops the items under way; items not started are skipped.
 */
export class BatchCarrier implements Disposable {
  private readonly carried = new Map<string, CarriedBatch>();
  private readonly bySession = new Map<string, CarriedBatch>();
  private readonly subscription: Disposable;

  constructor(private readonly deps: BatchCarrierDeps) {
    this.subscription = deps.chat.onDidRetry((sessionId, retry) => {
      const carried = this.bySession.get(sessionId);
      if (carried && (retry.kind === 'rate_limit' || retry.kind === 'overloaded')) {
        carried.sessions.set(sessionId, (carried.sessions.get(sessionId) ?? 0) + 1);
        carried.gate.rateLimited(retry.delayMs);
      }
    });
  }

  dispose(): void {
    this.subscription.dispose();
  }

  has(runId: string): boolean {
    return this.carried.has(runId);
  }

  ids(): string[] {
    return [...this.carried.keys()];
  }

  whenDone(runId: string): Promise<void> {
    return this.carried.get(runId)?.done ?? Promise.resolve();
  }

  progress(runId: string, counts?: Partial<Record<RunItem['status'], number>>): BatchProgress | undefined {
    const carried = this.carried.get(runId);
    if (carried === undefined) {
      return undefined;
    }
    counts ??= this.deps.runs.itemCounts(runId);
    const total = Object.values(counts).reduce((sum, count) => sum + (count ?? 0), 0);
    const running = counts.running ?? 0;
    return { ...carried.gate.report(), total, done: total - running - (counts.queued ?? 0), running };
  }

  /** The queue's start function: claims a queued batch and runs it to its end. */
  async execute(runId: string, signal: AbortSignal): Promise<void> {
    if (this.deps.closing()) {
      return;
    }
    const run = await claimBatchStart(this.deps.transitions, runId);
    const carried = run && this.carry(runId, run.spec, run.budget);
    if (carried === undefined) {
      return;
    }
    signal.addEventListener('abort', () => void this.stop(carried), { once: true });
    this.deps.log.info(`Batch ${runId} started: ${carried.spec.columns.length} columns at ${carried.spec.concurrency} at a time`);
    await this.drive(carried);
  }

  /** Carries an interrupted batch on: its items cut off go on from their last durable step, the rest start. */
  async resume(runId: string): Promise<void> {
    const run = await claimResume(this.deps.transitions, runId);
    const carried = this.carry(runId, run.spec, run.budget);
    if (carried === undefined) {
      throw new Error("The batch's settings cannot be read, so it cannot be resumed; start it again from its dataset.");
    }
    this.deps.log.info(`Batch ${runId} resumed`);
    void this.drive(carried);
  }

  /** Stops a batch carried here; false when this window does not carry it. */
  async cancel(runId: string): Promise<boolean> {
    const carried = this.carried.get(runId);
    if (carried === undefined) {
      return false;
    }
    await this.stop(carried);
    return true;
  }

  /**
   * An item's session's questions changed: the batch waits while any of its items does (an approval). A budget
   * reached is not asked: nobody watches each of a thousand items, so the item stops there and fails with it.
   */
  pendingChanged(sessionId: string): void {
    const carried = this.bySession.get(sessionId);
    if (carried === undefined) {
      return;
    }
    for (const pending of this.deps.chat.pending(sessionId)) {
      if (pending.kind === 'limit') {
        carried.reached.set(sessionId, pending.reached);
        this.deps.chat.decide(sessionId, pending.id, 'stop');
      }
    }
    carried.writes = carried.writes
      .then(async () => {
        const waiting = [...carried.sessions.keys()].some((id) => this.deps.chat.isWaiting(id));
        if (await setWaiting(this.deps.transitions, carried.runId, waiting ? 'waiting' : 'running')) {
          this.deps.emit(carried.runId);
        }
      })
      .catch((err: unknown) => this.deps.log.warn(`Batch ${carried.runId}: could not write its status: ${describe(err)}`));
  }

  honourCancelRequests(): void {
    for (const carried of this.carried.values()) {
      if (!carried.cancelRequested && this.deps.leases.cancelRequested(carried.runId)) {
        this.deps.log.info(`Batch ${carried.runId}: another window asked to cancel it`);
        void this.stop(carried).catch((err: unknown) => this.deps.log.error(`Batch ${carried.runId} could not be cancelled: ${describe(err)}`));
      }
    }
  }

  private carry(runId: string, specJson: JsonObject | null, budget: JsonObject | null): CarriedBatch | undefined {
    const spec = readBatchSpec(specJson);
    if (spec === undefined) {
      this.deps.log.error(`Batch ${runId}: its spec is damaged`);
      return undefined;
    }
    let letGo = () => undefined as void;
    const done = new Promise<void>((resolve) => (letGo = resolve));
    const sleep = this.deps.sleep ?? abortableSleep;
    const carried: CarriedBatch = {
      runId,
      spec,
      limits: budgetOf(budget),
      gate: new RateGate({ max: spec.concurrency, now: () => this.deps.monotonic(), sleep }),
      controller: new AbortController(),
      cancelRequested: this.deps.leases.cancelRequested(runId),
      left: false,
      sessions: new Map(),
      reached: new Map(),
      writes: Promise.resolve(),
      done,
      letGo,
    };
    this.carried.set(runId, carried);
    this.deps.emit(runId);
    return carried;
  }

  private async drive(carried: CarriedBatch): Promise<void> {
    const { signal } = carried.controller;
    const underWay: Promise<void>[] = [];
    try {
      const items = this.deps.runs.listItems(carried.runId).filter((item) => item.status === 'queued' || item.status === 'running');
      for (const item of items) {
        if (carried.cancelRequested || this.isClosing()) {
          break;
        }
        let release: () => void;
        try {
          release = await carried.gate.acquire(signal);
        } catch {
          break; // cancelled while waiting for a slot
        }
        underWay.push(this.runItem(carried, item).finally(release));
        this.emitSoon(carried);
      }
      await Promise.all(underWay);
      await this.end(carried);
    } catch (err) {
      this.deps.log.error(`Batch ${carried.runId} could not be ended: ${describe(err)}`);
      this.forget(carried);
    }
  }

  private async runItem(carried: CarriedBatch, item: RunItem): Promise<void> {
    const input = readBatchItemInput(item.input);
    let sessionId: string | undefined;
    try {
      if (input === undefined) {
        throw new Error('its input is damaged (not a batch item)');
      }
      const end = await runBatchItem(
        {
          repos: this.deps.repos,
          costs: this.deps.costs,
          runs: this.deps.runs,
          chat: this.deps.chat,
          log: this.deps.log,
          gate: carried.gate,
          ports: this.deps.assertionPorts?.({ runId: carried.runId, spec: carried.spec }) ?? {},
          limits: carried.limits,
          monotonic: () => this.deps.monotonic(),
          cancelled: () => carried.cancelRequested,
          limitReached: () => (sessionId === undefined ? undefined : carried.reached.get(sessionId)),
          closing: () => this.isClosing(),
          signal: carried.controller.signal,
          track: (id) => {
            if (id !== undefined) {
              sessionId = id;
              carried.sessions.set(id, 0);
              this.bySession.set(id, carried);
            } else if (sessionId !== undefined) {
              carried.sessions.delete(sessionId);
              carried.reached.delete(sessionId);
              this.bySession.delete(sessionId);
            }
          },
        },
        item,
        input,
        () => (sessionId === undefined ? 0 : (carried.sessions.get(sessionId) ?? 0)),
      );
      if (end === 'left') {
        carried.left = true;
      }
    } catch (err) {
      if (this.isClosing()) {
        carried.left = true;
        return;
      }
      this.deps.log.error(`Batch ${carried.runId}: item ${item.position} failed: ${describe(err)}`);
      await this.deps.runs.updateItem(item.id, { status: 'failed', error: { message: describe(err) } }).catch(() => undefined);
    } finally {
      this.emitSoon(carried);
    }
  }

  private async end(carried: CarriedBatch): Promise<void> {
    await carried.writes;
    try {
      if (carried.left || (this.isClosing() && !carried.cancelRequested)) {
        // Left running, without a window: every window shows it interrupted, with Resume.
        if (!this.deps.closing()) {
          await this.deps.transitions.store.write((sql) => this.deps.leases.release(sql, carried.runId));
        }
        return;
      }
      const status = carried.cancelRequested ? 'cancelled' : 'completed';
      const { rateLimited, waitedMs } = carried.gate.report();
      await finishBatch(this.deps.transitions, carried.runId, status, { rateLimited, waitedMs });
      this.deps.log.info(`Batch ${carried.runId} ${status}${rateLimited > 0 ? ` (rate limited ${rateLimited} times, waited ${waitedMs} ms)` : ''}`);
    } finally {
      this.forget(carried);
    }
  }

  private async stop(carried: CarriedBatch): Promise<void> {
    carried.cancelRequested = true;
    carried.controller.abort();
    await Promise.all([...carried.sessions.keys()].map((sessionId) => this.deps.chat.stop(sessionId)));
    await carried.done;
  }

  /**
   * Items start and end many times a second in a big batch, and every listener re-reads the batch's counts and
   * cost: their changes are told at most every ITEM_CHANGE_MS (its start and end are told at once).
   */
  private emitSoon(carried: CarriedBatch): void {
    carried.emitTimer ??= setTimeout(() => {
      carried.emitTimer = undefined;
      this.deps.emit(carried.runId);
    }, ITEM_CHANGE_MS);
  }

  private forget(carried: CarriedBatch): void {
    clearTimeout(carried.emitTimer);
    carried.emitTimer = undefined;
    if (this.carried.get(carried.runId) === carried) {
      this.carried.delete(carried.runId);
      for (const sessionId of carried.sessions.keys()) {
        this.bySession.delete(sessionId);
      }
    }
    carried.letGo();
    this.deps.emit(carried.runId);
  }

  private isClosing(): boolean {
    return this.deps.closing() || this.deps.chat.isShuttingDown;
  }
}

function abortableSleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    if (signal.aborted) {
      reject(abortError(signal));
      return;
    }
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(abortError(signal));
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/** The signal's reason when it is an Error (AbortController gives a DOMException), else one that says what stopped. */
export function abortError(signal: AbortSignal): Error {
  return signal.reason instanceof Error ? signal.reason : new Error('The batch was cancelled.');
}
