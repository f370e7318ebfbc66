import { ChatService } from '../../../../src/core/chat/chatService';
import { chatRepositories, type ChatRepositories } from '../../../../src/core/chat/chatRepositories';
import type { ChatChange, ChatTiming, ProviderAccess, ProviderConnection } from '../../../../src/core/chat/chatTypes';
import type { Clock, Logger } from '../../../../src/core/ports';
import { createIdFactory } from '../../../../src/db/ids';
import type { Agent } from '../../../../src/db/repositories/agents';
import type { Session } from '../../../../src/db/repositories/sessions';
import type { JsonObject, JsonValue } from '../../../../src/db/repositories/rows';
import type { ToolRuntime } from '../../../../src/core/agent/toolRuntime';
import { createOpenAiAdapter } from '../../../../src/llm/adapters/openai';
import type { EndpointConfig } from '../../../../src/llm/endpoints';
import { ProviderError } from '../../../../src/llm/errors';
import type { PriceOverride } from '../../../../src/llm/pricing';
import { type FakeProviderServer, SENTINEL_KEY, type RecordedRequest } from '../../../fakes/providers/fakeServer';
import { isOpenAiChatRequest } from '../../../fakes/providers/openaiProtocol';
import { ManualClock, openMemoryStore, type MemoryStore } from '../../db/support/memoryStore';

/**
 * A chat service on an in-memory sql.js store, streaming through the real OpenAI SDK adapter from the loopback
 * fake that speaks OpenAI's wire protocol. The fake's scenario is the model name (`fake-ok`, `fake-slow`, ...).
 */

export const NO_KEY_PROVIDER = 'nokey';
export const SYSTEM_PROMPT = 'You are terse.';

/** Opens the fake as an OpenAI endpoint; `nokey` fails like an endpoint whose key was never set. */
export class FakeProviders implements ProviderAccess {
  priceOverrides: PriceOverride[] = [];
  /** Changes what pricing sees of the endpoint (its kind and address), not where requests go. */
  pricedAs: Partial<EndpointConfig> = {};
  readonly opened: string[] = [];

  constructor(private readonly server: FakeProviderServer) {}

  open(providerId: string): Promise<ProviderConnection> {
    this.opened.push(providerId);
    if (providerId === NO_KEY_PROVIDER) {
      return Promise.reject(
        new ProviderError({ kind: 'auth', provider: 'OpenAI', message: 'OpenAI needs an API key. Set one with "AI Studio: Set API Key".' }),
      );
    }
    const endpoint: EndpointConfig = {
      id: providerId,
      kind: 'openai',
      label: 'Fake OpenAI',
      baseUrl: `${this.server.origin}/v1`,
      watchdogs: { firstByteMs: 3_000, idleMs: 3_000 },
    };
    return Promise.resolve({
      adapter: createOpenAiAdapter(endpoint, SENTINEL_KEY),
      endpoint: { ...endpoint, ...this.pricedAs },
      priceOverrides: this.priceOverrides,
    });
  }
}

export const silentLog: Logger & { lines: string[] } = {
  lines: [],
  trace: () => undefined,
  debug: () => undefined,
  info(message) {
    this.lines.push(message);
  },
  warn(message) {
    this.lines.push(message);
  },
  error(message) {
    this.lines.push(String(message));
  },
};

export interface Harness {
  store: MemoryStore;
  clock: ManualClock;
  repos: ChatRepositories;
  providers: FakeProviders;
  service: ChatService;
  agent: Agent;
  session: Session;
  changes: ChatChange[];
}

export interface HarnessOptions {
  model?: string;
  provider?: string;
  windowId?: string;
  timing?: Partial<ChatTiming>;
  clock?: Clock;
  store?: MemoryStore;
  /** What agents act with; without it agents only talk. */
  tools?: ToolRuntime;
  /** The agent's tool entries (AgentConfig.tools) and extra params (e.g. limits). */
  agentTools?: JsonValue[];
  agentParams?: JsonObject;
}

export async function openHarness(server: FakeProviderServer, options: HarnessOptions = {}): Promise<Harness> {
  const store = options.store ?? (await openMemoryStore());
  const clock = new ManualClock();
  const effectiveClock = options.clock ?? clock;
  const newId = createIdFactory(effectiveClock);
  const repos = chatRepositories(store, effectiveClock, newId);
  const providers = new FakeProviders(server);
  const service = new ChatService({
    store,
    clock: effectiveClock,
    log: silentLog,
    providers,
    windowId: options.windowId ?? 'window-test',
    newId,
    ...(options.timing ? { timing: options.timing } : {}),
    ...(options.tools ? { tools: options.tools } : {}),
  });
  const agent = await repos.agents.create({
    name: 'Tester',
    provider: options.provider ?? 'fake-openai',
    model: options.model ?? 'fake-ok',
    systemPrompt: SYSTEM_PROMPT,
    params: { temperature: 0.3, maxTokens: 256, stop: ['END'], ...options.agentParams },
    ...(options.agentTools ? { tools: options.agentTools } : {}),
  });
  const session = await repos.sessions.create({ agentId: agent.id });
  const changes: ChatChange[] = [];
  service.onDidChange((change) => changes.push(change));
  return { store, clock, repos, providers, service, agent, session, changes };
}

/** The chat requests the fake received, as parsed JSON bodies. */
export function chatBodies(server: FakeProviderServer): ChatBody[] {
  return server.requests.filter((request: RecordedRequest) => isOpenAiChatRequest(request)).map((request) => request.body as ChatBody);
}

export interface ChatBody {
  model: string;
  messages: { role: string; content: unknown }[];
  temperature?: number;
  max_completion_tokens?: number;
  stop?: string[];
}

/** Role and text of each message the provider was sent. */
export function sentMessages(body: ChatBody): string[] {
  return body.messages.map((message) => `${message.role}: ${textOfContent(message.content)}`);
}

function textOfContent(content: unknown): string {
  if (typeof content === 'string') {
    return content;
  }
  return Array.isArray(content) ? content.map((part: { text?: string }) => part.text ?? '').join('') : '';
}

/** Resolves once `predicate` holds for a change, checking those already seen first. */
export function nextChange(harness: Harness, predicate: (change: ChatChange) => boolean, timeoutMs = 5_000): Promise<ChatChange> {
  const seen = harness.changes.find(predicate);
  if (seen) {
    return Promise.resolve(seen);
  }
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      subscription.dispose();
      reject(new Error('The expected chat change never came'));
    }, timeoutMs);
    const subscription = harness.service.onDidChange((change) => {
      if (predicate(change)) {
        clearTimeout(timer);
        subscription.dispose();
        resolve(change);
      }
    });
  });
}

/** The streamed text of a message, checking that each text delta's offset is where the text so far ends. */
export function deltasOf(harness: Harness, messageId: string): string {
  let text = '';
  for (const { event } of harness.changes) {
    if (event.method === 'chat/delta' && event.params.id === messageId && event.params.text !== undefined) {
      if (event.params.offset !== text.length) {
        throw new Error(`a delta at offset ${event.params.offset} after ${text.length} characters`);
      }
      text += event.params.text;
    }
  }
  return text;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
