import type { InspectorRow } from '../../../src/protocol/inspector';
import { createSlot, fillSlot, type RowSlot, type RowState, type Scale } from './rowView';

/**
 * The virtualized row list. Rows have one fixed height, so the list needs no measuring and no per-row bookkeeping:
 * the first visible row is scrollTop / ROW_HEIGHT, and a fixed set of row slots (a screenful plus overscan) is
 * moved to it and re-filled. The DOM holds the same few dozen rows at 10 events or 100,000, and memory does not
 * grow with the session (a general virtualizer keeps an object per item; measured here, that is what grew).
 */

export const ROW_HEIGHT = 22;
const OVERSCAN = 8;
/**
 * A fling (a scroll that replaces every row on screen from one frame to the next: a fast wheel, the scrollbar
 * dragged) fetches nothing until it pauses this long: the rows it flies past cannot be read, and fetching them
 * would only fill the frames with page traffic and garbage. Measured in bench:inspector.
 */
const SETTLE_MS = 80;
/** Browsers cap an element's height (Chromium ~33.5M px); 100,000 rows are 2.2M px, far below it. */

export interface TimelineHooks {
  row(index: number): InspectorRow | undefined;
  /** Rows [first, last] are about to be shown: load their pages. */
  want(first: number, last: number): void;
  isSelected(index: number, turn: number): boolean;
  activeIndex(): number | undefined;
  scale(): Scale;
  sessionSpanMs(): number;
}

export class Timeline {
  private count = 0;
  private readonly slots: RowSlot[] = [];
  private readonly block: HTMLElement;
  private frame: number | undefined;
  /** The first row of the last render, to tell a fling from a scroll. */
  private lastFirst: number | undefined;
  /** The next render fetches what it shows whatever the scroll did (a jump, a new filter, new rows). */
  private jumped = true;
  private settleTimer: number | undefined;

  constructor(
    readonly viewport: HTMLElement,
    private readonly sizer: HTMLElement,
    private readonly hooks: TimelineHooks,
  ) {
    this.block = document.createElement('div');
    this.block.className = 'rows-block';
    sizer.append(this.block);
    viewport.addEventListener(
      'scroll',
      () => this.schedule(),
      { passive: true },
    );
    new ResizeObserver(() => this.schedule()).observe(viewport);
  }

  get rowCount(): number {
    return this.count;
  }

  /** A new length; with `follow`, a list scrolled to its end stays there (new rows of a streaming session show). */
  setCount(count: number, options: { follow?: boolean } = {}): void {
    const atEnd = this.isAtEnd();
    const grew = count > this.count;
    this.count = count;
    this.jumped = true;
    this.sizer.style.height = `${count * ROW_HEIGHT}px`;
    if (options.follow && atEnd && grew) {
      this.viewport.scrollTop = this.viewport.scrollHeight;
    }
    this.schedule();
  }

  /** Re-renders on the next frame (scrolling, pages arriving and selection changes all come through here). */
  schedule(): void {
    this.frame ??= requestAnimationFrame(() => {
      this.frame = undefined;
      this.render();
    });
  }

  /** Renders now (after a jump, so the active row exists before focus moves to it). */
  render(): void {
    const height = this.viewport.clientHeight || 600;
    const top = this.viewport.scrollTop;
    // Slots form a ring: row `index` always lives in slot `index % slots`, so scrolling by a few rows re-fills only
    // the few slots that came into view, and every other row keeps its element and its text untouched.
    const size = Math.ceil(height / ROW_HEIGHT) + 1 + 2 * OVERSCAN;
    if (size !== this.slots.length) {
      for (const slot of this.slots.splice(0)) {
        slot.element.remove();
      }
      for (let i = 0; i < size; i++) {
        const slot = createSlot();
        slot.element.hidden = true;
        this.slots.push(slot);
        this.block.append(slot.element);
      }
    }
    const first = Math.max(0, Math.min(Math.floor(top / ROW_HEIGHT) - OVERSCAN, this.count - 1));
    const shown = Math.max(0, Math.min(size, this.count - first));
    const flinging = !this.jumped && this.lastFirst !== undefined && Math.abs(first - this.lastFirst) >= size;
    this.lastFirst = first;
    this.jumped = false;
    window.clearTimeout(this.settleTimer);
    if (flinging) {
      this.settleTimer = window.setTimeout(() => this.schedule(), SETTLE_MS);
    } else if (shown > 0) {
      this.hooks.want(first, first + shown - 1);
    }
    const active = this.hooks.activeIndex();
    const scale = this.hooks.scale();
    const sessionSpanMs = scale === 'session' ? this.hooks.sessionSpanMs() : 0;
    const used = new Set<RowSlot>();
    for (let index = first; index < first + shown; index++) {
      const slot = this.slots[index % size]!;
      used.add(slot);
      if (slot.index !== index) {
        slot.index = index;
        slot.element.style.transform = `translateY(${index * ROW_HEIGHT}px)`;
        slot.element.hidden = false;
      }
      const row = this.hooks.row(index);
      const state: RowState = {
        selected: row ? this.hooks.isSelected(index, row.turn) : false,
        active: index === active,
        scale,
        sessionSpanMs,
        setSize: this.count,
      };
      fillSlot(slot, index, row, state);
    }
    for (const slot of this.slots) {
      if (!used.has(slot) && slot.index !== -1) {
        slot.index = -1;
        slot.shownState = '';
        slot.shownRow = undefined;
        slot.element.hidden = true;
        slot.element.removeAttribute('id');
        delete slot.element.dataset.index;
      }
    }
  }

  /** Forces every slot to be re-filled (the rows behind them changed: a page was reloaded). */
  invalidate(): void {
    for (const slot of this.slots) {
      slot.shownState = '';
    }
    this.jumped = true;
    this.schedule();
  }

  /** The rows fully on screen. */
  visibleRange(): { first: number; last: number } {
    const first = Math.ceil(this.viewport.scrollTop / ROW_HEIGHT);
    const last = Math.floor((this.viewport.scrollTop + this.viewport.clientHeight) / ROW_HEIGHT) - 1;
    return { first, last: Math.max(first, Math.min(last, this.count - 1)) };
  }

  pageRows(): number {
    return Math.max(1, Math.floor(this.viewport.clientHeight / ROW_HEIGHT) - 1);
  }

  scrollToIndex(index: number, align: 'auto' | 'center' = 'auto'): void {
    const top = index * ROW_HEIGHT;
    const height = this.viewport.clientHeight;
    if (align === 'center') {
      this.viewport.scrollTop = Math.max(0, top - height / 2 + ROW_HEIGHT / 2);
    } else if (top < this.viewport.scrollTop) {
      this.viewport.scrollTop = top;
    } else if (top + ROW_HEIGHT > this.viewport.scrollTop + height) {
      this.viewport.scrollTop = top + ROW_HEIGHT - height;
    }
    this.jumped = true;
    this.render();
  }

  isAtEnd(): boolean {
    return this.viewport.scrollTop + this.viewport.clientHeight >= this.viewport.scrollHeight - ROW_HEIGHT;
  }

  /** The slot element showing `index`, if it is rendered. */
  elementOf(index: number): HTMLElement | undefined {
    const slot = this.slots.length > 0 ? this.slots[index % this.slots.length] : undefined;
    return slot?.index === index ? slot.element : undefined;
  }
}
