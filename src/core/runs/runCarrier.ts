import type { CostsRepository } from '../../db/repositories/costs';
import type { Message } from '../../db/repositories/messages';
import type { Run, RunItem, RunsRepository } from '../../db/repositories/runs';
import type { ChatService } from '../chat/chatService';
import type { ChatRepositories } from '../chat/chatRepositories';
import { describe } from '../chat/chatTurn';
import { asRecord } from '../jsonFields';
import type { Logger } from '../ports';
import { callsOf } from './runCalls';
import type { RunLeases } from './runLeases';
import { budgetOf, outcomeOf, type RunBudget, type RunOutcome } from './runOutcome';
import { claimResume, claimStart, finishRun, renewLeases, setWaiting, type TransitionDeps } from './runTransitions';
import { continueTurn } from './turnResume';

/** What a run needs of the chat loop (ChatService). */
export type RunChat = Pick<
  ChatService,
  'send' | 'retry' | 'continueAfter' | 'stop' | 'whenIdle' | 'isWaiting' | 'onDidChange' | 'pinVersion' | 'markInterrupted' | 'isShuttingDown'
>;

export interface CarrierDeps {
  repos: ChatRepositories;
  costs: CostsRepository;
  runs: RunsRepository;
  leases: RunLeases;
  transitions: TransitionDeps;
  chat: RunChat;
  log: Logger;
  emit(runId: string): void;
  /** This window is closing: nothing more starts, and a turn cut off leaves its run running. */
  closing(): boolean;
}

/** A run this window carries: its session's turn is driven here and its lease is renewed here. */
interface Carried {
  runId: string;
  itemId: string;
  sessionId: string;
  task: string;
  limits: RunBudget;
  cancelRequested: boolean;
  /** Its status writes, one after another (waiting and running as questions come and go, then its end). */
  writes: Promise<void>;
  /** Resolves once this window no longer carries it. */
  done: Promise<void>;
  letGo(): void;
}

/**
 * The runs this window carries, each from its claim (the status write that makes it running here, with the lease)
 * to its end: the turn is started, followed (waiting while it asks the person) and, once the chat loop lets go of
 * it, the run ends from the session's head message.
 */
export class RunCarrier {
  private readonly carried = new Map<string, Carried>();
  private readonly bySession = new Map<string, Carried>();
  /** Runs whose claim is being written, and cancels asked for meanwhile (applied once the run is carried). */
  private readonly claiming = new Set<string>();
  private readonly cancelOnArrival = new Set<string>();

  constructor(private readonly deps: CarrierDeps) {}

  has(runId: string): boolean {
    return this.carried.has(runId);
  }

  ids(): string[] {
    return [...this.carried.keys()];
  }

  whenDone(runId: string): Promise<void> {
    return this.carried.get(runId)?.done ?? Promise.resolve();
  }

  /** The queue's start function: claims a queued run, sends its task, and follows the turn to the run's end. */
  async execute(runId: string, signal: AbortSignal): Promise<void> {
    const item = this.deps.runs.listItems(runId)[0];
    if (this.deps.closing() || item?.sessionId == null) {
      return;
    }
    const carried = await this.claim(runId, item, () => claimStart(this.deps.transitions, runId, item.id));
    if (carried === undefined) {
      return;
    }
    this.deps.log.info(`Run ${runId} started in session ${carried.sessionId}`);
    try {
      if (!carried.cancelRequested && !signal.aborted) {
        await this.deps.chat.send(carried.sessionId, { parentId: null, text: carried.task, limits: carried.limits });
      }
    } catch (err) {
      await (this.isClosing() ? this.leave(carried) : this.end(carried, { status: 'failed', error: { message: describe(err) } }));
      return;
    }
    await this.follow(carried);
  }

  /** Carries an interrupted run on from `head`, its session's last durable message; resolves once the turn is under way. */
  async resume(runId: string, item: RunItem & { sessionId: string }, head: Message | undefined): Promise<void> {
    const carried = await this.claim(runId, item, () => claimResume(this.deps.transitions, runId));
    if (carried === undefined) {
      return;
    }
    this.deps.log.info(`Run ${runId} resumed from ${head ? `${head.role} ${head.id} (${head.status})` : 'its start'}`);
    try {
      if (!carried.cancelRequested) {
        await continueTurn(this.deps.chat, carried.sessionId, head, carried.task, carried.limits);
      }
    } catch (err) {
      await this.leave(carried);
      throw err;
    }
    void this.follow(carried);
  }

  /** Stops a run carried (or being claimed) here; false when this window does not carry it. */
  async cancel(runId: string): Promise<boolean> {
    const carried = this.carried.get(runId);
    if (carried) {
      await this.stop(carried);
      return true;
    }
    if (this.claiming.has(runId)) {
      this.cancelOnArrival.add(runId);
      return true;
    }
    return false;
  }

  /** The session's pending questions changed: the run is waiting while there are any. */
  pendingChanged(sessionId: string): void {
    const carried = this.bySession.get(sessionId);
    if (carried) {
      this.serialize(carried, async () => {
        if (await setWaiting(this.deps.transitions, carried.runId, this.deps.chat.isWaiting(sessionId) ? 'waiting' : 'running')) {
          this.deps.emit(carried.runId);
        }
      });
    }
  }

  /** Renews the leases of the runs carried here and of `queued`, the ones this window has yet to start. */
  async renewLeases(queued: readonly string[] = []): Promise<void> {
    const ids = [...this.ids(), ...queued];
    if (ids.length > 0) {
      await renewLeases(this.deps.transitions, ids);
    }
  }

  /** Another window wrote: honours the cancel requests it left for runs carried here. */
  honourCancelRequests(): void {
    for (const carried of this.carried.values()) {
      if (!carried.cancelRequested && this.deps.leases.cancelRequested(carried.runId)) {
        this.deps.log.info(`Run ${carried.runId}: another window asked to cancel it`);
        void this.stop(carried).catch((err: unknown) => this.deps.log.error(`Run ${carried.runId} could not be cancelled: ${describe(err)}`));
      }
    }
  }

  private async claim(runId: string, item: RunItem, write: () => Promise<Run | undefined>): Promise<Carried | undefined> {
    this.claiming.add(runId);
    let run;
    try {
      run = await write();
    } finally {
      this.claiming.delete(runId);
    }
    const cancelled = this.cancelOnArrival.delete(runId);
    if (run === undefined || item.sessionId === null) {
      return undefined;
    }
    const input = asRecord(item.input);
    const model = typeof input.model === 'string' ? input.model : undefined;
    if (run.agentVersionId !== null) {
      this.deps.chat.pinVersion(item.sessionId, { versionId: run.agentVersionId, ...(model === undefined ? {} : { model }) });
    }
    let letGo = () => undefined as void;
    const done = new Promise<void>((resolve) => (letGo = resolve));
    const carried: Carried = {
      runId,
      itemId: item.id,
      sessionId: item.sessionId,
      task: typeof input.task === 'string' ? input.task : '',
      limits: budgetOf(run.budget),
      cancelRequested: cancelled,
      writes: Promise.resolve(),
      done,
      letGo,
    };
    this.carried.set(runId, carried);
    this.bySession.set(carried.sessionId, carried);
    this.deps.emit(runId);
    if (this.deps.leases.cancelRequested(runId)) {
      carried.cancelRequested = true;
    }
    return carried;
  }

  private async stop(carried: Carried): Promise<void> {
    carried.cancelRequested = true;
    await this.deps.chat.stop(carried.sessionId);
    await carried.done;
  }

  private async follow(carried: Carried): Promise<void> {
    try {
      await this.deps.chat.whenIdle(carried.sessionId);
      await this.end(carried);
    } catch (err) {
      this.deps.log.error(`Run ${carried.runId} could not be ended: ${describe(err)}`);
      this.forget(carried);
    }
  }

  /** Ends the run from its session's head (or as `forced`), after its pending status writes. */
  private async end(carried: Carried, forced?: RunOutcome): Promise<void> {
    await carried.writes;
    const session = this.deps.repos.sessions.get(carried.sessionId);
    const head = session?.headMessageId ? this.deps.repos.messages.get(session.headMessageId) : undefined;
    const steps = callsOf(this.deps.costs, carried.sessionId).steps;
    const outcome = forced ?? outcomeOf(head, { cancelled: carried.cancelRequested, closing: this.isClosing(), steps });
    if (outcome.status === 'left') {
      await this.leave(carried);
      return;
    }
    try {
      await finishRun(this.deps.transitions, carried.runId, carried.itemId, outcome);
      this.deps.log.info(`Run ${carried.runId} ${outcome.status}`);
    } finally {
      this.forget(carried);
    }
  }

  /** This window stops carrying the run without ending it: it shows as interrupted (a window closing, a failed resume). */
  private async leave(carried: Carried): Promise<void> {
    try {
      if (!this.deps.closing()) {
        await this.deps.transitions.store.write((sql) => this.deps.leases.release(sql, carried.runId));
      }
    } finally {
      this.forget(carried);
    }
  }

  private forget(carried: Carried): void {
    if (this.carried.get(carried.runId) === carried) {
      this.carried.delete(carried.runId);
      this.bySession.delete(carried.sessionId);
      this.deps.chat.pinVersion(carried.sessionId, undefined);
    }
    carried.letGo();
    this.deps.emit(carried.runId);
  }

  private serialize(carried: Carried, write: () => Promise<void>): void {
    carried.writes = carried.writes.then(write).catch((err: unknown) => this.deps.log.warn(`Run ${carried.runId}: could not write its status: ${describe(err)}`));
  }

  private isClosing(): boolean {
    return this.deps.closing() || this.deps.chat.isShuttingDown;
  }
}
