/**
 * Runs that wait for a free slot: at most `concurrency` start functions are in flight, the rest wait in the order
 * they came (FIFO). The queue knows nothing of what a run is; it starts, counts and cancels.
 *
 * A slot is held until the start function's promise settles, also after a cancel: a cancelled run keeps its slot
 * until it has really stopped, so "3 at a time" stays true while an agent winds down a tool call.
 */

export type RunStart = (signal: AbortSignal) => Promise<void>;

export interface RunQueueOptions {
  /** Whole number, at least 1. */
  concurrency: number;
  /**
   * A start that threw or rejected. Its slot is already free. A run that rejects after it was cancelled is not
   * reported: stopping on the aborted signal is what it was asked to do.
   */
  onError?: (id: string, error: unknown) => void;
}

export interface Disposable {
  dispose(): void;
}

interface Active {
  controller: AbortController;
}

export class RunQueue {
  private cap: number;
  private readonly waiting: { id: string; start: RunStart }[] = [];
  /** In start order (Map keeps insertion order). */
  private readonly active = new Map<string, Active>();
  private readonly listeners = new Set<() => void>();
  private readonly onError: (id: string, error: unknown) => void;

  constructor(options: RunQueueOptions) {
    this.cap = checkConcurrency(options.concurrency);
    this.onError = options.onError ?? (() => undefined);
  }

  get concurrency(): number {
    return this.cap;
  }

  /** Raising the cap starts waiting runs at once; lowering it stops none, it only holds back the next ones. */
  setConcurrency(concurrency: number): void {
    this.cap = checkConcurrency(concurrency);
    this.pump();
    this.emit();
  }

  /** Starts the run now if a slot is free, else queues it behind the others. An id may be queued or running once. */
  enqueue(id: string, start: RunStart): void {
    if (this.active.has(id) || this.waiting.some((entry) => entry.id === id)) {
      throw new Error(`Run ${id} is already ${this.active.has(id) ? 'running' : 'queued'}`);
    }
    this.waiting.push({ id, start });
    this.pump();
    this.emit();
  }

  /**
   * A queued run is dropped and never starts; a running one has its signal aborted (it keeps its slot until it
   * stops). False when the queue does not know the id, e.g. the run already ended.
   */
  cancel(id: string): boolean {
    const index = this.waiting.findIndex((entry) => entry.id === id);
    if (index >= 0) {
      this.waiting.splice(index, 1);
      this.emit();
      return true;
    }
    const active = this.active.get(id);
    if (active === undefined) {
      return false;
    }
    if (!active.controller.signal.aborted) {
      active.controller.abort();
      this.emit();
    }
    return true;
  }

  /** The ids in flight, in the order they started. */
  running(): string[] {
    return [...this.active.keys()];
  }

  /** The ids waiting for a slot, first to start first. */
  queued(): string[] {
    return this.waiting.map((entry) => entry.id);
  }

  /** Called after every change of running() or queued(), and after a cancel. */
  onDidChange(listener: () => void): Disposable {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }

  private pump(): void {
    while (this.active.size < this.cap) {
      const next = this.waiting.shift();
      if (next === undefined) {
        return;
      }
      this.launch(next.id, next.start);
    }
  }

  private launch(id: string, start: RunStart): void {
    const entry: Active = { controller: new AbortController() };
    // In `active` before start runs, so a start that cancels or queues synchronously sees itself as running.
    this.active.set(id, entry);
    let promise: Promise<void>;
    try {
      promise = Promise.resolve(start(entry.controller.signal));
    } catch (error) {
      this.finish(id, entry, error, true);
      return;
    }
    void promise.then(
      () => this.settle(id, entry),
      (error: unknown) => this.settle(id, entry, error, true),
    );
  }

  /** A run that settled later: frees its slot and starts the next one. */
  private settle(id: string, entry: Active, error?: unknown, failed = false): void {
    this.finish(id, entry, error, failed);
    this.pump();
    this.emit();
  }

  private finish(id: string, entry: Active, error: unknown, failed: boolean): void {
    if (this.active.get(id) === entry) {
      this.active.delete(id);
    }
    if (failed && !entry.controller.signal.aborted) {
      this.onError(id, error);
    }
  }

  private emit(): void {
    for (const listener of [...this.listeners]) {
      listener();
    }
  }
}

function checkConcurrency(concurrency: number): number {
  if (!Number.isInteger(concurrency) || concurrency < 1) {
    throw new RangeError(`Concurrency must be a whole number of at least 1, not ${String(concurrency)}`);
  }
  return concurrency;
}
