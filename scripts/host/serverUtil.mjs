// Small spawn/HTTP helpers for codeServer.mjs.
import { spawn } from 'node:child_process';
import net from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

/** @returns {Promise<number>} a port that was free on 127.0.0.1 a moment ago */
export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer().once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = /** @type {net.AddressInfo} */ (srv.address());
      srv.close(() => resolve(port));
    });
  });
}

/** @param {import('node:child_process').ChildProcess} child @param {(line: string) => void} onLine */
export function pipeLines(child, onLine) {
  for (const stream of [child.stdout, child.stderr]) {
    let buf = '';
    stream?.setEncoding('utf8').on('data', (chunk) => {
      const lines = (buf + chunk).split('\n');
      buf = /** @type {string} */ (lines.pop());
      lines.forEach((l) => onLine(l.trimEnd()));
    }).on('end', () => buf && onLine(buf));
  }
}

/**
 * Runs a short command to completion, streaming its output lines.
 * @param {string} cmd @param {string[]} args @param {NodeJS.ProcessEnv} env
 * @param {(line: string) => void} onLine @returns {Promise<number | null>} exit code
 */
export function runToExit(cmd, args, env, onLine) {
  const child = spawn(cmd, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  pipeLines(child, onLine);
  return new Promise((resolve, reject) => child.on('error', reject).on('close', resolve));
}

/**
 * Ready = /healthz answers (HTTP is up) and then `/` answers: code-server loads the VS Code
 * server lazily on the first `/` request, so this also proves VS Code itself loaded.
 * @param {string} url @param {Promise<string>} exited @param {number} timeoutMs
 */
export async function waitReady(url, exited, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  let gone = /** @type {string | undefined} */ (undefined);
  exited.then((why) => { gone = why; });
  /** @type {[string, (status: number) => boolean][]} */
  const steps = [['/healthz', (s) => s === 200], ['/', (s) => s > 0 && s < 500]];
  for (const [p, ok] of steps) {
    for (;;) {
      if (gone) throw new Error(`server ${gone}`);
      if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${p}`);
      const status = await fetch(url + p, { redirect: 'manual', signal: AbortSignal.timeout(30_000) })
        .then((r) => r.arrayBuffer().then(() => r.status), () => 0);
      if (ok(status)) break;
      await sleep(100);
    }
  }
}
