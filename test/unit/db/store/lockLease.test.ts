import * as assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import path from 'node:path';
import * as lockfile from 'proper-lockfile';
import { LockLease, Mutex } from '../../../../src/db/lock';
import { addItem, itemIds, openStore, tempStoreDir } from './fixture';

/**
 * The store keeps its cross-process lock for a moment after a write, so a burst of commits (an agent turn)
 * takes it once. What must hold: another window still gets its turn soon, a long burst lets go, a stalled event
 * loop never trusts a lease it may have lost, and a window that let go catches up before it appends again.
 */
describe('lock lease', () => {
  let dir: string;
  beforeEach(() => {
    dir = tempStoreDir();
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  function lease(options: { lingerMs?: number; maxHoldMs?: number } = {}): { lease: LockLease; mutex: Mutex; target: string } {
    const mutex = new Mutex();
    const target = path.join(dir, 'lease-target');
    const made = new LockLease(
      target,
      { staleMs: 2000, acquireTimeoutMs: 5000, onCompromised: () => undefined, lingerMs: options.lingerMs ?? 30, maxHoldMs: options.maxHoldMs ?? 250 },
      mutex,
    );
    return { lease: made, mutex, target };
  }

  const isLocked = (target: string) => lockfile.check(target, { realpath: false, stale: 2000 });

  async function until(condition: () => Promise<boolean>, what: string): Promise<void> {
    const deadline = Date.now() + 5_000;
    while (!(await condition())) {
      if (Date.now() > deadline) {
        assert.fail(`timed out waiting until ${what}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  }

  it('takes the lock once for a burst, and lets go when the burst is over', async () => {
    const { lease: held, mutex, target } = lease();
    const continued: boolean[] = [];
    for (let i = 0; i < 3; i++) {
      await mutex.run(() => held.run((wasHeld) => Promise.resolve(void continued.push(wasHeld))));
    }
    assert.deepEqual(continued, [false, true, true]);
    assert.equal(await isLocked(target), true, 'kept for the next write');
    await until(async () => !(await isLocked(target)), 'the lease is let go after its linger');
  });

  it('lets go after a long burst, so another window gets its turn', async () => {
    const { lease: held, mutex } = lease({ lingerMs: 1000, maxHoldMs: 60 });
    const continued: boolean[] = [];
    const started = Date.now();
    while (Date.now() - started < 200) {
      await mutex.run(() => held.run((wasHeld) => Promise.resolve(void continued.push(wasHeld))));
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    await mutex.run(() => held.drop());
    // Taken anew at the start and at least twice more, although every gap was far below the linger.
    assert.ok(continued.filter((wasHeld) => !wasHeld).length >= 3, `taken ${continued.filter((wasHeld) => !wasHeld).length} times`);
  });

  it('does not trust a lease across a stalled event loop (another window may have taken it as stale)', async () => {
    const { lease: held, mutex } = lease({ lingerMs: 20 });
    await mutex.run(() => held.run(() => Promise.resolve()));
    // Block the loop past twice the linger: the timer that would have let go cannot run.
    const blockedUntil = Date.now() + 60;
    while (Date.now() < blockedUntil) {
      // busy
    }
    let continued: boolean | undefined;
    await mutex.run(() => held.run((wasHeld) => Promise.resolve(void (continued = wasHeld))));
    assert.equal(continued, false);
    await mutex.run(() => held.drop());
  });

  it('two windows writing back to back: each waits its turn, catches up first, and both see every row', async () => {
    const first = await openStore(dir);
    const second = await openStore(dir);
    for (let i = 0; i < 5; i++) {
      await addItem(first, `a${i}`);
      await addItem(second, `b${i}`);
    }
    await first.catchUp();
    const expected = [...[0, 1, 2, 3, 4].map((i) => `a${i}`), ...[0, 1, 2, 3, 4].map((i) => `b${i}`)].sort();
    assert.deepEqual(itemIds(first), expected);
    assert.deepEqual(itemIds(second), expected);
    await first.close();
    await second.close();
    const reopened = await openStore(dir);
    assert.deepEqual(itemIds(reopened), expected);
    assert.deepEqual(reopened.notices, []);
    await reopened.close();
  });
});
