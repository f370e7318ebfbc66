import { positiveInt } from '../benchRuns';
import type { ScriptStep } from '../../test/fakes/providers/fakeScripts';

/**
 * What bench:batch runs, shared by its parts: 1,000 dataset items under two agents (2,000 model calls) at a
 * concurrency of 8, each agent a one-step script on the fake that waits LATENCY_MS before answering a short text.
 * One item in five asks for a word neither answer has, so the results table holds passes and failures as a real
 * one does.
 */

export const ITEMS = 1_000;
export const CONCURRENCY = 8;
export const SOURCE = 'bench-batch.jsonl';

/** The fake's wait before each answer (its response headers), in ms. */
export const LATENCY_MS = nonNegativeInt(process.env.BENCH_LATENCY_MS, 50);

export const SYSTEM_PROMPT = 'You answer arithmetic questions in one short sentence.';

export interface BenchAgentSpec {
  name: string;
  /** The fake's script this agent's model picks (fake-script-<script>). */
  script: string;
  answer: string;
}

/** The two columns; `suffix` keeps each run's scripts apart on a fake that lives across runs. */
export function benchAgents(suffix: string): BenchAgentSpec[] {
  return [
    { name: 'Terse', script: `batch-terse-${suffix}`, answer: 'The answer is 42.' },
    { name: 'Chatty', script: `batch-chatty-${suffix}`, answer: 'Adding them up gives 42, which is the whole answer.' },
  ];
}

export function scriptOf(agent: BenchAgentSpec): ScriptStep[] {
  return [{ text: agent.answer, ...(LATENCY_MS > 0 ? { delayMs: LATENCY_MS } : {}) }];
}

export const question = (index: number) => `What is ${index} plus ${42 - index}? (item ${index + 1})`;

/** The dataset file's text: one JSON object a line, each with a `contains` check. */
export function datasetJsonl(): string {
  const lines: string[] = [];
  for (let i = 0; i < ITEMS; i++) {
    const expected = i % 5 === 4 ? 'forty-three' : '42';
    lines.push(JSON.stringify({ id: `q${String(i + 1).padStart(4, '0')}`, vars: { question: question(i) }, assert: [{ type: 'contains', value: expected }] }));
  }
  return `${lines.join('\n')}\n`;
}

/** How many cells should pass: the items expecting "42", under both columns. */
export const EXPECTED_PASSES = 2 * (ITEMS - Math.floor(ITEMS / 5));

export { positiveInt };

function nonNegativeInt(raw: string | undefined, fallback: number): number {
  const value = Number(raw);
  return raw !== undefined && raw !== '' && Number.isInteger(value) && value >= 0 ? value : fallback;
}
