import type { ToolCallState, ToolCallView } from '../../../src/protocol/chatTools';

/**
 * How the panel combines what it hears about one tool call. A call moves one way only (pending -> waiting for
 * the person -> running -> an end), while its news comes by two roads that may cross: `chat/tool` events and
 * whole `chat/message` views (a snapshot, a history page, an event queued before the snapshot that already
 * holds it). So the further state wins, whichever arrived last, and a stale view never turns a finished call
 * back into a running one.
 */

const RANK: Record<ToolCallState, number> = {
  pending: 0,
  awaiting_approval: 1,
  running: 2,
  completed: 3,
  failed: 3,
  denied: 3,
  interrupted: 3,
};

/** What the panel keeps of a running command's output: the newest part, as much as a person can read back. */
export const OUTPUT_KEEP_CHARS = 64_000;
/** What the row shows of it: the last lines, so the DOM stays small however much a command prints. */
export const OUTPUT_SHOWN_LINES = 200;

export function isSettled(call: ToolCallView): boolean {
  return RANK[call.state] === 3;
}

/** `next` as it should be kept, given `have`: the further state wins; on a tie the newcomer does. */
export function mergeCall(have: ToolCallView | undefined, next: ToolCallView): ToolCallView {
  if (!have) {
    return next;
  }
  if (RANK[next.state] < RANK[have.state]) {
    return have;
  }
  // The streamed output is the panel's own record; a view without it does not erase it.
  return next.output === undefined && have.output !== undefined ? { ...next, output: have.output } : next;
}

/** Merges a list of calls into another, in `next`'s order, keeping calls only `have` knows (a call is never removed). */
export function mergeCalls(have: readonly ToolCallView[] | undefined, next: readonly ToolCallView[]): ToolCallView[] {
  const old = new Map((have ?? []).map((call) => [call.id, call]));
  const merged = next.map((call) => mergeCall(old.get(call.id), call));
  const ids = new Set(next.map((call) => call.id));
  return [...merged, ...(have ?? []).filter((call) => !ids.has(call.id))];
}

/** One call upserted into a list: replaced in place, or appended. */
export function upsertCall(calls: readonly ToolCallView[] | undefined, call: ToolCallView): ToolCallView[] {
  const list = [...(calls ?? [])];
  const index = list.findIndex((existing) => existing.id === call.id);
  if (index === -1) {
    list.push(call);
  } else {
    list[index] = mergeCall(list[index], call);
  }
  return list;
}

/** Appends output and keeps the tail, starting at a line boundary so the first line shown is never half a line. */
export function appendOutput(have: string | undefined, text: string): string {
  const all = (have ?? '') + text;
  if (all.length <= OUTPUT_KEEP_CHARS) {
    return all;
  }
  const cut = all.slice(-OUTPUT_KEEP_CHARS);
  const newline = cut.indexOf('\n');
  return newline === -1 ? cut : cut.slice(newline + 1);
}

/** The last `count` lines of `text`. */
export function lastLines(text: string, count = OUTPUT_SHOWN_LINES): string {
  let index = text.length;
  // A trailing newline ends the last line; it does not start an empty one.
  let from = text.endsWith('\n') ? index - 2 : index - 1;
  for (let seen = 0; seen < count; seen++) {
    index = text.lastIndexOf('\n', from);
    if (index === -1) {
      return text;
    }
    from = index - 1;
  }
  return text.slice(index + 1);
}

/**
 * Calls and output that arrived for a message (or a call) the panel does not hold yet: events may beat the
 * message they belong to. Kept for a bounded number of messages, and handed over when the message arrives.
 */
export class OrphanCalls {
  private readonly calls = new Map<string, ToolCallView[]>();
  private readonly outputs = new Map<string, string>();

  constructor(private readonly limit = 200) {}

  addCall(messageId: string, call: ToolCallView): void {
    this.calls.set(messageId, upsertCall(this.calls.get(messageId), call));
    this.trim(this.calls);
  }

  addOutput(messageId: string, callId: string, text: string): void {
    const key = `${messageId}\n${callId}`;
    this.outputs.set(key, appendOutput(this.outputs.get(key), text));
    this.trim(this.outputs);
  }

  /** Gives the message's waiting calls and output over (and forgets them): merged into `calls`. */
  adopt(messageId: string, calls: readonly ToolCallView[] | undefined): ToolCallView[] | undefined {
    const waiting = this.calls.get(messageId);
    this.calls.delete(messageId);
    let merged = waiting ? mergeCalls(calls, waiting) : calls ? [...calls] : undefined;
    if (merged && this.outputs.size > 0) {
      merged = merged.map((call) => {
        const key = `${messageId}\n${call.id}`;
        const output = this.outputs.get(key);
        if (output === undefined) {
          return call;
        }
        this.outputs.delete(key);
        // The host's own tail, when the view has one, is the truth; the early output only fills a gap.
        return call.output === undefined ? { ...call, output } : call;
      });
    }
    return merged;
  }

  private trim(map: Map<string, unknown>): void {
    for (const key of map.keys()) {
      if (map.size <= this.limit) {
        return;
      }
      map.delete(key);
    }
  }
}
