import type { AgentVersion } from '../../db/repositories/agents';
import type { JsonValue } from '../../db/repositories/rows';
import type { ToolSpec } from '../../llm/types';
import type { ChatMessageView, ChatSnapshot } from '../../protocol/chat';
import type { Decision } from '../../protocol/chatTools';
import { readAgentTools } from '../agent/agentTools';
import { AgentTurn, type AgentContext, type AgentTurnSetup } from '../agent/agentTurn';
import { ApprovalBroker } from '../agent/approvals';
import type { ToolRuntime } from '../agent/toolRuntime';
import { planUndo, type UndoFile } from '../agent/undo';
import { applyUndo } from '../agent/undoApply';
import { FileOriginals } from '../agent/undoOriginals';
import { decodeText, FILE_ORIGINAL_EVENT, readOriginalPayload } from '../agent/undoRecords';
import { asRecord } from '../jsonFields';
import type { ToolDefinition } from '../tools/toolTypes';
import { createIdFactory } from '../../db/ids';
import type { Logger } from '../ports';
import { ChatEmitter } from './chatEmitter';
import { chatRepositories, type ChatRepositories } from './chatRepositories';
import { describe, type TurnContext } from './chatTurn';
import {
  ChatRequestError,
  defaultChatTiming,
  type ChatListener,
  type ChatServiceDeps,
  type Disposable,
  type SendInput,
  type SessionScope,
  type TurnIds,
} from './chatTypes';
import { toMessageView } from './chatViews';
import { SessionState, type LiveReply, type SessionInfo } from './sessionState';
import { StreamLeases } from './streamLeases';
import { requireMessage, sessionOfStart, startNextStep, startTurn, type StartedTurn, type TurnStart, type TurnStartContext } from './turnStart';

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
  private readonly broker: ApprovalBroker;
  private readonly agentContext: AgentContext | undefined;
  private readonly tools: ToolRuntime | undefined;
  private readonly sessionApprovals = new Map<string, Set<string>>();
  private readonly running = new Map<string, Promise<void>>();
  /** Turns whose rows are being written, and Stops pressed meanwhile (applied as soon as the turn exists). */
  private readonly starting = new Map<string, Promise<unknown>>();
  private readonly stopRequested = new Set<string>();
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
    };
    this.tools = deps.tools;
    this.startContext = {
      repos: this.repos,
      leases: this.leases,
      clock,
      modelOverride: (sessionId) => this.state.modelOverride(sessionId),
      toolSpecs: (version) => this.toolSpecs(version),
    };
 // Pending ids are ULIDs like every other id the panel names (the protocol checks the shape).
    this.broker = new ApprovalBroker(deps.newId ?? createIdFactory(clock), (sessionId, pending) => this.emitter.emit(sessionId, { method: 'chat/pending', params: { pending } }));
    const tools = deps.tools;
    this.agentContext =
      tools === undefined
        ? undefined
        : {
            broker: this.broker,
            runtime: tools,
            sessionApprovals: (sessionId) => {
              let approvals = this.sessionApprovals.get(sessionId);
              if (approvals === undefined) {
                approvals = new Set();
                this.sessionApprovals.set(sessionId, approvals);
              }
              return approvals;
            },
            originals: (sessionId, turnId, messageId) =>
              new FileOriginals({ store: this.repos.store, events: this.repos.events, blobs: tools.blobs, workspace: tools.workspace, sessionId, turnId, messageId }),
          };
  }

  /** Answers a question the session's turn waits on (an approval, a limit); refused unless it is pending. */
  decide(sessionId: string, pendingId: string, decision: Decision, reason?: string): void {
    try {
      this.broker.decide(sessionId, pendingId, { decision, ...(reason === undefined ? {} : { reason }) });
    } catch (err) {
      throw new ChatRequestError(describe(err));
    }
  }

  /** Whether the session's turn is waiting for the person. */
  isWaiting(sessionId: string): boolean {
    return this.broker.isWaiting(sessionId);
  }

  /**
   * Restores the files the agent changed in the turn of `messageId` (or since it), exactly those: created files
   * are deleted, changed ones get their original text, and a file changed since by someone else is restored only
   * if `resolveConflicts` says so.
   */
  async undo(sessionId: string, messageId: string, scope: 'turn' | 'since', resolveConflicts: (files: UndoFile[]) => Promise<Set<string>>): Promise<{ restored: number; skipped: number }> {
    const tools = this.tools;
    if (tools === undefined) {
      throw new ChatRequestError('Agents cannot change files in this window, so there is nothing to undo.');
    }
    requireMessage(this.startContext, messageId, { sessionId });
    if (this.busy.has(sessionId)) {
      throw new ChatRequestError('The agent is still working in this session: stop it before undoing its changes.');
    }
    const deps = { store: this.repos.store, events: this.repos.events, messages: this.repos.messages, sessions: this.repos.sessions, blobs: tools.blobs, workspace: tools.workspace };
    const plan = await planUndo(deps, { sessionId, messageId, scope });
    const result = await applyUndo(deps, plan, resolveConflicts);
    this.log.info(`Undo in session ${sessionId} (${scope} of ${messageId}): ${result.restored} restored, ${result.skipped} skipped`);
    return { restored: result.restored, skipped: result.skipped };
  }

  /**
   * A file one call changed, for its diff: the path (only one the call's own record names: a panel cannot ask for
   * any other file) and the text it had before the turn first changed it (null: the turn created it).
   */
  async fileChange(sessionId: string, toolMessageId: string, callId: string, file: string): Promise<{ path: string; original: string | null }> {
    const tools = this.tools;
    const message = requireMessage(this.startContext, toolMessageId, { sessionId });
    const step = message.content.find((part) => part.type === 'tool_step' && part.callId === callId);
    const files = step?.type === 'tool_step' ? asRecord(step.details).files : undefined;
    const named = Array.isArray(files) && (files as readonly JsonValue[]).some((entry) => asRecord(entry).path === file);
    if (tools === undefined || message.role !== 'tool' || !named) {
      throw new ChatRequestError('That call did not change that file.');
    }
    const turnId = [...this.repos.messages.path(message.id)].reverse().find((m) => m.role === 'user')?.id;
    const original = this.repos.events
      .list({ sessionId }, { types: [FILE_ORIGINAL_EVENT] })
      .map(readOriginalPayload)
      .find((payload) => payload !== undefined && payload.turnId === turnId && payload.path === file);
    if (original === undefined) {
      throw new ChatRequestError('AI Studio kept no original of that file for this turn.');
    }
    return { path: file, original: original.original === null ? null : decodeText(await tools.blobs.get(original.original.hash)) };
  }

  /** The tools an agent version has here: on in the version, known to this window, and allowed by Workspace Trust. */
  private enabledTools(version: AgentVersion): Map<string, { tool: ToolDefinition; mode: 'ask' | 'auto' }> {
    const enabled = new Map<string, { tool: ToolDefinition; mode: 'ask' | 'auto' }>();
    const tools = this.tools;
    if (tools === undefined || version.tools.length === 0) {
      return enabled;
    }
    const settings = readAgentTools(version, (text) => tools.parseRule(text));
    const trusted = tools.workspace.isTrusted();
    for (const tool of tools.tools) {
      const mode = settings.modes.get(tool.name);
      // Restricted Mode: edits and commands are not even offered, so the model does not plan around them.
      if (mode !== undefined && (trusted || (tool.category !== 'edit' && tool.category !== 'command'))) {
        enabled.set(tool.name, { tool, mode });
      }
    }
    return enabled;
  }

  private toolSpecs(version: AgentVersion): ToolSpec[] {
    return [...this.enabledTools(version).values()].map(({ tool }) => ({ name: tool.name, description: tool.description, parameters: tool.parameters }));
  }

  private agentSetup(started: StartedTurn): AgentTurnSetup | undefined {
    const tools = this.tools;
    const enabled = this.enabledTools(started.version);
    if (tools === undefined || enabled.size === 0) {
      return undefined;
    }
    const { plan, version, agent } = started;
    return {
      turnId: started.turnId,
      tools: enabled,
      settings: readAgentTools(version, (text) => tools.parseRule(text)),
      nextStep: async (toolMessageId) => {
        const next = await startNextStep(this.startContext, { sessionId: plan.sessionId, toolMessageId, agentId: agent.id, version, model: plan.model, titleSource: plan.titleSource });
        const assistant = this.repos.messages.get(next.assistantId);
        if (assistant) {
          this.emitter.emit(plan.sessionId, { method: 'chat/message', params: toMessageView(assistant) });
        }
        this.emitter.emit(plan.sessionId, { method: 'chat/leaf', params: { leafId: next.assistantId } });
        this.emitter.emit(plan.sessionId, { method: 'chat/streaming', params: { streamingId: next.assistantId } });
        return next;
      },
    };
  }

  /** Every change, for every session: message upserts, text deltas (each chunk), streaming, leaf, session. */
  onDidChange(listener: ChatListener): Disposable {
    return this.emitter.on(listener);
  }

  /** Sends `text` after `parentId` and returns once both messages exist; the reply streams in the background. */
  async send(sessionId: string, input: SendInput): Promise<TurnIds> {
    return withUser(await this.begin({ kind: 'send', sessionId, parentId: input.parentId, text: input.text }));
  }

  /** Asks the question of `assistantMessageId` again: a new reply beside it, with the session's current agent. */
  async retry(assistantMessageId: string, scope?: SessionScope): Promise<{ assistantId: string }> {
    const started = await this.begin({ kind: 'retry', messageId: assistantMessageId, ...(scope ? { scope } : {}) });
    return { assistantId: started.assistantId };
  }

  /** A new user message beside `userMessageId` with `text`, then its reply; the old branch stays as it was. */
  async edit(userMessageId: string, text: string, scope?: SessionScope): Promise<TurnIds> {
    return withUser(await this.begin({ kind: 'edit', messageId: userMessageId, text, ...(scope ? { scope } : {}) }));
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
    return { ...this.state.snapshot(sessionId, leafId, this.liveReply(sessionId)), pending: this.broker.pending(sessionId) };
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

  private async begin(start: TurnStart): Promise<{ userId?: string; assistantId: string }> {
    if (this.disposed) {
      throw new ChatRequestError('AI Studio is shutting down.');
    }
    const sessionId = sessionOfStart(this.startContext, start);
    if (this.busy.has(sessionId)) {
      throw new ChatRequestError('A reply is still streaming in this session: stop it, or wait for it to finish, before sending another message.');
    }
    this.busy.add(sessionId);
    const starting = startTurn(this.startContext, start);
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
    const turn = new AgentTurn(this.turnContext, this.agentContext, started.plan, this.agentSetup(started));
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
