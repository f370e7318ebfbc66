import * as assert from 'node:assert/strict';
import { RunQueue, type RunStart } from '../../../../src/core/runs/runQueue';

interface Deferred {
  promise: Promise<void>;
  resolve(): void;
  reject(error: unknown): void;
}

function deferred(): Deferred {
  let resolve!: () => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** Lets the queue's promise callbacks run. */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Start functions that record their calls and finish when the test says so. */
class Runs {
  readonly started: string[] = [];
  readonly signals = new Map<string, AbortSignal>();
  private readonly pending = new Map<string, Deferred>();

  start(id: string): RunStart {
    return (signal) => {
      this.started.push(id);
      this.signals.set(id, signal);
      const done = deferred();
      this.pending.set(id, done);
      return done.promise;
    };
  }

  finish(id: string): void {
    this.pending.get(id)!.resolve();
  }

  fail(id: string, error: unknown): void {
    this.pending.get(id)!.reject(error);
  }
}

function queueOf(concurrency: number) {
  const errors: [string, unknown][] = [];
  const queue = new RunQueue({ concurrency, onError: (id, error) => errors.push([id, error]) });
  return { queue, errors, runs: new Runs() };
}

describe('run queue', () => {
  it('runs at most the cap at once, starts the rest first come first served as slots free', async () => {
    const { queue, runs } = queueOf(2);
    for (const id of ['a', 'b', 'c', 'd']) {
      queue.enqueue(id, runs.start(id));
    }
    assert.deepEqual([queue.running(), queue.queued(), runs.started], [['a', 'b'], ['c', 'd'], ['a', 'b']]);
    runs.finish('b');
    await settle();
    assert.deepEqual([queue.running(), queue.queued()], [['a', 'c'], ['d']]);
    runs.finish('a');
    runs.finish('c');
    await settle();
    assert.deepEqual([queue.running(), queue.queued(), runs.started], [['d'], [], ['a', 'b', 'c', 'd']]);
  });

  it('raising the cap starts queued runs at once; lowering it stops none and holds back the next', async () => {
    const { queue, runs } = queueOf(1);
    for (const id of ['a', 'b', 'c', 'd']) {
      queue.enqueue(id, runs.start(id));
    }
    queue.setConcurrency(3);
    assert.deepEqual([queue.running(), queue.queued()], [['a', 'b', 'c'], ['d']]);
    queue.setConcurrency(1);
    assert.deepEqual(queue.running(), ['a', 'b', 'c'], 'nothing running is stopped');
    assert.ok([...runs.signals.values()].every((signal) => !signal.aborted));
    runs.finish('a');
    runs.finish('b');
    await settle();
    assert.deepEqual([queue.running(), queue.queued()], [['c'], ['d']], 'd waits until fewer than 1 run');
    runs.finish('c');
    await settle();
    assert.deepEqual(queue.running(), ['d']);
    assert.throws(() => queue.setConcurrency(0), /^RangeError: Concurrency must be a whole number of at least 1, not 0$/);
    assert.throws(() => new RunQueue({ concurrency: 1.5 }), /not 1\.5$/);
    assert.equal(queue.concurrency, 1);
  });

  it('a cancelled queued run never starts; a cancelled running one is aborted and keeps its slot until it stops', async () => {
    const { queue, runs, errors } = queueOf(1);
    for (const id of ['a', 'b', 'c']) {
      queue.enqueue(id, runs.start(id));
    }
    assert.equal(queue.cancel('b'), true);
    assert.deepEqual(queue.queued(), ['c']);
    assert.equal(queue.cancel('a'), true);
    assert.equal(runs.signals.get('a')!.aborted, true);
    assert.deepEqual([queue.running(), queue.queued()], [['a'], ['c']], 'a still winds down');
    // Stopping on the aborted signal is the expected ending, not an error.
    runs.fail('a', new Error('aborted'));
    await settle();
    assert.deepEqual([queue.running(), runs.started, errors], [['c'], ['a', 'c'], []]);
    assert.equal(queue.cancel('b'), false, 'b is gone');
    assert.equal(queue.cancel('nope'), false);
  });

  it('a start that throws or rejects frees its slot, is reported, and the next run starts', async () => {
    const { queue, runs, errors } = queueOf(1);
    const boom = new Error('no model configured');
    queue.enqueue('sync', () => {
      throw boom;
    });
    assert.deepEqual([queue.running(), errors], [[], [['sync', boom]]]);
    queue.enqueue('async', runs.start('async'));
    queue.enqueue('next', runs.start('next'));
    const lost = new Error('provider unreachable');
    runs.fail('async', lost);
    await settle();
    assert.deepEqual(errors.map(([id]) => id), ['sync', 'async']);
    assert.equal(errors[1]![1], lost);
    assert.deepEqual(queue.running(), ['next']);
  });

  it('refuses the same id twice while it is queued or running, and takes it again once it ended', async () => {
    const { queue, runs } = queueOf(1);
    queue.enqueue('a', runs.start('a'));
    queue.enqueue('b', runs.start('b'));
    assert.throws(() => queue.enqueue('a', runs.start('a')), /^Error: Run a is already running$/);
    assert.throws(() => queue.enqueue('b', runs.start('b')), /^Error: Run b is already queued$/);
    runs.finish('a');
    await settle();
    assert.doesNotThrow(() => queue.enqueue('a', runs.start('a')));
    assert.deepEqual(queue.queued(), ['a']);
  });

  it('tells listeners of every change, until they stop listening', async () => {
    const { queue, runs } = queueOf(1);
    const seen: string[] = [];
    const listener = queue.onDidChange(() => seen.push(`${queue.running().join(',')}|${queue.queued().join(',')}`));
    queue.enqueue('a', runs.start('a'));
    queue.enqueue('b', runs.start('b'));
    runs.finish('a');
    await settle();
    queue.cancel('b');
    listener.dispose();
    runs.finish('b');
    await settle();
    assert.deepEqual(seen, ['a|', 'a|b', 'b|', 'b|']);
  });

  it('a start that cancels itself synchronously is aborted, not left running', async () => {
    const { queue, errors } = queueOf(1);
    let signal: AbortSignal | undefined;
    queue.enqueue('self', (given) => {
      signal = given;
      queue.cancel('self');
      return given.aborted ? Promise.reject(new Error('aborted')) : Promise.resolve();
    });
    await settle();
    assert.deepEqual([signal?.aborted, queue.running(), errors], [true, [], []]);
  });
});
