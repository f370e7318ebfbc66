import { randomUUID } from 'node:crypto';
import type { ChatRequest as OllamaChatRequest, ChatResponse, Message, Options, Tool, ToolCall } from 'ollama';
import type { ChatMessage, ChatRequest, Chunk, FinishReason, ToolSpec } from '../types';

/**
 * The pure half of the Ollama adapter: our request to Ollama's `/api/chat` body, and its NDJSON stream objects
 * back to our chunks. Kept apart from the SDK calls so the mapping can be tested without a server.
 */

/**
 * `truncate` and `shift` are /api/chat fields (Ollama 0.12.6+) the SDK's 0.6.4 types do not know; older servers
 * ignore unknown fields.
 */
export type OllamaStreamRequest = OllamaChatRequest & { stream: true; truncate: boolean; shift: boolean };

export function toOllamaRequest(request: ChatRequest): OllamaStreamRequest {
  const options: Partial<Options> = {};
  if (request.temperature !== undefined) {
    options.temperature = request.temperature;
  }
  if (request.maxTokens !== undefined) {
    options.num_predict = request.maxTokens;
  }
  if (request.stop !== undefined && request.stop.length > 0) {
    options.stop = request.stop;
  }
  const tools = (request.tools ?? []).map(toOllamaTool);
  return {
    model: request.model,
    messages: toOllamaMessages(request.system, request.messages),
    stream: true,
    ...(tools.length > 0 ? { tools } : {}),
    options,
    // Left at its defaults, Ollama answers a prompt longer than num_ctx from whatever part of it fits (the system
    // prompt and the oldest turns silently dropped), and shifts the prompt out when the answer fills the window.
    // With both off it refuses with a 400 "input length exceeds the context length" (context_length) or stops
    // with done_reason "length", which the user can act on.
    truncate: false,
    shift: false,
  };
}

function toOllamaTool(tool: ToolSpec): Tool {
  return {
    type: 'function',
    function: {
      name: tool.name,
      description: tool.description,
      parameters: tool.parameters,
    },
  };
}

/**
 * Ollama's history: the system prompt as a first `system` message, an assistant's calls as `tool_calls` with the
 * arguments as an object, and each tool result as its own `tool` message named by `tool_name` (Ollama matches
 * results to calls by name and order; it has no call ids of its own to send back). An assistant's own reasoning
 * goes back in `thinking`, as Ollama's docs do for thinking models calling tools; reasoning of other providers is
 * left out.
 */
export function toOllamaMessages(system: string | undefined, messages: readonly ChatMessage[]): Message[] {
  const result: Message[] = [];
  if (system) {
    result.push({ role: 'system', content: system });
  }
  for (const message of messages) {
    let text = '';
    let thinking = '';
    const toolCalls: ToolCall[] = [];
    let toolResults = 0;
    for (const part of message.content) {
      switch (part.type) {
        case 'text':
          text += part.text;
          break;
        case 'reasoning':
          if (message.role === 'assistant' && part.origin === 'ollama') {
            thinking += part.text;
          }
          break;
        case 'tool_call':
          toolCalls.push({ function: { name: part.name, arguments: argumentsObject(part.arguments) } });
          break;
        case 'tool_result':
          toolResults++;
          // Ollama has no error flag on a tool result: say it in the content, or the model takes it for data.
          result.push({ role: 'tool', content: part.isError ? `Error: ${part.content}` : part.content, tool_name: part.name });
          break;
      }
    }
    // A message of text only is sent even when empty (the turn still happened); one of reasoning only is not.
    const textOnly = message.content.every((part) => part.type === 'text');
    if (text.length > 0 || toolCalls.length > 0 || (toolResults === 0 && textOnly)) {
      result.push({
        role: message.role === 'tool' ? 'user' : message.role,
        content: text,
        ...(thinking.length > 0 ? { thinking } : {}),
        ...(toolCalls.length > 0 ? { tool_calls: toolCalls } : {}),
      });
    }
  }
  return result;
}

/**
 * Ollama wants the arguments as an object. Arguments it produced always parse; text that does not (another
 * provider's malformed call, replayed) is sent as an empty object rather than failing the whole request.
 */
function argumentsObject(text: string): Record<string, unknown> {
  try {
    const parsed: unknown = JSON.parse(text);
    return parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

/** What one stream remembers between its NDJSON objects. */
export interface OllamaStreamState {
  sawToolCall: boolean;
}

export function newStreamState(): OllamaStreamState {
  return { sawToolCall: false };
}

/**
 * Our chunks for one NDJSON object. Only the `done: true` object yields usage and finish: it is Ollama's final
 * event, and a stream that never sends it is incomplete.
 */
export function* chunksOf(part: ChatResponse, state: OllamaStreamState): Generator<Chunk> {
  // Typed as always present, but a done object from some versions carries no message.
  const message = part.message as Partial<ChatResponse['message']> | undefined;
  if (message?.thinking) {
    yield { type: 'reasoning', text: message.thinking };
  }
  if (message?.content) {
    yield { type: 'text', text: message.content };
  }
  for (const call of message?.tool_calls ?? []) {
    state.sawToolCall = true;
    yield toolCallChunk(call);
  }
  if (part.done) {
    // Ollama omits prompt_eval_count when the whole prompt came from its cache, hence the zero.
    yield { type: 'usage', usage: { inputTokens: part.prompt_eval_count ?? 0, outputTokens: part.eval_count ?? 0 } };
    yield { type: 'finish', reason: finishReasonOf(part.done_reason, state) };
  }
}

function toolCallChunk(call: ToolCall): Chunk {
  // Recent servers give each call an `id`; older ones and the SDK's types have none, so we make one up.
  const id = (call as ToolCall & { id?: unknown }).id;
  const args: unknown = call.function.arguments;
  return {
    type: 'tool_call',
    id: typeof id === 'string' && id.length > 0 ? id : `call_${randomUUID()}`,
    name: call.function.name,
    arguments: typeof args === 'string' ? args : JSON.stringify(args ?? {}),
  };
}

/** Ollama ends a turn with tool calls as a plain "stop"; the calls it streamed are what say otherwise. */
function finishReasonOf(doneReason: string | undefined, state: OllamaStreamState): FinishReason {
  if (doneReason === 'length') {
    return 'length';
  }
  if (state.sawToolCall) {
    return 'tool_calls';
  }
  // Servers before done_reason existed sent a bare `done: true` for a normal end.
  return doneReason === 'stop' || doneReason === undefined || doneReason === '' ? 'stop' : 'other';
}
