import type { Usage } from '../../../src/llm/types';
import { delay, FAKE_USAGE, sendJson, startSse, writeSse, type Exchange } from './fakeServer';
import { argumentsText, pieces, scriptCallId, stepFor, stepText, stepUsage } from './fakeScripts';

/**
 * A scripted step as Chat Completions streams it (OpenAI, Azure, compatible servers): reasoning as
 * `reasoning_content` deltas (what vLLM, llama.cpp and LM Studio send), content deltas, and each tool call as a
 * first delta with its id and name followed by its arguments in several pieces, parallel calls by index. Like the
 * real API, it answers 400 to an assistant message with tool_calls that is not followed by a tool message for
 * every call id, and to a tool message that answers no call.
 */

interface ChatMessage {
  role: string;
  content?: unknown;
  tool_calls?: { id?: string }[];
  tool_call_id?: string;
}
interface ChatBody {
  model?: string;
  messages?: ChatMessage[];
  stream_options?: { include_usage?: boolean };
}

const CREATED = 1_735_000_000;

export async function serveOpenAiScript(exchange: Exchange, name: string, azure: boolean): Promise<void> {
  const { res } = exchange;
  const body = (exchange.body ?? {}) as ChatBody;
  const messages = body.messages ?? [];
  const lookup = stepFor(exchange.server.scripts, name, messages.filter((m) => m.role === 'assistant').length);
  const problem = lookup.ok ? historyProblem(messages) : lookup.message;
  if (problem !== undefined || !lookup.ok) {
    sendJson(res, 400, { error: { message: problem, type: 'invalid_request_error', param: 'messages', code: null } });
    return;
  }
  const { step, number } = lookup;
  if (step.delayMs) {
    await delay(step.delayMs);
  }
  const model = body.model ?? name;
  startSse(res);
  if (azure) {
    writeSse(res, { choices: [], created: 0, id: '', model: '', object: '', prompt_filter_results: [{ prompt_index: 0, content_filter_results: {} }] });
  }
  const send = (delta: Record<string, unknown>, finish: string | null = null) =>
    writeSse(res, { ...envelope(model, number), choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }], usage: null });
  send({ role: 'assistant', content: '', refusal: null });
  for (const piece of step.reasoning === undefined ? [] : pieces(step.reasoning, 2)) {
    send({ reasoning_content: piece });
  }
  const text = stepText(step, lastToolResult(messages));
  for (const piece of text ? pieces(text) : []) {
    send({ content: piece });
  }
  const calls = step.toolCalls ?? [];
  for (const [index, call] of calls.entries()) {
    const id = scriptCallId('call_', name, number, index);
    send({ tool_calls: [{ index, id, type: 'function', function: { name: call.name, arguments: '' } }] });
    for (const piece of pieces(argumentsText(call))) {
      send({ tool_calls: [{ index, function: { arguments: piece } }] });
    }
  }
  send({}, calls.length > 0 ? 'tool_calls' : 'stop');
  if (body.stream_options?.include_usage) {
    writeSse(res, { ...envelope(model, number), choices: [], usage: wireUsage(stepUsage(step, FAKE_USAGE)) });
  }
  writeSse(res, '[DONE]');
  res.end();
}

/** The API's own checks on tool messages, in its words. */
function historyProblem(messages: readonly ChatMessage[]): string | undefined {
  for (const [index, message] of messages.entries()) {
    if (message.role === 'tool') {
      const asked = messages.slice(0, index).reverse().find((m) => m.role !== 'tool');
      if (!asked?.tool_calls?.some((call) => call.id === message.tool_call_id)) {
        return `Invalid parameter: messages with role 'tool' must be a response to a preceeding message with 'tool_calls'.`;
      }
    }
    if (message.role === 'assistant' && message.tool_calls && message.tool_calls.length > 0) {
      const following = messages.slice(index + 1);
      const end = following.findIndex((m) => m.role !== 'tool');
      const answered = new Set((end < 0 ? following : following.slice(0, end)).map((m) => m.tool_call_id));
      const missing = message.tool_calls.map((call) => call.id ?? '').filter((id) => !answered.has(id));
      if (missing.length > 0) {
        return (
          "An assistant message with 'tool_calls' must be followed by tool messages responding to each 'tool_call_id'. " +
          `The following tool_call_ids did not have response messages: ${missing.join(', ')}`
        );
      }
    }
  }
  return undefined;
}

function lastToolResult(messages: readonly ChatMessage[]): string | undefined {
  const content = messages.filter((m) => m.role === 'tool').pop()?.content;
  if (typeof content === 'string' || content === undefined) {
    return content;
  }
  return Array.isArray(content) ? content.map((part: { text?: string }) => part.text ?? '').join('') : JSON.stringify(content);
}

function envelope(model: string, step: number) {
  return { id: `chatcmpl-script-${step}`, object: 'chat.completion.chunk', created: CREATED, model, system_fingerprint: 'fp_fake', service_tier: 'default' };
}

function wireUsage(usage: Usage) {
  return {
    prompt_tokens: usage.inputTokens,
    completion_tokens: usage.outputTokens,
    total_tokens: usage.inputTokens + usage.outputTokens,
    prompt_tokens_details: { cached_tokens: usage.cacheReadTokens ?? 0, cache_write_tokens: usage.cacheWriteTokens ?? 0, audio_tokens: 0 },
    completion_tokens_details: { reasoning_tokens: usage.reasoningTokens ?? 0, audio_tokens: 0, accepted_prediction_tokens: 0, rejected_prediction_tokens: 0 },
  };
}
