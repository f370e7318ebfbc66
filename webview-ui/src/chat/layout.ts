import { h } from '../shared/dom';
import type { Composer } from './composer';
import { emptyState } from './emptyState';
import type { ChatStore } from './store';
import type { Transcript } from './transcript';

/**
 * The panel's frame: a header with the session title, the conversation (or the loading / empty state in its
 * place), a "jump to latest" button over it, and the composer. `update` re-reads the store after each change.
 */

export interface Layout {
  feed: HTMLElement;
  sizer: HTMLElement;
  announcer: HTMLElement;
  /** The questions the turn waits on (approval and limit cards), between the conversation and the composer. */
  pending: HTMLElement;
  mountComposer(composer: Composer, fill: (text: string) => void): void;
  onInspectSession(handler: () => void): void;
  /** Shows that a page of older history (or a branch) is on its way. */
  setHistoryLoading(busy: boolean): void;
  update(store: ChatStore, transcript: Transcript | undefined): void;
}

export function buildLayout(app: HTMLElement): Layout {
  const title = h('h1', { id: 'session-title', class: 'session-title' }, 'Chat');
  const inspect = h(
    'button',
    { type: 'button', id: 'inspect-session', class: 'action-button', title: 'Inspect this session', 'aria-label': 'Inspect this session' },
    h('span', { class: 'codicon codicon-inspect', 'aria-hidden': 'true' }),
  );
  const sizer = h('div', { class: 'feed-sizer' });
  const feed = h('div', { id: 'transcript', class: 'feed', role: 'feed', tabindex: '0', 'aria-label': 'Conversation' }, sizer);
  const loading = h('div', { class: 'loading', role: 'status' }, h('vscode-progress-ring', {}), 'Loading the session…');
  const older = h('div', { id: 'history-loading', class: 'history-loading', role: 'status', hidden: '' }, h('vscode-progress-ring', {}), 'Loading earlier messages…');
  const empty = h('div', { id: 'empty-state', class: 'empty-state', hidden: '' });
  const jump = h(
    'button',
    { type: 'button', id: 'jump-to-latest', class: 'jump-to-latest', hidden: '', title: 'Jump to the latest message (Ctrl+End)' },
    h('span', { class: 'codicon codicon-arrow-down', 'aria-hidden': 'true' }),
    h('span', {}, 'Jump to latest'),
  );
  const announcer = h('div', { id: 'announcer', class: 'offscreen', role: 'status', 'aria-live': 'polite' });
  const pending = h('div', { id: 'pending-dock', class: 'pending-dock', role: 'complementary', 'aria-label': 'Waiting for you' });
  const header = h('header', { class: 'chat-header' }, h('span', { class: 'codicon codicon-comment-discussion', 'aria-hidden': 'true' }), title, inspect);
  const main = h('div', { class: 'conversation' }, feed, older, loading, empty, jump);
  app.replaceChildren(header, main, pending, announcer);

  let fill: (text: string) => void = () => {};
  let emptyKey = '';
  let latestTranscript: Transcript | undefined;
  jump.addEventListener('click', () => {
    latestTranscript?.list.scrollToEnd();
    document.getElementById('composer-input')?.focus();
  });

  return {
    feed,
    sizer,
    announcer,
    pending,
    mountComposer(composer, fillComposer) {
      fill = fillComposer;
      app.append(composer.element);
    },
    onInspectSession(handler) {
      inspect.addEventListener('click', handler);
    },
    setHistoryLoading(busy) {
      older.hidden = !busy;
    },
    update(store, transcript) {
      latestTranscript = transcript;
      const count = transcript?.list.count ?? 0;
      const isEmpty = store.loaded && count === 0;
      loading.hidden = store.loaded;
      feed.hidden = !store.loaded || isEmpty;
      empty.hidden = !isEmpty;
      if (isEmpty) {
        // Rebuilt only when what it says changes, so focus on a suggestion survives unrelated updates.
        const key = JSON.stringify([store.session?.title, store.agent, store.modelOverride, store.agents.length]);
        if (key !== emptyKey) {
          emptyKey = key;
          empty.replaceChildren(emptyState(store, fill));
        }
      } else {
        emptyKey = '';
      }
      const titleText = store.session?.title || 'Chat';
      if (title.textContent !== titleText) {
        title.textContent = titleText;
        document.title = titleText;
      }
      jump.hidden = count === 0 || (transcript?.list.isAtEnd() ?? true);
      jump.classList.toggle('streaming', store.isStreaming);
      document.body.classList.toggle('is-streaming', store.isStreaming);
      app.setAttribute('aria-busy', String(!store.loaded));
    },
  };
}
