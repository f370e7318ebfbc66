import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';

/** Starting writer processes and following what they report. */

const script = path.join(__dirname, 'writerProcess.js');

export interface Writer {
  child: ChildProcess;
  committed: string[];
  output: () => string;
  /** Resolves when the child printed a line starting with `prefix`. */
  waitFor(prefix: string, timeoutMs?: number): Promise<void>;
  exited: Promise<number | null>;
}

export function startWriter(args: string[]): Writer {
  const child = spawn(process.execPath, [script, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  const committed: string[] = [];
  let text = '';
  const waiters: { prefix: string; resolve: () => void }[] = [];
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    text += chunk;
    for (const line of chunk.split('\n')) {
      if (line.startsWith('committed ')) {
        committed.push(line.slice('committed '.length).trim());
      }
    }
    for (const waiter of waiters.filter((w) => text.split('\n').some((line) => line.startsWith(w.prefix)))) {
      waiters.splice(waiters.indexOf(waiter), 1);
      waiter.resolve();
    }
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    child,
    committed,
    output: () => text,
    exited,
    waitFor: (prefix, timeoutMs = 20_000) =>
      new Promise<void>((resolve, reject) => {
        if (text.split('\n').some((line) => line.startsWith(prefix))) {
          resolve();
          return;
        }
        const timer = setTimeout(() => reject(new Error(`writer never printed "${prefix}":\n${text}`)), timeoutMs);
        waiters.push({ prefix, resolve: () => (clearTimeout(timer), resolve()) });
        void exited.then(() => setImmediate(() => reject(new Error(`writer exited before "${prefix}":\n${text}`))));
      }),
  };
}
