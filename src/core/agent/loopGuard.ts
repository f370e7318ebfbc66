/**
 * Notices a model going round in circles. The same tool with the same arguments (keys sorted, so `{a,b}` and
 * `{b,a}` are one call) warns the model at the 3rd time and stops at the 5th, as Cline does; a file changing
 * resets the count, since running the tests again after an edit is progress, not a loop. Invalid calls in a row
 * (bad JSON, unknown tool, wrong arguments) are counted apart: three in a row pause the turn.
 */

export const REPEAT_WARN_AT = 3;
export const REPEAT_STOP_AT = 5;
export const MISTAKES_LIMIT = 3;

export type RepeatVerdict = { kind: 'ok' } | { kind: 'warn'; count: number } | { kind: 'stop'; count: number };

export class LoopGuard {
  private readonly counts = new Map<string, number>();
  private mistakes = 0;

  /** Counts a call about to run and says what to do with it. */
  repeat(name: string, args: unknown): RepeatVerdict {
    const key = `${name}\n${canonicalJson(args)}`;
    const count = (this.counts.get(key) ?? 0) + 1;
    this.counts.set(key, count);
    if (count >= REPEAT_STOP_AT) {
      return { kind: 'stop', count };
    }
    return count >= REPEAT_WARN_AT ? { kind: 'warn', count } : { kind: 'ok' };
  }

  /** Forgets one call's count (the person chose to continue after a stop). */
  forgive(name: string, args: unknown): void {
    this.counts.delete(`${name}\n${canonicalJson(args)}`);
  }

  /** A file changed: earlier calls may now give other answers. */
  environmentChanged(): void {
    this.counts.clear();
  }

  /** An invalid call; returns true when there were MISTAKES_LIMIT in a row. */
  mistake(): boolean {
    this.mistakes += 1;
    return this.mistakes >= MISTAKES_LIMIT;
  }

  validCall(): void {
    this.mistakes = 0;
  }

  resetMistakes(): void {
    this.mistakes = 0;
  }
}

/** JSON with object keys sorted at every depth. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) {
    return value.map(sortKeys);
  }
  if (typeof value === 'object' && value !== null) {
    const record = value as Record<string, unknown>;
    return Object.fromEntries(
      Object.keys(record)
        .sort()
        .map((key) => [key, sortKeys(record[key])]),
    );
  }
  return value;
}
