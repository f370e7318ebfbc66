import type http from 'node:http';
import type { Usage } from '../../../src/llm/types';
import { delay, FAKE_USAGE, sendJson, writeSse, type Exchange } from './fakeServer';
import { argumentsText, pieces, scriptCallId, scriptSignature, stepFor, stepText, stepUsage, type ScriptStep } from './fakeScripts';

/**
 * A scripted step as Anthropic's Messages API streams it: thinking blocks (with a signature_delta before their
 * stop) when the request turns thinking on, a redacted_thinking block, text, and tool_use blocks whose input JSON
 * arrives in several input_json_delta pieces. Like the real API, it answers 400 to a follow-up whose last
 * assistant turn lost the thinking blocks the fake issued, or carries one with a changed signature, and to
 * tool_use blocks without their tool_result blocks in the next user turn.
 */

type Block = { type: string; text?: string; thinking?: string; signature?: string; data?: string; id?: string; content?: unknown };
type Message = { role: string; content: string | Block[] };
interface MessagesBody {
  model?: string;
  messages?: Message[];
  thinking?: { type?: string };
}

const PROTOCOL = 'anthropic';

export async function serveAnthropicScript(exchange: Exchange, name: string): Promise<void> {
  const { res } = exchange;
  const body = (exchange.body ?? {}) as MessagesBody;
  const messages = body.messages ?? [];
  const thinking = body.thinking?.type === 'enabled' || body.thinking?.type === 'adaptive';
  const lookup = stepFor(exchange.server.scripts, name, messages.filter((m) => m.role === 'assistant').length);
  if (!lookup.ok) {
    sendError(res, 400, lookup.message);
    return;
  }
  const scripts = exchange.server.scripts.get(name) ?? [];
  const problem = historyProblem(messages, (step) => issuedThinking(scripts[step - 1], name, step), thinking);
  if (problem) {
    sendError(res, 400, problem);
    return;
  }
  const { step, number } = lookup;
  if (step.delayMs) {
    await delay(step.delayMs);
  }
  streamStep(res, body.model ?? '', step, number, name, thinking, lastToolResult(messages));
}

/** The thinking and redacted_thinking blocks the fake streams for a step with thinking on, as they must come back. */
function issuedThinking(step: ScriptStep | undefined, name: string, number: number): Block[] {
  if (!step) {
    return [];
  }
  const blocks: Block[] = [];
  if (step.reasoning !== undefined) {
    blocks.push({ type: 'thinking', thinking: step.reasoning, signature: scriptSignature(PROTOCOL, name, number) });
  }
  if (step.redacted !== undefined) {
    blocks.push({ type: 'redacted_thinking', data: step.redacted });
  }
  return blocks;
}

/** The API's own checks on a tool loop with thinking, in its words. */
function historyProblem(messages: readonly Message[], issued: (step: number) => Block[], thinking: boolean): string | undefined {
  const assistantIndexes = messages.flatMap((m, index) => (m.role === 'assistant' ? [index] : []));
  for (const [turn, index] of assistantIndexes.entries()) {
    const blocks = blocksOf(messages[index]);
    const expected = issued(turn + 1);
    for (const [position, block] of blocks.entries()) {
      if (block.type === 'thinking' && !expected.some((e) => e.type === 'thinking' && e.signature === block.signature && e.thinking === block.thinking)) {
        return `messages.${index}.content.${position}: Invalid \`signature\` in \`thinking\` block`;
      }
      if (block.type === 'redacted_thinking' && !expected.some((e) => e.type === 'redacted_thinking' && e.data === block.data)) {
        return `messages.${index}.content.${position}: Invalid \`data\` in \`redacted_thinking\` block`;
      }
    }
    const last = turn === assistantIndexes.length - 1;
    if (last && thinking && expected.length > 0) {
      const start = blocks.slice(0, expected.length);
      const intact = expected.every((e, i) => start[i]?.type === e.type && start[i]?.signature === e.signature && start[i]?.data === e.data);
      if (!intact) {
        const found = blocks.find((b) => b.type !== 'thinking' && b.type !== 'redacted_thinking')?.type ?? 'nothing';
        return (
          `messages.${index}.content.0.type: Expected \`thinking\` or \`redacted_thinking\`, but found \`${found}\`. When \`thinking\` is enabled, a final ` +
          '`assistant` message must start with a thinking block (preceeding the lastmost set of `tool_use` and `tool_result` blocks). We recommend you ' +
          'include thinking blocks from previous turns. To avoid this requirement, disable `thinking`. Please consult our documentation at ' +
          'https://docs.claude.com/en/docs/build-with-claude/extended-thinking'
        );
      }
    }
    const calls = blocks.filter((b) => b.type === 'tool_use').map((b) => b.id ?? '');
    const answered = new Set(blocksOf(messages[index + 1]).filter((b) => b.type === 'tool_result').map((b) => (b as { tool_use_id?: string }).tool_use_id));
    const missing = calls.filter((id) => !answered.has(id));
    if (missing.length > 0) {
      return (
        `messages.${index + 1}: \`tool_use\` ids were found without \`tool_result\` blocks immediately after: ${missing.join(', ')}. ` +
        'Each `tool_use` block must have a corresponding `tool_result` block in the next message.'
      );
    }
  }
  return undefined;
}

function blocksOf(message: Message | undefined): Block[] {
  if (!message) {
    return [];
  }
  return typeof message.content === 'string' ? [{ type: 'text', text: message.content }] : message.content;
}

function lastToolResult(messages: readonly Message[]): string | undefined {
  const results = messages.flatMap((m) => (m.role === 'user' ? blocksOf(m).filter((b) => b.type === 'tool_result') : []));
  const content = results[results.length - 1]?.content;
  if (typeof content === 'string' || content === undefined) {
    return content;
  }
  return Array.isArray(content) ? content.map((part: { text?: string }) => part.text ?? '').join('') : JSON.stringify(content);
}

function streamStep(res: http.ServerResponse, model: string, step: ScriptStep, number: number, name: string, thinking: boolean, toolResult: string | undefined): void {
  res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', 'request-id': `req_script_${number}` });
  const send = (event: { type: string } & Record<string, unknown>) => writeSse(res, event, event.type);
  const usage = wireUsage(stepUsage(step, FAKE_USAGE));
  send({ type: 'message_start', message: { id: `msg_script_${number}`, type: 'message', role: 'assistant', model, content: [], stop_reason: null, stop_sequence: null, usage: { ...usage, output_tokens: 1 } } });
  let index = 0;
  if (thinking && step.reasoning !== undefined) {
    send({ type: 'content_block_start', index, content_block: { type: 'thinking', thinking: '', signature: '' } });
    for (const piece of pieces(step.reasoning, 2)) {
      send({ type: 'content_block_delta', index, delta: { type: 'thinking_delta', thinking: piece } });
    }
    send({ type: 'content_block_delta', index, delta: { type: 'signature_delta', signature: scriptSignature(PROTOCOL, name, number) } });
    send({ type: 'content_block_stop', index });
    index += 1;
  }
  if (thinking && step.redacted !== undefined) {
    send({ type: 'content_block_start', index, content_block: { type: 'redacted_thinking', data: step.redacted } });
    send({ type: 'content_block_stop', index });
    index += 1;
  }
  const text = stepText(step, toolResult);
  if (text) {
    send({ type: 'content_block_start', index, content_block: { type: 'text', text: '', citations: null } });
    for (const piece of pieces(text)) {
      send({ type: 'content_block_delta', index, delta: { type: 'text_delta', text: piece } });
    }
    send({ type: 'content_block_stop', index });
    index += 1;
  }
  for (const [position, call] of (step.toolCalls ?? []).entries()) {
    const id = scriptCallId('toolu_', name, number, position);
    send({ type: 'content_block_start', index, content_block: { type: 'tool_use', id, name: call.name, input: {}, caller: { type: 'direct' } } });
    for (const piece of ['', ...pieces(argumentsText(call))]) {
      send({ type: 'content_block_delta', index, delta: { type: 'input_json_delta', partial_json: piece } });
    }
    send({ type: 'content_block_stop', index });
    index += 1;
  }
  const stopReason = (step.toolCalls ?? []).length > 0 ? 'tool_use' : 'end_turn';
  send({ type: 'message_delta', delta: { stop_reason: stopReason, stop_sequence: null }, usage });
  send({ type: 'message_stop' });
  res.end();
}

/** Anthropic's usage splits the prompt: input_tokens is only the part neither read from nor written to the cache. */
function wireUsage(usage: Usage) {
  const cacheRead = usage.cacheReadTokens ?? 0;
  const cacheWrite = usage.cacheWriteTokens ?? 0;
  return {
    input_tokens: usage.inputTokens - cacheRead - cacheWrite,
    cache_read_input_tokens: cacheRead,
    cache_creation_input_tokens: cacheWrite,
    output_tokens: usage.outputTokens,
    output_tokens_details: { thinking_tokens: usage.reasoningTokens ?? 0 },
  };
}

function sendError(res: http.ServerResponse, status: number, message: string): void {
  sendJson(res, status, { type: 'error', error: { type: 'invalid_request_error', message }, request_id: 'req_script_error' }, { 'request-id': 'req_script_error' });
}
