/**
 * Which lines of two outputs the other lacks, for the side-by-side comparison: a longest common subsequence over
 * lines, so lines both share stay plain and the rest are marked on their side. Quadratic, so past LIMIT line pairs
 * (two 1,000-line outputs) the lines are shown without marks rather than stalling the panel.
 */

export type LineKind = 'same' | 'changed';

export interface MarkedLine {
  text: string;
  kind: LineKind;
}

const LIMIT = 1_000_000;

export function lineDiff(a: string, b: string): { a: MarkedLine[]; b: MarkedLine[]; compared: boolean } {
  const left = a.split('\n');
  const right = b.split('\n');
  if (left.length * right.length > LIMIT) {
    const plain = (lines: string[]) => lines.map((text): MarkedLine => ({ text, kind: 'same' }));
    return { a: plain(left), b: plain(right), compared: false };
  }
  const columns = right.length + 1;
  // lengths[i * columns + j]: the LCS of left[i..] and right[j..].
  const lengths = new Uint32Array((left.length + 1) * columns);
  for (let i = left.length - 1; i >= 0; i--) {
    for (let j = right.length - 1; j >= 0; j--) {
      lengths[i * columns + j] = left[i] === right[j] ? lengths[(i + 1) * columns + j + 1]! + 1 : Math.max(lengths[(i + 1) * columns + j]!, lengths[i * columns + j + 1]!);
    }
  }
  const markedA: MarkedLine[] = [];
  const markedB: MarkedLine[] = [];
  let i = 0;
  let j = 0;
  while (i < left.length && j < right.length) {
    if (left[i] === right[j]) {
      markedA.push({ text: left[i++]!, kind: 'same' });
      markedB.push({ text: right[j++]!, kind: 'same' });
    } else if (lengths[(i + 1) * columns + j]! >= lengths[i * columns + j + 1]!) {
      markedA.push({ text: left[i++]!, kind: 'changed' });
    } else {
      markedB.push({ text: right[j++]!, kind: 'changed' });
    }
  }
  while (i < left.length) {
    markedA.push({ text: left[i++]!, kind: 'changed' });
  }
  while (j < right.length) {
    markedB.push({ text: right[j++]!, kind: 'changed' });
  }
  return { a: markedA, b: markedB, compared: true };
}
