import { Worker } from 'node:worker_threads';
import type { AssertionPorts, JavascriptReturn, Vars } from '../core/batch/assertions';

/**
 * The runJavascript port of batch assertions: the assertion's code runs in a worker thread, never on the
 * extension host's thread, so an endless loop or a huge allocation cannot freeze the editor. After `timeoutMs`
 * (default 5 s) the worker is terminated; its heap is capped by V8 resource limits (default 64 MB old generation);
 * it gets an empty process.env, so API keys in the host's environment are not handed to it.
 *
 * This is NOT a security sandbox. The code has `require`, the file system, the network and the processes of the
 * user it runs as. It runs only for datasets the user marked as trusted, the way a promptfoo config's JavaScript
 * runs on the machine of whoever runs it; for untrusted datasets the core gets no port and fails the assertion.
 *
 * The code is an expression (`output.includes('Paris')`) or a function body (`const n = ...; return n > 3;`),
 * called with `output` and `context` ({ vars }); it may return a promise. It returns true/false, a score in 0..1,
 * or { pass, score?, reason? }. A throw, a timeout, a crash or a return value of another kind is reported as
 * { pass: false, reason, error: true }: a failure to judge, which the core does not invert for not-javascript.
 */

export interface JavascriptRunnerOptions {
  timeoutMs?: number;
  maxOldGenerationSizeMb?: number;
}

export const DEFAULT_TIMEOUT_MS = 5_000;
export const DEFAULT_MAX_OLD_GENERATION_MB = 64;

export function createJavascriptPort(options: JavascriptRunnerOptions = {}): NonNullable<AssertionPorts['runJavascript']> {
  return (code, context) => runJavascriptAssertion(code, context, options);
}

/** Runs in the worker (`eval: true`, CommonJS), so no separate built file has to ship. */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { code, output, vars } = workerData;
function compile(source) {
  const expression = source.trim().replace(/;+\\s*$/, '');
  try {
    return new Function('output', 'context', 'return (' + expression + '\\n);');
  } catch (err) {
    if (!(err instanceof SyntaxError)) throw err;
    return new Function('output', 'context', source);
  }
}
function transferable(value) {
  if (typeof value === 'boolean' || typeof value === 'number') return { kind: 'value', value };
  if (typeof value === 'object' && value !== null) {
    return {
      kind: 'object',
      pass: value.pass,
      score: typeof value.score === 'number' ? value.score : undefined,
      reason: value.reason === undefined ? undefined : String(value.reason),
    };
  }
  return { kind: 'invalid', what: value === null ? 'null' : typeof value };
}
(async () => {
  let message;
  try {
    message = transferable(await compile(code)(output, { vars }));
  } catch (err) {
    message = { kind: 'thrown', message: err instanceof Error ? err.name + ': ' + err.message : String(err) };
  }
  parentPort.postMessage(message);
})();
`;

type WorkerMessage =
  | { kind: 'value'; value: boolean | number }
  | { kind: 'object'; pass: unknown; score?: number; reason?: string }
  | { kind: 'invalid'; what: string }
  | { kind: 'thrown'; message: string };

const unjudged = (reason: string): JavascriptReturn => ({ pass: false, reason, error: true });

export function runJavascriptAssertion(code: string, context: { output: string; vars: Vars }, options: JavascriptRunnerOptions = {}): Promise<JavascriptReturn> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const heapMb = options.maxOldGenerationSizeMb ?? DEFAULT_MAX_OLD_GENERATION_MB;
  return new Promise<JavascriptReturn>((resolve) => {
    let settled = false;
    let worker: Worker;
    const settle = (result: JavascriptReturn) => {
      if (!settled) {
        settled = true;
        clearTimeout(timer);
        resolve(result);
        // Whatever the code left behind (an interval, a pending promise) must not keep the thread alive.
        void worker.terminate();
      }
    };
    const timer = setTimeout(() => settle(unjudged(`the JavaScript assertion did not finish within ${timeoutMs} ms and was stopped`)), timeoutMs);
    try {
      worker = new Worker(WORKER_SOURCE, {
        eval: true,
        workerData: { code, output: context.output, vars: context.vars },
        resourceLimits: { maxOldGenerationSizeMb: heapMb, maxYoungGenerationSizeMb: Math.min(16, heapMb), stackSizeMb: 4 },
        env: {},
        argv: [],
      });
    } catch (err) {
      clearTimeout(timer);
      resolve(unjudged(`the JavaScript assertion could not start: ${err instanceof Error ? err.message : String(err)}`));
      return;
    }
    worker.on('message', (message: WorkerMessage) => settle(fromWorker(message)));
    worker.on('error', (err: Error & { code?: string }) =>
      settle(unjudged(err.code === 'ERR_WORKER_OUT_OF_MEMORY' ? `the JavaScript assertion ran out of memory (limit ${heapMb} MB)` : `the JavaScript assertion crashed: ${err.message}`)),
    );
    worker.on('exit', (exitCode) => settle(unjudged(`the JavaScript assertion exited (code ${exitCode}) without a result`)));
  });
}

function fromWorker(message: WorkerMessage): JavascriptReturn {
  switch (message.kind) {
    case 'value':
      return message.value;
    case 'object':
      if (typeof message.pass !== 'boolean') {
        return unjudged('the JavaScript assertion returned an object without a boolean pass; return { pass, score, reason }');
      }
      return { pass: message.pass, ...(message.score !== undefined ? { score: message.score } : {}), ...(message.reason !== undefined ? { reason: message.reason } : {}) };
    case 'invalid':
      return unjudged(`the JavaScript assertion returned ${message.what}; return true/false, a score from 0 to 1, or { pass, score, reason }`);
    case 'thrown':
      return unjudged(`the JavaScript assertion threw ${message.message}`);
  }
}
