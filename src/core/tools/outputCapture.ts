/**
 * The part of a command's output the model is shown: its head and its tail, in bounded memory whatever the
 * output's size. The head keeps the first characters (where a build says what it is doing), a ring keeps the
 * last ones (where it says how it ended); everything between is only counted. The whole output goes to an
 * OutputWriter beside this, so `read_output` can page through what was left out.
 */

export interface CaptureLimits {
  headChars: number;
  tailChars: number;
}

export interface CapturedOutput {
  head: string;
  /** Empty when nothing was left out (then `head` is the whole output). */
  tail: string;
  truncated: boolean;
  totalChars: number;
  /** `\n`-separated lines; a last line without a newline counts. */
  totalLines: number;
  omittedChars: number;
  omittedLines: number;
  /** The first line (1-based) that is not shown whole: where `read_output` should start. */
  firstOmittedLine: number;
}

export const DEFAULT_CAPTURE_LIMITS: CaptureLimits = { headChars: 16_000, tailChars: 32_000 };

export class OutputCapture {
  private head = '';
  private tail = '';
  private totalChars = 0;
  private newlines = 0;
  private lastChar = '';

  constructor(private readonly limits: CaptureLimits = DEFAULT_CAPTURE_LIMITS) {}

  write(text: string): void {
    if (text === '') {
      return;
    }
    this.totalChars += text.length;
    this.newlines += countNewlines(text);
    this.lastChar = text[text.length - 1] ?? '';
    let rest = text;
    if (this.head.length < this.limits.headChars) {
      const room = this.limits.headChars - this.head.length;
      this.head += rest.slice(0, room);
      rest = rest.slice(room);
    }
    if (rest === '') {
      return;
    }
    // Amortized: the ring is cut back only when it has grown to twice its size, so a stream of small chunks
    // costs linear time, and memory stays under head + 2 x tail + one chunk.
    this.tail += rest;
    if (this.tail.length > 2 * this.limits.tailChars) {
      this.tail = this.tail.slice(-this.limits.tailChars);
    }
  }

  finish(): CapturedOutput {
    const totalLines = this.newlines + (this.totalChars > 0 && this.lastChar !== '\n' ? 1 : 0);
    let tail = this.tail.length > this.limits.tailChars ? this.tail.slice(-this.limits.tailChars) : this.tail;
    let head = this.head;
    if (head.length + tail.length === this.totalChars) {
      return {
        head: head + tail,
        tail: '',
        truncated: false,
        totalChars: this.totalChars,
        totalLines,
        omittedChars: 0,
        omittedLines: 0,
        firstOmittedLine: totalLines + 1,
      };
    }
    // Cut at line boundaries when one is near, so the omitted part is whole lines `read_output` can name.
    const headCut = head.lastIndexOf('\n');
    if (headCut >= head.length / 2) {
      head = head.slice(0, headCut + 1);
    }
    const tailCut = tail.indexOf('\n');
    if (tailCut >= 0 && tailCut < tail.length / 2 && tailCut < tail.length - 1) {
      tail = tail.slice(tailCut + 1);
    }
    const headLines = countNewlines(head);
    const tailLines = countNewlines(tail) + (tail.endsWith('\n') ? 0 : 1);
    return {
      head,
      tail,
      truncated: true,
      totalChars: this.totalChars,
      totalLines,
      omittedChars: this.totalChars - head.length - tail.length,
      omittedLines: Math.max(0, totalLines - headLines - tailLines),
      firstOmittedLine: headLines + 1,
    };
  }
}

function countNewlines(text: string): number {
  let n = 0;
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) {
    n++;
  }
  return n;
}
