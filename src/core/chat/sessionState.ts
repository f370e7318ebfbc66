import type { Agent } from '../../db/repositories/agents';
import type { Message } from '../../db/repositories/messages';
import type { StudioEvent } from '../../db/repositories/events';
import { NotFoundError } from '../../db/repositories/rows';
import type { Session } from '../../db/repositories/sessions';
import { HISTORY_PAGE, type ChatMessageView, type ChatSnapshot } from '../../protocol/chat';
import type { ChatRepositories } from './chatRepositories';
import { ChatRequestError } from './chatTypes';
import { asRecord } from '../jsonFields';
import { CALL_EVENT_TYPES, callEventsByMessage, toAgentView, toMessageView } from './chatViews';

/**
 * A session as the chat panel sees it (snapshot, agent and model for the next message), and the session-level
 * changes: which agent and model answer next, and fork. The model override is window-independent app state, so
 * it lives in the settings table (`chat.sessionModel.<id>`), not in memory: a reload keeps it.
 */

const MODEL_PREFIX = 'chat.sessionModel.';
/** Messages shown above a revealed one, so it does not sit alone at the top of what was loaded. */
const REVEAL_CONTEXT = 20;

export type SessionInfo = Pick<ChatSnapshot, 'session' | 'agent' | 'modelOverride' | 'agents'>;

/** The streaming reply's newest text, which may be ahead of what was saved. */
export interface LiveReply {
  id: string;
  text: string;
  reasoning: string;
}

export class SessionState {
  constructor(private readonly repos: ChatRepositories) {}

  modelOverride(sessionId: string): string | null {
    const value = this.repos.settings.get(`${MODEL_PREFIX}${sessionId}`);
    return typeof value === 'string' && value.trim() !== '' ? value : null;
  }

  async setAgent(sessionId: string, agentId: string, model: string | null): Promise<void> {
    if (this.repos.agents.get(agentId) === undefined) {
      throw new ChatRequestError('That agent no longer exists.');
    }
    const override = model?.trim() || null;
    await this.repos.store.write((sql) => {
      this.repos.sessions.within(sql).setAgent(sessionId, agentId);
      const settings = this.repos.settings.within(sql);
      if (override === null) {
        settings.delete(`${MODEL_PREFIX}${sessionId}`);
      } else {
        settings.set(`${MODEL_PREFIX}${sessionId}`, override);
      }
    });
  }

  /** One transaction: the session, the copied path and the model override, or nothing. */
  async fork(message: Message): Promise<Session> {
    const source = this.requireSession(message.sessionId);
    const override = this.modelOverride(source.id);
    return this.repos.store.write((sql) => {
      const title = source.title === '' ? '' : `${source.title} (fork)`;
      const session = this.repos.sessions.within(sql).create({ agentId: source.agentId, title });
      this.repos.messages.within(sql).copyPath(message.id, session.id);
      if (override !== null) {
        this.repos.settings.within(sql).set(`${MODEL_PREFIX}${session.id}`, override);
      }
      return session;
    });
  }

  sessionInfo(sessionId: string): SessionInfo {
    const session = this.requireSession(sessionId);
    const agent = session.agentId === null ? undefined : this.repos.agents.get(session.agentId);
    const agents = this.repos.agents.list();
    // An archived agent is hidden from the picker, except as the one this session already uses.
    if (agent !== undefined && !agents.some((listed) => listed.id === agent.id)) {
      agents.push(agent);
    }
    return {
      session: { id: session.id, title: session.title, agentId: session.agentId },
      agent: agent === undefined ? null : toAgentView(agent),
      modelOverride: this.modelOverride(sessionId),
      agents: agents.map((listed: Agent) => toAgentView(listed)),
    };
  }

  /** What a panel shows first: the session, and the newest page of the path to the leaf (the head by default). */
  snapshot(sessionId: string, leafId: string | undefined, live: LiveReply | undefined): Omit<ChatSnapshot, 'pending'> {
    const info = this.sessionInfo(sessionId);
    const leaf = leafId ?? this.requireSession(sessionId).headMessageId;
    if (leafId !== undefined) {
      this.requireOwnMessage(sessionId, leafId);
    }
    const messages = leaf === null ? [] : this.views(sessionId, this.repos.messages.pathWindow(leaf, HISTORY_PAGE), live);
    return { ...info, messages, leafId: leaf, streamingId: live?.id ?? null };
  }

  /**
   * A page of the path that ends at `fromId`, root side first (older history, or a branch not loaded yet). With
   * `throughId`, long enough to hold that message of the path and a little context above it.
   */
  history(sessionId: string, fromId: string, options: { limit?: number; throughId?: string }, live: LiveReply | undefined): ChatMessageView[] {
    this.requireOwnMessage(sessionId, fromId);
    let limit = Math.min(options.limit ?? HISTORY_PAGE, HISTORY_PAGE);
    if (options.throughId !== undefined) {
      const distance = this.repos.messages.pathDistance(fromId, options.throughId);
      if (distance === undefined) {
        throw new ChatRequestError(`Message ${options.throughId} is not on this path.`);
      }
      limit = Math.max(limit, distance + 1 + REVEAL_CONTEXT);
    }
    return this.views(sessionId, this.repos.messages.pathWindow(fromId, limit), live);
  }

  /** Stored messages as the panel shows them: footers from their call events, sibling lists, the live reply. */
  private views(sessionId: string, messages: readonly Message[], live: LiveReply | undefined): ChatMessageView[] {
    const replies = messages.filter((message) => message.role === 'assistant').map((message) => message.id);
    // A forked copy shows the footer of the reply it was copied from: the call happened there, once.
    const sources = this.repos.messages.copySources(replies);
    const calls = callEventsByMessage(this.repos.events.listForMessages([...replies, ...sources.values()], CALL_EVENT_TYPES));
    this.addReplayCalls(calls, [...replies, ...sources.values()]);
    for (const [copy, source] of sources) {
      const call = calls.get(source);
      if (call !== undefined && !calls.has(copy)) {
        calls.set(copy, call);
      }
    }
    const siblings = this.repos.messages.siblingIds(sessionId, messages.map((message) => message.parentId));
    return messages.map((message) => {
      const view = toMessageView(message, calls.get(message.id), live?.id === message.id ? live : undefined);
      const siblingIds = siblings.get(message.parentId);
      if (siblingIds !== undefined) {
        view.siblingIds = siblingIds;
      }
      return view;
    });
  }

  /**
   * A reply continued from a Replay made no call of its own: its call is the replay's (`llm.replay.completed`),
   * which the branch's `message.assistant` event points to. Its footer shows that call's figures.
   */
  private addReplayCalls(calls: Map<string, StudioEvent>, replies: readonly string[]): void {
    const missing = replies.filter((id) => !calls.has(id));
    if (missing.length === 0) {
      return;
    }
    for (const event of this.repos.events.listForMessages(missing, ['message.assistant'])) {
      if (asRecord(event.payload).origin !== 'replay' || event.parentEventId === null || event.messageId === null) {
        continue;
      }
      const replay = this.repos.events.get(event.parentEventId);
      if (replay?.type === 'llm.replay.completed') {
        calls.set(event.messageId, replay);
      }
    }
  }

  private requireOwnMessage(sessionId: string, messageId: string): void {
    if (this.repos.messages.get(messageId)?.sessionId !== sessionId) {
      throw new ChatRequestError(`Message ${messageId} is not part of this session.`);
    }
  }

  private requireSession(sessionId: string): Session {
    const session = this.repos.sessions.get(sessionId);
    if (session === undefined) {
      throw new NotFoundError('session', sessionId);
    }
    return session;
  }
}
