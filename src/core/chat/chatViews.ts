import type { Agent } from '../../db/repositories/agents';
import type { StudioEvent } from '../../db/repositories/events';
import type { Message } from '../../db/repositories/messages';
import type { ChatAgentView, ChatMessageView } from '../../protocol/chat';
import { asRecord, numberIn } from '../jsonFields';
import { toolCallViews } from '../agent/toolViews';
import { readStoredError } from './chatErrors';
import { textOf } from './chatRequest';

/** Stored rows as the chat panel shows them: text extracted, call figures read from the call's event. */

/** The event whose figures make a reply's footer: its completion, or the error that ended it. */
export const CALL_EVENT_TYPES = ['llm.response.completed', 'llm.error'] as const;

/** What the turn has in memory while streaming, newer than the last save. */
export interface LiveText {
  text: string;
  reasoning: string;
}

export function toMessageView(message: Message, call?: StudioEvent, live?: LiveText): ChatMessageView {
  const view: ChatMessageView = {
    id: message.id,
    parentId: message.parentId,
    role: message.role,
    status: message.status,
    text: live?.text ?? textOf(message.content),
    reasoning: live?.reasoning ?? textOf(message.content, 'reasoning'),
    toolCalls: message.content.flatMap((part) =>
      part.type === 'tool_call'
        ? [{ id: part.id, name: part.name, arguments: typeof part.arguments === 'string' ? part.arguments : JSON.stringify(part.arguments) }]
        : [],
    ),
    model: message.model,
    agentVersionId: message.agentVersionId,
    createdAt: message.createdAt,
  };
  if (message.role === 'assistant' && call !== undefined) {
    view.footer = footerOf(call);
  }
  if (message.role === 'tool') {
    view.tools = toolCallViews(message.content);
  }
  const error = readStoredError(message.error);
  if (error !== undefined) {
    view.error = { kind: error.kind, message: error.message, actions: error.actions };
  }
  return view;
}

/** Each message's call event; when a message has several, the latest. */
export function callEventsByMessage(events: readonly StudioEvent[]): Map<string, StudioEvent> {
  const byMessage = new Map<string, StudioEvent>();
  for (const event of events) {
    if (event.messageId !== null && (CALL_EVENT_TYPES as readonly string[]).includes(event.type)) {
      byMessage.set(event.messageId, event);
    }
  }
  return byMessage;
}

type Footer = NonNullable<ChatMessageView['footer']>;

function footerOf(event: StudioEvent): Footer {
  const payload = asRecord(event.payload);
  const footer: Footer = {};
  // The event row counts input as the store bills it (cached tokens apart); people expect the whole prompt.
  const prompt = numberIn(payload.promptTokens) ?? event.tokens.input;
  if (prompt !== null) {
    footer.inputTokens = prompt;
  }
  if (event.tokens.output !== null) {
    footer.outputTokens = event.tokens.output;
  }
  if (event.costMicroUsd !== null) {
    footer.costUsd = event.costMicroUsd / 1_000_000;
  }
  if (event.durationMs !== null) {
    footer.latencyMs = event.durationMs;
  }
  const ttft = numberIn(payload.timeToFirstTokenMs);
  if (ttft !== null) {
    footer.timeToFirstTokenMs = ttft;
  }
  const finish = payload.finishReason;
  if (typeof finish === 'string') {
    footer.finishReason = finish;
  }
  return footer;
}

export function toAgentView(agent: Agent): ChatAgentView {
  const version = agent.currentVersion;
  return { id: agent.id, name: agent.name, provider: version.provider, model: version.model, versionId: version.id };
}
