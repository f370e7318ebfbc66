import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { modelForScript, postScript } from '../../test/fakes/providers/fakeScripts';
import { autoTools, openBenchHost, startProfile, withLoopDelay, type BenchHost } from './host';

/**
 * Part 2: a turn whose one call is a run_command printing 50 MB (524,288 lines of 100 bytes), then an answer,
 * through the real loop: the child process's pipes, the output capture (head + tail ring), the output streamed
 * to a temp file and adopted as a blob, every chunk a `chat/toolOutput` event the panel listener serializes.
 * Measured in a process of its own (RSS is per process): RSS after a GC before the turn against the highest RSS
 * seen while it ran (sampled every 10 ms, and the kernel's maxRSS), the longest event-loop delay, and where the
 * output went: the kept blob (size on disk) and what the model was sent.
 */

export const OUTPUT_BYTES = 50 * 2 ** 20;
const LINE = 'x'.repeat(99);
/** The bound on what the model gets of one output: ~48,000 characters (head 16k + tail 32k) + framing. */
export const MODEL_CHARS_BOUND = 49_000;

export interface BigOutputResult {
  rssBeforeMb: number;
  rssPeakMb: number;
  rssGrowthMb: number;
  heapPeakMb: number;
  externalPeakMb: number;
  loopMaxMs: number;
  loopP99Ms: number;
  /** The longest gap of the 10 ms probe, and this process's CPU time in it (all threads). */
  longestGap: { gapMs: number; cpuMs: number };
  toolMs: number;
  turnMs: number;
  /** MB/s through the whole path. */
  throughputMbs: number;
  blob: { size: number; onDisk: number; lines: number } | undefined;
  modelChars: number;
  outputEvents: number;
  postedMb: number;
  checks: { complete: boolean; exitCode: unknown; pending: number };
  errors: string[];
}

export async function measureBigOutput(origin: string): Promise<BigOutputResult> {
  const root = mkdtempSync(path.join(os.tmpdir(), 'ais-bench-agent-out-'));
  const folder = path.join(root, 'ws');
  mkdirSync(folder);
  writeFileSync(path.join(folder, 'README.md'), '# Bench\n');
  let host: BenchHost | undefined;
  try {
    const name = `output-${process.pid}-${Date.now()}`;
    const command = `yes '${LINE}' | head -c ${OUTPUT_BYTES}`;
    await postScript(origin, name, [{ toolCalls: [{ name: 'run_command', arguments: { command } }] }, { text: 'The build printed a lot.' }]);
    // A small warm-up command first, in its own session: the first spawn and the SDK's first use are not the figure.
    const warmName = `${name}-warm`;
    await postScript(origin, warmName, [{ toolCalls: [{ name: 'run_command', arguments: { command: 'echo warm' } }] }, { text: 'ok' }]);
    host = await openBenchHost({ origin, dir: path.join(root, 'host'), workspaceFolder: folder, model: modelForScript(name), tools: autoTools(['run_command', 'read_output']) });
    const { service, repos } = host;
    const warm = await repos.sessions.create({ agentId: host.agent.id });
    await service.setAgent(warm.id, host.agent.id, modelForScript(warmName));
    await service.send(warm.id, { parentId: null, text: 'Warm up.' });
    await service.whenIdle(warm.id);

    const sessionId = host.session.id;
    let outputEvents = 0;
    let pending = 0;
    service.onDidChange(({ sessionId: changed, event }) => {
      if (changed !== sessionId) {
        return;
      }
      if (event.method === 'chat/toolOutput') {
        outputEvents += 1;
      } else if (event.method === 'chat/pending' && event.params.pending.length > 0) {
        pending += 1;
        for (const question of event.params.pending) {
          service.decide(sessionId, question.id, question.kind === 'approval' ? 'approve' : 'continue');
        }
      }
    });
    collectGarbage();
    await new Promise((resolve) => setTimeout(resolve, 200));
    collectGarbage();
    const before = process.memoryUsage();
    const maxRssBefore = process.resourceUsage().maxRSS * 1024;
    const peak = { rss: before.rss, heap: before.heapUsed, external: before.external };
    const sample = () => {
      const now = process.memoryUsage();
      peak.rss = Math.max(peak.rss, now.rss);
      peak.heap = Math.max(peak.heap, now.heapUsed);
      peak.external = Math.max(peak.external, now.external);
    };
    const sampler = setInterval(sample, 10);
    const postedBefore = host.posted.chars;
    const profiler = await startProfile('output');
    const started = performance.now();
    const loop = await withLoopDelay(async () => {
      await service.send(sessionId, { parentId: null, text: 'Run the build and tell me how it went.' });
      await service.whenIdle(sessionId);
    });
    const turnMs = performance.now() - started;
    await profiler?.stop();
    sample();
    clearInterval(sampler);
    const maxRssAfter = process.resourceUsage().maxRSS * 1024;
    // The kernel's high-water mark catches a peak between two samples (or while the loop was blocked).
    if (maxRssAfter > maxRssBefore) {
      peak.rss = Math.max(peak.rss, maxRssAfter);
    }

    const events = repos.events.list({ sessionId });
    const completed = events.find((e) => e.type === 'tool.call.completed');
    const details = (completed?.payload as { details?: { exitCode?: unknown; output?: { hash: string; size: number; lines: number } } } | undefined)?.details;
    const output = details?.output;
    const onDisk = output ? fileSize(path.join(host.blobsDir, output.hash.slice(0, 2), output.hash)) : 0;
    const sent = host.timed.lastRequest?.messages.flatMap((m) => m.content).filter((part) => part.type === 'tool_result') ?? [];
    const head = repos.messages.get(repos.sessions.get(sessionId)?.headMessageId ?? '');
    const mb = (bytes: number) => bytes / 2 ** 20;
    return {
      rssBeforeMb: mb(before.rss),
      rssPeakMb: mb(peak.rss),
      rssGrowthMb: mb(peak.rss - before.rss),
      heapPeakMb: mb(peak.heap - before.heapUsed),
      externalPeakMb: mb(peak.external - before.external),
      loopMaxMs: loop.maxMs,
      loopP99Ms: loop.p99Ms,
      longestGap: loop.longest,
      toolMs: completed?.durationMs ?? NaN,
      turnMs,
      throughputMbs: mb(OUTPUT_BYTES) / ((completed?.durationMs ?? NaN) / 1000),
      blob: output ? { size: output.size, onDisk, lines: output.lines } : undefined,
      modelChars: sent.reduce((sum, part) => sum + (part.type === 'tool_result' ? part.content.length : 0), 0),
      outputEvents,
      postedMb: mb(host.posted.chars - postedBefore),
      checks: { complete: head?.status === 'complete' && head.role === 'assistant', exitCode: details?.exitCode, pending },
      errors: host.errors.slice(0, 5),
    };
  } finally {
    await host?.close();
    rmSync(root, { recursive: true, force: true });
  }
}

function collectGarbage(): void {
  (globalThis as { gc?: () => void }).gc?.();
}

function fileSize(file: string): number {
  try {
    return statSync(file).size;
  } catch {
    return 0;
  }
}
