import type { ChatMessageView, ChatSnapshot } from '../../protocol/chat';
import type { Decision, PendingView } from '../../protocol/chatTools';
import { AgentTurn, type AgentTurnSetup } from '../agent/agentTurn';
import { SessionAgents } from '../agent/sessionAgents';
import type { UndoFile } from '../agent/undo';
import { createIdFactory } from '../../db/ids';
import type { Logger } from '../ports';
import { ChatEmitter } from './chatEmitter';
import { chatRepositories, type ChatRepositories } from './chatRepositories';
import { describe, type ProviderRetry, type TurnContext } from './chatTurn';
import {
  ChatRequestError,
  defaultChatTiming,
  type ChatListener,
  type ChatServiceDeps,
  type Disposable,
  type SendInput,
  type SessionScope,
  type TurnIds,
  type TurnOptions,
  type VersionPin,
} from './chatTypes';
import { toMessageView } from './chatViews';
import { SessionState, type LiveReply, type SessionInfo } from './sessionState';
import { StreamLeases } from './streamLeases';
import { requireMessage, sessionOfStart, startContinuation, startNextStep, startTurn, type StartedTurn, type TurnStart, type TurnStartContext } from './turnStart';

/**
 * The chat loop: sends, retries and edits stream a reply in the background (one per session at a time), every
 * change is told to listeners as the chat panel protocol's events, and the store is the truth a panel can always
 * rebuild from (`snapshot`). Branching never deletes: edit and retry add siblings, fork copies a path.
 */
export class ChatService implements Disposable {
  private readonly repos: ChatRepositories;
  private readonly emitter: ChatEmitter;
  private readonly leases: StreamLeases;
  private readonly state: SessionState;
  private readonly log: Logger;
  private readonly turnContext: TurnContext;
  private readonly startContext: TurnStartContext;
  /** Sessions with a turn starting or streaming: the one-stream-per-session rule. */
  private readonly busy = new Set<string>();
  private readonly turns = new Map<string, AgentTurn>();
  private readonly agents: SessionAgents;
  private readonly running = new Map<string, Promise<void>>();
  /** Turns whose rows are being written, and Stops pressed meanwhile (applied as soon as the turn exists). */
  private readonly starting = new Map<string, Promise<unknown>>();
  private readonly stopRequested = new Set<string>();
  private readonly pins = new Map<string, VersionPin>();
  private readonly retryListeners = new Set<(sessionId: string, retry: ProviderRetry) => void>();
  private disposed = false;

  constructor(deps: ChatServiceDeps) {
    const timing = { ...defaultChatTiming, ...deps.timing };
    this.log = deps.log;
    this.repos = chatRepositories(deps.store, deps.clock, deps.newId);
    this.emitter = new ChatEmitter(deps.log);
    this.state = new SessionState(this.repos);
    const { store, clock, windowId } = deps;
    const { messages, events, settings } = this.repos;
    this.leases = new StreamLeases({ store, clock, windowId, leaseTimeoutMs: timing.leaseTimeoutMs, messages, events, settings });
    this.turnContext = {
      repos: this.repos,
      leases: this.leases,
      providers: deps.providers,
      emitter: this.emitter,
      log: deps.log,
      clock,
      timing,
      monotonic: deps.monotonic ?? (() => performance.now()),
      sessionChanged: (sessionId) => this.emitSession(sessionId),
      retrying: (sessionId, retry) => this.retryListeners.forEach((listener) => listener(sessionId, retry)),
    };
    this.startContext = {
      repos: this.repos,
      leases: this.leases,
      clock,
      modelOverride: (sessionId) => this.state.modelOverride(sessionId),
      versionPin: (sessionId) => this.pins.get(sessionId),
      toolSpecs: (version) => this.agents.toolSpecs(version),
    };
    // Pending ids are ULIDs like every other id the panel names (the protocol checks the shape).
    this.agents = new SessionAgents(this.repos, this.emitter, deps.newId ?? createIdFactory(clock), deps.tools);
  }

  /** Answers a question the session's turn waits on (an approval, a limit); refused unless it is pending. */
  decide(sessionId: string, pendingId: string, decision: Decision, reason?: string): void {
    this.agents.decide(sessionId, pendingId, decision, reason);
  }

  /** The questions the session's turn waits on now. */
  pending(sessionId: string): PendingView[] {
    return this.agents.broker.pending(sessionId);
  }

  /** Whether the session's turn is waiting for the person. */
  isWaiting(sessionId: string): boolean {
    return this.agents.broker.isWaiting(sessionId);
  }

  /** Restores the files the agent changed in a turn (or since it); see SessionAgents.undo. */
  async undo(sessionId: string, messageId: string, scope: 'turn' | 'since', resolveConflicts: (files: UndoFile[]) => Promise<Set<string>>): Promise<{ restored: number; skipped: number }> {
    requireMessage(this.startContext, messageId, { sessionId });
    if (this.busy.has(sessionId)) {
      throw new ChatRequestError('The agent is still working in this session: stop it before undoing its changes.');
    }
    const result = await this.agents.undo(sessionId, messageId, scope, resolveConflicts);
    this.log.info(`Undo in session ${sessionId} (${scope} of ${messageId}): ${result.restored} restored, ${result.skipped} skipped`);
    return result;
  }

  /** A file one call changed and its original, for the diff (only files that call's record names). */
  fileChange(sessionId: string, toolMessageId: string, callId: string, file: string): Promise<{ path: string; original: string | null }> {
    return this.agents.fileChange(sessionId, toolMessageId, callId, file);
  }

  private agentSetup(started: StartedTurn, options: TurnOptions): AgentTurnSetup | undefined {
    const enabled = this.agents.enabledTools(started.version);
    const settings = this.agents.settingsOf(started.version, options.limits);
    if (settings === undefined || enabled.size === 0) {
      return undefined;
    }
    const { plan, version, agent } = started;
    return {
      turnId: started.turnId,
      tools: enabled,
      settings,
      conversation: started.conversation,
      nextStep: async (toolMessageId, prelude, history) => {
        const step = { sessionId: plan.sessionId, toolMessageId, agentId: agent.id, version, model: plan.model, titleSource: plan.titleSource };
        const { plan: next, assistant } = await startNextStep(this.startContext, step, prelude, history);
        this.emitter.emit(plan.sessionId, { method: 'chat/message', params: toMessageView(assistant) });
        this.emitter.emit(plan.sessionId, { method: 'chat/leaf', params: { leafId: next.assistantId } });
        this.emitter.emit(plan.sessionId, { method: 'chat/streaming', params: { streamingId: next.assistantId } });
        return next;
      },
    };
  }

  /** A model call of a session's turn is tried again after a fault (rate limit, overload, network); see withRetry. */
  onDidRetry(listener: (sessionId: string, retry: ProviderRetry) => void): Disposable {
    this.retryListeners.add(listener);
    return { dispose: () => this.retryListeners.delete(listener) };
  }

  /** Every change, for every session: message upserts, text deltas (each chunk), streaming, leaf, session. */
  onDidChange(listener: ChatListener): Disposable {
    return this.emitter.on(listener);
  }

  /** Sends `text` after `parentId` and returns once both messages exist; the reply streams in the background. */
  async send(sessionId: string, input: SendInput): Promise<TurnIds> {
    return withUser(await this.begin({ kind: 'send', sessionId, parentId: input.parentId, text: input.text }, input));
  }

  /** Asks the question of `assistantMessageId` again: a new reply beside it, with the session's current agent. */
  async retry(assistantMessageId: string, scope?: SessionScope, options: TurnOptions = {}): Promise<{ assistantId: string }> {
    const started = await this.begin({ kind: 'retry', messageId: assistantMessageId, ...(scope ? { scope } : {}) }, options);
    return { assistantId: started.assistantId };
  }

  /**
   * Goes on with a turn that ended after `toolMessageId` without a next step (its window closed while the tools
   * ran): the next model step starts from that tool message, whose calls all have results already, so none is
   * run again. Returns once the step's reply exists; it streams in the background like a send.
   */
  async continueAfter(toolMessageId: string, scope?: SessionScope, options: TurnOptions = {}): Promise<{ assistantId: string }> {
    this.refuseWhileShuttingDown();
    const toolMessage = requireMessage(this.startContext, toolMessageId, scope);
    const started = await this.launch(toolMessage.sessionId, () => startContinuation(this.startContext, toolMessage), options);
    return { assistantId: started.assistantId };
  }

  /**
   * Makes the session's turns use this agent version (and model) instead of the agent's current ones, until
   * unpinned (undefined); a run keeps to the version it was started with. In memory: each window pins its own.
   */
  pinVersion(sessionId: string, pin: VersionPin | undefined): void {
    if (pin === undefined) {
      this.pins.delete(sessionId);
    } else {
      this.pins.set(sessionId, { ...pin });
    }
  }

  /** Whether shutdown began: turns cut off from now on end incomplete or cancelled because the window closes. */
  get isShuttingDown(): boolean {
    return this.disposed;
  }

  /** A new user message beside `userMessageId` with `text`, then its reply; the old branch stays as it was. */
  async edit(userMessageId: string, text: string, scope?: SessionScope): Promise<TurnIds> {
    return withUser(await this.begin({ kind: 'edit', messageId: userMessageId, text, ...(scope ? { scope } : {}) }, {}));
  }

  /** Stops the session's reply (text kept, status cancelled); resolves once that is saved. */
  async stop(sessionId: string): Promise<void> {
    const turn = this.turns.get(sessionId);
    const starting = this.starting.get(sessionId);
    if (turn) {
      turn.stop();
    } else if (starting) {
      this.stopRequested.add(sessionId);
      await starting.catch(() => undefined);
    }
    await this.whenIdle(sessionId);
  }

  /** Resolves when the session has no reply streaming (at once if it has none). */
  async whenIdle(sessionId: string): Promise<void> {
    await this.running.get(sessionId);
  }

  isStreaming(sessionId: string): boolean {
    return this.busy.has(sessionId);
  }

  /** Shows the branch through `messageId`: the newest line of replies below it. */
  async selectBranch(messageId: string, scope?: SessionScope): Promise<{ leafId: string }> {
    const message = requireMessage(this.startContext, messageId, scope);
    const leaf = this.repos.messages.latestLeaf(message.id);
    await this.repos.sessions.setHead(message.sessionId, leaf.id);
    this.emitter.emit(message.sessionId, { method: 'chat/leaf', params: { leafId: leaf.id } });
    return { leafId: leaf.id };
  }

  /** A new session (same agent and model) holding copies of the path root..`messageId`; the original is untouched. */
  async fork(messageId: string, scope?: SessionScope): Promise<{ sessionId: string }> {
    const message = requireMessage(this.startContext, messageId, scope);
    const session = await this.state.fork(message);
    this.log.info(`Forked session ${message.sessionId} at ${messageId} into ${session.id}`);
    return { sessionId: session.id };
  }

  /** The agent, and a model instead of the agent's own (null: the agent's), for the session's next messages. */
  async setAgent(sessionId: string, agentId: string, model: string | null): Promise<void> {
    await this.state.setAgent(sessionId, agentId, model);
    this.emitSession(sessionId);
  }

  /** The provider endpoint a reply was asked of (its agent version's): where "Set API Key" and "Open Settings" go. */
  providerFor(messageId: string, scope?: SessionScope): string | null {
    const message = requireMessage(this.startContext, messageId, scope);
    const version = message.agentVersionId === null ? undefined : this.repos.agents.getVersion(message.agentVersionId);
    return version?.provider ?? null;
  }

  /**
   * What a chat panel shows first, from the store, with the streaming reply's newest text: the session and the
   * newest page of the path to `leafId` (default: the head). Older pages come from `history`.
   */
  snapshot(sessionId: string, leafId?: string): ChatSnapshot {
    return { ...this.state.snapshot(sessionId, leafId, this.liveReply(sessionId)), pending: this.agents.broker.pending(sessionId) };
  }

  /** A page of the path that ends at `fromId` (see the `chat/history` request). */
  history(sessionId: string, fromId: string, options: { limit?: number; throughId?: string } = {}): ChatMessageView[] {
    return this.state.history(sessionId, fromId, options, this.liveReply(sessionId));
  }

  /** The session's title, agent, model override and the agents to pick from. */
  sessionInfo(sessionId: string): SessionInfo {
    return this.state.sessionInfo(sessionId);
  }

  private liveReply(sessionId: string): LiveReply | undefined {
    const turn = this.turns.get(sessionId);
    return turn ? { id: turn.assistantId, ...turn.live } : undefined;
  }

  /**
   * At startup: replies left 'streaming' by a window that closed or crashed become 'incomplete', their text kept.
   * Replies another live window is streaming (a fresh lease) are left alone. Returns how many were marked.
   */
  async markInterrupted(): Promise<number> {
    const marked = await this.leases.recover(
      (message) => this.turns.get(message.sessionId)?.owns(message.id) === true || this.starting.has(message.sessionId),
    );
    for (const message of marked) {
      this.emitter.emit(message.sessionId, { method: 'chat/message', params: toMessageView(message) });
    }
    if (marked.length > 0) {
      this.log.info(`Marked ${marked.length} reply(s) left streaming by a closed window as incomplete`);
    }
    return marked.length;
  }

  /** Ends every stream as interrupted and waits until each is saved (for deactivate). */
  async shutdown(): Promise<void> {
    this.disposed = true;
    for (const turn of this.turns.values()) {
      turn.interrupt();
    }
    await Promise.all([...this.running.values()]);
  }

  dispose(): void {
    void this.shutdown().finally(() => this.emitter.clear());
  }

  private refuseWhileShuttingDown(): void {
    if (this.disposed) {
      throw new ChatRequestError('AI Studio is shutting down.');
    }
  }

  private async begin(start: TurnStart, options: TurnOptions): Promise<{ userId?: string; assistantId: string }> {
    this.refuseWhileShuttingDown();
    return this.launch(sessionOfStart(this.startContext, start), () => startTurn(this.startContext, start), options);
  }

  /** Writes a turn's first rows (`start`), then runs the turn in the background: one turn per session at a time. */
  private async launch(sessionId: string, start: () => Promise<StartedTurn>, options: TurnOptions): Promise<{ userId?: string; assistantId: string }> {
    if (this.busy.has(sessionId)) {
      throw new ChatRequestError('A reply is still streaming in this session: stop it, or wait for it to finish, before sending another message.');
    }
    this.busy.add(sessionId);
    const starting = start();
    this.starting.set(sessionId, starting);
    let started;
    try {
      started = await starting;
    } catch (err) {
      this.busy.delete(sessionId);
      this.stopRequested.delete(sessionId);
      throw err;
    } finally {
      this.starting.delete(sessionId);
    }
    const turn = new AgentTurn(this.turnContext, this.agents.context, started.plan, this.agentSetup(started, options));
    this.turns.set(sessionId, turn);
    if (started.user) {
      this.emitter.emit(sessionId, { method: 'chat/message', params: toMessageView(started.user) });
    }
    this.emitter.emit(sessionId, { method: 'chat/message', params: toMessageView(started.assistant) });
    this.emitter.emit(sessionId, { method: 'chat/leaf', params: { leafId: turn.assistantId } });
    this.emitter.emit(sessionId, { method: 'chat/streaming', params: { streamingId: turn.assistantId } });
    if (this.stopRequested.delete(sessionId)) {
      turn.stop();
    }
    if (this.disposed) {
      // Shutdown began while this turn's rows were being written.
      turn.interrupt();
    }
    const done = turn
      .run()
      .catch((err: unknown) => this.log.error(`Reply ${turn.assistantId} could not be finished: ${describe(err)}`))
      .finally(() => {
        this.turns.delete(sessionId);
        this.running.delete(sessionId);
        this.busy.delete(sessionId);
        this.emitter.emit(sessionId, { method: 'chat/streaming', params: { streamingId: null } });
      });
    this.running.set(sessionId, done);
    return { ...(started.user ? { userId: started.user.id } : {}), assistantId: turn.assistantId };
  }

  private emitSession(sessionId: string): void {
    try {
      this.emitter.emit(sessionId, { method: 'chat/session', params: this.state.sessionInfo(sessionId) });
    } catch (err) {
      // The session may have been deleted meanwhile; there is nobody left to tell.
      this.log.warn(`Could not describe session ${sessionId}: ${describe(err)}`);
    }
  }
}

function withUser(started: { userId?: string; assistantId: string }): TurnIds {
  if (started.userId === undefined) {
    throw new Error('A send or an edit wrote no user message');
  }
  return { userId: started.userId, assistantId: started.assistantId };
}
