import { ChatService } from '../../../../src/core/chat/chatService';
import { chatRepositories, type ChatRepositories } from '../../../../src/core/chat/chatRepositories';
import type { ChatChange } from '../../../../src/core/chat/chatTypes';
import type { Clock } from '../../../../src/core/ports';
import { RunService, type RunDetails, type RunTiming, type StoreChanges } from '../../../../src/core/runs/runService';
import type { ToolRuntime } from '../../../../src/core/agent/toolRuntime';
import type { StorePort } from '../../../../src/db/repositories/storePort';
import type { Store } from '../../../../src/db/store';
import { openStudioStore } from '../../../../src/db/studioStore';
import type { PendingView } from '../../../../src/protocol/chatTools';
import type { FakeProviderServer } from '../../../fakes/providers/fakeServer';
import { FakeProviders, silentLog } from '../chat/chatHarness';
import { sqlJs, wasmPath, workerPath } from '../../db/support/engine';

/**
 * One VS Code window as far as runs go: the real chat service and run service on a store (in memory, or the
 * durable one in a folder that several windows share), the real OpenAI SDK against the scripted loopback fake.
 */
export interface RunWindow {
  repos: ChatRepositories;
  chat: ChatService;
  runs: RunService;
  changes: ChatChange[];
}

export interface WindowOptions {
  windowId: string;
  clock: Clock;
  tools?: ToolRuntime;
  maxConcurrent?: number;
  timing?: Partial<RunTiming>;
  /** The store's change events: the durable store's own, or none for the in-memory one. */
  storeChanges?: StoreChanges;
}

export const noStoreChanges: StoreChanges = { onDidChange: () => ({ dispose: () => undefined }) };

export function openWindow(server: FakeProviderServer, store: StorePort, options: WindowOptions): RunWindow {
  const { windowId, clock } = options;
  const chat = new ChatService({ store, clock, log: silentLog, providers: new FakeProviders(server), windowId, ...(options.tools ? { tools: options.tools } : {}) });
  const runs = new RunService({
    store,
    storeChanges: options.storeChanges ?? noStoreChanges,
    chat,
    clock,
    log: silentLog,
    windowId,
    maxConcurrent: () => options.maxConcurrent ?? 3,
    ...(options.timing ? { timing: options.timing } : {}),
  });
  const changes: ChatChange[] = [];
  chat.onDidChange((change) => changes.push(change));
  return { repos: chatRepositories(store, clock), chat, runs, changes };
}

export async function openDurableStore(dir: string): Promise<Store> {
  return openStudioStore({ dir, SQL: await sqlJs(), wasmPath, workerPath, onError: () => undefined });
}

/** Waits until `check` gives a value (checked every few ms), or fails with `what` after the deadline. */
export async function until<T>(check: () => T | undefined | false, what: string, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = check();
    if (value !== undefined && value !== false) {
      return value;
    }
    if (Date.now() > deadline) {
      throw new Error(`Timed out waiting for ${what}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** Waits for the run to be in `status` as this window reads the store. */
export function untilStatus(window: RunWindow, runId: string, status: RunDetails['run']['status'], timeoutMs?: number): Promise<RunDetails> {
  return until(
    () => {
      const details = window.runs.get(runId);
      return details?.run.status === status ? details : undefined;
    },
    `run ${runId} to be ${status} (it is ${window.runs.get(runId)?.run.status ?? 'gone'})`,
    timeoutMs,
  );
}

/** The question the run's session waits on now. */
export function pendingOf(window: RunWindow, runId: string, kind: PendingView['kind']): Promise<PendingView> {
  return until(() => {
    const sessionId = window.runs.get(runId)?.sessionId;
    return sessionId ? window.chat.snapshot(sessionId).pending.find((pending) => pending.kind === kind) : undefined;
  }, `a ${kind} question in run ${runId}`);
}

/** The statuses the run went through, as this window's run events saw them (repeats folded). */
export function recordStatuses(window: RunWindow, runId: () => string | undefined): string[] {
  const seen: string[] = [];
  window.runs.onDidChange(() => {
    const id = runId();
    const status = id === undefined ? undefined : window.runs.get(id)?.run.status;
    if (status !== undefined && seen.at(-1) !== status) {
      seen.push(status);
    }
  });
  return seen;
}
