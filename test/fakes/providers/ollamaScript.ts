import { delay, FAKE_USAGE, sendJson, startNdjson, writeNdjson, type Exchange } from './fakeServer';
import { pieces, scriptCallId, stepFor, stepText, stepUsage } from './fakeScripts';

/**
 * A scripted step as Ollama's /api/chat streams it: `thinking` pieces, `content` pieces, then each tool call whole
 * on its own line (Ollama parses a call out of the model's output before sending it, arguments as an object; a
 * scripted string goes as it is, as some servers send it), and the `done: true` line with the counts. Ollama
 * checks nothing of the history, and neither does this.
 */

interface OllamaMessage {
  role: string;
  content?: string;
}

export async function serveOllamaScript(exchange: Exchange, name: string): Promise<void> {
  const { res } = exchange;
  const body = (exchange.body ?? {}) as { model?: string; messages?: OllamaMessage[] };
  const messages = body.messages ?? [];
  const lookup = stepFor(exchange.server.scripts, name, messages.filter((m) => m.role === 'assistant').length);
  if (!lookup.ok) {
    sendJson(res, 400, { error: lookup.message }, { 'content-type': 'application/json; charset=utf-8' });
    return;
  }
  const { step, number } = lookup;
  if (step.delayMs) {
    await delay(step.delayMs);
  }
  const model = body.model ?? name;
  const line = (message: Record<string, unknown>, done = false) =>
    writeNdjson(res, { model, created_at: new Date().toISOString(), message: { role: 'assistant', content: '', ...message }, done });
  startNdjson(res);
  for (const piece of step.reasoning === undefined ? [] : pieces(step.reasoning, 2)) {
    line({ thinking: piece });
  }
  const text = stepText(step, messages.filter((m) => m.role === 'tool').pop()?.content);
  for (const piece of text ? pieces(text) : []) {
    line({ content: piece });
  }
  for (const [index, call] of (step.toolCalls ?? []).entries()) {
    line({ tool_calls: [{ id: scriptCallId('call_', name, number, index), function: { index, name: call.name, arguments: typeof call.arguments === 'string' ? call.arguments : (call.arguments ?? {}) } }] });
  }
  const usage = stepUsage(step, FAKE_USAGE);
  writeNdjson(res, {
    model,
    created_at: new Date().toISOString(),
    message: { role: 'assistant', content: '' },
    done: true,
    done_reason: 'stop',
    prompt_eval_count: usage.inputTokens,
    eval_count: usage.outputTokens,
  });
  res.end();
}
