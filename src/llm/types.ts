/**
 * The one streaming interface every provider adapter speaks. The chat loop, runs, replay and Ask only ever see
 * these shapes, never an SDK's, so switching a session from Claude to a local Ollama model changes nothing above
 * `src/llm`.
 */

export type Role = 'user' | 'assistant' | 'tool';

export type ContentPart =
  | { type: 'text'; text: string }
  /** A call the model made; `arguments` is the JSON text the model produced (it may not parse). */
  | { type: 'tool_call'; id: string; name: string; arguments: string }
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

export interface ChatRequest {
  model: string;
  system?: string;
  messages: ChatMessage[];
  temperature?: number;
  maxTokens?: number;
  stop?: string[];
  tools?: ToolSpec[];
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
  /** A complete tool call: adapters assemble the streamed pieces before yielding it. */
  | { type: 'tool_call'; id: string; name: string; arguments: string }
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
  stream(request: ChatRequest, signal: AbortSignal): AsyncIterable<Chunk>;
  listModels(signal: AbortSignal): Promise<ModelInfo[]>;
  /** Verifies the key and endpoint with the cheapest call the provider has (a model listing where it exists). */
  test(signal: AbortSignal): Promise<ConnectionTestResult>;
}
