import {
  Virtualizer,
  defaultRangeExtractor,
  elementScroll,
  observeElementOffset,
  observeElementRect,
  type Range,
  type VirtualizerOptions,
} from '@tanstack/virtual-core';

/**
 * The message list, virtualized with @tanstack/virtual-core: only the messages near the viewport are in the DOM,
 * so a session of 10,000 messages costs what a session of 30 does. Heights are measured as elements mount (and
 * re-measured by a ResizeObserver while a reply streams), keyed by message id so a branch switch reuses them.
 *
 * `anchorTo: 'end'` + `followOnAppend` give chat scrolling: at the bottom, new messages and a growing reply keep
 * the view pinned to the latest text; once the user scrolls up, nothing moves under them.
 */

export interface VirtualListHooks {
  /** The element for a message id, built or taken from a cache; the list positions it. */
  element(id: string): HTMLElement;
  estimateSize(id: string): number;
  /** Ids that must stay in the DOM even off screen: the focused message (or focus is lost), the one being edited. */
  keepRendered(): readonly string[];
  /** After every render: the position may have changed (the "jump to latest" button listens). */
  onRendered(): void;
}

type Options = VirtualizerOptions<HTMLElement, HTMLElement>;

const END_THRESHOLD_PX = 24;

export class VirtualList {
  private ids: readonly string[] = [];
  private readonly indexById = new Map<string, number>();
  private readonly mounted = new Map<string, HTMLElement>();
  private readonly virtualizer: Virtualizer<HTMLElement, HTMLElement>;
  private readonly unmount: () => void;
  private rendering = false;
  private renderAgain = false;

  constructor(
    readonly scroller: HTMLElement,
    private readonly sizer: HTMLElement,
    private readonly hooks: VirtualListHooks,
  ) {
    this.virtualizer = new Virtualizer(this.options());
    this.unmount = this.virtualizer._didMount();
    this.virtualizer._willUpdate();
  }

  setIds(ids: readonly string[]): void {
    this.ids = ids;
    this.indexById.clear();
    ids.forEach((id, index) => this.indexById.set(id, index));
    this.refresh();
  }

  /** Re-reads `keepRendered` and re-renders, e.g. after focus moved into another message. */
  refresh(): void {
    this.virtualizer.setOptions(this.options());
    this.render();
  }

  indexOf(id: string): number | undefined {
    return this.indexById.get(id);
  }

  get count(): number {
    return this.ids.length;
  }

  /** The element of a message if it is in the DOM now. */
  mountedElement(id: string): HTMLElement | undefined {
    return this.mounted.get(id);
  }

  /** Ids whose elements are in the DOM now (the visible ones, plus overscan and kept ones). */
  mountedIds(): string[] {
    return [...this.mounted.keys()];
  }

  /** Swaps a rebuilt element in for a mounted one, keeping its place (and measuring it again). */
  replace(id: string, element: HTMLElement): void {
    const old = this.mounted.get(id);
    if (!old || old === element) {
      return;
    }
    element.dataset.index = old.dataset.index ?? '';
    element.style.transform = old.style.transform;
    element.setAttribute('aria-posinset', old.getAttribute('aria-posinset') ?? '');
    element.setAttribute('aria-setsize', old.getAttribute('aria-setsize') ?? '');
    old.replaceWith(element);
    this.mounted.set(id, element);
    this.virtualizer.measureElement(null);
    this.virtualizer.measureElement(element);
  }

  isAtEnd(): boolean {
    return this.ids.length === 0 || this.virtualizer.getDistanceFromEnd() <= END_THRESHOLD_PX;
  }

  scrollToEnd(): void {
    if (this.ids.length > 0) {
      this.virtualizer.scrollToIndex(this.ids.length - 1, { align: 'end' });
    }
  }

  scrollToIndex(index: number, align: 'start' | 'end' | 'auto' = 'auto'): void {
    this.virtualizer.scrollToIndex(Math.max(0, Math.min(index, this.ids.length - 1)), { align });
  }

  dispose(): void {
    this.unmount();
  }

  private options(): Options {
    const ids = this.ids;
    const keep = this.hooks.keepRendered().flatMap((id) => {
      const index = this.indexById.get(id);
      return index === undefined ? [] : [index];
    });
    return {
      count: ids.length,
      getScrollElement: () => this.scroller,
      estimateSize: (index) => this.hooks.estimateSize(ids[index] ?? ''),
      // A fresh closure per id list: the virtualizer memoizes on this function, and keys move on a branch switch.
      getItemKey: (index) => ids[index] ?? index,
      rangeExtractor: (range: Range) => mergeIndexes(defaultRangeExtractor(range), keep),
      scrollToFn: elementScroll,
      observeElementRect,
      observeElementOffset,
      onChange: () => this.render(),
      overscan: 3,
      gap: 6,
      paddingStart: 8,
      paddingEnd: 12,
      anchorTo: 'end',
      followOnAppend: true,
      scrollEndThreshold: END_THRESHOLD_PX,
    };
  }

  /** Syncs the DOM with the virtual items. Re-entrant calls (measuring notifies synchronously) are folded. */
  private render(): void {
    if (this.rendering) {
      this.renderAgain = true;
      return;
    }
    this.rendering = true;
    try {
      do {
        this.renderAgain = false;
        this.renderOnce();
        this.virtualizer._willUpdate();
      } while (this.renderAgain);
    } finally {
      this.rendering = false;
    }
    this.hooks.onRendered();
  }

  private renderOnce(): void {
    const items = this.virtualizer.getVirtualItems();
    this.sizer.style.height = `${this.virtualizer.getTotalSize()}px`;
    const visible = new Set<string>();
    const fresh: HTMLElement[] = [];
    let previous: Element | null = null;
    for (const item of items) {
      const id = this.ids[item.index];
      if (id === undefined) {
        continue;
      }
      visible.add(id);
      let element = this.mounted.get(id);
      if (!element) {
        element = this.hooks.element(id);
        this.mounted.set(id, element);
        fresh.push(element);
      }
      element.dataset.index = String(item.index);
      element.style.transform = `translateY(${item.start}px)`;
      element.setAttribute('aria-posinset', String(item.index + 1));
      element.setAttribute('aria-setsize', String(this.ids.length));
      // DOM order follows the conversation: Tab order and screen readers read the DOM, not the transforms.
      const expected: Element | null = previous ? previous.nextElementSibling : this.sizer.firstElementChild;
      if (expected !== element) {
        if (previous) {
          previous.after(element);
        } else {
          this.sizer.prepend(element);
        }
      }
      previous = element;
    }
    let removed = false;
    for (const [id, element] of this.mounted) {
      if (!visible.has(id)) {
        element.remove();
        this.mounted.delete(id);
        removed = true;
      }
    }
    if (removed) {
      this.virtualizer.measureElement(null);
    }
    for (const element of fresh) {
      this.virtualizer.measureElement(element);
    }
  }
}

function mergeIndexes(range: number[], extra: number[]): number[] {
  if (extra.length === 0) {
    return range;
  }
  return [...new Set([...range, ...extra])].sort((a, b) => a - b);
}
