import type { AgentVersion } from '../../db/repositories/agents';
import type { ContentPart as StoredPart, Message } from '../../db/repositories/messages';
import type { JsonObject, JsonValue } from '../../db/repositories/rows';
import { defined } from '../jsonFields';
import type { ReplyAssembler } from '../../llm/assemble';
import type { ProviderKind } from '../../llm/endpoints';
import type { ChatMessage, ChatRequest, ContentPart, ToolSpec } from '../../llm/types';

/**
 * From the stored conversation to what a provider is sent: the branch's path, root first, mapped to src/llm's
 * neutral messages, with the agent version's system prompt and parameters.
 */

/** What the request needs of a message: a new one is sent before its row exists. */
export type ConversationStep = Pick<Message, 'role' | 'content'>;

/** The agent parameters the chat loop understands, under these keys in `AgentConfig.params`. */
export interface AgentParameters {
  temperature?: number;
  maxTokens?: number;
  stop?: string[];
  /** Extended thinking (Anthropic, Gemini): `thinking: true` or `thinking: { budgetTokens }` in the params. */
  thinking?: { budgetTokens?: number };
}

/** Reads `params` leniently: a value of the wrong type is left out rather than failing every turn. */
export function agentParameters(params: JsonObject): AgentParameters {
  const result: AgentParameters = {};
  const { temperature, maxTokens, stop } = params;
  if (typeof temperature === 'number' && Number.isFinite(temperature) && temperature >= 0) {
    result.temperature = temperature;
  }
  if (typeof maxTokens === 'number' && Number.isSafeInteger(maxTokens) && maxTokens > 0) {
    result.maxTokens = maxTokens;
  }
  const stops = typeof stop === 'string' ? [stop] : Array.isArray(stop) ? (stop as readonly JsonValue[]) : [];
  const strings = stops.filter((s): s is string => typeof s === 'string' && s.length > 0);
  if (strings.length > 0) {
    result.stop = strings;
  }
  const thinking = params.thinking;
  if (thinking === true) {
    result.thinking = {};
  } else if (typeof thinking === 'object' && thinking !== null && !Array.isArray(thinking)) {
    const budget = (thinking as JsonObject).budgetTokens;
    result.thinking = typeof budget === 'number' && Number.isSafeInteger(budget) && budget > 0 ? { budgetTokens: budget } : {};
  }
  return result;
}

export function buildChatRequest(version: AgentVersion, model: string, path: readonly ConversationStep[], tools: readonly ToolSpec[] = []): ChatRequest {
  const system = version.systemPrompt.trim();
  return {
    model,
    ...(system === '' ? {} : { system: version.systemPrompt }),
    messages: historyFor(path),
    ...agentParameters(version.params),
    ...(tools.length > 0 ? { tools: [...tools] } : {}),
  };
}

/**
 * The path as provider messages. Replies that produced nothing (a failed call) are left out: they were never
 * part of the conversation the model saw. Partial replies (stopped, cut off) stay, because the person saw them
 * and may be answering them. System messages and reasoning are not sent back; attachments are not supported yet.
 */
export function historyFor(path: readonly ConversationStep[]): ChatMessage[] {
  const toolNames = new Map<string, string>();
  const history: ChatMessage[] = [];
  // A call without a result (a reply stopped or cut off as it asked for tools) is left out: every provider
  // refuses a history with a call nobody answered.
  const answered = new Set(path.flatMap((message) => message.content.flatMap((part) => (part.type === 'tool_result' ? [part.callId] : []))));
  for (const message of path) {
    const content: ContentPart[] = [];
    for (const part of message.content) {
      if (part.type === 'tool_call' && !answered.has(part.id)) {
        continue;
      }
      const mapped = toLlmPart(part, toolNames);
      if (mapped) {
        content.push(mapped);
      }
    }
    if (content.length === 0 || message.role === 'system') {
      continue;
    }
    history.push({ role: message.role, content });
  }
  return history;
}

function toLlmPart(part: StoredPart, toolNames: Map<string, string>): ContentPart | undefined {
  switch (part.type) {
    case 'text':
      return part.text.length > 0 ? { type: 'text', text: part.text } : undefined;
    case 'reasoning': {
      // Sent back only with its signature, to the provider that made it (the adapters check `origin`).
      const origin = providerKindOf(part.origin);
      if (origin === undefined || (part.signature === undefined && part.redacted === undefined)) {
        return undefined;
      }
      return { type: 'reasoning', text: part.text, origin, ...(part.signature === undefined ? {} : { signature: part.signature }), ...(part.redacted === undefined ? {} : { redacted: part.redacted }) };
    }
    case 'tool_call': {
      toolNames.set(part.id, part.name);
      const origin = providerKindOf(part.origin);
      return {
        type: 'tool_call',
        id: part.id,
        name: part.name,
        arguments: jsonText(part.arguments),
        ...(part.signature === undefined ? {} : { signature: part.signature }),
        ...(origin === undefined ? {} : { origin }),
      };
    }
    case 'tool_result':
      return {
        type: 'tool_result',
        callId: part.callId,
        name: toolNames.get(part.callId) ?? '',
        content: jsonText(part.output),
        ...(part.isError === undefined ? {} : { isError: part.isError }),
      };
    default:
      return undefined;
  }
}

function jsonText(value: JsonValue): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** The text parts of stored content, joined as the person sees them. */
export function textOf(content: readonly StoredPart[], type: 'text' | 'reasoning' = 'text'): string {
  return content
    .filter((part): part is Extract<StoredPart, { type: typeof type }> => part.type === type)
    .map((part) => part.text)
    .join('');
}

const PROVIDER_KINDS: readonly ProviderKind[] = ['anthropic', 'gemini', 'openai', 'azure-openai', 'openai-compatible', 'ollama'];

function providerKindOf(value: string | undefined): ProviderKind | undefined {
  return PROVIDER_KINDS.find((kind) => kind === value);
}

/** A reply as stored: its parts in the order the model streamed them, signatures and their origin included. */
export function storedReply(reply: ReplyAssembler, origin: ProviderKind | undefined): StoredPart[] {
  return reply.parts(origin ?? 'openai').flatMap((part): StoredPart[] => {
    switch (part.type) {
      case 'text':
        return part.text.length > 0 ? [{ type: 'text', text: part.text }] : [];
      case 'reasoning':
        return [defined({ type: 'reasoning', text: part.text, signature: part.signature, redacted: part.redacted, origin: origin === undefined ? undefined : part.origin }) as StoredPart];
      case 'tool_call':
        return [defined({ type: 'tool_call', id: part.id, name: part.name, arguments: part.arguments, signature: part.signature, origin: origin === undefined ? undefined : part.origin }) as StoredPart];
      default:
        return [];
    }
  });
}

/** A reply as stored from its pieces: reasoning first (it came first), then the answer, then any tool calls. */
export function replyContent(text: string, reasoning: string, toolCalls: readonly { id: string; name: string; arguments: string }[] = []): StoredPart[] {
  const parts: StoredPart[] = [];
  if (reasoning.length > 0) {
    parts.push({ type: 'reasoning', text: reasoning });
  }
  if (text.length > 0) {
    parts.push({ type: 'text', text });
  }
  for (const call of toolCalls) {
    parts.push({ type: 'tool_call', id: call.id, name: call.name, arguments: call.arguments });
  }
  return parts;
}

const TITLE_MAX = 60;

/**
 * A session title from the first thing the person asked: one line, at most ~60 characters, cut at a word
 * boundary when there is one in the second half (a single long word is cut where it must be).
 */
export function titleFrom(text: string, max = TITLE_MAX): string {
  const line = text.replace(/\s+/g, ' ').trim();
  if (line.length <= max) {
    return line;
  }
  const cut = line.slice(0, max);
  const space = cut.lastIndexOf(' ');
  const head = space >= max / 2 ? cut.slice(0, space) : cut;
  return `${head.replace(/[\s.,;:!?-]+$/, '')}…`;
}
