import type { EventKey } from '../../db/repositories/eventPages';

/**
 * Turns of a session: a turn starts at each `message.user` event and runs until the next one (events before the
 * first question are turn 0). The index keeps only the keys of the turns' first events, one pair of numbers per
 * turn, and answers "which turn is this event in" by binary search, so a page's rows find their turns without
 * reading any other event.
 */

export function compareKeys(a: EventKey, b: EventKey): number {
  return a.startedAt - b.startedAt || a.seq - b.seq;
}

export class TurnIndex {
  private starts: EventKey[] = [];

  get count(): number {
    return this.starts.length;
  }

  /** Adds turn starts (in any order; normally after the last one). */
  add(keys: readonly EventKey[]): void {
    for (const key of keys) {
      const at = this.upperBound(key);
      if (at > 0 && compareKeys(this.starts[at - 1]!, key) === 0) {
        continue;
      }
      this.starts.splice(at, 0, { startedAt: key.startedAt, seq: key.seq });
    }
  }

  clear(): void {
    this.starts = [];
  }

  /** The turn an event with this key belongs to: how many turns start at or before it (0: before the first). */
  turnOf(key: EventKey): number {
    return this.upperBound(key);
  }

  /** The key of the event that starts turn `turn` (1-based). */
  startOf(turn: number): EventKey | undefined {
    return turn >= 1 ? this.starts[turn - 1] : undefined;
  }

  /** The key of the event that starts the turn after `turn`; null for the last turn. */
  nextStart(turn: number): EventKey | null {
    return this.starts[turn] ?? null;
  }

  /** Number of starts <= key. */
  private upperBound(key: EventKey): number {
    let low = 0;
    let high = this.starts.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (compareKeys(this.starts[middle]!, key) <= 0) {
        low = middle + 1;
      } else {
        high = middle;
      }
    }
    return low;
  }
}

/** A map that forgets its oldest entries past `capacity`: caches that must not grow with the session. */
export class BoundedCache<K, V> {
  private readonly entries = new Map<K, V>();

  constructor(private readonly capacity: number) {}

  get(key: K): V | undefined {
    const value = this.entries.get(key);
    if (value !== undefined) {
      // Most recently used last.
      this.entries.delete(key);
      this.entries.set(key, value);
    }
    return value;
  }

  set(key: K, value: V): void {
    this.entries.delete(key);
    this.entries.set(key, value);
    if (this.entries.size > this.capacity) {
      const oldest = this.entries.keys().next();
      if (!oldest.done) {
        this.entries.delete(oldest.value);
      }
    }
  }

  getOrCompute(key: K, compute: () => V): V {
    const found = this.get(key);
    if (found !== undefined) {
      return found;
    }
    const value = compute();
    this.set(key, value);
    return value;
  }

  keys(): K[] {
    return [...this.entries.keys()];
  }

  deleteWhere(test: (key: K) => boolean): void {
    for (const key of [...this.entries.keys()]) {
      if (test(key)) {
        this.entries.delete(key);
      }
    }
  }

  clear(): void {
    this.entries.clear();
  }
}
