import { createHash } from 'node:crypto';
import type { Usage } from '../../../src/llm/types';

/**
 * A scripted fake model: a test gives the fake a list of replies, and the model name `fake-script-<name>` picks
 * the script, the way the other scenarios are picked. Which step answers is read from the REQUEST, not from
 * server state: step N answers a request whose history already holds N-1 assistant turns, so a retry gets the
 * same step and several conversations can run one script side by side. Every protocol streams a step in its own
 * wire format (tool-call arguments in several pieces, parallel calls in one step).
 *
 * Setting a script:
 *  - in the process that runs the fake: `server.scripts.set('fix-test', steps)`;
 *  - from any other process (an e2e harness, a benchmark): `POST <origin>/__script/<name>` with the steps as the
 *    JSON body (answered 204), e.g. with `postScript(origin, name, steps)` from out/test/fakes/providers/fakeScripts.js.
 */

export interface ScriptToolCall {
  name: string;
  /**
   * The call's arguments, JSON-encoded where the protocol carries text. A string is the raw argument text, so a
   * script can make the model send malformed JSON (Chat Completions, Anthropic's input_json_delta, Ollama pass it
   * as it is; Gemini, whose `args` is always an object, gets the parsed value, or the string where it does not parse).
   */
  arguments: unknown;
}

export interface ScriptStep {
  /** Streamed as the model's reasoning (Anthropic only when the request turns thinking on, as the API does). */
  reasoning?: string;
  /** Anthropic only: a redacted_thinking block with this opaque data, after the thinking. */
  redacted?: string;
  /** The answer text; `{{lastToolResult}}` is replaced by the text of the last tool result in the request. */
  text?: string;
  /** Calls made in this step; several are parallel calls. */
  toolCalls?: ScriptToolCall[];
  /** The step's token counts (FAKE_USAGE where not given), in our neutral convention. */
  usage?: Partial<Usage>;
  /** Waits this long before answering (before the response headers). */
  delayMs?: number;
}

export const SCRIPT_MODEL_PREFIX = 'fake-script-';
export const LAST_TOOL_RESULT = '{{lastToolResult}}';
export const SCRIPT_ROUTE = /^\/__script\/([^/]+)$/;

export function modelForScript(name: string): string {
  return `${SCRIPT_MODEL_PREFIX}${name}`;
}

/** The script a model name picks (Gemini's `models/` prefix allowed), or undefined for any other model. */
export function scriptNameOf(model: string | undefined): string | undefined {
  const name = model?.replace(/^models\//, '');
  return name?.startsWith(SCRIPT_MODEL_PREFIX) ? name.slice(SCRIPT_MODEL_PREFIX.length) || undefined : undefined;
}

/** Sets a script on a fake running in another process. */
export async function postScript(origin: string, name: string, steps: readonly ScriptStep[]): Promise<void> {
  const response = await fetch(`${origin}/__script/${encodeURIComponent(name)}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(steps),
  });
  if (response.status !== 204) {
    throw new Error(`The fake refused the script "${name}": ${response.status} ${await response.text()}`);
  }
}

/** Checks a script that came over HTTP; returns the reason it is not one. */
export function scriptProblem(body: unknown): string | undefined {
  if (!Array.isArray(body) || body.length === 0) {
    return 'the body must be a non-empty JSON array of steps';
  }
  for (const [index, step] of (body as unknown[]).entries()) {
    if (step === null || typeof step !== 'object' || Array.isArray(step)) {
      return `step ${index + 1} is not an object`;
    }
    const { toolCalls } = step as { toolCalls?: unknown };
    if (toolCalls !== undefined && (!Array.isArray(toolCalls) || toolCalls.some((call) => typeof (call as { name?: unknown })?.name !== 'string'))) {
      return `step ${index + 1}: toolCalls must be an array of { name, arguments }`;
    }
  }
  return undefined;
}

export type StepLookup = { ok: true; step: ScriptStep; number: number; name: string } | { ok: false; message: string };

/** The step that answers a request with `assistantTurns` assistant turns in its history (0: the first step). */
export function stepFor(scripts: ReadonlyMap<string, readonly ScriptStep[]>, name: string, assistantTurns: number): StepLookup {
  const steps = scripts.get(name);
  if (!steps) {
    return { ok: false, message: `The fake has no script named "${name}".` };
  }
  const step = steps[assistantTurns];
  if (!step) {
    return { ok: false, message: `The fake's script "${name}" has ${steps.length} steps; the request already holds ${assistantTurns} assistant turns.` };
  }
  return { ok: true, step, number: assistantTurns + 1, name };
}

/** The step's usage: what the step gives, the protocol's defaults for the rest. */
export function stepUsage(step: ScriptStep, defaults: Usage): Usage {
  return { ...defaults, ...step.usage };
}

/** The step's text with the placeholder filled. */
export function stepText(step: ScriptStep, lastToolResult: string | undefined): string {
  return (step.text ?? '').split(LAST_TOOL_RESULT).join(lastToolResult ?? '');
}

/** Deterministic per script, step and call, so a retried request gets the same ids; unique across steps. */
export function scriptCallId(prefix: string, name: string, step: number, index: number): string {
  return `${prefix}${tag(name)}_s${step}_${index}`;
}

/** The opaque signature the fake issues for a step's reasoning or first call, and checks when it comes back. */
export function scriptSignature(protocol: string, name: string, step: number): string {
  return Buffer.from(`${protocol}:${name}:step-${step}:${tag(`${protocol}${name}${step}`)}`).toString('base64');
}

/** The argument text a protocol that streams text sends for a call. */
export function argumentsText(call: ScriptToolCall): string {
  return typeof call.arguments === 'string' ? call.arguments : JSON.stringify(call.arguments ?? {});
}

/** The arguments a protocol that sends them as an object sends for a call. */
export function argumentsValue(call: ScriptToolCall): unknown {
  if (typeof call.arguments !== 'string') {
    return call.arguments ?? {};
  }
  try {
    return JSON.parse(call.arguments) as unknown;
  } catch {
    return call.arguments;
  }
}

/** Splits text into `count` pieces (some possibly empty), as providers split streamed JSON arbitrarily. */
export function pieces(text: string, count = 3): string[] {
  const size = Math.ceil(text.length / count);
  return Array.from({ length: count }, (_, index) => text.slice(index * size, (index + 1) * size));
}

function tag(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 10);
}
