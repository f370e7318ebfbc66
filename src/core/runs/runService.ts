import type { Message } from '../../db/repositories/messages';
import { CostsRepository } from '../../db/repositories/costs';
import { RunsRepository, type Run, type RunItem } from '../../db/repositories/runs';
import type { StorePort } from '../../db/repositories/storePort';
import { createIdFactory } from '../../db/ids';
import { chatRepositories, type ChatRepositories } from '../chat/chatRepositories';
import type { Disposable } from '../chat/chatTypes';
import { describe } from '../chat/chatTurn';
import type { Clock, Logger } from '../ports';
import type { Dataset } from '../batch/dataset';
import { batchSpecJson, planBatch, readBatchSpec, type BatchSpec } from '../batch/batchPlan';
import { columnLabel, type MatrixColumn } from '../batch/matrix';
import type { AssertionPorts } from '../batch/assertions';
import { BatchCarrier, type BatchChat, type BatchProgress } from './batchCarrier';
import { RunCarrier } from './runCarrier';
import { batchCallsOf, callsOf } from './runCalls';
import { RunLeases } from './runLeases';
import { displayState, type RunDisplayState } from './runLifecycle';
import { checkBudget, type RunBudget } from './runOutcome';
import { RunQueue } from './runQueue';
import { cancelDurably, type TransitionDeps } from './runTransitions';
import { RunWatch, type StoreChanges } from './runWatch';

export type { RunBudget } from './runOutcome';
export type { RunChat } from './runCarrier';
export type { BatchChat, BatchProgress } from './batchCarrier';

/** One column of a batch: an agent, optionally one of its versions (default: its current one) and another model. */
export interface BatchColumnInput {
  agentId: string;
  versionId?: string;
  model?: string;
}

/** What `startBatch` needs: a parsed dataset and the columns to run it under. */
export interface StartBatchInput {
  /** The dataset's file name, as the person knows it. */
  source: string;
  dataset: Dataset;
  columns: readonly BatchColumnInput[];
  /** Items at a time (default 4, at most 32); fewer while the provider rate limits. */
  concurrency?: number;
  /** Limits for each item's turn. */
  budget?: RunBudget;
  /** Let the dataset's `javascript` assertions run (the person agreed, in a trusted workspace). Default false. */
  allowJavascript?: boolean;
}

/** What `start` needs: an agent, a task in words, and optionally a budget and another model. */
export interface StartRunInput {
  agentId: string;
  /** What the agent is to do: the first message of the run's session. */
  task: string;
  /** Limits for the run's turn, each over the agent's limit per turn of the same name; missing ones keep the agent's. */
  budget?: RunBudget;
  /** Another model of the agent's provider, instead of the agent version's. */
  model?: string;
}

/** A run as the Runs view and its detail page show it. */
export interface RunDetails {
  run: Run;
  /** The run's one item (position 0): its session, and the output or error it ended with. */
  item: RunItem | undefined;
  /** The session the agent works in (open it in a chat panel to watch, answer approvals, read the answer). */
  sessionId: string | null;
  /** A window is carrying the run on now: this one, or another whose lease is fresh. */
  live: boolean;
  /** What to call it: `interrupted` is running or waiting with no window carrying it on (offer Resume). */
  state: RunDisplayState;
  /** Model calls so far (of all its items, for a batch). */
  steps: number;
  /** The known cost in USD; null when a call's price is unknown. */
  costUsd: number | null;
  /** A batch's items by status, and while this window carries it, its rate-limit report. */
  batch?: { counts: Partial<Record<RunItem['status'], number>>; total: number; progress?: BatchProgress };
}

/** runId undefined: any run may have changed (another window wrote, or a window went away). */
export interface RunChange {
  runId: string | undefined;
}

/** The store's change events (the durable Store's `onDidChange`): how other windows' writes are noticed. */
export type { StoreChanges } from './runWatch';

export interface RunTiming {
  /** How often this window renews the leases of the runs it carries, and looks for runs whose window went away. */
  heartbeatMs: number;
  /** A lease not renewed for this long belongs to a window that is gone: its run shows as interrupted. */
  leaseTimeoutMs: number;
}

export const defaultRunTiming: RunTiming = { heartbeatMs: 10_000, leaseTimeoutMs: 30_000 };

export interface RunServiceDeps {
  store: StorePort;
  storeChanges: StoreChanges;
  chat: BatchChat;
  clock: Clock;
  log: Logger;
  /** For item latencies; performance.now by default. */
  monotonic?: () => number;
  /** The checks' ports for a batch (a judge; JavaScript when its spec allows it and the workspace is trusted). */
  assertionPorts?: (batch: { runId: string; spec: BatchSpec }) => AssertionPorts;
  /** This window's id, the chat service's: it owns the leases of the runs this window carries. */
  windowId: string;
  /** Runs at a time in this window (read at each start; a setting). Runs beyond it wait as queued. */
  maxConcurrent(): number;
  newId?: () => string;
  timing?: Partial<RunTiming>;
}

/**
 * Runs: an agent carrying out a task by itself. A run is a `runs` row and one item whose session the agent works
 * in, driven by the chat loop's agent turn (tools, approvals, limits, Stop, recovery all as in a chat), with the
 * run's pinned agent version and its budget as the turn's limits.
 *
 * Statuses are durable before their effects: queued (written with the session and the item), running (with this
 * window's lease, before the task is sent), waiting while the turn asks the person, then completed, failed or
 * cancelled from the session's last message. A window that closes leaves its runs running without a lease: every
 * window then shows them interrupted, and `resume` carries one on from its last durable step, never running a call
 * that was cut off again. Cancel works from any window: the owner is asked through a settings row
 * (`runs.cancel.<runId>`, see runLeases.ts) that it notices on the store's change event.
 */
export class RunService implements Disposable {
  private readonly repos: ChatRepositories;
  private readonly runs: RunsRepository;
  private readonly costs: CostsRepository;
  private readonly leases: RunLeases;
  private readonly transitions: TransitionDeps;
  private readonly carrier: RunCarrier;
  private readonly batches: BatchCarrier;
  private readonly queue: RunQueue;
  private readonly listeners = new Set<(change: RunChange) => void>();
  private readonly watch: RunWatch;
  private closing = false;

  constructor(private readonly deps: RunServiceDeps) {
    const { store, clock, chat, log } = deps;
    const newId = deps.newId ?? createIdFactory(clock);
    const timing = { ...defaultRunTiming, ...deps.timing };
    const repos = (this.repos = chatRepositories(store, clock, newId));
    this.costs = new CostsRepository(store);
    const runs = (this.runs = new RunsRepository(store, clock, newId));
    const leases = (this.leases = new RunLeases({ settings: repos.settings, clock, windowId: deps.windowId, leaseTimeoutMs: timing.leaseTimeoutMs }));
    const transitions = (this.transitions = { store, runs, leases });
    const emit = (runId: string | undefined) => this.emit(runId);
    const carrier = (this.carrier = new RunCarrier({ repos, costs: this.costs, runs, leases, transitions, chat, log, emit, closing: () => this.closing }));
    const batches = (this.batches = new BatchCarrier({
      repos,
      costs: this.costs,
      runs,
      leases,
      transitions,
      chat,
      log,
      emit,
      closing: () => this.closing,
      monotonic: deps.monotonic ?? (() => performance.now()),
      ...(deps.assertionPorts ? { assertionPorts: deps.assertionPorts } : {}),
    }));
    const queue = (this.queue = new RunQueue({ concurrency: 1, onError: (id, err) => log.error(`Run ${id} stopped on an error: ${describe(err)}`) }));
    const isLive = (run: Run) => this.isLive(run);
    const carriers = {
      pendingChanged: (sessionId: string) => {
        carrier.pendingChanged(sessionId);
        batches.pendingChanged(sessionId);
      },
      honourCancelRequests: () => {
        carrier.honourCancelRequests();
        batches.honourCancelRequests();
      },
      renewLeases: (queued: readonly string[] = []) => carrier.renewLeases([...queued, ...batches.ids()]),
    };
    this.watch = new RunWatch({ chat, storeChanges: deps.storeChanges, carrier: carriers, queue, runs, log, heartbeatMs: timing.heartbeatMs, isLive, changed: () => emit(undefined) });
  }

  /**
   * Starts a run: its session, the run (queued, pinned to the agent's current version) and its item are written
   * in one transaction, then it waits for a free slot. Throws, with what to do, for an unknown agent, an empty
   * task or a budget that is not usable. Returns the run as written (queued).
   */
  async start(input: StartRunInput): Promise<Run> {
    this.refuseWhileClosing();
    if (input.task.trim() === '') {
      throw new Error('A run needs a task: say what the agent should do.');
    }
    const agent = this.repos.agents.get(input.agentId);
    if (agent === undefined) {
      throw new Error(`There is no agent ${input.agentId}; it may have been deleted. Choose another agent for the run.`);
    }
    const budget = checkBudget(input.budget);
    const model = input.model?.trim() || undefined;
    const run = await this.deps.store.write((sql) => {
      const session = this.repos.sessions.within(sql).create({ agentId: agent.id });
      const runs = this.runs.within(sql);
      const created = runs.create({ agentId: agent.id, agentVersionId: agent.currentVersion.id, task: input.task, budget: budget ?? null });
      const [item] = runs.addItems(created.id, [{ task: input.task, ...(model === undefined ? {} : { model }) }]);
      runs.updateItem(item?.id ?? '', { sessionId: session.id });
      // Queued here: the lease says this window will start it (a window that closes leaves it interrupted).
      this.leases.hold(sql, created.id);
      return created;
    });
    this.deps.log.info(`Run ${run.id} of agent ${agent.id} queued`);
    this.enqueue(run);
    this.emit(run.id);
    return run;
  }

  /**
   * Starts a batch: the dataset's items under each column, every item's task filled in and every column's agent
   * version pinned first; then the run (queued) and all its items in one transaction, so a batch that cannot run
   * whole is refused with what is wrong and nothing is half-started. Returns the run as written.
   */
  async startBatch(input: StartBatchInput): Promise<Run> {
    this.refuseWhileClosing();
    const columns = this.resolveColumns(input.columns);
    const planned = planBatch(input.source, input.dataset, columns, input.concurrency, input.allowJavascript === true);
    if (!planned.ok) {
      throw new Error(`The batch cannot start: ${planned.errors.join(' ')}`);
    }
    const budget = checkBudget(input.budget);
    const { spec, inputs } = planned.plan;
    const first = columns[0]!;
    const task = `${input.source}: ${input.dataset.items.length} items × ${columns.length} ${columns.length === 1 ? 'column' : 'columns'}`;
    const run = await this.deps.store.write((sql) => {
      const created = this.runs.within(sql).create({
        agentId: first.agentId,
        ...(first.versionId !== undefined ? { agentVersionId: first.versionId } : {}),
        kind: 'batch',
        task,
        budget: budget ?? null,
        spec: batchSpecJson(spec),
        items: inputs,
      });
      this.leases.hold(sql, created.id);
      return created;
    });
    this.deps.log.info(`Batch ${run.id} queued: ${inputs.length} items`);
    this.enqueue(run);
    this.emit(run.id);
    return run;
  }

  /**
   * A new batch of some items of an ended one (its failed ones, or the ones the person picked), with the same
   * spec and budget: the first batch stays as it was, so the two can be compared. Throws when none of the ids is
   * an item of that batch.
   */
  async rerunItems(runId: string, runItemIds: readonly string[]): Promise<Run> {
    this.refuseWhileClosing();
    const run = this.requireRun(runId);
    const spec = readBatchSpec(run.spec);
    if (run.kind !== 'batch' || spec === undefined) {
      throw new Error('Only the items of a batch can be run again; use Re-run for a run.');
    }
    const wanted = new Set(runItemIds);
    const inputs = this.runs.listItems(runId).filter((item) => wanted.has(item.id)).map((item) => item.input);
    if (inputs.length === 0) {
      throw new Error('None of those items is in this batch any more; choose items in its results again.');
    }
    const first = spec.columns[0];
    const again = await this.deps.store.write((sql) => {
      const created = this.runs.within(sql).create({
        agentId: run.agentId ?? first?.agentId ?? '',
        ...(run.agentVersionId !== null ? { agentVersionId: run.agentVersionId } : {}),
        kind: 'batch',
        task: `${spec.source}: ${inputs.length} ${inputs.length === 1 ? 'item' : 'items'} again`,
        budget: run.budget,
        spec: batchSpecJson(spec),
        items: inputs,
      });
      this.leases.hold(sql, created.id);
      return created;
    });
    this.deps.log.info(`Batch ${again.id} queued: ${inputs.length} items of batch ${runId} again`);
    this.enqueue(again);
    this.emit(again.id);
    return again;
  }

  /**
   * Cancels a run. A queued one never starts. One this window carries is stopped (its turn ends cancelled, a
   * running command is killed); resolves once that is saved. One another window carries is asked to stop; resolves
   * once the request is written, and that window ends it. An interrupted one is cancelled at once.
   */
  async cancel(runId: string): Promise<void> {
    this.queue.cancel(runId);
    if ((await this.carrier.cancel(runId)) || (await this.batches.cancel(runId))) {
      return;
    }
    const itemId = this.runs.listItems(runId)[0]?.id;
    const outcome = await cancelDurably(this.transitions, runId, itemId);
    this.deps.log.info(`Run ${runId}: ${outcome === 'requested' ? 'asked the window carrying it to cancel it' : 'cancelled'}`);
    this.emit(runId);
  }

  /**
   * Carries an interrupted run on in this window from its last durable step: a reply cut off is asked again, a
   * step whose tools ran (a call cut off says "interrupted, outcome unknown") goes on to the next model call, and
   * nothing that ran is run again. Resolves once the turn is under way. Starts at once, even when every slot is
   * taken: the person asked for it, and it was running when its window went away.
   */
  async resume(runId: string): Promise<void> {
    this.refuseWhileClosing();
    const run = this.requireRun(runId);
    const state = displayState(run, this.isLive(run));
    if (state !== 'interrupted') {
      throw new Error(`Only an interrupted run can be resumed; this one is ${state}.`);
    }
    if (run.kind === 'batch') {
      await this.resumeBatch(run);
      return;
    }
    const item = this.runs.listItems(runId)[0];
    const sessionId = item?.sessionId ?? null;
    if (item === undefined || sessionId === null || this.repos.sessions.get(sessionId) === undefined) {
      throw new Error("The run's session was deleted, so there is nothing to resume from. Start a new run instead.");
    }
    if (run.status === 'queued') {
      // Queued by a window that closed before it started: nothing of it ran; this window queues it as its own.
      await this.deps.store.write((sql) => this.leases.hold(sql, runId));
      this.enqueue(run);
      this.emit(runId);
      return;
    }
    const head = await this.settledHead(sessionId);
    await this.carrier.resume(runId, { ...item, sessionId }, head);
  }

  /** Deletes a run with its item and its session. A run another window carries must be cancelled first. */
  async delete(runId: string): Promise<void> {
    const run = this.requireRun(runId);
    this.queue.cancel(runId);
    const stopped = (await this.carrier.cancel(runId)) || (await this.batches.cancel(runId));
    if (!stopped && (run.status === 'running' || run.status === 'waiting') && this.isLive(run)) {
      throw new Error('Another window is carrying this run on: cancel it first, then delete it.');
    }
    await Promise.all([this.carrier.whenDone(runId), this.batches.whenDone(runId)]);
    const sessions = this.runs.listItems(runId).flatMap((item) => (item.sessionId === null ? [] : [item.sessionId]));
    await this.deps.store.write((sql) => {
      this.runs.within(sql).delete(runId);
      this.leases.release(sql, runId);
      for (const sessionId of sessions) {
        if (this.repos.sessions.get(sessionId) !== undefined) {
          this.repos.sessions.within(sql).delete(sessionId);
        }
      }
    });
    this.deps.log.info(`Run ${runId} deleted with its session`);
    this.emit(runId);
  }

  /** The run's row alone, without its counts and cost (cheap: for listeners that only look at its status). */
  run(runId: string): Run | undefined {
    return this.runs.get(runId);
  }

  get(runId: string): RunDetails | undefined {
    const run = this.runs.get(runId);
    return run && this.detailsOf(run);
  }

  /** Newest first. */
  list(options: { limit?: number } = {}): RunDetails[] {
    return this.runs.list(options).map((run) => this.detailsOf(run));
  }

  /** Whether a window carries the run on now: this one, or another whose lease is fresh. */
  isLive(run: Pick<Run, 'id'>): boolean {
    return this.carrier.has(run.id) || this.batches.has(run.id) || this.queue.queued().includes(run.id) || this.leases.liveElsewhere(this.leases.leaseOf(run.id));
  }

  /** Resolves when this window no longer carries the run (at once if it does not). */
  async whenDone(runId: string): Promise<void> {
    await Promise.all([this.carrier.whenDone(runId), this.batches.whenDone(runId)]);
  }

  /** A batch's items as the results table needs them, in position order. */
  items(runId: string): RunItem[] {
    return this.runs.listItems(runId);
  }

  onDidChange(listener: (change: RunChange) => void): Disposable {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }

  /**
   * For deactivate, beside the chat service's shutdown (either order): this window lets go of the runs it carries,
   * which stay running and show as interrupted in every window at once. Queued runs stay queued. Starts nothing more.
   */
  async shutdown(): Promise<void> {
    // Queued ones too: they will not start here now, and another window offers Resume for them at once.
    const ids = [...this.carrier.ids(), ...this.batches.ids(), ...this.queue.queued()];
    this.dispose();
    if (ids.length > 0) {
      await this.deps.store.write((sql) => ids.forEach((id) => this.leases.release(sql, id)));
    }
  }

  /** Stops timers and listeners and writes nothing: the leases of the runs carried here expire by themselves. */
  dispose(): void {
    this.closing = true;
    this.watch.dispose();
    this.batches.dispose();
    this.queue.queued().forEach((id) => this.queue.cancel(id));
  }

  private detailsOf(run: Run): RunDetails {
    if (run.kind === 'batch') {
      const live = this.isLive(run);
      const counts = this.runs.itemCounts(run.id);
      const total = Object.values(counts).reduce((sum, count) => sum + (count ?? 0), 0);
      const progress = this.batches.progress(run.id, counts);
      const batch = { counts, total, ...(progress ? { progress } : {}) };
      return { run, item: undefined, sessionId: null, live, state: displayState(run, live), ...batchCallsOf(this.costs, run.id), batch };
    }
    const item = this.runs.listItems(run.id)[0];
    const sessionId = item?.sessionId ?? null;
    const live = this.isLive(run);
    const calls = sessionId === null ? { steps: 0, costUsd: 0 } : callsOf(this.costs, sessionId);
    return { run, item, sessionId, live, state: displayState(run, live), ...calls };
  }

  private enqueue(run: Run): void {
    this.queue.setConcurrency(Math.max(1, Math.floor(this.deps.maxConcurrent())));
    this.queue.enqueue(run.id, (signal) => (run.kind === 'batch' ? this.batches.execute(run.id, signal) : this.carrier.execute(run.id, signal)));
  }

  /** Each column's agent must exist; a column without a version runs the agent's current one, pinned now. */
  private resolveColumns(inputs: readonly BatchColumnInput[]): MatrixColumn[] {
    return inputs.map((input, index) => {
      const agent = this.repos.agents.get(input.agentId);
      if (agent === undefined) {
        throw new Error(`There is no agent ${input.agentId}; it may have been deleted. Choose another agent for the batch.`);
      }
      const version = input.versionId === undefined ? agent.currentVersion : this.repos.agents.getVersion(input.versionId);
      if (version === undefined || version.agentId !== agent.id) {
        throw new Error(`Agent "${agent.name}" has no version ${input.versionId ?? ''}; choose one of its versions.`);
      }
      const model = input.model?.trim() || undefined;
      const pinned = input.versionId !== undefined ? version.version : undefined;
      return { id: `c${index + 1}`, label: columnLabel(agent.name, pinned, model), agentId: agent.id, versionId: version.id, ...(model ? { model } : {}) };
    });
  }

  /** An interrupted batch: items whose reply another window was writing are marked cut off first, then it goes on here. */
  private async resumeBatch(run: Run): Promise<void> {
    if (run.status === 'queued') {
      await this.deps.store.write((sql) => this.leases.hold(sql, run.id));
      this.enqueue(run);
      this.emit(run.id);
      return;
    }
    const streaming = this.runs.listItems(run.id).some((item) => item.status === 'running' && item.sessionId !== null && this.headOf(item.sessionId)?.status === 'streaming');
    if (streaming) {
      await this.deps.chat.markInterrupted();
    }
    await this.batches.resume(run.id);
  }

  /**
   * The session's head once no window writes it any more. A window that closed (or died) in the middle of a step
   * can leave it streaming under a lease that is still fresh: the step is recovered as cut off once that lease
   * runs out (at most leaseTimeoutMs), so Resume waits for that instead of failing.
   */
  private async settledHead(sessionId: string): Promise<Message | undefined> {
    const timing = { ...defaultRunTiming, ...this.deps.timing };
    const deadline = this.deps.clock.now() + timing.leaseTimeoutMs + 5_000;
    for (;;) {
      let head = this.headOf(sessionId);
      if (head?.status !== 'streaming') {
        return head;
      }
      await this.deps.chat.markInterrupted();
      head = this.headOf(sessionId);
      if (head?.status !== 'streaming') {
        return head;
      }
      if (this.deps.clock.now() > deadline || this.closing) {
        throw new Error("The run's last step is still being written by another window; cancel the run there, or try again once it stops.");
      }
      this.deps.log.info(`Session ${sessionId}: waiting for the lease of a closed window's step to run out before resuming`);
      await new Promise((resolve) => setTimeout(resolve, 1_000));
    }
  }

  private requireRun(runId: string): Run {
    const run = this.runs.get(runId);
    if (run === undefined) {
      throw new Error(`There is no run ${runId}; it may have been deleted.`);
    }
    return run;
  }

  private headOf(sessionId: string): Message | undefined {
    const headId = this.repos.sessions.get(sessionId)?.headMessageId;
    return headId ? this.repos.messages.get(headId) : undefined;
  }

  private refuseWhileClosing(): void {
    if (this.closing) {
      throw new Error('AI Studio is shutting down; try again once it has restarted.');
    }
  }

  private emit(runId: string | undefined): void {
    for (const listener of [...this.listeners]) {
      try {
        listener({ runId });
      } catch (err) {
        this.deps.log.error(`A run listener failed: ${describe(err)}`);
      }
    }
  }
}
