import { randomUUID } from 'node:crypto';
import { callerSite } from '../benchRuns';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { batchResultsTable } from '../../src/core/batch/batchResults';
import { readBatchSpec } from '../../src/core/batch/batchPlan';
import { parseDataset } from '../../src/core/batch/dataset';
import type { ResultsTable } from '../../src/core/batch/results';
import { ChatService } from '../../src/core/chat/chatService';
import { chatRepositories } from '../../src/core/chat/chatRepositories';
import type { ProviderAccess } from '../../src/core/chat/chatTypes';
import { systemClock, type Logger } from '../../src/core/ports';
import { RunService } from '../../src/core/runs/runService';
import { createIdFactory } from '../../src/db/ids';
import type { Agent } from '../../src/db/repositories/agents';
import { RunsRepository, type RunItemStatus } from '../../src/db/repositories/runs';
import { loadSqlJs } from '../../src/db/sqlJs';
import { openStudioStore } from '../../src/db/studioStore';
import type { EndpointConfig } from '../../src/llm/endpoints';
import { createAdapter } from '../../src/llm/providerFactory';
import { modelForScript } from '../../test/fakes/providers/fakeScripts';
import { BENCH_KEY, repoRoot, withLoopDelay } from '../agent/host';
import { CONCURRENCY, datasetJsonl, SOURCE, SYSTEM_PROMPT, type BenchAgentSpec } from './workload';

/**
 * Part 1: the batch in the extension host, assembled in plain Node as composeRuns and composeSessions do: the
 * durable store (openStudioStore in a temp dir: journal, checkpoints on a worker, the idle text indexer), the real
 * ChatService and RunService on it (the store's own change events, the run settings' defaults: two runs at a time,
 * the default budget), the real OpenAI adapter built per turn (as VscodeProviderAccess does) against the fake in
 * its own process. What a window does on every run change with no panel open is kept too: the end notifier reads
 * the run (RunService.get), and the Runs view re-reads its rows (RunService.list, 1,000 runs) 150 ms after a
 * change. The JSONL dataset is parsed as the Start Batch command parses it.
 *
 * Measured from startBatch to the run ending completed: the wall time, the longest event-loop delay
 * (monitorEventLoopDelay, 1 ms resolution), and the host's CPU (process.cpuUsage: every thread of the process,
 * the checkpoint worker's too) and main-thread busy time (event-loop utilization) per item. Then the results
 * table is built from the run's items as the results panel's host builds it, and saved for part 2.
 *
 * The benchmark's own addition is one thin wrapper on store.write: it counts and times each transaction (from the
 * call to durable, the mutex wait included) and names the src/core function that asked (a short stack capture,
 * some 8,000 of them over the batch: well under a second of CPU).
 */

const wasmPath = path.join(repoRoot, 'node_modules', 'sql.js', 'dist', 'sql-wasm.wasm');
const workerPath = path.join(repoRoot, 'out', 'src', 'db', 'checkpointWorker.js');
/** The budget Start Batch passes (readRunSettings' defaults). */
const DEFAULT_BUDGET = { steps: 30, tokens: 1_000_000, costUsd: 1, minutes: 30 };
const RUNS_VIEW_REFRESH_MS = 150;
const ENDED = new Set(['completed', 'failed', 'cancelled']);
/** BENCH_WINDOW_LISTENERS=0 leaves out the end notifier and the Runs view (to see what they cost). */
export const WINDOW_LISTENERS = process.env.BENCH_WINDOW_LISTENERS !== '0';

export interface BatchResult {
  wallMs: number;
  /** Run items: dataset items × columns. */
  items: number;
  itemsPerSec: number;
  loopMaxMs: number;
  loopP99Ms: number;
  longestGap: { gapMs: number; cpuMs: number };
  cpuPerItemMs: number;
  busyPerItemMs: number;
  /** Store transactions over the batch, and their time from the call to durable (mutex wait included). */
  storeWrites: number;
  storeWriteMs: number;
  /** Time at least one store transaction was under way or waiting for the mutex. */
  storeBusyMs: number;
  /** Store transactions over the batch by the first src/core function that asked, per run item. */
  storeSites: { site: string; perItem: number }[];
  /** startBatch alone: the plan and its one transaction of 2,000 items. */
  startBatchMs: number;
  /** The longest event-loop delay once startBatch had returned (the batch running). */
  steadyLoopMaxMs: number;
  status: string;
  counts: Partial<Record<RunItemStatus, number>>;
  passed: number;
  failed: number;
  /** batchResultsTable on the run's items, and JSON.stringify of it. */
  tableBuildMs: number;
  tableJsonMs: number;
  tableKb: number;
  runsViewRefreshes: number;
  /** RunService change events over the batch. */
  runChanges: number;
  /** RunService.get on the finished batch (mean of 10), ms. */
  getMs: number;
  windowListeners: boolean;
  errors: string[];
}

export async function measureBatch(origin: string, agents: readonly BenchAgentSpec[], tableFile: string): Promise<BatchResult> {
  const errors: string[] = [];
  const root = mkdtempSync(path.join(os.tmpdir(), 'ais-bench-batch-'));
  const storeDir = path.join(root, 'store');
  mkdirSync(storeDir, { recursive: true });
  const SQL = await loadSqlJs(wasmPath);
  const store = await openStudioStore({ dir: storeDir, SQL, wasmPath, workerPath, onError: (e) => errors.push(`store: ${e.message}`) });
  // Writes are serialized (one mutex, one journal): `busyMs` is the time at least one was under way or waiting,
  // so busyMs close to the wall time says the store is what the batch queues on.
  const writes = { count: 0, ms: 0, inFlight: 0, busySince: 0, busyMs: 0, sites: new Map<string, number>() };
  const write = store.write.bind(store);
  store.write = async (fn, options) => {
    const started = performance.now();
    const site = options?.durability === 'withNext' ? `${callerSite()} (flushed with the next)` : callerSite();
    writes.sites.set(site, (writes.sites.get(site) ?? 0) + 1);
    if (writes.inFlight++ === 0) {
      writes.busySince = started;
    }
    try {
      return await write(fn, options);
    } finally {
      const now = performance.now();
      writes.count++;
      writes.ms += now - started;
      if (--writes.inFlight === 0) {
        writes.busyMs += now - writes.busySince;
      }
    }
  };
  const log: Logger = {
    trace: () => undefined,
    debug: () => undefined,
    info: () => undefined,
    warn: (m) => errors.push(m),
    error: (m) => errors.push(String(m)),
  };
  const endpoint: EndpointConfig = {
    id: 'bench-openai',
    kind: 'openai',
    label: 'Bench OpenAI',
    baseUrl: `${origin}/v1`,
    watchdogs: { firstByteMs: 30_000, idleMs: 30_000 },
  };
  const providers: ProviderAccess = { open: () => Promise.resolve({ adapter: createAdapter(endpoint, BENCH_KEY), endpoint, priceOverrides: [] }) };
  const windowId = randomUUID();
  const newId = createIdFactory(systemClock);
  const chat = new ChatService({ store, clock: systemClock, log, providers, windowId, newId });
  const runs = new RunService({ store, storeChanges: store, chat, clock: systemClock, log, windowId, newId, maxConcurrent: () => 2, assertionPorts: () => ({}) });
  try {
    await chat.markInterrupted();
    const repos = chatRepositories(store, systemClock, newId);
    const created: Agent[] = [];
    for (const agent of agents) {
      created.push(await repos.agents.create({ name: agent.name, provider: endpoint.id, model: modelForScript(agent.script), systemPrompt: SYSTEM_PROMPT, tools: [] }));
    }
    const parsed = parseDataset(SOURCE, datasetJsonl());
    if (!parsed.ok) {
      throw new Error(`the dataset was refused: ${JSON.stringify(parsed.errors.slice(0, 3))}`);
    }

    let runId: string | undefined;
    let ended: (status: string) => void = () => undefined;
    const end = new Promise<string>((resolve) => (ended = resolve));
    let refresh: ReturnType<typeof setTimeout> | undefined;
    let runsViewRefreshes = 0;
    let runChanges = 0;
    let poll: ReturnType<typeof setInterval> | undefined;
    const ifEnded = (id: string | undefined, status: string | undefined) => {
      if (runId !== undefined && id === runId && status !== undefined && ENDED.has(status)) {
        ended(status);
      }
    };
    runs.onDidChange((change) => {
      runChanges++;
      if (!WINDOW_LISTENERS) {
        return;
      }
      // The end notifier: reads the run that changed.
      ifEnded(change.runId, change.runId === undefined ? undefined : runs.get(change.runId)?.run.status);
      // The Runs view: re-reads its rows a moment after a change.
      refresh ??= setTimeout(() => {
        refresh = undefined;
        runsViewRefreshes++;
        runs.list({ limit: 1000 });
      }, RUNS_VIEW_REFRESH_MS);
    });
    if (!WINDOW_LISTENERS) {
      // Without them, the run's row alone is looked at (one primary-key read every 20 ms).
      const rows = new RunsRepository(store, systemClock, newId);
      poll = setInterval(() => ifEnded(runId, runId === undefined ? undefined : rows.get(runId)?.status), 20);
    }

    const measured = await withLoopDelay(async () => {
      const cpu = process.cpuUsage();
      const elu = performance.eventLoopUtilization();
      const started = performance.now();
      const writesBefore = { ...writes };
      writes.sites.clear();
      const run = await runs.startBatch({ source: SOURCE, dataset: parsed.dataset, columns: created.map((agent) => ({ agentId: agent.id })), concurrency: CONCURRENCY, budget: DEFAULT_BUDGET });
      runId = run.id;
      const startBatchMs = performance.now() - started;
      // The same delay from here on: the batch running, without startBatch's one transaction of 2,000 items.
      const steady = monitorEventLoopDelay({ resolution: 1 });
      steady.enable();
      const status = await end;
      steady.disable();
      const wallMs = performance.now() - started;
      const used = process.cpuUsage(cpu);
      const busy = performance.eventLoopUtilization(elu);
      return { run, status, wallMs, cpuMs: (used.user + used.system) / 1000, busyMs: busy.active, writes: writes.count - writesBefore.count, writeMs: writes.ms - writesBefore.ms, storeBusyMs: writes.busyMs - writesBefore.busyMs, startBatchMs, steadyMaxMs: steady.max / 1e6 };
    });
    await runs.whenDone(measured.value.run.id);
    clearTimeout(refresh);
    clearInterval(poll);

    // What one read of the finished batch costs (the end notifier's, per change; the Runs view's, per run).
    const gets = performance.now();
    for (let i = 0; i < 10; i++) {
      runs.get(measured.value.run.id);
    }
    const getMs = (performance.now() - gets) / 10;
    const details = runs.get(measured.value.run.id);
    const spec = readBatchSpec(details?.run.spec ?? null);
    if (spec === undefined) {
      throw new Error("the batch's spec cannot be read back");
    }
    const items = runs.items(measured.value.run.id);
    const built = performance.now();
    const table: ResultsTable = batchResultsTable(spec, items);
    const tableBuildMs = performance.now() - built;
    const serialized = performance.now();
    const json = JSON.stringify(table);
    const tableJsonMs = performance.now() - serialized;
    writeFileSync(tableFile, json);
    const cells = table.rows.flatMap((row) => row.cells);
    const { wallMs, cpuMs, busyMs } = measured.value;
    return {
      wallMs,
      items: items.length,
      itemsPerSec: items.length / (wallMs / 1000),
      loopMaxMs: measured.maxMs,
      loopP99Ms: measured.p99Ms,
      longestGap: measured.longest,
      cpuPerItemMs: cpuMs / items.length,
      busyPerItemMs: busyMs / items.length,
      storeWrites: measured.value.writes,
      storeWriteMs: measured.value.writeMs,
      storeBusyMs: measured.value.storeBusyMs,
      storeSites: [...writes.sites].sort((a, b) => b[1] - a[1]).map(([site, count]) => ({ site, perItem: count / items.length })),
      startBatchMs: measured.value.startBatchMs,
      steadyLoopMaxMs: measured.value.steadyMaxMs,
      status: measured.value.status,
      counts: details?.batch?.counts ?? {},
      passed: cells.filter((cell) => cell.status === 'pass').length,
      failed: cells.filter((cell) => cell.status === 'fail').length,
      tableBuildMs,
      tableJsonMs,
      tableKb: json.length / 1024,
      runsViewRefreshes,
      runChanges,
      getMs,
      windowListeners: WINDOW_LISTENERS,
      errors: errors.slice(0, 5),
    };
  } finally {
    await runs.shutdown();
    await chat.shutdown();
    chat.dispose();
    await store.close();
    rmSync(root, { recursive: true, force: true });
  }
}

