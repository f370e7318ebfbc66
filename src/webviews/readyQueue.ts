/**
 * Holds a panel's outgoing posts until its document says `ready`, then hands them over in order. Bounded: a panel
 * that never becomes ready (closed while loading, or stuck) must not make the host hold events forever. Dropping
 * the oldest is safe because every `ready` is answered with a full snapshot first, which supersedes them.
 */
export class ReadyQueue<T> {
  private ready = false;
  private readonly pending: T[] = [];

  constructor(private readonly capacity: number) {}

  get isReady(): boolean {
    return this.ready;
  }

  /** Returns true when the caller may send now; otherwise the post is kept for the next `ready`. */
  offer(post: T): boolean {
    if (this.ready) {
      return true;
    }
    if (this.pending.length >= this.capacity) {
      this.pending.shift();
    }
    this.pending.push(post);
    return false;
  }

  /** The document said ready: returns what waited, oldest first, and sends directly from now on. */
  markReady(): T[] {
    this.ready = true;
    return this.pending.splice(0);
  }

  /** The document was discarded (hidden without retained context): queue again until it is back. */
  markNotReady(): void {
    this.ready = false;
  }
}
