import * as assert from 'node:assert/strict';
import { itemBackoffMs, RateGate } from '../../../../src/core/batch/rateGate';

/** A gate on a hand-driven clock: `sleep` moves time on at once, so waits are counted, not spent. */
function gateOf(max: number) {
  let now = 0;
  const slept: number[] = [];
  const gate = new RateGate({
    max,
    now: () => now,
    sleep: (ms) => {
      slept.push(ms);
      now += ms;
      return Promise.resolve();
    },
  });
  return { gate, slept, advance: (ms: number) => (now += ms), signal: new AbortController().signal };
}

describe('batch rate gate', () => {
  it('lets the batch concurrency through at once, and the next one when a slot is let go', async () => {
    const { gate, signal } = gateOf(2);
    const first = await gate.acquire(signal);
    await gate.acquire(signal);
    let third = false;
    const waiting = gate.acquire(signal).then(() => (third = true));
    await Promise.resolve();
    assert.equal(third, false, 'a third waits while two run');
    first();
    first(); // letting go twice frees one slot only
    await waiting;
    assert.equal(third, true);
  });

  it('halves the concurrency on a rate limit, pauses new starts for the delay asked, and counts the wait once when pauses overlap', async () => {
    const { gate, slept, signal } = gateOf(8);
    gate.rateLimited(500);
    gate.rateLimited(300); // within the first pause: adds no wait of its own
    assert.deepEqual(gate.report(), { limit: 2, rateLimited: 2, waitedMs: 500 });
    await gate.acquire(signal);
    assert.deepEqual(slept, [500], 'the next start waited out the pause');
    gate.rateLimited(100);
    gate.rateLimited(100);
    assert.equal(gate.report().limit, 1, 'never below one at a time');
  });

  it('raises the concurrency by one after as many successes in a row as it allows, up to the batch maximum', () => {
    const { gate } = gateOf(4);
    gate.rateLimited(0);
    gate.rateLimited(0);
    assert.equal(gate.report().limit, 1);
    gate.succeeded();
    assert.equal(gate.report().limit, 2);
    gate.succeeded();
    assert.equal(gate.report().limit, 2, 'two in a row are needed at two');
    gate.succeeded();
    assert.equal(gate.report().limit, 3);
    for (let i = 0; i < 10; i++) {
      gate.succeeded();
    }
    assert.equal(gate.report().limit, 4);
  });

  it('an item about to ask again waits for the pause to end; a cancelled batch stops waiting', async () => {
    const { gate, slept, signal } = gateOf(4);
    gate.rateLimited(250); // two at a time from now on
    await gate.whenOpen(signal);
    assert.deepEqual(slept, [250]);
    const controller = new AbortController();
    const held = await gate.acquire(signal);
    await gate.acquire(signal);
    const waiting = gate.acquire(controller.signal);
    controller.abort(new Error('cancelled'));
    await assert.rejects(waiting, /cancelled/);
    held();
  });

  it('backs off 1 s doubling with jitter, honours the provider’s retry-after, and caps both at a minute', () => {
    const middle = () => 0.5;
    assert.equal(itemBackoffMs(1, undefined, middle), 1_000);
    assert.equal(itemBackoffMs(3, undefined, middle), 4_000);
    assert.equal(itemBackoffMs(20, undefined, middle), 60_000);
    assert.equal(itemBackoffMs(1, 2_500, middle), 2_500);
    assert.equal(itemBackoffMs(1, 600_000, middle), 60_000);
  });
});
