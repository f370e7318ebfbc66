import { Anthropic } from '@anthropic-ai/sdk';
import type { GoogleGenAI } from '@google/genai' with { 'resolution-mode': 'import' };
import { fork } from 'node:child_process';
import os from 'node:os';
import { Ollama } from 'ollama';
import { AzureOpenAI, OpenAI } from 'openai';
import { collectAnswer } from '../src/llm/collect';
import { defaultWatchdogs, type EndpointConfig, type ProviderKind } from '../src/llm/endpoints';
import { createAdapter } from '../src/llm/providerFactory';
import { streamChat } from '../src/llm/streamChat';
import type { ChatRequest } from '../src/llm/types';
import {
  ANSWER_TEXT,
  ANSWER_TOKENS,
  BENCH_AZURE_API_VERSION,
  BENCH_DEPLOYMENT,
  BENCH_MODEL,
  BENCH_PROMPT,
  startLongAnswerServer,
} from './providerStreams';

/**
 * npm run bench:providers: for every provider, a 2,000-token streamed answer from one loopback server, read
 * (a) through the provider's SDK used directly, as its docs show, and (b) through our adapter the way Ask reads
 * it (createAdapter + streamChat + collectAnswer). Reports time to first token and total time, median and p90,
 * and our overhead; the last line is one summary for the worst provider.
 *
 * The server runs in a child process: a real provider is another machine, and in this process its 2,000 writes
 * would take turns with the client on one thread and be charged to whichever side was reading.
 * Raw and adapter runs alternate, so both sides see the same load (the machine is shared); the order rotates
 * every round so neither side always runs right after the other's garbage.
 *   BENCH_ITERATIONS=40 BENCH_WARMUP=5 BENCH_PROVIDERS=openai,gemini   (defaults: 40, 5, all)
 *   BENCH_BREAKDOWN=1   also reads each answer from adapter.stream() alone, to split our overhead between the
 *                       adapter and streamChat + collectAnswer
 */

const PROVIDERS: readonly ProviderKind[] = ['openai', 'azure-openai', 'openai-compatible', 'anthropic', 'gemini', 'ollama'];
const ITERATIONS = positiveInt(process.env.BENCH_ITERATIONS, 40);
const BREAKDOWN = process.env.BENCH_BREAKDOWN === '1';
const WARMUP = positiveInt(process.env.BENCH_WARMUP, 5);
/** Never sent anywhere but the loopback fake; the fake accepts any key. */
const BENCH_KEY = 'sk-bench-loopback-only';
const SERVE_FLAG = '--serve';

interface Sample {
  ttftMs: number;
  totalMs: number;
  /**
   * CPU time of this (client) process during the answer. Wall time on a shared machine includes the time the OS
   * ran someone else; CPU time is what reading the answer cost, so it shows our overhead even under load.
   */
  cpuMs: number;
}

interface Clock {
  wall: number;
  cpu: NodeJS.CpuUsage;
}

const startClock = (): Clock => ({ wall: performance.now(), cpu: process.cpuUsage() });

function sample(clock: Clock, first: number | undefined): Sample {
  const totalMs = performance.now() - clock.wall;
  const cpu = process.cpuUsage(clock.cpu);
  return { ttftMs: (first ?? NaN) - clock.wall, totalMs, cpuMs: (cpu.user + cpu.system) / 1000 };
}

/** One way of reading one answer: returns its timings, or throws if the answer did not arrive whole. */
type Reader = () => Promise<Sample>;

/** raw: the SDK alone; ours: createAdapter + streamChat + collectAnswer; bare: adapter.stream() alone (BENCH_BREAKDOWN). */
type Side = 'raw' | 'ours' | 'bare';

interface Result {
  provider: ProviderKind;
  /** Run i of every side belongs to the same round, so sides compare pairwise. */
  samples: Record<Side, Sample[]>;
}

const REQUEST: ChatRequest = { model: BENCH_MODEL, messages: [{ role: 'user', content: [{ type: 'text', text: BENCH_PROMPT }] }] };
/** Anthropic requires max_tokens; the adapter sends the same default when the request has none. */
const ANTHROPIC_MAX_TOKENS = 4096;

function positiveInt(raw: string | undefined, fallback: number): number {
  const value = Number(raw);
  return Number.isInteger(value) && value > 0 ? value : fallback;
}

/** Fails the run rather than timing an answer that was cut short or mangled. */
function verify(side: string, provider: ProviderKind, text: string, outputTokens: number | undefined, finished: boolean): void {
  if (text !== ANSWER_TEXT || outputTokens !== ANSWER_TOKENS || !finished) {
    throw new Error(
      `${side} ${provider}: got ${text.length}/${ANSWER_TEXT.length} characters, ${String(outputTokens)} output tokens, finished: ${finished}`,
    );
  }
}

function endpointFor(provider: ProviderKind, origin: string): EndpointConfig {
  const base = { id: provider, kind: provider, watchdogs: defaultWatchdogs(provider) };
  switch (provider) {
    case 'openai':
      return { ...base, label: 'OpenAI', baseUrl: `${origin}/v1` };
    case 'azure-openai':
      return { ...base, label: 'Azure OpenAI', azure: { endpoint: origin, deployment: BENCH_DEPLOYMENT, apiVersion: BENCH_AZURE_API_VERSION } };
    case 'openai-compatible':
      return { ...base, id: 'openai-compatible:bench', label: 'Bench server', baseUrl: `${origin}/compat/v1` };
    case 'anthropic':
      return { ...base, label: 'Anthropic', baseUrl: origin };
    case 'gemini':
      return { ...base, label: 'Gemini', baseUrl: origin };
    case 'ollama':
      return { ...base, label: 'Ollama', baseUrl: origin };
  }
}

/** Compatible servers usually run without a key (the LM Studio setup), and so does Ollama. */
const keyFor = (provider: ProviderKind) => (provider === 'openai-compatible' || provider === 'ollama' ? undefined : BENCH_KEY);

/**
 * Our side, as Ask runs it: the adapter is built per answer (askStream.ts does so, with the key bound for that
 * one use), so its construction is part of what the user waits for and is inside the timing.
 */
function adapterReader(provider: ProviderKind, origin: string): Reader {
  const config = endpointFor(provider, origin);
  const key = keyFor(provider);
  return async () => {
    const clock = startClock();
    let first: number | undefined;
    const controller = new AbortController();
    const adapter = createAdapter(config, key);
    const answer = await collectAnswer(streamChat(adapter, REQUEST, { signal: controller.signal, watchdogs: config.watchdogs }), (chunk) => {
      if (chunk.type === 'text') {
        first ??= performance.now();
      }
    });
    const timing = sample(clock, first);
    if (answer.error) {
      throw new Error(`ours ${provider}: ${answer.error.kind}: ${answer.error.message}`);
    }
    verify('ours', provider, answer.text, answer.usage?.outputTokens, answer.status === 'complete');
    return timing;
  };
}

/** BENCH_BREAKDOWN: the adapter's own stream, without streamChat's retry, watchdogs and checks or collectAnswer. */
function bareAdapterReader(provider: ProviderKind, origin: string): Reader {
  const config = endpointFor(provider, origin);
  const key = keyFor(provider);
  return async () => {
    const clock = startClock();
    let first: number | undefined;
    let text = '';
    let outputTokens: number | undefined;
    let finished = false;
    const adapter = createAdapter(config, key);
    for await (const chunk of adapter.stream(REQUEST, new AbortController().signal)) {
      if (chunk.type === 'text') {
        first ??= performance.now();
        text += chunk.text;
      } else if (chunk.type === 'usage') {
        outputTokens = chunk.usage.outputTokens;
      } else if (chunk.type === 'finish') {
        finished = true;
      }
    }
    const timing = sample(clock, first);
    verify('bare adapter', provider, text, outputTokens, finished);
    return timing;
  };
}

/** The raw SDKs, each used as its README shows: one client, one streaming call, a for-await over the events. */
async function rawReader(provider: ProviderKind, origin: string): Promise<Reader> {
  const messages = [{ role: 'user' as const, content: BENCH_PROMPT }];
  switch (provider) {
    case 'openai':
    case 'azure-openai':
    case 'openai-compatible': {
      const client =
        provider === 'azure-openai'
          ? new AzureOpenAI({ apiKey: BENCH_KEY, endpoint: origin, deployment: BENCH_DEPLOYMENT, apiVersion: BENCH_AZURE_API_VERSION, maxRetries: 0 })
          : new OpenAI({ apiKey: BENCH_KEY, baseURL: provider === 'openai' ? `${origin}/v1` : `${origin}/compat/v1`, maxRetries: 0 });
      return async () => {
        const clock = startClock();
        let first: number | undefined;
        let text = '';
        let outputTokens: number | undefined;
        let finished = false;
        // include_usage as our adapter asks for it, so both sides read the same bytes.
        const stream = await client.chat.completions.create({ model: BENCH_MODEL, messages, stream: true, stream_options: { include_usage: true } });
        for await (const chunk of stream) {
          const choice = chunk.choices[0];
          const content = choice?.delta?.content;
          if (content) {
            first ??= performance.now();
            text += content;
          }
          finished ||= Boolean(choice?.finish_reason);
          outputTokens = chunk.usage?.completion_tokens ?? outputTokens;
        }
        const timing = sample(clock, first);
        verify('raw', provider, text, outputTokens, finished);
        return timing;
      };
    }
    case 'anthropic': {
      const client = new Anthropic({ apiKey: BENCH_KEY, baseURL: origin, maxRetries: 0 });
      return async () => {
        const clock = startClock();
        let first: number | undefined;
        let text = '';
        let outputTokens: number | undefined;
        let finished = false;
        const stream = await client.messages.create({ model: BENCH_MODEL, max_tokens: ANTHROPIC_MAX_TOKENS, messages, stream: true });
        for await (const event of stream) {
          if (event.type === 'content_block_delta' && event.delta.type === 'text_delta') {
            first ??= performance.now();
            text += event.delta.text;
          } else if (event.type === 'message_delta') {
            outputTokens = event.usage.output_tokens;
          } else if (event.type === 'message_stop') {
            finished = true;
          }
        }
        const timing = sample(clock, first);
        verify('raw', provider, text, outputTokens, finished);
        return timing;
      };
    }
    case 'gemini': {
      // ES module only: loaded the way the adapter loads it.
      const genai = await import('@google/genai');
      const ai: GoogleGenAI = new genai.GoogleGenAI({ apiKey: BENCH_KEY, vertexai: false, apiVersion: 'v1beta', httpOptions: { baseUrl: origin } });
      return async () => {
        const clock = startClock();
        let first: number | undefined;
        let text = '';
        let outputTokens: number | undefined;
        let finished = false;
        const stream = await ai.models.generateContentStream({ model: BENCH_MODEL, contents: BENCH_PROMPT });
        for await (const chunk of stream) {
          const piece = chunk.text;
          if (piece) {
            first ??= performance.now();
            text += piece;
          }
          finished ||= chunk.candidates?.[0]?.finishReason !== undefined;
          outputTokens = chunk.usageMetadata?.candidatesTokenCount ?? outputTokens;
        }
        const timing = sample(clock, first);
        verify('raw', provider, text, outputTokens, finished);
        return timing;
      };
    }
    case 'ollama': {
      const ollama = new Ollama({ host: origin });
      return async () => {
        const clock = startClock();
        let first: number | undefined;
        let text = '';
        let outputTokens: number | undefined;
        let finished = false;
        const stream = await ollama.chat({ model: BENCH_MODEL, messages, stream: true });
        for await (const part of stream) {
          if (part.message.content) {
            first ??= performance.now();
            text += part.message.content;
          }
          if (part.done) {
            finished = true;
            outputTokens = part.eval_count;
          }
        }
        const timing = sample(clock, first);
        verify('raw', provider, text, outputTokens, finished);
        return timing;
      };
    }
  }
}

async function measure(provider: ProviderKind, origin: string): Promise<Result> {
  const readers: [Side, Reader][] = [
    ['raw', await rawReader(provider, origin)],
    ['ours', adapterReader(provider, origin)],
  ];
  if (BREAKDOWN) {
    readers.push(['bare', bareAdapterReader(provider, origin)]);
  }
  // Warm-up: JIT, the SDKs' lazy imports, the keep-alive connection.
  for (let i = 0; i < WARMUP; i++) {
    for (const [, read] of readers) {
      await read();
    }
  }
  const result: Result = { provider, samples: { raw: [], ours: [], bare: [] } };
  for (let i = 0; i < ITERATIONS; i++) {
    for (let k = 0; k < readers.length; k++) {
      const [side, read] = readers[(i + k) % readers.length]!;
      result.samples[side].push(await read());
    }
  }
  return result;
}

const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  // Linear interpolation: with 30 samples a nearest-rank p90 jumps between neighbours.
  const at = (p / 100) * (sorted.length - 1);
  const low = Math.floor(at);
  return sorted[low]! + (sorted[Math.min(low + 1, sorted.length - 1)]! - sorted[low]!) * (at - low);
};
const median = (values: number[]) => percentile(values, 50);
const fixed = (value: number, digits: number) => value.toFixed(digits);

/**
 * Overheads are medians of the per-round differences (each adapter run against the raw run of its round), not
 * differences of the two medians: a round shares the machine's load of that moment, so the drift of a shared
 * machine cancels out instead of landing on one side.
 */
function overheads(result: Result, side: Side = 'ours', base: Side = 'raw') {
  const pairs = result.samples[base].map((b, i) => ({ b, s: result.samples[side][i]! }));
  return {
    ttftMs: median(pairs.map(({ b, s }) => s.ttftMs - b.ttftMs)),
    totalPct: median(pairs.map(({ b, s }) => ((s.totalMs - b.totalMs) / b.totalMs) * 100)),
    cpuMs: median(pairs.map(({ b, s }) => s.cpuMs - b.cpuMs)),
    cpuPct: median(pairs.map(({ b, s }) => ((s.cpuMs - b.cpuMs) / b.cpuMs) * 100)),
  };
}

function loadAverage(): string {
  return os
    .loadavg()
    .map((load) => load.toFixed(2))
    .join(' / ');
}

function printTable(results: Result[], columns: [string, (r: Result) => string][]): void {
  const rows = [columns.map(([name]) => name), ...results.map((r) => columns.map(([, get]) => get(r)))];
  const widths = columns.map((_, i) => Math.max(...rows.map((row) => row[i]!.length)));
  console.log('');
  for (const row of rows) {
    console.log(row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  '));
  }
}

/**
 * Where our overhead goes, in client CPU time (steady under load, unlike wall time): the adapter turning SDK
 * events into our chunks, then streamChat + collectAnswer on top of it.
 */
function reportBreakdown(results: Result[]): void {
  const perToken = (ms: number) => fixed((ms * 1000) / ANSWER_TOKENS, 2);
  printTable(results, [
    ['provider', (r) => r.provider],
    ['cpu raw p50', (r) => fixed(median(r.samples.raw.map((s) => s.cpuMs)), 1)],
    ['cpu adapter alone p50', (r) => fixed(median(r.samples.bare.map((s) => s.cpuMs)), 1)],
    ['cpu ours p50', (r) => fixed(median(r.samples.ours.map((s) => s.cpuMs)), 1)],
    ['adapter +us/token', (r) => perToken(overheads(r, 'bare', 'raw').cpuMs)],
    ['streamChat+collect +us/token', (r) => perToken(overheads(r, 'ours', 'bare').cpuMs)],
  ]);
  console.log('(client CPU ms per answer; "+us/token" = median of per-round differences: adapter alone minus raw SDK, ours minus adapter alone)');
}

function report(results: Result[], elapsedMs: number, loadBefore: string): void {
  printTable(results, [
    ['provider', (r) => r.provider],
    ['ttft raw p50', (r) => fixed(median(r.samples.raw.map((s) => s.ttftMs)), 2)],
    ['p90', (r) => fixed(percentile(r.samples.raw.map((s) => s.ttftMs), 90), 2)],
    ['ttft ours p50', (r) => fixed(median(r.samples.ours.map((s) => s.ttftMs)), 2)],
    ['p90', (r) => fixed(percentile(r.samples.ours.map((s) => s.ttftMs), 90), 2)],
    ['ttft +ms', (r) => fixed(overheads(r).ttftMs, 2)],
    ['total raw p50', (r) => fixed(median(r.samples.raw.map((s) => s.totalMs)), 1)],
    ['p90', (r) => fixed(percentile(r.samples.raw.map((s) => s.totalMs), 90), 1)],
    ['total ours p50', (r) => fixed(median(r.samples.ours.map((s) => s.totalMs)), 1)],
    ['p90', (r) => fixed(percentile(r.samples.ours.map((s) => s.totalMs), 90), 1)],
    ['total +%', (r) => fixed(overheads(r).totalPct, 1)],
    ['cpu raw p50', (r) => fixed(median(r.samples.raw.map((s) => s.cpuMs)), 1)],
    ['cpu ours p50', (r) => fixed(median(r.samples.ours.map((s) => s.cpuMs)), 1)],
    ['cpu +%', (r) => fixed(overheads(r).cpuPct, 1)],
  ]);
  console.log(
    `(ms; ${ANSWER_TOKENS}-token answer, one token per event; ${ITERATIONS} interleaved runs per side per provider after ${WARMUP} warm-up rounds; ` +
      '"+ms" / "+%" = median of per-round differences, ours minus raw; cpu = client CPU time per answer, steady under load; ' +
      'targets: ttft +ms < 1, total +% < 2)',
  );
  if (BREAKDOWN) {
    reportBreakdown(results);
  }
  console.log('');
  console.log(`load average 1/5/15 min: ${loadBefore} before, ${loadAverage()} after, on ${os.availableParallelism()} cores`);
  console.log(`peak RSS ${Math.round(process.resourceUsage().maxRSS / 1024)} MB (client process; the server runs in its own); ran ${fixed(elapsedMs / 1000, 1)} s`);
  const worstTtft = Math.max(...results.map((r) => overheads(r).ttftMs));
  const worstTotal = Math.max(...results.map((r) => overheads(r).totalPct));
  console.log(`bench providers: ttft_overhead_ms_median=${fixed(worstTtft, 2)} total_overhead_pct=${fixed(worstTotal, 1)}`);
}

/** The child: the one loopback server of the run, until the parent goes away. */
async function serve(): Promise<void> {
  const server = await startLongAnswerServer();
  process.once('disconnect', () => {
    void server.close().then(() => process.exit(0));
  });
  process.send?.({ origin: server.origin });
}

async function main(): Promise<void> {
  if (process.argv.includes(SERVE_FLAG)) {
    await serve();
    return;
  }
  const only = process.env.BENCH_PROVIDERS?.split(',').map((name) => name.trim());
  const providers = only ? PROVIDERS.filter((provider) => only.includes(provider)) : PROVIDERS;
  if (providers.length === 0) {
    throw new Error(`BENCH_PROVIDERS names none of ${PROVIDERS.join(', ')}`);
  }
  const loadBefore = loadAverage();
  const child = fork(__filename, [SERVE_FLAG], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  try {
    const origin = await new Promise<string>((resolve, reject) => {
      child.once('message', (message: { origin: string }) => resolve(message.origin));
      child.once('exit', (code) => reject(new Error(`the benchmark server exited (${String(code)}) before it listened`)));
    });
    const started = performance.now();
    const results: Result[] = [];
    for (const provider of providers) {
      console.log(`measuring ${provider}…`);
      results.push(await measure(provider, origin));
    }
    report(results, performance.now() - started, loadBefore);
  } finally {
    if (child.connected) {
      child.disconnect();
    }
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.stack : String(err));
  process.exit(1);
});
