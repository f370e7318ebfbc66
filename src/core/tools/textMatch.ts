import { splitLines } from './toolText';

/**
 * Finding the model's `oldText` in a file, and when it is not there, what is: the same lines with other
 * whitespace, or the closest line. The precise "not found" is what lets the model fix its call in one step
 * instead of guessing.
 */

/** Start indexes of the non-overlapping occurrences of `needle`, left to right (as split/join replaces them). */
export function findOccurrences(text: string, needle: string): number[] {
  const found: number[] = [];
  if (needle === '') {
    return found;
  }
  for (let i = text.indexOf(needle); i !== -1; i = text.indexOf(needle, i + needle.length)) {
    found.push(i);
  }
  return found;
}

/** The 1-based line of a character index. */
export function lineOf(text: string, index: number): number {
  let line = 1;
  for (let i = text.indexOf('\n'); i !== -1 && i < index; i = text.indexOf('\n', i + 1)) {
    line++;
  }
  return line;
}

const normalize = (line: string) => line.trim().replace(/\s+/g, ' ');

/**
 * Where `needle` is in `text` when whitespace is ignored (indentation, runs of spaces, tabs, blank lines at its
 * ends): the 1-based lines it covers, or undefined. The first and last needle lines may be parts of lines.
 */
export function findIgnoringWhitespace(text: string, needle: string): { startLine: number; endLine: number } | undefined {
  const wanted = splitLines(needle).map(normalize);
  while (wanted[0] === '') {
    wanted.shift();
  }
  while (wanted.length > 0 && wanted[wanted.length - 1] === '') {
    wanted.pop();
  }
  if (wanted.length === 0) {
    return undefined;
  }
  const lines = splitLines(text).map(normalize);
  const first = wanted[0] ?? '';
  const last = wanted[wanted.length - 1] ?? '';
  for (let i = 0; i + wanted.length <= lines.length; i++) {
    if (wanted.length === 1) {
      if ((lines[i] ?? '').includes(first)) {
        return { startLine: i + 1, endLine: i + 1 };
      }
      continue;
    }
    if (!(lines[i] ?? '').endsWith(first) || !(lines[i + wanted.length - 1] ?? '').startsWith(last)) {
      continue;
    }
    let same = true;
    for (let j = 1; j < wanted.length - 1 && same; j++) {
      same = lines[i + j] === wanted[j];
    }
    if (same) {
      return { startLine: i + 1, endLine: i + wanted.length };
    }
  }
  return undefined;
}

/** The file line most like the needle's first non-blank line (bigram similarity), if any is at least half alike. */
export function closestLine(text: string, needle: string): { line: number; text: string } | undefined {
  const probe = splitLines(needle).map((l) => l.trim()).find((l) => l !== '');
  if (probe === undefined) {
    return undefined;
  }
  const probeGrams = bigrams(probe);
  const lines = splitLines(text);
  let best: { line: number; text: string; score: number } | undefined;
  // A bounded amount of work: the first 50,000 lines, and lines of at most 1,000 characters.
  for (let i = 0; i < Math.min(lines.length, 50_000); i++) {
    const line = lines[i] ?? '';
    const trimmed = line.trim();
    if (trimmed === '' || trimmed.length > 1_000) {
      continue;
    }
    const score = dice(probeGrams, bigrams(trimmed));
    if (best === undefined || score > best.score) {
      best = { line: i + 1, text: line, score };
    }
  }
  return best !== undefined && best.score >= 0.5 ? { line: best.line, text: best.text } : undefined;
}

/** Whether every line starts with a line number and a tab, as read_file shows them. */
export function hasLineNumbers(needle: string): boolean {
  const lines = splitLines(needle).filter((l) => l.trim() !== '');
  return lines.length > 0 && lines.every((l) => /^\s*\d+\t/.test(l));
}

function bigrams(text: string): Map<string, number> {
  const grams = new Map<string, number>();
  for (let i = 0; i < text.length - 1; i++) {
    const gram = text.slice(i, i + 2);
    grams.set(gram, (grams.get(gram) ?? 0) + 1);
  }
  return grams;
}

function dice(a: Map<string, number>, b: Map<string, number>): number {
  let sizeA = 0;
  let sizeB = 0;
  let shared = 0;
  for (const n of a.values()) {
    sizeA += n;
  }
  for (const [gram, n] of b) {
    sizeB += n;
    shared += Math.min(n, a.get(gram) ?? 0);
  }
  return sizeA + sizeB === 0 ? 0 : (2 * shared) / (sizeA + sizeB);
}
