import type { ChatAgentView, ChatErrorAction, ChatEvent, ChatMessageView, ChatSnapshot } from '../../../src/protocol/chat';
import { parsePendingList, parseToolCallViews, parseToolEvent } from './toolGuards';

/**
 * Runtime checks for what the host posts. The host is trusted, but a bug there (or a message from something
 * else that can post into the frame) must cost one dropped event, not a broken panel: every value is checked and
 * copied into a fresh object, so a getter, a `__proto__` key or a 10 MB id never reaches the renderer.
 */

const ROLES = new Set<ChatMessageView['role']>(['user', 'assistant', 'system', 'tool']);
const STATUSES = new Set<ChatMessageView['status']>(['streaming', 'complete', 'incomplete', 'cancelled', 'error']);
const ERROR_ACTIONS = new Set<ChatErrorAction>(['setKey', 'retry', 'openSettings', 'newBranch']);
/** Ids are ULIDs; anything much longer is garbage, and it would end up in attributes and requests. */
const MAX_ID_LENGTH = 64;
const MAX_SHORT_TEXT = 1_000;
/** More retries of one message than anyone makes by hand; a longer list is garbage. */
const MAX_SIBLINGS = 10_000;

type Unknown = Record<string, unknown>;

function isRecord(value: unknown): value is Unknown {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isId(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0 && value.length <= MAX_ID_LENGTH;
}

function optionalId(value: unknown): string | null | undefined {
  if (value === null) {
    return null;
  }
  return isId(value) ? value : undefined;
}

function shortText(value: unknown): string | null {
  return typeof value === 'string' ? value.slice(0, MAX_SHORT_TEXT) : null;
}

function finite(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : undefined;
}

function parseFooter(value: unknown): ChatMessageView['footer'] {
  if (!isRecord(value)) {
    return undefined;
  }
  const footer: NonNullable<ChatMessageView['footer']> = {};
  const numbers = ['inputTokens', 'outputTokens', 'costUsd', 'latencyMs', 'timeToFirstTokenMs'] as const;
  for (const key of numbers) {
    const number = finite(value[key]);
    if (number !== undefined) {
      footer[key] = number;
    }
  }
  const finishReason = shortText(value.finishReason);
  if (finishReason !== null) {
    footer.finishReason = finishReason;
  }
  return footer;
}

function parseError(value: unknown): ChatMessageView['error'] {
  if (!isRecord(value)) {
    return undefined;
  }
  const actions = Array.isArray(value.actions)
    ? value.actions.filter((action): action is ChatErrorAction => ERROR_ACTIONS.has(action as ChatErrorAction))
    : [];
  return {
    kind: shortText(value.kind) ?? 'error',
    message: typeof value.message === 'string' ? value.message.slice(0, 20_000) : 'Something went wrong.',
    actions: [...new Set(actions)],
  };
}

function parseToolCalls(value: unknown): ChatMessageView['toolCalls'] {
  if (!Array.isArray(value)) {
    return [];
  }
  return value.flatMap((call) =>
    isRecord(call) && typeof call.name === 'string' && typeof call.arguments === 'string'
      ? [{ id: typeof call.id === 'string' ? call.id.slice(0, MAX_ID_LENGTH) : '', name: call.name.slice(0, 200), arguments: call.arguments }]
      : [],
  );
}

export function parseMessage(value: unknown): ChatMessageView | null {
  if (!isRecord(value) || !isId(value.id)) {
    return null;
  }
  const parentId = optionalId(value.parentId);
  const role = value.role as ChatMessageView['role'];
  const status = value.status as ChatMessageView['status'];
  if (parentId === undefined || !ROLES.has(role) || !STATUSES.has(status) || typeof value.text !== 'string') {
    return null;
  }
  const message: ChatMessageView = {
    id: value.id,
    parentId,
    role,
    status,
    text: value.text,
    reasoning: typeof value.reasoning === 'string' ? value.reasoning : '',
    toolCalls: parseToolCalls(value.toolCalls),
    model: shortText(value.model),
    agentVersionId: optionalId(value.agentVersionId) ?? null,
    createdAt: finite(value.createdAt) ?? 0,
  };
  if (Array.isArray(value.siblingIds) && value.siblingIds.length <= MAX_SIBLINGS && value.siblingIds.every(isId)) {
    message.siblingIds = [...value.siblingIds];
  }
  const tools = parseToolCallViews(value.tools);
  if (tools) {
    message.tools = tools;
  }
  const footer = parseFooter(value.footer);
  if (footer) {
    message.footer = footer;
  }
  const error = parseError(value.error);
  if (error) {
    message.error = error;
  }
  return message;
}

function parseAgent(value: unknown): ChatAgentView | null {
  if (!isRecord(value) || !isId(value.id)) {
    return null;
  }
  const name = shortText(value.name);
  const provider = shortText(value.provider);
  const model = shortText(value.model);
  if (name === null || provider === null || model === null) {
    return null;
  }
  return { id: value.id, name, provider, model, versionId: isId(value.versionId) ? value.versionId : '' };
}

type SessionPart = Pick<ChatSnapshot, 'session' | 'agent' | 'modelOverride' | 'agents'>;

function parseSessionPart(value: Unknown): SessionPart | null {
  const session = value.session;
  if (!isRecord(session) || !isId(session.id)) {
    return null;
  }
  const agentId = optionalId(session.agentId);
  return {
    session: { id: session.id, title: shortText(session.title) ?? '', agentId: agentId ?? null },
    agent: parseAgent(value.agent),
    modelOverride: shortText(value.modelOverride),
    agents: Array.isArray(value.agents) ? value.agents.map(parseAgent).filter((agent) => agent !== null) : [],
  };
}

export function parseSnapshot(value: unknown): ChatSnapshot | null {
  if (!isRecord(value) || !Array.isArray(value.messages)) {
    return null;
  }
  const part = parseSessionPart(value);
  if (!part) {
    return null;
  }
  const messages = value.messages.map(parseMessage).filter((message) => message !== null);
  return {
    ...part,
    messages,
    leafId: optionalId(value.leafId) ?? null,
    streamingId: optionalId(value.streamingId) ?? null,
    // A host from before tools sends no list: nothing waits. A malformed one is dropped the same way.
    pending: parsePendingList(value.pending) ?? [],
  };
}

/** A `chat/history` page: the messages that pass the checks (a bad one is dropped, the page still shows). */
export function parseHistory(value: unknown): ChatMessageView[] | null {
  if (!isRecord(value) || !Array.isArray(value.messages)) {
    return null;
  }
  return value.messages.map(parseMessage).filter((message) => message !== null);
}

/** A delta with the optional `offset` the panel can use to drop a repeat (see the report on the protocol). */
export interface DeltaParams {
  id: string;
  text?: string;
  reasoning?: string;
  /** Length of the message's text before this delta, when the host sends it. */
  offset?: number;
}

export type ParsedEvent = Exclude<ChatEvent, { method: 'chat/delta' }> | { method: 'chat/delta'; params: DeltaParams };

export function parseEvent(value: unknown): ParsedEvent | null {
  if (!isRecord(value) || !isRecord(value.params)) {
    return null;
  }
  const params = value.params;
  switch (value.method) {
    case 'chat/message': {
      const message = parseMessage(params);
      return message ? { method: 'chat/message', params: message } : null;
    }
    case 'chat/delta': {
      if (!isId(params.id)) {
        return null;
      }
      const delta: DeltaParams = { id: params.id };
      if (typeof params.text === 'string') {
        delta.text = params.text;
      }
      if (typeof params.reasoning === 'string') {
        delta.reasoning = params.reasoning;
      }
      if (Number.isSafeInteger(params.offset) && (params.offset as number) >= 0) {
        delta.offset = params.offset as number;
      }
      return delta.text === undefined && delta.reasoning === undefined ? null : { method: 'chat/delta', params: delta };
    }
    case 'chat/leaf': {
      const leafId = optionalId(params.leafId);
      return leafId === undefined ? null : { method: 'chat/leaf', params: { leafId } };
    }
    case 'chat/reveal':
      return isId(params.messageId) ? { method: 'chat/reveal', params: { messageId: params.messageId } } : null;
    case 'chat/streaming': {
      const streamingId = optionalId(params.streamingId);
      return streamingId === undefined ? null : { method: 'chat/streaming', params: { streamingId } };
    }
    case 'chat/session': {
      const part = parseSessionPart(params);
      return part ? { method: 'chat/session', params: part } : null;
    }
    default:
      return parseToolEvent(value.method, params);
  }
}
