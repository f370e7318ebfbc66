import { fork } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { FakeProviderServer } from '../test/fakes/providers/fakeServer';
import { openAiProtocol } from '../test/fakes/providers/openaiProtocol';
import { measureBigOutput, MODEL_CHARS_BOUND, OUTPUT_BYTES, type BigOutputResult } from './agent/bigOutput';
import { report } from './agent/host';
import { loadAverage, median, percentile, positiveInt, runPartProcess } from './benchRuns';
import { measureToolTurn, type ToolTurnResult } from './agent/toolTurn';
import { measureTtft, type TtftResult } from './agent/ttft';

/**
 * npm run bench:agent: the agent loop under load, figures printed beside their targets and a baseline measured in
 * the same run (never asserted). Three runs, each part in a fresh Node process (the extension host), the
 * scripted OpenAI fake in a process of its own (a provider is another machine); the medians of the runs are
 * what the targets are read against.
 *  1. A 50-step tool turn (read_file, search_text, list_files, replace_in_file, all auto) on a real temp
 *     workspace of 2,000 files: the loop's own overhead per step (wall minus model minus tool time), p50 / p95,
 *     and the host's longest event-loop delay during the turn (monitorEventLoopDelay, 1 ms resolution).
 *  2. A run_command printing 50 MB: RSS growth, the longest event-loop delay, the output kept whole as a blob
 *     while the model gets its head and tail.
 *  3. Time to first token from Enter in the chat panel (real bundle in Chromium) through the host (real
 *     dispatcher, ChatService, adapter) and the provider to the first token painted, against the raw OpenAI SDK's
 *     time to first token on the same fake (ttft.ts says exactly how it is composed).
 * The last line is one summary. Only 127.0.0.1 traffic.
 *   BENCH_RUNS=3 BENCH_TTFT_SAMPLES=10   (defaults)
 *   BENCH_CPU_PROF=1                      each part's whole process writes a .cpuprofile (node --cpu-prof; the
 *                                         folder is printed)
 *   BENCH_PROFILE_DIR=<dir>               a .cpuprofile of the measured turn alone in parts 1 and 2 (in-process
 *                                         inspector; slows the turn, so read its proportions, not its figures)
 */

const RUNS = positiveInt(process.env.BENCH_RUNS, 3);
const TTFT_SAMPLES = positiveInt(process.env.BENCH_TTFT_SAMPLES, 10);
const PARTS = ['turn', 'output', 'ttft'] as const;
type Part = (typeof PARTS)[number];

interface Run {
  turn: ToolTurnResult;
  output: BigOutputResult;
  ttft: TtftResult;
}

const fixed = (value: number, digits = 1) => (Number.isFinite(value) ? value.toFixed(digits) : 'n/a');

/** One part in a fresh process; resolves with its BENCH_RESULT. */
function runPart(part: Part, origin: string, profileDir: string | undefined): Promise<unknown> {
  const flags = [...(part === 'output' ? ['--expose-gc'] : []), ...(profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [])];
  return runPartProcess(part, flags, [__filename, '--part', part, '--origin', origin]);
}

async function child(part: Part, origin: string): Promise<void> {
  switch (part) {
    case 'turn':
      report(await measureToolTurn(origin));
      return;
    case 'output':
      report(await measureBigOutput(origin));
      return;
    case 'ttft':
      report(await measureTtft(origin, TTFT_SAMPLES));
      return;
  }
}

/** The fake, until the parent goes away. */
async function serve(): Promise<void> {
  const server = await FakeProviderServer.start(openAiProtocol);
  process.once('disconnect', () => {
    void server.close().then(() => process.exit(0));
  });
  process.send?.({ origin: server.origin });
}

type Row = [figure: string, perRun: string[], median: string, target: string, verdict: string];

function verdict(pass: boolean | undefined): string {
  return pass === undefined ? '' : pass ? 'PASS' : 'MISS';
}

function table(rows: Row[]): void {
  const header: Row = ['figure', Array.from({ length: RUNS }, (_, i) => `run ${i + 1}`), 'median', 'target', ''];
  const cells = [header, ...rows].map(([figure, runs, med, target, v]) => [figure, ...runs, med, target, v]);
  const widths = cells[0]!.map((_, i) => Math.max(...cells.map((row) => row[i]!.length)));
  for (const row of cells) {
    console.log(row.map((cell, i) => (i === 0 || i >= row.length - 2 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  ').trimEnd());
  }
}

function summarize(runs: Run[], loadBefore: string, elapsedMs: number, profileDir: string | undefined): void {
  const per = (get: (run: Run) => number, digits = 1): [string[], number, string] => {
    const values = runs.map(get);
    const med = median(values);
    return [values.map((v) => fixed(v, digits)), med, fixed(med, digits)];
  };
  const row = (figure: string, get: (run: Run) => number, target = '', pass?: (med: number) => boolean, digits = 1): Row => {
    const [values, med, shown] = per(get, digits);
    return [figure, values, shown, target, verdict(pass?.(med))];
  };
  const text = (figure: string, get: (run: Run) => string, target = '', pass?: boolean): Row => [figure, runs.map(get), '', target, verdict(pass)];

  const overheadP50 = (r: Run) => percentile(r.turn.overheadMs, 50);
  const stall = (r: Run) => Math.max(r.turn.loopMaxMs, r.output.loopMaxMs);
  const ttftOverhead = (r: Run) => median(r.ttft.samples.map((s) => s.e2eMs - s.rawMs));
  const ttftMed = (get: (s: TtftResult['samples'][number]) => number) => (r: Run) => median(r.ttft.samples.map(get));
  const turnChecks = runs.every((r) => r.turn.checks.complete && r.turn.steps === 51 && r.turn.checks.toolCalls === 50 && r.turn.checks.failedCalls === 0 && r.turn.checks.edits === 10 && r.turn.checks.pending === 0);
  const blobKept = runs.every((r) => r.output.blob?.size === OUTPUT_BYTES && r.output.blob.onDisk === OUTPUT_BYTES);
  const modelBounded = runs.every((r) => r.output.modelChars > 0 && r.output.modelChars <= MODEL_CHARS_BOUND);

  console.log('');
  console.log(`1. 50-step tool turn on ${runs[0]!.turn.files.toLocaleString('en-US')} files (${fixed(runs[0]!.turn.workspaceMb)} MB), loopback fake in its own process`);
  table([
    row('loop overhead per step p50, ms (wall - model - tool)', overheadP50, '< 5', (m) => m < 5, 2),
    row('loop overhead per step p95, ms', (r) => percentile(r.turn.overheadMs, 95), '', undefined, 2),
    row('  same from the bench timers (unrounded) p50, ms', (r) => percentile(r.turn.overheadPreciseMs, 50), '', undefined, 2),
    row('  same from the bench timers p95, ms', (r) => percentile(r.turn.overheadPreciseMs, 95), '', undefined, 2),
    row('step wall time p50, ms', (r) => percentile(r.turn.wallMs, 50), '', undefined, 2),
    row('model time p50, ms (llm.response.completed)', (r) => percentile(r.turn.modelMs, 50), '', undefined, 2),
    row('tool time p50, ms (tool.call.completed)', (r) => percentile(r.turn.toolMs, 50), '', undefined, 2),
    row('host CPU per step, ms', (r) => r.turn.cpuPerStepMs, '', undefined, 2),
    row('store transactions per step', (r) => r.turn.storeWritesPerStep, '', undefined, 1),
    row('  each: p50, ms (call to durable, lock and catch-up included)', (r) => percentile(r.turn.storeWriteMs, 50), '', undefined, 2),
    row('  all of them per step, ms', (r) => r.turn.storeWriteMs.reduce((a, b) => a + b, 0) / r.turn.steps, '', undefined, 2),
    row('  baseline: one small settings write on the same store p50, ms', (r) => percentile(r.turn.smallWriteMs, 50), '', undefined, 2),
    row('whole turn, ms', (r) => r.turn.turnMs, '', undefined, 0),
    row('host event-loop delay max during the turn, ms', (r) => r.turn.loopMaxMs, '<= 50', (m) => m <= 50),
    row('  p99, ms', (r) => r.turn.loopP99Ms),
    text('  longest gap of a 10 ms probe: wall / this process on CPU, ms', (r) => `${fixed(r.turn.longestGap.gapMs)}/${fixed(r.turn.longestGap.cpuMs)}`),
    row('  idle baseline max (same process, 1 s), ms', (r) => r.turn.idleLoopMaxMs),
    row('last request (neutral JSON), KB', (r) => r.turn.requestKb, '', undefined, 0),
    row('posted to the panel over the turn, KB', (r) => r.turn.postedKb, '', undefined, 0),
    text('steps / calls / failed / edits applied / asked', (r) => `${r.turn.steps}/${r.turn.checks.toolCalls}/${r.turn.checks.failedCalls}/${r.turn.checks.edits}/${r.turn.checks.pending}`, '51/50/0/10/0', turnChecks),
  ]);

  // Where the transactions come from, in the median run (by overhead): one table, not per run.
  const middle = [...runs].sort((a, b) => overheadP50(a) - overheadP50(b))[Math.floor(runs.length / 2)]!;
  console.log('   store transactions by the function that asked (median run): per step, p50 ms, ms per step');
  for (const site of middle.turn.storeSites) {
    console.log(`     ${site.site.padEnd(44)} ${fixed(site.perStep, 2).padStart(5)}  ${fixed(site.p50Ms, 2).padStart(6)}  ${fixed(site.totalPerStepMs, 2).padStart(6)}`);
  }

  console.log('');
  console.log(`2. run_command printing ${OUTPUT_BYTES / 2 ** 20} MB (${(OUTPUT_BYTES / 100).toLocaleString('en-US')} lines), through the loop`);
  table([
    row('RSS growth (after GC before -> peak), MB', (r) => r.output.rssGrowthMb, '< 100', (m) => m < 100),
    row('  RSS before, MB', (r) => r.output.rssBeforeMb, '', undefined, 0),
    row('  JS heap peak growth, MB', (r) => r.output.heapPeakMb, ''),
    row('  external (Buffers) peak growth, MB', (r) => r.output.externalPeakMb, ''),
    row('host event-loop delay max while it streams, ms', (r) => r.output.loopMaxMs, '<= 50', (m) => m <= 50),
    row('  p99, ms', (r) => r.output.loopP99Ms),
    text('  longest gap of a 10 ms probe: wall / this process on CPU, ms', (r) => `${fixed(r.output.longestGap.gapMs)}/${fixed(r.output.longestGap.cpuMs)}`),
    row('tool time, ms', (r) => r.output.toolMs, '', undefined, 0),
    row('throughput, MB/s', (r) => r.output.throughputMbs),
    row('chat/toolOutput events', (r) => r.output.outputEvents, '', undefined, 0),
    row('posted to the panel, MB', (r) => r.output.postedMb),
    text('kept as a blob: bytes recorded / on disk', (r) => `${r.output.blob?.size ?? 0}/${r.output.blob?.onDisk ?? 0}`, String(OUTPUT_BYTES), blobKept),
    row('characters the model got', (r) => r.output.modelChars, `<= ${MODEL_CHARS_BOUND.toLocaleString('en-US')}`, () => modelBounded, 0),
    text('exit code / reply complete / asked', (r) => `${String(r.output.checks.exitCode)}/${String(r.output.checks.complete)}/${r.output.checks.pending}`, '0/true/0', runs.every((r) => r.output.checks.exitCode === 0 && r.output.checks.complete && r.output.checks.pending === 0)),
  ]);

  console.log('');
  console.log(`3. time to first token, ${TTFT_SAMPLES} alternating samples per run (median per run)`);
  table([
    row('raw OpenAI SDK TTFT, ms', ttftMed((s) => s.rawMs), '', undefined, 2),
    row('end to end TTFT (Enter -> first token painted), ms', ttftMed((s) => s.e2eMs), '', undefined, 2),
    row('e2e overhead (median of e2e - raw per sample), ms', ttftOverhead, '< 30', (m) => m < 30, 2),
    row('  = composer: Enter -> chat/send posted, ms', ttftMed((s) => s.composerMs), '', undefined, 2),
    row('  + posted -> first chat/delta event in the window, ms', ttftMed((s) => s.roundTripMs), '', undefined, 2),
    row('      host: chat/send received -> first delta emitted, ms', ttftMed((s) => s.hostMs), '', undefined, 2),
    row('        ChatService.send (turn rows written), ms', ttftMed((s) => s.hostSendMs), '', undefined, 2),
    row('        then provider open -> first delta, ms', ttftMed((s) => s.hostMs - s.hostSendMs), '', undefined, 2),
    row('      host: first delta emitted -> queued for the page, ms', ttftMed((s) => s.hostFlushMs - s.hostMs), '', undefined, 2),
    row('      the rest: transport both ways, page busy, ms', ttftMed((s) => s.roundTripMs - s.hostFlushMs), '', undefined, 2),
    row('        of which its batch waited in the page for dispatch, ms', ttftMed((s) => s.batchToDeltaMs), '', undefined, 2),
    row('      harness transport round trip, idle page (ping), ms', (r) => median(r.ttft.transportRoundTripMs), '', undefined, 2),
    row('  + webview: first delta in -> painted, ms', ttftMed((s) => s.webviewMs), '', undefined, 2),
    row('      (text in the DOM inside a frame callback, of samples)', (r) => r.ttft.samples.filter((s) => s.inFrame).length, '', undefined, 0),
    row('      bench:chat rule (one more frame): delta in -> painted, ms', ttftMed((s) => s.webviewNextFrameMs), '', undefined, 2),
  ]);

  console.log('');
  console.log('targets (medians of the runs; host stall = the longer of parts 1 and 2 in each run)');
  table([
    row('step_overhead_ms_p50', overheadP50, '< 5', (m) => m < 5, 2),
    row('host_stall_ms_max', stall, '<= 50', (m) => m <= 50),
    row('output_50mb_rss_mb', (r) => r.output.rssGrowthMb, '< 100', (m) => m < 100),
    row('e2e_ttft_overhead_ms', ttftOverhead, '< 30', (m) => m < 30, 2),
  ]);

  const errors = runs.flatMap((r) => [...r.turn.errors, ...r.output.errors, ...r.ttft.errors, ...r.ttft.pageErrors]);
  if (errors.length > 0) {
    console.log(`\nerrors: ${[...new Set(errors)].slice(0, 5).join(' | ')}`);
  }
  console.log('');
  console.log(`load average 1/5/15 min: ${loadBefore} before, ${loadAverage()} after, on ${os.availableParallelism()} cores; ran ${fixed(elapsedMs / 1000)} s`);
  if (profileDir) {
    console.log(`CPU profiles: ${profileDir}`);
  }
  const med = (get: (r: Run) => number) => median(runs.map(get));
  console.log(
    `bench agent: step_overhead_ms_p50=${fixed(med(overheadP50), 2)} host_stall_ms_max=${fixed(med(stall))} ` +
      `output_50mb_rss_mb=${fixed(med((r) => r.output.rssGrowthMb))} e2e_ttft_overhead_ms=${fixed(med(ttftOverhead), 2)}`,
  );
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  if (args[0] === '--serve') {
    await serve();
    return;
  }
  if (args[0] === '--part') {
    await child(args[1] as Part, args[3] ?? '');
    return;
  }
  const loadBefore = loadAverage();
  console.log(`bench agent: ${os.availableParallelism()} cores, load average ${loadBefore}; ${RUNS} runs`);
  const profileDir = process.env.BENCH_CPU_PROF === '1' ? path.join(os.tmpdir(), `ais-bench-agent-prof-${process.pid}`) : undefined;
  if (profileDir) {
    mkdirSync(profileDir, { recursive: true });
  }
  const server = fork(__filename, ['--serve'], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  try {
    const origin = await new Promise<string>((resolve, reject) => {
      server.once('message', (message: { origin: string }) => resolve(message.origin));
      server.once('exit', (code) => reject(new Error(`the fake exited (${String(code)}) before it listened`)));
    });
    const started = performance.now();
    const runs: Run[] = [];
    for (let i = 0; i < RUNS; i++) {
      const run: Partial<Run> = {};
      for (const part of PARTS) {
        console.log(`run ${i + 1}/${RUNS}: ${part}…`);
        run[part] = (await runPart(part, origin, profileDir)) as never;
      }
      runs.push(run as Run);
    }
    summarize(runs, loadBefore, performance.now() - started, profileDir);
  } finally {
    if (server.connected) {
      server.disconnect();
    }
  }
}

main().then(
  () => {
    if (process.argv[2] === '--part') {
      // The store's worker and the indexer's timers are gone; anything left (a keep-alive socket) must not hold the part open.
      process.exit(0);
    }
  },
  (err: unknown) => {
    console.error(err instanceof Error ? err.stack : String(err));
    process.exit(1);
  },
);
