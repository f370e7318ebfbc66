import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import type { StudioEvent } from '../../src/db/repositories/events';
import { modelForScript, postScript, type ScriptStep } from '../../test/fakes/providers/fakeScripts';
import { autoTools, idleLoopDelay, openBenchHost, startProfile, withLoopDelay, type BenchHost } from './host';
import { expectedEdits, modulePath, TOOL_STEPS, toolTurnScript, writeWorkspace } from './workspace';

/**
 * Part 1: one 50-step tool turn (read, search, list, edit) on a 2,000-file workspace, after a short warm-up turn
 * in another session of the same host (a window that has been open for a while: JIT, the SDK's lazy imports).
 * Per step: wall time from the step's start (send, or the next step's `chat/streaming`) to the next one's,
 * minus the model's time (llm.response.completed durationMs: provider open to the stream's end) minus the tool's
 * (tool.call.completed durationMs): what the loop itself costs (store writes, events, policy, plans, the
 * request rebuilt from history, listeners).
 */

export interface ToolTurnResult {
  files: number;
  workspaceMb: number;
  steps: number;
  /** Per step: overhead from the events' durations, and from the bench's own timers (unrounded). */
  overheadMs: number[];
  overheadPreciseMs: number[];
  wallMs: number[];
  modelMs: number[];
  toolMs: number[];
  /** Host CPU time over the turn, per step. */
  cpuPerStepMs: number;
  /** Store transactions over the turn: how many per step, and each one's time (call to durable). */
  storeWritesPerStep: number;
  storeWriteMs: number[];
  /** Per product function that asked: transactions per step and their p50 ms. */
  storeSites: { site: string; perStep: number; p50Ms: number; totalPerStepMs: number }[];
  /** Baseline, same store, after the turn: a transaction that writes one small settings row. */
  smallWriteMs: number[];
  turnMs: number;
  loopMaxMs: number;
  loopP99Ms: number;
  /** The longest gap of the 10 ms probe, and this process's CPU time in it (all threads). */
  longestGap: { gapMs: number; cpuMs: number };
  idleLoopMaxMs: number;
  requestKb: number;
  postedKb: number;
  checks: { complete: boolean; toolCalls: number; failedCalls: number; edits: number; pending: number };
  errors: string[];
}

const TOOLS = ['read_file', 'search_text', 'list_files', 'replace_in_file'];

export async function measureToolTurn(origin: string): Promise<ToolTurnResult> {
  const root = mkdtempSync(path.join(os.tmpdir(), 'ais-bench-agent-'));
  const folder = path.join(root, 'ws');
  mkdirSync(folder);
  let host: BenchHost | undefined;
  try {
    const written = writeWorkspace(folder);
    const script = toolTurnScript();
    const name = `turn-${process.pid}-${Date.now()}`;
    const warmName = `${name}-warm`;
    await postScript(origin, name, script);
    await postScript(origin, warmName, warmUpScript());
    host = await openBenchHost({
      origin,
      dir: path.join(root, 'host'),
      workspaceFolder: folder,
      model: modelForScript(name),
      tools: autoTools(TOOLS),
      params: { limits: { steps: TOOL_STEPS + 10, tokens: 100_000_000, costUsd: 1_000, minutes: 60 } },
    });
    const { service, repos } = host;

    // Warm-up: the same agent and tools, another session and script (the model name is the session's override).
    const warmSession = await repos.sessions.create({ agentId: host.agent.id });
    await service.setAgent(warmSession.id, host.agent.id, modelForScript(warmName));
    await service.send(warmSession.id, { parentId: null, text: 'Warm up.' });
    await service.whenIdle(warmSession.id);
    host.timed.modelMs.length = 0;
    host.timed.toolMs.length = 0;
    host.timed.storeWriteMs.length = 0;
    host.timed.storeWriteSites.length = 0;
    const idleLoopMaxMs = await idleLoopDelay(1000);

    const sessionId = host.session.id;
    const starts: number[] = [];
    const stepIds: string[] = [];
    let end = 0;
    let pending = 0;
    const subscription = service.onDidChange(({ sessionId: changed, event }) => {
      if (changed !== sessionId) {
        return;
      }
      if (event.method === 'chat/streaming') {
        if (event.params.streamingId === null) {
          end = performance.now();
        } else if (!stepIds.includes(event.params.streamingId)) {
          stepIds.push(event.params.streamingId);
          if (stepIds.length > 1) {
            starts.push(performance.now());
          }
        }
      } else if (event.method === 'chat/pending' && event.params.pending.length > 0) {
        // Nothing should ask (every tool is auto, every path inside the workspace); counted, and answered so the
        // run ends, but a turn that asked is not a measurement of the loop.
        pending += 1;
        for (const question of event.params.pending) {
          service.decide(sessionId, question.id, question.kind === 'approval' ? 'approve' : 'continue');
        }
      }
    });
    const postedBefore = host.posted.chars;
    const profiler = await startProfile('turn');
    const cpu = process.cpuUsage();
    const started = performance.now();
    const loop = await withLoopDelay(async () => {
      starts.push(performance.now());
      await service.send(sessionId, { parentId: null, text: 'Raise every LIMIT the plan names, one module at a time.' });
      await service.whenIdle(sessionId);
    });
    const turnMs = performance.now() - started;
    const used = process.cpuUsage(cpu);
    await profiler?.stop();
    subscription.dispose();

    const smallWriteMs: number[] = [];
    for (let i = 0; i < 30; i++) {
      const begun = performance.now();
      await repos.settings.set('bench.agent.probe', i);
      smallWriteMs.push(performance.now() - begun);
    }

    const events = repos.events.list({ sessionId });
    const modelMs = stepIds.map((id) => events.find((e) => e.type === 'llm.response.completed' && e.messageId === id)?.durationMs ?? NaN);
    const toolEvents = events.filter((e) => e.type === 'tool.call.completed' || e.type === 'tool.call.failed');
    const parentOf = new Map<string, string | null>();
    const toolMsByStep = stepIds.map((id) =>
      toolEvents.filter((e) => stepOf(e, parentOf, host!) === id).reduce((sum, e) => sum + (e.durationMs ?? 0), 0),
    );
    const wallMs = starts.map((start, i) => (starts[i + 1] ?? end) - start);
    const overheadMs = wallMs.map((wall, i) => wall - modelMs[i]! - toolMsByStep[i]!);
    const { timed } = host;
    const overheadPreciseMs = wallMs.map((wall, i) => wall - (timed.modelMs[i] ?? NaN) - (i < TOOL_STEPS ? (timed.toolMs[i] ?? NaN) : 0));

    const head = repos.messages.get(repos.sessions.get(sessionId)?.headMessageId ?? '');
    const edits = expectedEdits().filter((edit) => readFileSync(path.join(folder, edit.path), 'utf8').includes(edit.line)).length;
    return {
      files: written.files,
      workspaceMb: written.bytes / 2 ** 20,
      steps: stepIds.length,
      overheadMs,
      overheadPreciseMs,
      wallMs,
      modelMs,
      toolMs: toolMsByStep,
      cpuPerStepMs: (used.user + used.system) / 1000 / stepIds.length,
      storeWritesPerStep: (timed.storeWriteMs.length - smallWriteMs.length) / stepIds.length,
      storeWriteMs: timed.storeWriteMs.slice(0, timed.storeWriteMs.length - smallWriteMs.length),
      storeSites: sites(timed.storeWriteSites.slice(0, timed.storeWriteMs.length - smallWriteMs.length), timed.storeWriteMs, stepIds.length),
      smallWriteMs,
      turnMs,
      loopMaxMs: loop.maxMs,
      loopP99Ms: loop.p99Ms,
      longestGap: loop.longest,
      idleLoopMaxMs,
      requestKb: timed.lastRequest ? JSON.stringify(timed.lastRequest).length / 1024 : NaN,
      postedKb: (host.posted.chars - postedBefore) / 1024,
      checks: {
        complete: head?.status === 'complete' && head.role === 'assistant',
        toolCalls: toolEvents.length,
        failedCalls: toolEvents.filter((e) => e.type === 'tool.call.failed').length,
        edits,
        pending,
      },
      errors: host.errors.slice(0, 5),
    };
  } finally {
    await host?.close();
    rmSync(root, { recursive: true, force: true });
  }
}

function sites(names: string[], ms: number[], steps: number): ToolTurnResult['storeSites'] {
  const bySite = new Map<string, number[]>();
  names.forEach((name, i) => bySite.set(name, [...(bySite.get(name) ?? []), ms[i]!]));
  return [...bySite]
    .map(([site, times]) => {
      const sorted = [...times].sort((a, b) => a - b);
      const total = times.reduce((a, b) => a + b, 0);
      return { site, perStep: times.length / steps, p50Ms: sorted[Math.floor(sorted.length / 2)]!, totalPerStepMs: total / steps };
    })
    .sort((a, b) => b.totalPerStepMs - a.totalPerStepMs);
}

/** The step (assistant message) a tool event belongs to: the parent of its tool message. */
function stepOf(event: StudioEvent, cache: Map<string, string | null>, host: BenchHost): string | null {
  const toolMessageId = event.messageId ?? '';
  if (!cache.has(toolMessageId)) {
    cache.set(toolMessageId, host.repos.messages.get(toolMessageId)?.parentId ?? null);
  }
  return cache.get(toolMessageId) ?? null;
}

function warmUpScript(): ScriptStep[] {
  return [
    { toolCalls: [{ name: 'read_file', arguments: { path: modulePath(39, 40) } }] },
    { toolCalls: [{ name: 'search_text', arguments: { query: 'handler_39_4' } }] },
    { toolCalls: [{ name: 'list_files', arguments: { path: 'src/pkg39' } }] },
    { toolCalls: [{ name: 'replace_in_file', arguments: { path: modulePath(39, 48), oldText: 'LIMIT_39_48 = 3948;', newText: 'LIMIT_39_48 = 1;' } }] },
    { text: 'Warm.' },
  ];
}
