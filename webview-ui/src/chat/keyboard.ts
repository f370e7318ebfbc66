import type { ChatStore } from './store';
import type { Transcript } from './transcript';

/**
 * Keys that work across the panel. Esc stops a streaming reply from anywhere (an inline editor or an open
 * dropdown handles its own Esc first). In the conversation: PageUp/PageDown move between messages when a
 * message has focus, Ctrl+Home/Ctrl+End go to the first/latest message, even thousands of messages away.
 */

export interface KeyboardDeps {
  store: ChatStore;
  transcript: Transcript;
  feed: HTMLElement;
  stop: () => void;
}

export function installKeyboard({ store, transcript, feed, stop }: KeyboardDeps): void {
  document.addEventListener('keydown', (event) => {
    if (event.key !== 'Escape' || event.defaultPrevented || !store.isStreaming) {
      return;
    }
    const inSelect = event.composedPath().some((node) => node instanceof Element && node.tagName === 'VSCODE-SINGLE-SELECT');
    if (!inSelect) {
      event.preventDefault();
      stop();
    }
  });

  feed.addEventListener('keydown', (event) => {
    const target = event.target instanceof HTMLElement ? event.target : null;
    if (!target || target.closest('textarea, input, .inline-editor')) {
      return;
    }
    const count = transcript.list.count;
    if (count === 0) {
      return;
    }
    if (event.ctrlKey && (event.key === 'Home' || event.key === 'End')) {
      event.preventDefault();
      transcript.focusIndex(event.key === 'Home' ? 0 : count - 1);
      return;
    }
    const article = target.closest<HTMLElement>('article.message');
    if (article && target === article && (event.key === 'PageDown' || event.key === 'PageUp')) {
      event.preventDefault();
      const index = Number(article.dataset.index ?? '0');
      transcript.focusIndex(index + (event.key === 'PageDown' ? 1 : -1));
    }
  });
}
