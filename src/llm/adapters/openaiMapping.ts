import { randomUUID } from 'node:crypto';
import type { CompletionUsage } from 'openai/resources/completions';
import type {
  ChatCompletionChunk,
  ChatCompletionCreateParamsStreaming,
  ChatCompletionMessageParam,
  ChatCompletionTool,
} from 'openai/resources/chat/completions';
import type { ProviderKind } from '../endpoints';
import type { ChatMessage, ChatRequest, Chunk, ContentPart, FinishReason, ToolSpec, Usage } from '../types';

/**
 * Pure mapping between our request/chunk shapes and Chat Completions, shared by OpenAI, Azure OpenAI and the
 * OpenAI-compatible local servers (LM Studio, vLLM, llama.cpp), so it is kept free of the client and testable alone.
 */

export function toChatParams(request: ChatRequest, kind: ProviderKind, model: string): ChatCompletionCreateParamsStreaming {
  const params: ChatCompletionCreateParamsStreaming = {
    model,
    messages: toChatMessages(request.system, request.messages),
    stream: true,
    // Without this the stream carries no token counts at all.
    stream_options: { include_usage: true },
  };
  if (request.temperature !== undefined) {
    params.temperature = request.temperature;
  }
  if (request.maxTokens !== undefined) {
    // OpenAI deprecated max_tokens (reasoning models reject it); older compatible servers only know max_tokens.
    if (kind === 'openai-compatible') {
      params.max_tokens = request.maxTokens;
    } else {
      params.max_completion_tokens = request.maxTokens;
    }
  }
  if (request.stop && request.stop.length > 0) {
    params.stop = request.stop;
  }
  if (request.tools && request.tools.length > 0) {
    params.tools = request.tools.map(toChatTool);
  }
  return params;
}

export function toChatTool(tool: ToolSpec): ChatCompletionTool {
  return { type: 'function', function: { name: tool.name, description: tool.description, parameters: tool.parameters } };
}

/**
 * Chat Completions has no tool_result part: each result is its own `tool` message, which must directly follow the
 * assistant message that made the calls, so results go before any user text of the same turn.
 */
export function toChatMessages(system: string | undefined, messages: readonly ChatMessage[]): ChatCompletionMessageParam[] {
  const out: ChatCompletionMessageParam[] = [];
  if (system) {
    out.push({ role: 'system', content: system });
  }
  for (const message of messages) {
    const text = joinText(message.content);
    if (message.role === 'assistant') {
      const calls = message.content.flatMap((part) =>
        part.type === 'tool_call' ? [{ id: part.id, type: 'function' as const, function: { name: part.name, arguments: part.arguments } }] : [],
      );
      // Reasoning is never sent back: Chat Completions has no field for it, and as text it would be a new answer.
      if (calls.length > 0) {
        out.push({ role: 'assistant', content: text || null, tool_calls: calls });
      } else if (text) {
        out.push({ role: 'assistant', content: text });
      }
      continue;
    }
    for (const part of message.content) {
      if (part.type === 'tool_result') {
        // The protocol has no error flag; saying so in the content is how the model learns the call failed.
        out.push({ role: 'tool', tool_call_id: part.callId, content: part.isError ? `Error: ${part.content}` : part.content });
      }
    }
    if (text) {
      // Plain strings, not content-part arrays: several compatible servers accept only strings.
      out.push({ role: 'user', content: text });
    }
  }
  return out;
}

function joinText(parts: readonly ContentPart[]): string {
  return parts
    .flatMap((part) => (part.type === 'text' ? [part.text] : []))
    .join('\n');
}

export function toUsage(usage: CompletionUsage): Usage {
  const result: Usage = { inputTokens: usage.prompt_tokens, outputTokens: usage.completion_tokens };
  const cached = usage.prompt_tokens_details?.cached_tokens;
  const written = usage.prompt_tokens_details?.cache_write_tokens;
  const reasoning = usage.completion_tokens_details?.reasoning_tokens;
  if (typeof cached === 'number') {
    result.cacheReadTokens = cached;
  }
  if (typeof written === 'number') {
    result.cacheWriteTokens = written;
  }
  if (typeof reasoning === 'number') {
    result.reasoningTokens = reasoning;
  }
  return result;
}

export function toFinishReason(reason: string): FinishReason {
  switch (reason) {
    case 'stop':
      return 'stop';
    case 'length':
      return 'length';
    case 'tool_calls':
    case 'function_call':
      return 'tool_calls';
    case 'content_filter':
      return 'content_filter';
    default:
      return 'other';
  }
}

/** Fields compatible servers add to the delta that the SDK's types do not declare. */
interface CompatibleDelta {
  /** vLLM, llama.cpp, LM Studio, DeepSeek. */
  reasoning_content?: string | null;
  /** Newer vLLM and OpenRouter. */
  reasoning?: string | null;
}

interface PendingToolCall {
  id: string;
  name: string;
  arguments: string;
}

/**
 * Folds Chat Completions chunks into our chunks. The protocol's quirks live here: tool calls arrive as deltas by
 * index and are yielded only once whole; usage arrives in a last chunk with no choices, after finish_reason; and a
 * stream that just stops is reported by the SDK as success, so `finish` is produced only if a finish_reason came.
 */
export class ChatChunkAssembler {
  private readonly calls = new Map<number, PendingToolCall>();
  private madeToolCalls = false;
  private refused = false;
  private usage: Usage | undefined;
  private finishReason: FinishReason | undefined;

  /** Whether the provider's final event (a non-null finish_reason) has arrived. */
  get finished(): boolean {
    return this.finishReason !== undefined;
  }

  accept(chunk: ChatCompletionChunk): Chunk[] {
    if (chunk.usage) {
      // Some servers repeat usage on every chunk; the last report is the total.
      this.usage = toUsage(chunk.usage);
    }
    // We never ask for n > 1. Azure's first chunk has no choices (only prompt_filter_results).
    const choice = chunk.choices?.find((c) => c.index === 0) ?? chunk.choices?.[0];
    if (!choice) {
      return [];
    }
    const out: Chunk[] = [];
    const delta = (choice.delta ?? {}) as ChatCompletionChunk.Choice.Delta & CompatibleDelta;
    const reasoning = delta.reasoning_content ?? delta.reasoning;
    if (typeof reasoning === 'string' && reasoning.length > 0) {
      out.push({ type: 'reasoning', text: reasoning });
    }
    if (typeof delta.content === 'string' && delta.content.length > 0) {
      out.push({ type: 'text', text: delta.content });
    }
    if (typeof delta.refusal === 'string' && delta.refusal.length > 0) {
      // Shown like text so the user reads why, but the answer ends as a refusal.
      this.refused = true;
      out.push({ type: 'text', text: delta.refusal });
    }
    for (const call of delta.tool_calls ?? []) {
      const pending = this.calls.get(call.index) ?? { id: '', name: '', arguments: '' };
      this.calls.set(call.index, pending);
      pending.id ||= call.id ?? '';
      // The name comes whole in one delta; some servers repeat it, so it is set once, never appended.
      pending.name ||= call.function?.name ?? '';
      pending.arguments += call.function?.arguments ?? '';
    }
    if (choice.finish_reason) {
      out.push(...this.flushToolCalls());
      this.finishReason = this.finalReason(choice.finish_reason);
    }
    return out;
  }

  /** What to yield once the stream has ended: usage, then finish, in that order, only if they came. */
  end(): Chunk[] {
    const out: Chunk[] = [];
    if (this.usage) {
      out.push({ type: 'usage', usage: this.usage });
    }
    if (this.finishReason !== undefined) {
      out.push({ type: 'finish', reason: this.finishReason });
    }
    return out;
  }

  private flushToolCalls(): Chunk[] {
    const ordered = [...this.calls.entries()].sort(([a], [b]) => a - b);
    this.calls.clear();
    const out: Chunk[] = [];
    for (const [, call] of ordered) {
      if (!call.name) {
        continue;
      }
      this.madeToolCalls = true;
      // llama.cpp and older vLLM builds omit the id; the next turn needs one to answer the call by.
      out.push({ type: 'tool_call', id: call.id || `call_${randomUUID()}`, name: call.name, arguments: call.arguments || '{}' });
    }
    return out;
  }

  private finalReason(raw: string): FinishReason {
    const reason = toFinishReason(raw);
    if (this.refused) {
      return 'content_filter';
    }
    // Some compatible servers end a tool-calling turn with 'stop'; the chat loop decides on 'tool_calls'.
    return reason === 'stop' && this.madeToolCalls ? 'tool_calls' : reason;
  }
}
