// A cross-process lock for the host install: a folder holding its owner's pid. Two test runs
// starting at once on a fresh machine must not run `npm ci` in the same folder.
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

/** @param {number} pid */
function pidAlive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return /** @type {NodeJS.ErrnoException} */ (err).code === 'EPERM';
  }
}

/**
 * Waits for and takes the lock. A lock whose owner died (e.g. an install killed midway) is
 * taken over.
 * @param {string} lockDir
 * @param {(ownerPid: number) => void} [onWait] called once if we have to wait
 * @returns {Promise<() => void>} release
 */
export async function takeLock(lockDir, onWait) {
  mkdirSync(path.dirname(lockDir), { recursive: true });
  for (let told = false; ; await sleep(500)) {
    // Fill a private folder first, then rename it into place: renaming onto an existing,
    // non-empty folder fails atomically, and the lock never exists without its pid.
    const mine = `${lockDir}.${process.pid}`;
    mkdirSync(mine, { recursive: true });
    writeFileSync(path.join(mine, 'pid'), String(process.pid));
    try {
      renameSync(mine, lockDir);
      return () => rmSync(lockDir, { recursive: true, force: true });
    } catch (err) {
      rmSync(mine, { recursive: true, force: true });
      if (!['EEXIST', 'ENOTEMPTY'].includes(/** @type {NodeJS.ErrnoException} */ (err).code ?? '')) throw err;
    }
    let owner = 0;
    try { owner = Number(readFileSync(path.join(lockDir, 'pid'), 'utf8')); } catch { /* just released */ }
    if (owner && !pidAlive(owner)) rmSync(lockDir, { recursive: true, force: true });
    else if (owner && !told) { told = true; onWait?.(owner); }
  }
}
