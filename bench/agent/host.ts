import { randomUUID } from 'node:crypto';
import { callerSite, MARK } from '../benchRuns';
import { mkdirSync, writeFileSync } from 'node:fs';
import { Session as InspectorSession } from 'node:inspector';
import path from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import type { ToolRuntime } from '../../src/core/agent/toolRuntime';
import { ChatService } from '../../src/core/chat/chatService';
import { chatRepositories, type ChatRepositories } from '../../src/core/chat/chatRepositories';
import type { ProviderAccess } from '../../src/core/chat/chatTypes';
import { systemClock, type Logger } from '../../src/core/ports';
import type { ToolDefinition } from '../../src/core/tools/toolTypes';
import { createIdFactory } from '../../src/db/ids';
import type { Agent } from '../../src/db/repositories/agents';
import type { JsonObject, JsonValue } from '../../src/db/repositories/rows';
import type { Session } from '../../src/db/repositories/sessions';
import { loadSqlJs } from '../../src/db/sqlJs';
import type { Store } from '../../src/db/store';
import { openStudioStore } from '../../src/db/studioStore';
import type { EndpointConfig } from '../../src/llm/endpoints';
import { createAdapter } from '../../src/llm/providerFactory';
import type { ChatRequest, ProviderAdapter } from '../../src/llm/types';
import { createNodeToolRuntime } from '../../src/node/nodeToolRuntime';
import { createNodeWorkspace } from '../../src/node/nodeWorkspace';
import { findRipgrep } from '../../src/node/ripgrep';

/**
 * The extension host as the benchmark assembles it, in plain Node: the real ChatService and agent loop on the
 * real durable store (openStudioStore in a temp dir: journal, checkpoints on a worker, the idle text indexer),
 * the real OpenAI adapter built per turn (as VscodeProviderAccess does) against the scripted fake in another
 * process, and the Node tool runtime over a real folder with VS Code's ripgrep. A listener serializes every
 * change the way the chat panel's host posts it to the webview.
 *
 * Two thin timers are the benchmark's own: they only read performance.now() around the adapter's stream and each
 * tool's run, to cross-check the events' rounded durationMs.
 */

export const repoRoot = path.resolve(__dirname, '../../..');
export const BENCH_KEY = 'sk-bench-loopback-only';
const wasmPath = path.join(repoRoot, 'node_modules', 'sql.js', 'dist', 'sql-wasm.wasm');
const workerPath = path.join(repoRoot, 'out', 'src', 'db', 'checkpointWorker.js');

/** The rg code-server ships (installed by scripts/host/install.mjs), as the unit tests find it. */
export function benchRipgrep(): string {
  const appRoot = path.join(repoRoot, '.vscode-test/code-server/node_modules/code-server/lib/vscode');
  const rg = findRipgrep(appRoot);
  if (rg === undefined) {
    throw new Error(`ripgrep was not found under ${appRoot}: run \`node scripts/host/install.mjs\` first`);
  }
  return rg;
}

export interface BenchHostOptions {
  origin: string;
  /** Temp dir of this host: the store, blobs and output temp files go under it. */
  dir: string;
  workspaceFolder: string;
  model: string;
  tools: JsonValue[];
  params?: JsonObject;
}

export interface BenchHost {
  store: Store;
  service: ChatService;
  repos: ChatRepositories;
  runtime: ToolRuntime;
  agent: Agent;
  session: Session;
  blobsDir: string;
  /**
   * Adapter stream (open to last chunk), tool run and store transaction times, in call order, from
   * performance.now(); the last request.
   */
  timed: Timed;
  /** What the panel host would have serialized for webview.postMessage. */
  posted: { messages: number; chars: number };
  errors: string[];
  close(): Promise<void>;
}

export async function openBenchHost(options: BenchHostOptions): Promise<BenchHost> {
  const errors: string[] = [];
  const SQL = await loadSqlJs(wasmPath);
  const storeDir = path.join(options.dir, 'store');
  mkdirSync(storeDir, { recursive: true });
  const store = await openStudioStore({ dir: storeDir, SQL, wasmPath, workerPath, onError: (e) => errors.push(`store: ${e.message}`) });
  const log: Logger = {
    trace: () => undefined,
    debug: () => undefined,
    info: () => undefined,
    warn: (m) => errors.push(m),
    error: (m) => errors.push(String(m)),
  };
  const timed: Timed = { modelMs: [], toolMs: [], storeWriteMs: [], storeWriteSites: [] };
  // Every transaction, timed from the call (the mutex wait included) to durable, with the product function that
  // asked for it: where the loop's time goes.
  const write = store.write.bind(store);
  store.write = async (fn, options) => {
    // Group-committed writes (flushed by the next durable one) are listed apart.
    const site = options?.durability === 'withNext' ? `${callerSite()} (flushed with the next)` : callerSite();
    const started = performance.now();
    try {
      return await write(fn, options);
    } finally {
      timed.storeWriteMs.push(performance.now() - started);
      timed.storeWriteSites.push(site);
    }
  };
  const endpoint: EndpointConfig = {
    id: 'bench-openai',
    kind: 'openai',
    label: 'Bench OpenAI',
    baseUrl: `${options.origin}/v1`,
    watchdogs: { firstByteMs: 30_000, idleMs: 30_000 },
  };
  const providers: ProviderAccess = {
    open: () => {
      const opened = performance.now();
      return Promise.resolve({ adapter: timedAdapter(createAdapter(endpoint, BENCH_KEY), opened, timed), endpoint, priceOverrides: [] });
    },
  };
  const blobsDir = path.join(options.dir, 'blobs');
  const inner = createNodeToolRuntime({
    workspace: createNodeWorkspace({ folders: [options.workspaceFolder], trusted: true, ripgrep: benchRipgrep() }),
    blobsDir,
    tempDir: path.join(options.dir, 'outputs-tmp'),
  });
  const runtime: ToolRuntime = { ...inner, tools: inner.tools.map((tool) => timedTool(tool, timed.toolMs)) };
  const newId = createIdFactory(systemClock);
  const service = new ChatService({ store, clock: systemClock, log, providers, windowId: randomUUID(), newId, tools: runtime });
  await service.markInterrupted();
  const repos = chatRepositories(store, systemClock, newId);
  const agent = await repos.agents.create({
    name: 'Bench agent',
    provider: endpoint.id,
    model: options.model,
    systemPrompt: 'You are a careful coding agent.',
    params: { maxTokens: 1024, ...options.params },
    tools: options.tools,
  });
  const session = await repos.sessions.create({ agentId: agent.id });
  const posted = { messages: 0, chars: 0 };
  service.onDidChange((change) => {
    posted.messages += 1;
    posted.chars += JSON.stringify({ kind: 'event', event: change.event }).length;
  });
  return {
    store,
    service,
    repos,
    runtime,
    agent,
    session,
    blobsDir,
    timed,
    posted,
    errors,
    close: async () => {
      await service.shutdown();
      service.dispose();
      await store.close();
    },
  };
}

interface Timed {
  modelMs: number[];
  toolMs: number[];
  storeWriteMs: number[];
  /** For each transaction, the first src/core function on its stack (file:function). */
  storeWriteSites: string[];
  lastRequest?: ChatRequest;
}


function timedAdapter(adapter: ProviderAdapter, opened: number, into: Timed): ProviderAdapter {
  return {
    label: adapter.label,
    ...(adapter.kind === undefined ? {} : { kind: adapter.kind }),
    listModels: (signal) => adapter.listModels(signal),
    test: (signal) => adapter.test(signal),
    async *stream(request, signal) {
      into.lastRequest = request;
      try {
        for await (const chunk of adapter.stream(request, signal)) {
          yield chunk;
        }
      } finally {
        into.modelMs.push(performance.now() - opened);
      }
    },
  };
}

function timedTool(tool: ToolDefinition, into: number[]): ToolDefinition {
  return {
    ...tool,
    run: async (args, plan, context) => {
      const started = performance.now();
      try {
        return await tool.run(args, plan, context);
      } finally {
        into.push(performance.now() - started);
      }
    },
  };
}

/** Every built-in tool the bench uses, in auto mode: no approval waits inside the measured figures. */
export function autoTools(names: readonly string[]): JsonValue[] {
  return names.map((name) => ({ name, mode: 'auto' }));
}

/**
 * The longest event-loop delay while `run` runs (monitorEventLoopDelay, 1 ms resolution), in ms; and, from a
 * 10 ms interval probe (coarse, so it adds little work to what it measures), the longest gap between two ticks
 * with the CPU time this process used in it. A gap mostly spent on the CPU is our own long task; one with little
 * CPU is the OS running others (a shared machine).
 */
export async function withLoopDelay<T>(run: () => Promise<T>): Promise<{ value: T; maxMs: number; p99Ms: number; longest: { gapMs: number; cpuMs: number } }> {
  const delay = monitorEventLoopDelay({ resolution: 1 });
  const longest = { gapMs: 0, cpuMs: 0 };
  let last = performance.now();
  let cpu = process.cpuUsage();
  const probe = setInterval(() => {
    const now = performance.now();
    const used = process.cpuUsage(cpu);
    if (now - last > longest.gapMs) {
      longest.gapMs = now - last;
      longest.cpuMs = (used.user + used.system) / 1000;
    }
    last = now;
    cpu = process.cpuUsage();
  }, 10);
  delay.enable();
  try {
    const value = await run();
    return { value, maxMs: delay.max / 1e6, p99Ms: delay.percentile(99) / 1e6, longest };
  } finally {
    delay.disable();
    clearInterval(probe);
  }
}

/** The same probe on an idle loop, for scale on a shared machine. */
export async function idleLoopDelay(ms: number): Promise<number> {
  const { maxMs } = await withLoopDelay(() => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  return maxMs;
}

/**
 * BENCH_PROFILE_DIR: a CPU profile of a part's measured turn alone (no workspace writing, store opening or warm-up),
 * written there as <part>-<pid>.cpuprofile for DevTools or speedscope.
 */
export async function startProfile(name: string): Promise<{ stop(): Promise<void> } | undefined> {
  const dir = process.env.BENCH_PROFILE_DIR;
  if (!dir) {
    return undefined;
  }
  const session = new InspectorSession();
  session.connect();
  const post = (method: string, params: object = {}) =>
    new Promise<unknown>((resolve, reject) => session.post(method, params, (err, result) => (err ? reject(err) : resolve(result))));
  await post('Profiler.enable');
  await post('Profiler.setSamplingInterval', { interval: 200 });
  await post('Profiler.start');
  return {
    stop: async () => {
      const { profile } = (await post('Profiler.stop')) as { profile: unknown };
      mkdirSync(dir, { recursive: true });
      writeFileSync(path.join(dir, `${name}-${process.pid}.cpuprofile`), JSON.stringify(profile));
      session.disconnect();
    },
  };
}

export { MARK };

export function report(result: unknown): void {
  console.log(`${MARK}${JSON.stringify(result)}`);
}
