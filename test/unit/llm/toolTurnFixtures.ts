import { createAnthropicAdapter } from '../../../src/llm/adapters/anthropic';
import { createGeminiAdapter } from '../../../src/llm/adapters/gemini';
import { createOllamaAdapter } from '../../../src/llm/adapters/ollama';
import { createOpenAiAdapter } from '../../../src/llm/adapters/openai';
import { ReplyAssembler } from '../../../src/llm/assemble';
import { defaultWatchdogs, type EndpointConfig, type ProviderKind } from '../../../src/llm/endpoints';
import { streamChat } from '../../../src/llm/streamChat';
import type { ChatMessage, ChatRequest, ContentPart, ProviderAdapter, ToolSpec } from '../../../src/llm/types';
import { anthropicProtocol } from '../../fakes/providers/anthropicProtocol';
import { SENTINEL_KEY, type ProtocolHandler, type RecordedRequest } from '../../fakes/providers/fakeServer';
import type { ScriptStep } from '../../fakes/providers/fakeScripts';
import { geminiProtocol } from '../../fakes/providers/geminiProtocol';
import { ollamaProtocol } from '../../fakes/providers/ollamaProtocol';
import { openAiProtocol } from '../../fakes/providers/openaiProtocol';

/** What the multi-step tool tests share: the script, the tools, a tiny agent loop, one fixture per endpoint kind. */

export const ASK = 'The parser test fails. Fix it.';

export const STEPS: ScriptStep[] = [
  {
    reasoning: 'The parser test fails; I need the parser and its test first.',
    redacted: 'EmwKAhgBEgy0pXxRedactedThinkingData',
    toolCalls: [
      { name: 'read_file', arguments: { path: 'src/parser.ts' } },
      { name: 'read_file', arguments: { path: 'test/parser.test.ts' } },
    ],
  },
  { reasoning: 'Line 12 is off by one. Run the test again.', toolCalls: [{ name: 'run_tests', arguments: { filter: 'parser', bail: true } }] },
  { text: 'Fixed. The test run says: {{lastToolResult}}' },
];

export const TOOLS: ToolSpec[] = [
  { name: 'read_file', description: 'Reads a file', parameters: { type: 'object', properties: { path: { type: 'string' } }, required: ['path'] } },
  { name: 'run_tests', description: 'Runs tests', parameters: { type: 'object', properties: { filter: { type: 'string' }, bail: { type: 'boolean' } } } },
];

export const TEST_RUN = 'parser: 3 passed, 0 failed';

/** The workspace's answer to each call, as the agent loop would send it. */
export function toolResultFor(name: string, argumentsText: string): string {
  const args = JSON.parse(argumentsText) as { path?: string };
  return name === 'read_file' ? `// contents of ${args.path ?? '?'}\nexport const answer = 42;` : TEST_RUN;
}

export interface KindFixture {
  kind: ProviderKind;
  handler: ProtocolHandler;
  adapter(origin: string): ProviderAdapter;
  isChat(request: RecordedRequest): boolean;
}

const base = (kind: ProviderKind, origin: string): EndpointConfig => ({ id: kind, kind, label: kind, baseUrl: origin, watchdogs: defaultWatchdogs(kind) });
const chatCompletions = (request: RecordedRequest) => request.method === 'POST' && /\/chat\/completions(\?|$)/.test(request.url);

export const FIXTURES: KindFixture[] = [
  {
    kind: 'anthropic',
    handler: anthropicProtocol,
    adapter: (origin) => createAnthropicAdapter(base('anthropic', origin), SENTINEL_KEY),
    isChat: (request) => request.method === 'POST' && request.url.startsWith('/v1/messages'),
  },
  { kind: 'openai', handler: openAiProtocol, adapter: (origin) => createOpenAiAdapter(base('openai', `${origin}/v1`), SENTINEL_KEY), isChat: chatCompletions },
  {
    kind: 'azure-openai',
    handler: openAiProtocol,
    adapter: (origin) =>
      createOpenAiAdapter({ ...base('azure-openai', origin), azure: { endpoint: origin, deployment: 'agent-deployment', apiVersion: '2024-10-21' } }, SENTINEL_KEY),
    isChat: chatCompletions,
  },
  {
    kind: 'openai-compatible',
    handler: openAiProtocol,
    adapter: (origin) => createOpenAiAdapter({ ...base('openai-compatible', `${origin}/v1`), id: 'openai-compatible:vllm' }, undefined),
    isChat: chatCompletions,
  },
  {
    kind: 'gemini',
    handler: geminiProtocol,
    adapter: (origin) => createGeminiAdapter(base('gemini', origin), SENTINEL_KEY),
    isChat: (request) => request.method === 'POST' && request.url.includes(':streamGenerateContent'),
  },
  { kind: 'ollama', handler: ollamaProtocol, adapter: (origin) => createOllamaAdapter(base('ollama', origin), undefined), isChat: (request) => request.url === '/api/chat' },
];

const watchdogs = { firstByteMs: 3_000, idleMs: 3_000 };

/** One step: the model's answer, assembled as the agent loop stores it (through JSON, as the store keeps it). */
export async function step(adapter: ProviderAdapter, kind: ProviderKind, request: ChatRequest): Promise<ReplyAssembler & { stored: ContentPart[] }> {
  const reply = new ReplyAssembler();
  for await (const chunk of streamChat(adapter, request, { watchdogs, retry: { baseDelayMs: 1 } })) {
    reply.add(chunk);
  }
  return Object.assign(reply, { stored: JSON.parse(JSON.stringify(reply.parts(kind))) as ContentPart[] });
}

/** The results of a step's calls, as one tool message (parallel calls' results together). */
export function resultsOf(reply: ReplyAssembler): ChatMessage {
  return {
    role: 'tool',
    content: reply.toolCalls.map((call) => ({ type: 'tool_result', callId: call.id, name: call.name, content: toolResultFor(call.name, call.arguments) })),
  };
}

export interface LoopOutcome {
  finalText: string;
  /** The stored assistant parts of each step. */
  steps: ContentPart[][];
  messages: ChatMessage[];
}

/** A tiny agent loop: ask, run the calls, send the results back, until the model answers with text only. */
export async function runLoop(adapter: ProviderAdapter, kind: ProviderKind, model: string): Promise<LoopOutcome> {
  const messages: ChatMessage[] = [{ role: 'user', content: [{ type: 'text', text: ASK }] }];
  const steps: ContentPart[][] = [];
  for (let turn = 0; turn < STEPS.length + 1; turn++) {
    const reply = await step(adapter, kind, { model, messages: [...messages], tools: TOOLS, thinking: {} });
    steps.push(reply.stored);
    messages.push({ role: 'assistant', content: reply.stored });
    if (reply.toolCalls.length === 0) {
      return { finalText: reply.text, steps, messages };
    }
    messages.push(resultsOf(reply));
  }
  throw new Error('the loop did not end');
}
