import * as assert from 'node:assert/strict';
import { ReadyQueue } from '../../../src/webviews/readyQueue';

describe('posts waiting for a panel to be ready', () => {
  it('keeps posts until ready, then hands them over oldest first', () => {
    const queue = new ReadyQueue<number>(10);
    assert.equal(queue.offer(1), false);
    assert.equal(queue.offer(2), false);
    assert.deepEqual(queue.markReady(), [1, 2]);
    assert.equal(queue.offer(3), true, 'a ready panel gets posts directly');
    assert.deepEqual(queue.markReady(), [], 'nothing is handed over twice');
  });

  it('queues again after the panel document is discarded', () => {
    const queue = new ReadyQueue<string>(10);
    queue.markReady();
    queue.markNotReady();
    assert.equal(queue.offer('delta'), false);
    assert.deepEqual(queue.markReady(), ['delta']);
  });

  it('drops the oldest posts past its capacity, so a panel that never loads cannot grow it without bound', () => {
    const queue = new ReadyQueue<number>(3);
    for (let i = 1; i <= 5; i++) {
      queue.offer(i);
    }
    assert.deepEqual(queue.markReady(), [3, 4, 5]);
  });
});
