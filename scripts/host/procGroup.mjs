// Process-group helpers for servers we spawn `detached` (each in its own group).
// Killing only the top process leaves code-server's watcher and extension host running,
// so everything here works on the whole group.
import { readdirSync, readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * True while any non-zombie process is in the group. Zombies are skipped because an
 * orphaned zombie is reaped by PID 1, which in containers may never happen; `kill(-pgid, 0)`
 * would then report the group alive forever.
 * @param {number} pgid
 */
export function groupAlive(pgid) {
  let entries;
  try {
    entries = readdirSync('/proc');
  } catch {
    // No /proc (not Linux): fall back to the signal probe.
    try { process.kill(-pgid, 0); return true; } catch { return false; }
  }
  for (const name of entries) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      // Fields after the parenthesised command name: state ppid pgrp ...
      const [state, , pgrp] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(pgrp) === pgid && state !== 'Z' && state !== 'X') return true;
    } catch {
      // The process went away while we looked.
    }
  }
  return false;
}

/**
 * Polls until the group is gone or `ms` elapse.
 * @param {number} pgid @param {number} ms @returns {Promise<boolean>} true if gone
 */
async function waitGroupGone(pgid, ms) {
  const end = Date.now() + ms;
  while (groupAlive(pgid)) {
    if (Date.now() > end) return false;
    await sleep(50);
  }
  return true;
}

/** @param {number} pgid @param {NodeJS.Signals} sig */
function signalGroup(pgid, sig) {
  try { process.kill(-pgid, sig); } catch { /* already gone */ }
}

/** Groups still running, killed if this process goes away first. */
const live = new Set();
let handlersInstalled = false;

/**
 * SIGTERM the group, SIGKILL after `graceMs`, and wait until no member is left.
 * @param {number} pgid @param {number} [graceMs]
 */
export async function killGroup(pgid, graceMs = 5000) {
  signalGroup(pgid, 'SIGTERM');
  if (!(await waitGroupGone(pgid, graceMs))) {
    signalGroup(pgid, 'SIGKILL');
    if (!(await waitGroupGone(pgid, 5000))) throw new Error(`process group ${pgid} survived SIGKILL`);
  }
  live.delete(pgid);
}

/**
 * Makes sure the group dies with us: on normal exit or a crash ('exit' runs synchronously,
 * so SIGKILL is all we can do there) and on SIGINT/SIGTERM/SIGHUP (graceful stop, then the
 * default exit unless someone else also listens). A SIGKILL of this process cannot be caught.
 * @param {number} pgid
 */
export function killGroupOnExit(pgid) {
  live.add(pgid);
  if (handlersInstalled) return;
  handlersInstalled = true;
  process.on('exit', () => { for (const g of live) signalGroup(g, 'SIGKILL'); });
  for (const [sig, num] of /** @type {const} */ ([['SIGINT', 2], ['SIGTERM', 15], ['SIGHUP', 1]])) {
    const onSignal = async () => {
      await Promise.allSettled([...live].map((g) => killGroup(g, 2000)));
      if (process.listenerCount(sig) === 1) process.exit(128 + num);
    };
    process.on(sig, onSignal);
  }
}
