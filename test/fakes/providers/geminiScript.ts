import type http from 'node:http';
import type { Usage } from '../../../src/llm/types';
import { delay, FAKE_USAGE, startSse, writeSse, type Exchange } from './fakeServer';
import { argumentsValue, pieces, scriptCallId, scriptSignature, stepFor, stepText, stepUsage, type ScriptStep } from './fakeScripts';

/**
 * A scripted step as Gemini 3 streams it: thought summaries (`thought: true`) when the request asks for them,
 * text pieces, and the step's function calls whole in one event (Gemini sends `args` as an object, not in pieces),
 * the first call signed with a `thoughtSignature` as Gemini 3 signs every step; a step without calls ends with the
 * signature on an empty text part, as Gemini's streams do. Like Gemini 3, it answers 400 to a history whose first
 * function call of a step lacks the signature it was issued with (stricter than Gemini in one point: for calls
 * this fake made, Google's `skip_thought_signature_validator` counts as missing, so a lost signature cannot hide
 * behind the placeholder), and to a function call turn not answered by as many functionResponse parts.
 */

type Part = {
  text?: string;
  thought?: boolean;
  thoughtSignature?: string;
  functionCall?: { id?: string; name?: string };
  functionResponse?: { id?: string; name?: string; response?: Record<string, unknown> };
};
type Content = { role?: string; parts?: Part[] };
interface GenerateBody {
  contents?: Content[];
  generationConfig?: { thinkingConfig?: { includeThoughts?: boolean } };
}

const PROTOCOL = 'gemini';

export async function serveGeminiScript(exchange: Exchange, name: string): Promise<void> {
  const { res } = exchange;
  const body = (exchange.body ?? {}) as GenerateBody;
  const contents = body.contents ?? [];
  const lookup = stepFor(exchange.server.scripts, name, contents.filter((c) => c.role === 'model').length);
  const problem = lookup.ok ? historyProblem(contents, name) : lookup.message;
  if (problem !== undefined || !lookup.ok) {
    res.writeHead(400, { 'content-type': 'application/json; charset=UTF-8' });
    res.end(JSON.stringify({ error: { code: 400, message: problem, status: 'INVALID_ARGUMENT' } }));
    return;
  }
  const { step, number } = lookup;
  if (step.delayMs) {
    await delay(step.delayMs);
  }
  streamStep(res, step, number, name, body.generationConfig?.thinkingConfig?.includeThoughts === true, lastToolResult(contents));
}

/** Gemini 3's own checks on a function calling history, in its words. */
function historyProblem(contents: readonly Content[], name: string): string | undefined {
  let turn = 0;
  for (const [index, content] of contents.entries()) {
    if (content.role !== 'model') {
      continue;
    }
    turn += 1;
    const calls = (content.parts ?? []).filter((part) => part.functionCall);
    const first = calls[0];
    if (!first) {
      continue;
    }
    const issued = first.functionCall?.id === scriptCallId('fc_', name, turn, 0);
    const signature = first.thoughtSignature;
    if (signature === undefined || (issued && signature === 'skip_thought_signature_validator')) {
      return (
        'Function call is missing a thought_signature in functionCall parts. This is required for tools to work correctly, and missing ' +
        `thought_signature may lead to degraded model performance. Additional data, function call \`default_api:${first.functionCall?.name ?? ''}\` , ` +
        `position ${index + 1}. Please refer to https://ai.google.dev/gemini-api/docs/thought-signatures for more details.`
      );
    }
    if (issued && signature !== scriptSignature(PROTOCOL, name, turn)) {
      return `Thought signature is not valid (function call \`default_api:${first.functionCall?.name ?? ''}\`, position ${index + 1}).`;
    }
    const responses = (contents[index + 1]?.parts ?? []).filter((part) => part.functionResponse).length;
    if (responses !== calls.length) {
      return 'Please ensure that the number of function response parts is equal to the number of function call parts of the function call turn.';
    }
  }
  return undefined;
}

/** The text of the last functionResponse: its `result` or `error` text, or the whole response object as JSON. */
function lastToolResult(contents: readonly Content[]): string | undefined {
  const responses = contents.flatMap((content) => (content.parts ?? []).flatMap((part) => (part.functionResponse ? [part.functionResponse.response ?? {}] : [])));
  const response = responses[responses.length - 1];
  if (!response) {
    return undefined;
  }
  const said = response.result ?? response.error;
  return typeof said === 'string' ? said : JSON.stringify(response);
}

function streamStep(res: http.ServerResponse, step: ScriptStep, number: number, name: string, thoughts: boolean, toolResult: string | undefined): void {
  startSse(res);
  const usage = stepUsage(step, FAKE_USAGE);
  const signature = scriptSignature(PROTOCOL, name, number);
  if (thoughts && step.reasoning !== undefined) {
    for (const piece of pieces(step.reasoning, 2)) {
      writeSse(res, event([{ text: piece, thought: true }], usage));
    }
  }
  const text = stepText(step, toolResult);
  for (const piece of text ? pieces(text) : []) {
    writeSse(res, event([{ text: piece }], usage));
  }
  const calls = (step.toolCalls ?? []).map((call, index) => ({
    functionCall: { id: scriptCallId('fc_', name, number, index), name: call.name, args: argumentsValue(call) },
    // Parallel calls: only the first carries the step's signature.
    ...(index === 0 ? { thoughtSignature: signature } : {}),
  }));
  writeSse(res, event(calls.length > 0 ? calls : [{ text: '', thoughtSignature: signature }], usage, 'STOP'));
  res.end();
}

function event(parts: unknown[], usage: Usage, finishReason?: string): unknown {
  const thoughts = usage.reasoningTokens ?? 0;
  const usageMetadata = finishReason
    ? {
        promptTokenCount: usage.inputTokens,
        candidatesTokenCount: usage.outputTokens - thoughts,
        totalTokenCount: usage.inputTokens + usage.outputTokens,
        cachedContentTokenCount: usage.cacheReadTokens ?? 0,
        thoughtsTokenCount: thoughts,
      }
    : { promptTokenCount: usage.inputTokens, totalTokenCount: usage.inputTokens };
  return {
    candidates: [{ content: { parts, role: 'model' }, index: 0, ...(finishReason ? { finishReason } : {}) }],
    usageMetadata,
    modelVersion: 'fake-script',
    responseId: 'fake-script-response',
  };
}
