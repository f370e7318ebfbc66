import { h } from '../shared/dom';
import { decorateCodeBlocks } from './codeBlocks';
import { renderMarkdown } from './markdown';

/**
 * Renders a reply while it streams without re-parsing all of it every frame. Text before the last blank line that
 * is outside a code fence and followed by an unindented line will not change meaning as more text arrives, so it
 * is rendered once into a "stable" part and only the tail is re-rendered per frame: the cost of a frame stays the
 * size of the last paragraph, not of the whole reply (a 2,000-token answer re-rendered whole costs 50-100 ms a
 * frame by its end).
 *
 * Splitting can differ from rendering the whole text in rare cases (a reference-style link defined after its use,
 * a loose list drawn as two lists); the finished message is rendered whole when the host sends it complete.
 */

interface State {
  stableText: string;
  stable: HTMLElement;
  tail: HTMLElement;
}

const states = new WeakMap<HTMLElement, State>();

/** Renders `text` into `body` incrementally; `body` keeps the state between calls. */
export function renderStreaming(body: HTMLElement, text: string): void {
  let state = states.get(body);
  if (!state || !text.startsWith(state.stableText)) {
    state = { stableText: '', stable: h('div', { class: 'stream-stable' }), tail: h('div', { class: 'stream-tail' }) };
    states.set(body, state);
    body.replaceChildren(state.stable, state.tail);
  }
  const split = stableSplit(text, state.stableText.length);
  if (split > state.stableText.length) {
    const fragment = renderMarkdown(text.slice(state.stableText.length, split));
    decorateCodeBlocks(fragment);
    state.stable.append(fragment);
    state.stableText = text.slice(0, split);
  }
  const tail = renderMarkdown(text.slice(split));
  decorateCodeBlocks(tail);
  state.tail.replaceChildren(tail, h('span', { class: 'streaming-caret', 'aria-hidden': 'true' }));
}

/** Forgets the streaming state of a body (the message finished and is rendered whole). */
export function endStreaming(body: HTMLElement): void {
  states.delete(body);
}

const FENCE = /^ {0,3}(`{3,}|~{3,})/;

/**
 * The end of the longest prefix of `text` (starting the scan at `from`, which is itself such a point) that ends
 * with a blank line outside any code fence and is followed by a line that does not start with whitespace.
 */
export function stableSplit(text: string, from: number): number {
  let split = from;
  let fence: string | null = null;
  let lineStart = from;
  let previousBlank = false;
  while (lineStart < text.length) {
    const newline = text.indexOf('\n', lineStart);
    if (newline === -1) {
      // The last line is still arriving: never part of the stable prefix.
      break;
    }
    const line = text.slice(lineStart, newline);
    const marker = FENCE.exec(line)?.[1];
    if (fence === null && previousBlank && line.trim() !== '' && !/^\s/.test(line)) {
      split = lineStart;
    }
    if (marker && (fence === null || (marker[0] === fence[0] && marker.length >= fence.length && line.trim() === marker))) {
      fence = fence === null ? marker : null;
    }
    previousBlank = fence === null && line.trim() === '';
    lineStart = newline + 1;
  }
  return split;
}
