import type { Agent, AgentVersion } from '../../db/repositories/agents';
import type { ContentPart, Message } from '../../db/repositories/messages';
import { selectPath } from '../../db/repositories/messageWrites';
import type { SqlWriter } from '../../db/sql';
import type { NewEvent } from '../../db/repositories/events';
import type { ChatRequest, ToolSpec } from '../../llm/types';
import type { Clock } from '../ports';
import { agentParameters, buildChatRequest, textOf, type ConversationStep } from './chatRequest';
import type { ChatRepositories } from './chatRepositories';
import { ChatRequestError, type SessionScope, type VersionPin } from './chatTypes';
import type { TurnPlan } from './chatTurn';
import type { StreamLeases } from './streamLeases';

/**
 * The first, synchronous-feeling half of a turn: checks the request, then writes in ONE transaction the user
 * message and its `message.user` event (send, edit), the assistant message as 'streaming' with the agent version
 * and model that will produce it, the `llm.request.started` event and the reply's lease. When this returns, a
 * reload already shows the question and a reply in progress.
 */

export type TurnStart =
  | { kind: 'send'; sessionId: string; parentId: string | null; text: string }
  /** A new user sibling of `messageId` with `text`, then its reply. */
  | { kind: 'edit'; messageId: string; text: string; scope?: SessionScope }
  /** A new assistant sibling of `messageId`: the same question asked again. */
  | { kind: 'retry'; messageId: string; scope?: SessionScope };

export interface StartedTurn {
  plan: TurnPlan;
  user?: Message;
  assistant: Message;
  /** The user message the turn answers. */
  turnId: string;
  agent: Agent;
  version: AgentVersion;
  /** What the first request was built from (the path, then the question): the agent loop extends it step by step. */
  conversation: ConversationStep[];
}

export interface TurnStartContext {
  repos: ChatRepositories;
  leases: StreamLeases;
  clock: Clock;
  /** The model the session's next message goes to instead of the agent's, if any. */
  modelOverride(sessionId: string): string | null;
  /** The agent version (and model) the session keeps to instead of the agent's current one, if any (a run's). */
  versionPin(sessionId: string): VersionPin | undefined;
  /** The tools offered to the model for this agent version (none: the agent only talks). */
  toolSpecs(version: AgentVersion): ToolSpec[];
}

/** The session a turn belongs to, found without writing anything (so a busy session is refused first). */
export function sessionOfStart(context: TurnStartContext, start: TurnStart): string {
  return start.kind === 'send' ? start.sessionId : requireMessage(context, start.messageId, start.scope).sessionId;
}

export async function startTurn(context: TurnStartContext, start: TurnStart): Promise<StartedTurn> {
  const { repos, leases, clock } = context;
  const sessionId = sessionOfStart(context, start);
  const { agent, version, model } = target(context, sessionId);
  const { parentId, text } = anchor(context, start);
  if (parentId !== null && repos.messages.get(parentId)?.sessionId !== sessionId) {
    throw new ChatRequestError(`Message ${parentId} is not part of this session.`);
  }
  const path: Message[] = parentId === null ? [] : repos.messages.path(parentId);
  const userContent: ContentPart[] | undefined = text === undefined ? undefined : [{ type: 'text', text }];
  const conversation = userContent === undefined ? path : [...path, { role: 'user' as const, content: userContent }];
  const request = buildChatRequest(version, model, conversation, context.toolSpecs(version));
  const requestedAt = clock.now();
  const reply = { role: 'assistant' as const, content: [], status: 'streaming' as const, agentVersionId: version.id, model };

  const written = await repos.store.write((sql) => {
    const messages = repos.messages.within(sql);
    const events = repos.events.within(sql);
    let user: Message | undefined;
    if (userContent !== undefined) {
      const draft = { role: 'user' as const, content: userContent };
      user = start.kind === 'edit' ? messages.branch(start.messageId, draft) : messages.append(sessionId, parentId, draft);
      events.append({ type: 'message.user', sessionId, messageId: user.id, startedAt: requestedAt, text: '' });
    }
    const assistant = start.kind === 'retry' ? messages.branch(start.messageId, reply) : messages.append(sessionId, user?.id ?? parentId, reply);
    const requestEvent = events.append(requestStarted({ sessionId, messageId: assistant.id, requestedAt, model, version, agentId: agent.id, trigger: start.kind, request }));
    leases.hold(sql, assistant.id, sessionId);
    return { user, assistant, requestEventId: requestEvent.id };
  });

  const firstQuestion = conversation.find((step) => step.role === 'user');
  // A retry of a step inside a tool chain belongs to the turn of the question above it.
  const turnId = written.user?.id ?? [...path].reverse().find((message) => message.role === 'user')?.id ?? written.assistant.id;
  const plan: TurnPlan = {
    sessionId,
    assistantId: written.assistant.id,
    requestEventId: written.requestEventId,
    requestedAt,
    providerId: version.provider,
    model,
    request,
    titleSource: firstQuestion ? textOf(firstQuestion.content) : '',
  };
  const asked: ConversationStep[] = written.user ? [...path, written.user] : conversation;
  return { plan, assistant: written.assistant, turnId, agent, version, conversation: asked, ...(written.user ? { user: written.user } : {}) };
}

/**
 * The next step of a turn that used tools: a new assistant message (streaming) under the step's `tool` message,
 * with its request event and lease, asked of the same agent version and model as the turn's first step.
 * `prelude` runs first in the same transaction (the agent loop finishes the tool message there). The request is
 * built from `history` when the loop keeps the conversation itself (it wrote every message of it since the turn
 * began: reading the path back and parsing it grew with every step), else from the path in the store. Returns
 * the plan and the assistant message as written.
 */
export async function startNextStep(
  context: TurnStartContext,
  step: { sessionId: string; toolMessageId: string; agentId: string; version: AgentVersion; model: string; titleSource: string },
  prelude?: (sql: SqlWriter) => void,
  history?: () => readonly ConversationStep[],
): Promise<{ plan: TurnPlan; assistant: Message }> {
  const { repos, leases, clock } = context;
  const { sessionId, version, model } = step;
  const written = await repos.store.write((sql) => {
    prelude?.(sql);
    const request = buildChatRequest(version, model, history?.() ?? selectPath(sql, step.toolMessageId), context.toolSpecs(version));
    const requestedAt = clock.now();
    const assistant = repos.messages
      .within(sql)
      .append(sessionId, step.toolMessageId, { role: 'assistant', content: [], status: 'streaming', agentVersionId: version.id, model });
    const requestEvent = repos.events
      .within(sql)
      .append(requestStarted({ sessionId, messageId: assistant.id, requestedAt, model, version, agentId: step.agentId, trigger: 'tool_results', request }));
    leases.hold(sql, assistant.id, sessionId);
    return { assistant, requestEventId: requestEvent.id, request, requestedAt };
  });
  const plan: TurnPlan = {
    sessionId,
    assistantId: written.assistant.id,
    requestEventId: written.requestEventId,
    requestedAt: written.requestedAt,
    providerId: version.provider,
    model,
    request: written.request,
    titleSource: step.titleSource,
  };
  return { plan, assistant: written.assistant };
}

/**
 * The next step of a turn that ended after a tool message without one (its window closed while the tools ran):
 * every call must already have a result (recovery says "interrupted, outcome unknown" for one that was running),
 * so nothing is run again; the step is asked of the session's agent, like a retry.
 */
export async function startContinuation(context: TurnStartContext, toolMessage: Message): Promise<StartedTurn> {
  if (toolMessage.role !== 'tool') {
    throw new ChatRequestError('Only a step that ran tools can be continued.');
  }
  if (toolMessage.status === 'streaming') {
    throw new ChatRequestError('That step is still running, in this window or another one.');
  }
  const answered = new Set(toolMessage.content.flatMap((part) => (part.type === 'tool_result' ? [part.callId] : [])));
  if (toolMessage.content.some((part) => part.type === 'tool_step' && !answered.has(part.callId))) {
    throw new ChatRequestError('A call of that step has no result yet, so the model cannot be asked to go on.');
  }
  const { sessionId } = toolMessage;
  const { agent, version, model } = target(context, sessionId);
  const path = context.repos.messages.path(toolMessage.id);
  const firstQuestion = path.find((message) => message.role === 'user');
  const titleSource = firstQuestion ? textOf(firstQuestion.content) : '';
  const { plan, assistant } = await startNextStep(context, { sessionId, toolMessageId: toolMessage.id, agentId: agent.id, version, model, titleSource });
  const turnId = [...path].reverse().find((message) => message.role === 'user')?.id ?? toolMessage.id;
  return { plan, assistant, turnId, agent, version, conversation: path };
}

/** Where the new messages hang, and the text of the new user message (none for a retry). */
function anchor(context: TurnStartContext, start: TurnStart): { parentId: string | null; text?: string } {
  if (start.kind === 'send') {
    return { parentId: start.parentId, text: checkText(start.text) };
  }
  const original = requireMessage(context, start.messageId, start.scope);
  if (start.kind === 'edit') {
    if (original.role !== 'user') {
      throw new ChatRequestError('Only a message you wrote can be edited.');
    }
    return { parentId: original.parentId, text: checkText(start.text) };
  }
  if (original.role !== 'assistant' || original.parentId === null) {
    throw new ChatRequestError('Only a reply can be retried.');
  }
  return { parentId: original.parentId };
}

function target(context: TurnStartContext, sessionId: string): { agent: Agent; version: AgentVersion; model: string } {
  const session = context.repos.sessions.get(sessionId);
  if (session === undefined) {
    throw new ChatRequestError(`There is no session ${sessionId}; it may have been deleted.`);
  }
  const agent = session.agentId === null ? undefined : context.repos.agents.get(session.agentId);
  if (agent === undefined) {
    throw new ChatRequestError('This session has no agent: choose one for the next message.');
  }
  const pin = context.versionPin(sessionId);
  const version = pin === undefined ? agent.currentVersion : context.repos.agents.getVersion(pin.versionId);
  if (version === undefined || version.agentId !== agent.id) {
    throw new ChatRequestError(`The agent version this session keeps to (${pin?.versionId ?? ''}) no longer exists.`);
  }
  return { agent, version, model: pin?.model ?? context.modelOverride(sessionId) ?? version.model };
}

export function requireMessage(context: Pick<TurnStartContext, 'repos'>, messageId: string, scope?: SessionScope): Message {
  const message = context.repos.messages.get(messageId);
  if (message === undefined || (scope?.sessionId !== undefined && message.sessionId !== scope.sessionId)) {
    throw new ChatRequestError(`Message ${messageId} is not part of this session.`);
  }
  return message;
}

function checkText(text: string): string {
  if (text.trim() === '') {
    throw new ChatRequestError('A message needs some text.');
  }
  return text;
}

/** The llm.request.started event: the request's shape, never its text (that is in the messages) and never a key. */
function requestStarted(input: {
  sessionId: string;
  messageId: string;
  requestedAt: number;
  model: string;
  version: AgentVersion;
  agentId: string;
  trigger: TurnStart['kind'] | 'tool_results';
  request: ChatRequest;
}): NewEvent {
  const { version, request } = input;
  return {
    type: 'llm.request.started',
    sessionId: input.sessionId,
    messageId: input.messageId,
    startedAt: input.requestedAt,
    model: input.model,
    payload: {
      provider: version.provider,
      agentId: input.agentId,
      agentVersionId: version.id,
      trigger: input.trigger,
      messageCount: request.messages.length,
      hasSystemPrompt: request.system !== undefined,
      parameters: { ...agentParameters(version.params) },
    },
    text: '',
  };
}
