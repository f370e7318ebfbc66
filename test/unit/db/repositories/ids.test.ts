import * as assert from 'node:assert/strict';
import { createIdFactory, idTime, isId, newId } from '../../../../src/db/ids';
import { ManualClock } from '../support/memoryStore';

describe('ids', () => {
  it('are 26 Crockford base32 characters starting with the time', () => {
    const id = newId();
    assert.ok(isId(id), id);
    assert.equal(id.length, 26);
    assert.ok(Math.abs(idTime(id) - Date.now()) < 5000);
  });

  it('increase strictly within a millisecond and when the clock steps back', () => {
    const clock = new ManualClock(1_700_000_000_000);
    const next = createIdFactory(clock);
    const ids = Array.from({ length: 1000 }, () => next());
    clock.time -= 10_000;
    ids.push(next(), next());
    clock.time += 20_000;
    ids.push(next());
    assert.deepEqual([...ids].sort(), ids);
    assert.equal(new Set(ids).size, ids.length);
    assert.equal(idTime(ids[0]!), 1_700_000_000_000);
  });

  it('carries into the time when the random part is exhausted', () => {
    const next = createIdFactory(new ManualClock(5), () => new Uint8Array(10).fill(255));
    const first = next();
    const second = next();
    assert.ok(second > first);
    assert.equal(idTime(second), 6);
  });

  it('differ between generators (random, not a counter)', () => {
    const clock = new ManualClock(42);
    assert.notEqual(createIdFactory(clock)(), createIdFactory(clock)());
  });

  it('refuses clocks it cannot encode and strings that are not ids', () => {
    assert.throws(() => createIdFactory(new ManualClock(-1))(), /Cannot make an id/);
    assert.throws(() => idTime('nope'), /Not an id/);
    assert.equal(isId('01ARZ3NDEKTSV4RRFFQ69G5FAV'), true);
    assert.equal(isId('01ARZ3NDEKTSV4RRFFQ69G5FAU'), false, 'U is not in the alphabet');
  });
});
