/**
 * The one streaming interface every provider adapter speaks. The chat loop, runs, replay and Ask only ever see
 * these shapes, never an SDK's, so switching a session from Claude to a local Ollama model changes nothing above
 * `src/llm`.
 */

import type { ProviderKind } from './endpoints';

export type Role = 'user' | 'assistant' | 'tool';

/**
 * One piece of a message. Everything is plain JSON (no undefined values from the adapters), so a part can be
 * stored as it is and sent back on the next step; every field added after the first release is optional.
 */
export type ContentPart =
  | { type: 'text'; text: string }
  /**
   * The model's reasoning, as one block: an Anthropic `thinking` block (with its `signature`), a
   * `redacted_thinking` block (`redacted` holds its opaque data, `text` is ''), or a Gemini thought (with its
   * `thoughtSignature`, where Gemini gave one). `origin` is the kind of endpoint that produced it: a signature
   * means something only to that provider, so adapters send a reasoning part back only to an endpoint of the same
   * kind and drop it otherwise (reasoning is never turned into text).
   */
  | { type: 'reasoning'; text: string; signature?: string; redacted?: string; origin?: ProviderKind }
  /**
   * A call the model made; `arguments` is the JSON text the model produced (it may not parse). `signature` is
   * Gemini's `thoughtSignature` on the functionCall part, sent back only to the `origin` kind that issued it.
   */
  | { type: 'tool_call'; id: string; name: string; arguments: string; signature?: string; origin?: ProviderKind }
  | { type: 'tool_result'; callId: string; name: string; content: string; isError?: boolean };

export interface ChatMessage {
  role: Role;
  content: ContentPart[];
}

/** A function the model may call, described by a JSON schema (an object schema). */
export interface ToolSpec {
  name: string;
  description: string;
  parameters: Record<string, unknown>;
}

/**
 * Extended thinking, for the providers that let the caller turn it on. Anthropic: `{type: 'adaptive'}`, or
 * `{type: 'enabled', budget_tokens}` with a budget; Gemini: the budget as `thinkingBudget` (Gemini thinks and
 * sends thought summaries without it). OpenAI, Azure, compatible servers and Ollama ignore it.
 */
export interface ThinkingOptions {
  /** Tokens the model may spend thinking (Anthropic: at least 1024). Without it the model decides. */
  budgetTokens?: number;
}

export interface ChatRequest {
  model: string;
  system?: string;
  messages: ChatMessage[];
  temperature?: number;
  maxTokens?: number;
  stop?: string[];
  tools?: ToolSpec[];
  /** Turns extended thinking on where the provider needs to be asked (Anthropic). */
  thinking?: ThinkingOptions;
}

/**
 * Token counts of one call, in one convention for every provider (adapters convert): `inputTokens` is the whole
 * prompt, cached parts included (as OpenAI and Gemini count; Anthropic's adapter adds its cache figures back in),
 * and `outputTokens` is everything generated, hidden reasoning included (as every provider bills it).
 */
export interface Usage {
  inputTokens: number;
  outputTokens: number;
  /** Input tokens served from the provider's prompt cache. */
  cacheReadTokens?: number;
  /** Input tokens written to the provider's prompt cache. */
  cacheWriteTokens?: number;
  /** Output tokens spent on hidden reasoning (included in outputTokens where the provider counts them so). */
  reasoningTokens?: number;
}

/**
 * Why the model stopped. `content_filter` never reaches callers of `streamChat`: it is turned into a
 * `content_filter` error, because the answer was cut short.
 */
export type FinishReason = 'stop' | 'length' | 'tool_calls' | 'content_filter' | 'other';

export type Chunk =
  | { type: 'text'; text: string }
  | { type: 'reasoning'; text: string }
  /**
   * The signature of the reasoning block just streamed; it closes that block, so the next reasoning chunk starts
   * a new one. Arrives without any reasoning text before it when the provider signs hidden thinking (Anthropic's
   * `display: 'omitted'`) or signs a text part (Gemini).
   */
  | { type: 'reasoning_signature'; signature: string }
  /** An Anthropic `redacted_thinking` block: opaque data to send back unchanged, nothing to show. */
  | { type: 'reasoning_redacted'; data: string }
  /**
   * A complete tool call: adapters assemble the streamed pieces before yielding it. `signature`: Gemini's
   * thoughtSignature on this call.
   */
  | { type: 'tool_call'; id: string; name: string; arguments: string; signature?: string }
  | { type: 'usage'; usage: Usage }
  /** The provider's final event. A stream without one is incomplete, however cleanly it ended. */
  | { type: 'finish'; reason: FinishReason };

export interface ModelInfo {
  id: string;
  /** A friendlier name when the provider gives one. */
  label?: string;
}

export interface ConnectionTestResult {
  ok: true;
  latencyMs: number;
  /** What the test proved, e.g. "key accepted, 12 models available". */
  detail: string;
}

/**
 * One provider endpoint with its key already bound. Every method throws `ProviderError` only, with the key
 * redacted from every message. `stream` is a single attempt: retries, watchdogs and the final-event check are
 * `streamChat`'s job, so that they behave the same for every provider.
 */
export interface ProviderAdapter {
  /** The endpoint's name as the user sees it, used in error messages. */
  readonly label: string;
  /** The endpoint's kind: the `origin` to give `ReplyAssembler.parts` for the answers of this adapter. */
  readonly kind?: ProviderKind;
  stream(request: ChatRequest, signal: AbortSignal): AsyncIterable<Chunk>;
  listModels(signal: AbortSignal): Promise<ModelInfo[]>;
  /** Verifies the key and endpoint with the cheapest call the provider has (a model listing where it exists). */
  test(signal: AbortSignal): Promise<ConnectionTestResult>;
}
