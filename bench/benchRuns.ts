import { spawn } from 'node:child_process';
import os from 'node:os';

/**
 * What the multi-run benchmarks (bench:agent, bench:batch) share: figures from the environment, percentiles and
 * medians over runs, the load average they quote, each part in a fresh Node process reporting one MARK line.
 */

export const MARK = 'BENCH_RESULT ';

export function positiveInt(raw: string | undefined, fallback: number): number {
  const value = Number(raw);
  return Number.isInteger(value) && value > 0 ? value : fallback;
}

/** Linear interpolation between the closest ranks; NaN for no finite values. */
export function percentile(values: readonly number[], p: number): number {
  const sorted = values.filter(Number.isFinite).sort((a, b) => a - b);
  if (sorted.length === 0) {
    return NaN;
  }
  const at = (p / 100) * (sorted.length - 1);
  const low = Math.floor(at);
  return sorted[low]! + (sorted[Math.min(low + 1, sorted.length - 1)]! - sorted[low]!) * (at - low);
}

export const median = (values: readonly number[]): number => percentile(values, 50);

/** "1.46 / 2.46 / 2.36": the 1, 5 and 15 minute load averages. */
export function loadAverage(): string {
  return os
    .loadavg()
    .map((load) => load.toFixed(2))
    .join(' / ');
}

/** Runs `args` (a script and its arguments) in a fresh Node process with `flags`; resolves with its MARK result. */
export function runPartProcess(label: string, flags: readonly string[], args: readonly string[]): Promise<unknown> {
  const child = spawn(process.execPath, [...flags, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    let out = '';
    let result: unknown;
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const line = out.split('\n').find((l) => l.startsWith(MARK));
      if (line && result === undefined) {
        result = JSON.parse(line.slice(MARK.length)) as unknown;
      }
    });
    child.on('exit', (code) => (result !== undefined && code === 0 ? resolve(result) : reject(new Error(`part ${label} exited with ${String(code)}`))));
  });
}

/** The first frame in src/core of the current stack, as `file.ts function` (V8's stack text): who wrote to the store. */
export function callerSite(): string {
  const holder: { stack?: string } = {};
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 12;
  Error.captureStackTrace(holder);
  Error.stackTraceLimit = limit;
  for (const line of (holder.stack ?? '').split('\n').slice(1)) {
    const match = /at (?:async )?(\S+) \(.*[\\/]out[\\/]src[\\/]core[\\/](?:\w+[\\/])*(\w+)\.js:/.exec(line);
    if (match) {
      return `${match[2]}.ts ${match[1]}`;
    }
  }
  return 'other';
}
