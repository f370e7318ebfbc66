/**
 * The part of a document that really changes when it gets a whole new text: everything between the common
 * prefix and the common suffix. Replacing only that keeps the editor's cursor, folding and markers outside the
 * change where they were, and makes Undo restore exactly what the edit touched.
 */
export interface TextChange {
  /** Offsets into the old text: [start, end) is replaced. */
  start: number;
  end: number;
  /** What replaces it. */
  text: string;
}

export function changedRange(oldText: string, newText: string): TextChange | undefined {
  if (oldText === newText) {
    return undefined;
  }
  const max = Math.min(oldText.length, newText.length);
  let prefix = 0;
  while (prefix < max && oldText.charCodeAt(prefix) === newText.charCodeAt(prefix)) {
    prefix++;
  }
  // Never split a \r\n pair or a surrogate pair: the editor has no position between their halves.
  while (prefix > 0 && (splitsPair(oldText, prefix) || splitsPair(newText, prefix))) {
    prefix--;
  }
  let suffix = 0;
  while (
    suffix < max - prefix &&
    oldText.charCodeAt(oldText.length - 1 - suffix) === newText.charCodeAt(newText.length - 1 - suffix)
  ) {
    suffix++;
  }
  while (suffix > 0 && (splitsPair(oldText, oldText.length - suffix) || splitsPair(newText, newText.length - suffix))) {
    suffix--;
  }
  return { start: prefix, end: oldText.length - suffix, text: newText.slice(prefix, newText.length - suffix) };
}

function splitsPair(text: string, offset: number): boolean {
  if (offset <= 0 || offset >= text.length) {
    return false;
  }
  const before = text.charCodeAt(offset - 1);
  const after = text.charCodeAt(offset);
  return (before === 0x0d && after === 0x0a) || (before >= 0xd800 && before <= 0xdbff && after >= 0xdc00 && after <= 0xdfff);
}
