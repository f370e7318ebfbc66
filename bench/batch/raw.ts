import { performance } from 'node:perf_hooks';
import { OpenAI } from 'openai';
import { modelForScript } from '../../test/fakes/providers/fakeScripts';
import { BENCH_KEY } from '../agent/host';
import { CONCURRENCY, ITEMS, question, SYSTEM_PROMPT, type BenchAgentSpec } from './workload';

/**
 * The baseline: the raw OpenAI SDK (one client, as its README shows) making the batch's 2,000 streaming calls to
 * the same fake, same scripts, at the same concurrency, each stream read to its end with its text gathered, as the
 * adapter reads it. No store, no grading, no events: what the calls alone cost at this latency.
 */

export interface RawResult {
  wallMs: number;
  calls: number;
  failed: number;
  /** Answers that were not the script's text (a wrong script, a cut stream). */
  wrong: number;
  cpuPerCallMs: number;
  /** Main-thread busy time (event-loop utilization) per call. */
  busyPerCallMs: number;
  errors: string[];
}

export async function measureRaw(origin: string, agents: readonly BenchAgentSpec[]): Promise<RawResult> {
  const client = new OpenAI({ apiKey: BENCH_KEY, baseURL: `${origin}/v1`, maxRetries: 0 });
  // The batch's matrix: every item under every column.
  const calls = Array.from({ length: ITEMS }, (_, i) => agents.map((agent) => ({ agent, task: question(i) }))).flat();
  const errors: string[] = [];
  let failed = 0;
  let wrong = 0;
  let next = 0;
  const call = async ({ agent, task }: (typeof calls)[number]) => {
    const stream = await client.chat.completions.create({
      model: modelForScript(agent.script),
      messages: [
        { role: 'system', content: SYSTEM_PROMPT },
        { role: 'user', content: task },
      ],
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = '';
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta?.content ?? '';
    }
    if (text !== agent.answer) {
      wrong++;
    }
  };
  const worker = async () => {
    while (next < calls.length) {
      const job = calls[next++]!;
      try {
        await call(job);
      } catch (err) {
        failed++;
        if (errors.length < 5) {
          errors.push(String(err));
        }
      }
    }
  };
  const cpu = process.cpuUsage();
  const elu = performance.eventLoopUtilization();
  const started = performance.now();
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  const wallMs = performance.now() - started;
  const used = process.cpuUsage(cpu);
  const busy = performance.eventLoopUtilization(elu);
  return {
    wallMs,
    calls: calls.length,
    failed,
    wrong,
    cpuPerCallMs: (used.user + used.system) / 1000 / calls.length,
    busyPerCallMs: busy.active / calls.length,
    errors,
  };
}
