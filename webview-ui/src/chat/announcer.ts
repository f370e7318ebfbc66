import type { ChatStore, StoreChange } from './store';

/**
 * Tells screen-reader users when a reply ends and how, without reading every streamed token: the streaming
 * message itself is `aria-busy` while it grows, and this live region speaks once when it settles.
 */

const OUTCOMES: Record<string, string> = {
  complete: 'Reply complete.',
  cancelled: 'Reply stopped.',
  incomplete: 'Reply incomplete: the model stopped early.',
  error: 'Reply failed.',
};

export class Announcer {
  private readonly streaming = new Set<string>();

  constructor(
    private readonly store: ChatStore,
    private readonly region: HTMLElement,
  ) {}

  /** Says something once (an approval that waits, what an undo restored), politely: typing is not interrupted. */
  say(text: string): void {
    // The same words twice in a row would not be read again unless the region changes in between.
    this.region.textContent = '';
    // A timer, not a frame: frames do not run while the panel is hidden, and this should be said when it shows.
    window.setTimeout(() => {
      this.region.textContent = text;
    }, 30);
  }

  onChange(change: StoreChange): void {
    if (change.kind === 'reset') {
      this.streaming.clear();
      if (this.store.streamingId) {
        this.streaming.add(this.store.streamingId);
      }
      return;
    }
    if (change.kind !== 'message') {
      return;
    }
    const message = this.store.get(change.id);
    if (message?.role !== 'assistant') {
      return;
    }
    if (message.status === 'streaming') {
      this.streaming.add(message.id);
    } else if (this.streaming.delete(message.id)) {
      const outcome = OUTCOMES[message.status] ?? '';
      this.region.textContent = message.error ? `${outcome} ${message.error.message}` : outcome;
    }
  }
}
