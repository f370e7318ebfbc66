import type { ConversationStep } from '../chat/chatRequest';
import type { ContentPart, Message } from '../../db/repositories/messages';

/**
 * Message content in exported spans, which is OPT-IN: the GenAI conventions leave content out by default
 * because prompts and answers are the person's own (and often someone else's data). Events never hold content
 * (it lives in the messages), so a trace has content only when the caller passes a `TraceContent`.
 *
 * The shapes follow the conventions' input/output message JSON schemas (`role` + typed `parts`), recorded as
 * JSON text on the span, which the conventions allow where attributes cannot hold structures.
 */

export interface ModelInput {
  /** The system prompt, sent apart from the conversation. */
  system?: string;
  /** The conversation the model was sent, oldest first. */
  messages: readonly ConversationStep[];
}

export interface TraceContent {
  /** What the model was sent for the reply `replyMessageId`; undefined when unknown. */
  input(replyMessageId: string): ModelInput | undefined;
  /** The reply itself; undefined when unknown. */
  output(replyMessageId: string): ConversationStep | undefined;
}

export interface MessageSource {
  get(id: string): Message | undefined;
  /** Root first, `leafId` last (MessagesRepository.path). */
  path(leafId: string): Message[];
}

/**
 * Content read back from the session's messages: the path up to the reply's parent is the conversation the chat
 * loop built the request from (chatRequest.ts), and `systemPrompt` gives the agent version's prompt.
 */
export function messageContent(messages: MessageSource, systemPrompt: (agentVersionId: string) => string | undefined): TraceContent {
  return {
    input(replyMessageId) {
      const reply = messages.get(replyMessageId);
      if (reply === undefined) {
        return undefined;
      }
      const system = reply.agentVersionId === null ? undefined : systemPrompt(reply.agentVersionId)?.trim();
      const history = reply.parentId === null ? [] : messages.path(reply.parentId);
      return { ...(system ? { system } : {}), messages: history };
    },
    output(replyMessageId) {
      return messages.get(replyMessageId);
    },
  };
}

type GenAiPart = Record<string, unknown>;

export interface GenAiMessage {
  role: string;
  parts: GenAiPart[];
  finish_reason?: string;
}

export function toGenAiMessages(steps: readonly ConversationStep[]): GenAiMessage[] {
  return steps.map((step) => ({ role: step.role, parts: step.content.flatMap((part): GenAiPart[] => { const mapped = toGenAiPart(part); return mapped ? [mapped] : []; }) }));
}

/** The system prompt as the conventions' `gen_ai.system_instructions`: a list of parts. */
export function toGenAiInstructions(system: string): GenAiPart[] {
  return [{ type: 'text', content: system }];
}

function toGenAiPart(part: ContentPart): GenAiPart | undefined {
  switch (part.type) {
    case 'text':
      return { type: 'text', content: part.text };
    case 'reasoning':
      return { type: 'reasoning', content: part.text };
    case 'tool_call':
      return { type: 'tool_call', id: part.id, name: part.name, arguments: part.arguments };
    case 'tool_result':
      return { type: 'tool_call_response', id: part.callId, result: part.output };
    case 'tool_step':
      // Our record of how the call went (state, who approved): the spans of the tool.call.* events carry it.
      return undefined;
    case 'blob': {
      // An attachment's bytes stay on this machine: the span names the file, it does not carry it.
      const modality = part.mimeType.split('/')[0];
      const known = modality === 'image' || modality === 'audio' || modality === 'video';
      return { type: 'file', ...(known ? { modality } : {}), mime_type: part.mimeType, file_id: part.hash };
    }
  }
}
