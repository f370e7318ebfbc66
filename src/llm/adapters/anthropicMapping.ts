import type {
  ContentBlockParam,
  MessageCreateParamsStreaming,
  MessageDeltaUsage,
  MessageParam,
  RawMessageStreamEvent,
  StopReason,
  Usage as AnthropicUsage,
} from '@anthropic-ai/sdk/resources/messages';
import type { ChatMessage, ChatRequest, Chunk, ContentPart, FinishReason, ThinkingOptions, Usage } from '../types';

/**
 * The pure half of the Anthropic adapter: our request shape to the Messages API's, and its stream events to our
 * chunks. Kept apart from the SDK client so that both directions are unit-testable without a server.
 */

/** Anthropic requires max_tokens on every request; this is what we ask for when the request sets none. */
export const DEFAULT_MAX_TOKENS = 4096;

/**
 * Builds the streaming request. `temperature` is deliberately not sent: SDK 1.x speaks API version 2026-10-21,
 * which removed the sampling parameters and answers any request carrying one (even temperature 1.0) with
 * 400 "temperature: Extra inputs are not permitted". The SDK's own types no longer have the field.
 */
export function toCreateParams(request: ChatRequest): MessageCreateParamsStreaming {
  const params: MessageCreateParamsStreaming = {
    model: request.model,
    max_tokens: maxTokensFor(request.maxTokens, request.thinking),
    messages: toMessageParams(request.messages),
    stream: true,
  };
  if (request.thinking) {
    const budget = request.thinking.budgetTokens;
    params.thinking = budget === undefined ? { type: 'adaptive' } : { type: 'enabled', budget_tokens: budget };
  }
  if (request.system) {
    params.system = request.system;
  }
  if (request.stop && request.stop.length > 0) {
    params.stop_sequences = request.stop;
  }
  if (request.tools && request.tools.length > 0) {
    params.tools = request.tools.map((tool) => ({
      name: tool.name,
      description: tool.description,
      input_schema: { ...tool.parameters, type: 'object' },
    }));
  }
  return params;
}

/** A thinking budget must stay under max_tokens (the API refuses it otherwise): the answer gets its own room on top. */
function maxTokensFor(maxTokens: number | undefined, thinking: ThinkingOptions | undefined): number {
  const asked = maxTokens ?? DEFAULT_MAX_TOKENS;
  const budget = thinking?.budgetTokens;
  return budget !== undefined && budget >= asked ? budget + DEFAULT_MAX_TOKENS : asked;
}

/**
 * Our history in Anthropic's two-role form: tool results travel in a user turn as tool_result blocks, and
 * consecutive turns of one role are merged, so the results of several parallel calls share one user message
 * (Anthropic expects them together, right after the assistant turn that made the calls).
 */
export function toMessageParams(messages: readonly ChatMessage[]): MessageParam[] {
  const result: { role: 'user' | 'assistant'; content: ContentBlockParam[] }[] = [];
  for (const message of messages) {
    const role = message.role === 'assistant' ? 'assistant' : 'user';
    const blocks = message.content.flatMap((part) => toBlocks(part, role));
    if (blocks.length === 0) {
      continue;
    }
    const last = result[result.length - 1];
    if (last?.role === role) {
      last.content.push(...blocks);
    } else {
      result.push({ role, content: blocks });
    }
  }
  return result;
}

function toBlocks(part: ContentPart, role: 'user' | 'assistant'): ContentBlockParam[] {
  switch (part.type) {
    case 'text':
      // The API rejects empty text blocks.
      return part.text.length > 0 ? [{ type: 'text', text: part.text }] : [];
    case 'reasoning':
      return role === 'assistant' ? thinkingBlocks(part) : [];
    case 'tool_call':
      return [{ type: 'tool_use', id: part.id, name: part.name, input: parseInput(part.arguments) }];
    case 'tool_result':
      return [
        {
          type: 'tool_result',
          tool_use_id: part.callId,
          ...(part.content.length > 0 ? { content: part.content } : {}),
          ...(part.isError ? { is_error: true } : {}),
        },
      ];
  }
}

/**
 * A thinking block goes back exactly as it came, in place: with extended thinking on, the last assistant turn of
 * a tool loop must start with its thinking blocks, signatures intact, or the API answers 400. Reasoning of
 * another provider, and thinking cut off before its signature arrived, cannot be verified and is left out.
 */
function thinkingBlocks(part: Extract<ContentPart, { type: 'reasoning' }>): ContentBlockParam[] {
  if (part.origin !== 'anthropic') {
    return [];
  }
  if (part.redacted !== undefined) {
    return [{ type: 'redacted_thinking', data: part.redacted }];
  }
  return part.signature === undefined ? [] : [{ type: 'thinking', thinking: part.text, signature: part.signature }];
}

/** tool_use.input must be an object; a call another provider's model made with broken JSON is sent as {}. */
function parseInput(argumentsText: string): Record<string, unknown> {
  try {
    const parsed: unknown = JSON.parse(argumentsText);
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

export function finishReasonOf(stopReason: StopReason | null | undefined): FinishReason {
  switch (stopReason) {
    case 'end_turn':
    case 'stop_sequence':
      return 'stop';
    // model_context_window_exceeded: cut short by the context window rather than max_tokens, the same to the reader.
    case 'max_tokens':
    case 'model_context_window_exceeded':
      return 'length';
    case 'tool_use':
      return 'tool_calls';
    case 'refusal':
      return 'content_filter';
    default:
      // pause_turn (a server tool's long turn) and values newer than this code.
      return 'other';
  }
}

type UsageReport = Partial<Pick<AnthropicUsage, 'input_tokens' | 'cache_read_input_tokens' | 'cache_creation_input_tokens' | 'output_tokens' | 'output_tokens_details'>>;

/**
 * Turns the raw event stream into chunks. Text and reasoning pass straight through; a tool call's JSON arrives
 * in pieces and is yielded whole when its block stops; usage and finish are yielded only on message_stop, the
 * final event, so a stream cut off before it never looks complete.
 */
export class AnthropicStreamReader {
  private readonly toolCalls = new Map<number, { id: string; name: string; json: string }>();
  /** Thinking blocks still streaming, by index: their signature arrives in pieces just before the block stops. */
  private readonly signatures = new Map<number, string>();
  private usage: UsageReport = {};
  private stopReason: StopReason | null = null;
  /** True once message_stop arrived: nothing more belongs to this answer. */
  finished = false;

  read(event: RawMessageStreamEvent): Chunk[] {
    switch (event.type) {
      case 'message_start':
        this.note(event.message.usage);
        return [];
      case 'content_block_start': {
        const block = event.content_block;
        if (block.type === 'tool_use') {
          this.toolCalls.set(event.index, { id: block.id, name: block.name, json: '' });
        } else if (block.type === 'text' && block.text) {
          return [{ type: 'text', text: block.text }];
        } else if (block.type === 'thinking') {
          this.signatures.set(event.index, block.signature);
          return block.thinking ? [{ type: 'reasoning', text: block.thinking }] : [];
        } else if (block.type === 'redacted_thinking') {
          return [{ type: 'reasoning_redacted', data: block.data }];
        }
        return [];
      }
      case 'content_block_delta': {
        const delta = event.delta;
        if (delta.type === 'text_delta') {
          return delta.text ? [{ type: 'text', text: delta.text }] : [];
        }
        if (delta.type === 'thinking_delta') {
          return delta.thinking ? [{ type: 'reasoning', text: delta.thinking }] : [];
        }
        if (delta.type === 'input_json_delta') {
          const call = this.toolCalls.get(event.index);
          if (call) {
            call.json += delta.partial_json;
          }
        }
        if (delta.type === 'signature_delta') {
          this.signatures.set(event.index, (this.signatures.get(event.index) ?? '') + delta.signature);
        }
        // citations_delta carries nothing we show.
        return [];
      }
      case 'content_block_stop': {
        const signature = this.signatures.get(event.index);
        if (signature !== undefined) {
          this.signatures.delete(event.index);
          // Closes the block: the signature is what lets it go back to the API on the next step.
          return signature ? [{ type: 'reasoning_signature', signature }] : [];
        }
        const call = this.toolCalls.get(event.index);
        if (!call) {
          return [];
        }
        this.toolCalls.delete(event.index);
        // A tool without parameters streams no input at all.
        return [{ type: 'tool_call', id: call.id, name: call.name, arguments: call.json || '{}' }];
      }
      case 'message_delta':
        this.stopReason = event.delta.stop_reason ?? this.stopReason;
        this.note(event.usage);
        return [];
      case 'message_stop':
        this.finished = true;
        return [
          { type: 'usage', usage: this.usageChunk() },
          { type: 'finish', reason: finishReasonOf(this.stopReason) },
        ];
      default:
        return [];
    }
  }

  /** message_delta's usage is cumulative, so any figure it has replaces the one from message_start. */
  private note(report: AnthropicUsage | MessageDeltaUsage | null | undefined): void {
    if (!report) {
      return;
    }
    for (const key of ['input_tokens', 'cache_read_input_tokens', 'cache_creation_input_tokens', 'output_tokens', 'output_tokens_details'] as const) {
      const value = report[key];
      if (value !== null && value !== undefined) {
        (this.usage as Record<string, unknown>)[key] = value;
      }
    }
  }

  /**
   * Anthropic's input_tokens counts only the uncached part of the prompt. Ours counts the whole prompt, as
   * OpenAI's and Gemini's do, with the cached part broken out, so figures compare across providers.
   */
  private usageChunk(): Usage {
    const { input_tokens, cache_read_input_tokens, cache_creation_input_tokens, output_tokens, output_tokens_details } = this.usage;
    const usage: Usage = {
      inputTokens: (input_tokens ?? 0) + (cache_read_input_tokens ?? 0) + (cache_creation_input_tokens ?? 0),
      outputTokens: output_tokens ?? 0,
    };
    if (cache_read_input_tokens !== undefined) {
      usage.cacheReadTokens = cache_read_input_tokens ?? 0;
    }
    if (cache_creation_input_tokens !== undefined) {
      usage.cacheWriteTokens = cache_creation_input_tokens ?? 0;
    }
    if (output_tokens_details) {
      usage.reasoningTokens = output_tokens_details.thinking_tokens;
    }
    return usage;
  }
}
