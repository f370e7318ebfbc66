/**
 * The caps every tool result keeps to, and the numbered-lines view read_file and read_output share. Every
 * character of a result is re-sent to the model on every later step of the turn, so a tool never returns more
 * than ~48,000 characters, and a result that was cut says exactly how to read on.
 */

export const MAX_RESULT_CHARS = 48_000;
export const MAX_RESULT_LINES = 2_000;

/** The lines of a text: `\n`-separated, a trailing `\r` dropped, no empty last line for a final newline. */
export function splitLines(text: string): string[] {
  if (text === '') {
    return [];
  }
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') {
    lines.pop();
  }
  return lines.map((line) => (line.endsWith('\r') ? line.slice(0, -1) : line));
}

/** A line cut to `max` characters, saying how much was left out. */
export function clipLine(line: string, max: number): string {
  if (line.length <= max) {
    return line;
  }
  return `${line.slice(0, max)}… [${line.length - max} more characters on this line]`;
}

export interface NumberedPage {
  /** `n<TAB>text` per line. */
  text: string;
  /** The last line shown (firstLine - 1 when none fit). */
  lastLine: number;
}

/**
 * `lines` numbered from `firstLine`, as many as fit in `maxChars`. The first line is always shown, clipped if it
 * alone is too long (a minified file is one line), so every call makes progress.
 */
export function numberedPage(lines: readonly string[], firstLine: number, maxChars: number): NumberedPage {
  const out: string[] = [];
  let used = 0;
  let lastLine = firstLine - 1;
  for (let i = 0; i < lines.length; i++) {
    const prefix = `${firstLine + i}\t`;
    const line = lines[i] ?? '';
    const cost = prefix.length + line.length + 1;
    if (used + cost > maxChars) {
      if (i === 0) {
        out.push(prefix + clipLine(line, Math.max(0, maxChars - prefix.length - 60)));
        lastLine = firstLine;
      }
      break;
    }
    out.push(prefix + line);
    used += cost;
    lastLine = firstLine + i;
  }
  return { text: out.join('\n'), lastLine };
}

/** Whether decoded text looks like a binary file: NUL characters, or mostly undecodable bytes. */
export function looksBinary(text: string): boolean {
  const sample = text.slice(0, 8_000);
  if (sample.includes('\u0000')) {
    return true;
  }
  let replaced = 0;
  for (const char of sample) {
    if (char === '\uFFFD') {
      replaced++;
    }
  }
  return sample.length > 0 && replaced / sample.length > 0.1;
}

/** 1,234,567 */
export function count(n: number): string {
  return n.toLocaleString('en-US');
}

/** "1 line" / "2 lines" */
export function plural(n: number, word: string): string {
  return `${count(n)} ${word}${n === 1 ? '' : 's'}`;
}

/**
 * A synchronous computation as a promise: a tool's `plan` that does no I/O still rejects (not throws) on a
 * ToolError, as callers of an async interface expect.
 */
export function promised<T>(compute: () => T | Promise<T>): Promise<T> {
  try {
    return Promise.resolve(compute());
  } catch (err) {
    return Promise.reject(err instanceof Error ? err : new Error(String(err)));
  }
}
