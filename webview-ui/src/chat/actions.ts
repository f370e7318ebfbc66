import type { ChatErrorAction, ChatRequests } from '../../../src/protocol/chat';
import type { ParamsOf, ResultOf } from '../../../src/protocol/rpc';
import { copyText, flashStatus } from './clipboard';
import { codeOf } from './codeBlocks';
import type { ChatStore } from './store';
import { installUndoMenuKeys, runToolAction, type ToolActionDeps } from './toolActions';
import type { Transcript } from './transcript';

/**
 * One delegated listener for everything clickable in the conversation. Links are never followed by the panel:
 * the click goes to the host (chat/openLink), which asks the user and opens only http(s). Buttons say what they
 * do in `data-action`, so cached message elements need no listeners of their own.
 */

export type Request = <K extends Extract<keyof ChatRequests, string>>(method: K, params: ParamsOf<ChatRequests, K>) => Promise<ResultOf<ChatRequests, K>>;

export interface ActionDeps {
  store: ChatStore;
  transcript: Transcript;
  request: Request;
  /** Shows a failed request to the user (the composer's status line). */
  showError(what: string, error: unknown): void;
  showInfo(message: string): void;
  /** Tool steps: open a step, a file's diff, undo. */
  tools: ToolActionDeps;
}

export function installActions(feed: HTMLElement, deps: ActionDeps): void {
  feed.addEventListener('click', (event) => {
    const target = event.target instanceof Element ? event.target : null;
    const link = target?.closest('a');
    if (link && feed.contains(link)) {
      event.preventDefault();
      openLink(link, deps);
      return;
    }
    const button = target?.closest<HTMLElement>('[data-action]');
    const article = button?.closest<HTMLElement>('article.message');
    const messageId = article?.dataset.id;
    if (button && messageId && !button.hasAttribute('disabled')) {
      event.preventDefault();
      runAction(button, messageId, deps);
    }
  });
  installUndoMenuKeys(feed);
  // Middle-click and Ctrl/Cmd+click would open a link in a new window without asking: route those too.
  feed.addEventListener('auxclick', (event) => {
    const link = event.target instanceof Element ? event.target.closest('a') : null;
    if (link) {
      event.preventDefault();
      if (event.button === 1) {
        openLink(link, deps);
      }
    }
  });
}

function openLink(link: HTMLAnchorElement, deps: ActionDeps): void {
  const url = link.getAttribute('href');
  if (url && /^https?:\/\//i.test(url)) {
    deps.request('chat/openLink', { url: url.slice(0, 8000) }).catch((error: unknown) => deps.showError('Could not open the link', error));
  }
}

const BUSY = 'A reply is still streaming: press Esc (or Stop) to stop it first.';

function runAction(button: HTMLElement, messageId: string, deps: ActionDeps): void {
  const { store, transcript, request } = deps;
  const fail = (what: string) => (error: unknown) => deps.showError(what, error);
  if (runToolAction(button, messageId, deps.tools)) {
    return;
  }
  switch (button.dataset.action) {
    case 'retry':
      if (store.isStreaming) {
        deps.showInfo(BUSY);
        return;
      }
      request('chat/retry', { messageId }).catch(fail('Could not retry'));
      return;
    case 'fork':
      request('chat/fork', { messageId }).catch(fail('Could not fork the session'));
      return;
    case 'inspect':
      request('chat/inspect', { messageId }).catch(fail('Could not open the Inspector'));
      return;
    case 'copy-message':
      void copyAndFlash(store.get(messageId)?.text ?? '', button.closest('.message')?.querySelector('.action-status'));
      return;
    case 'edit':
      transcript.startEdit(messageId);
      return;
    case 'edit-cancel':
      transcript.cancelEdit(messageId);
      return;
    case 'edit-submit':
      void transcript.submitEdit(messageId);
      return;
    case 'select-branch': {
      const target = button.dataset.target;
      if (target) {
        const keyboard = button === document.activeElement;
        request('chat/selectBranch', { messageId: target })
          .then(async ({ leafId }) => {
            store.setLeaf(leafId);
            // A branch not loaded yet arrives as a history page; focus moves once it is on screen.
            await store.whenShown(leafId);
            if (keyboard) {
              refocusSwitcher(target, button.dataset.direction ?? 'next');
            }
          })
          .catch(fail('Could not switch branches'));
      }
      return;
    }
    case 'error-action':
      runErrorAction(button.dataset.errorAction as ChatErrorAction | undefined, messageId, deps);
      return;
    case 'copy-code':
      void copyAndFlash(codeOf(button) ?? '', button.closest('.code-container')?.querySelector('.code-status'));
      return;
    case 'insert-code': {
      const status = button.closest('.code-container')?.querySelector('.code-status');
      request('chat/insertAtCursor', { code: codeOf(button) ?? '' })
        .then(() => status && flashStatus(status, 'Inserted'))
        .catch(fail('Could not insert the code'));
      return;
    }
  }
}

/**
 * The button that was pressed left with the branch it belonged to; a keyboard user keeps their place on the same
 * arrow of the sibling now shown (or the other arrow, at the end of the row).
 */
function refocusSwitcher(messageId: string, direction: string): void {
  requestAnimationFrame(() => {
    const article = document.querySelector(`article.message[data-id="${CSS.escape(messageId)}"]`);
    const buttons = [...(article?.querySelectorAll<HTMLButtonElement>('[data-action="select-branch"]') ?? [])];
    const same = buttons.find((button) => button.dataset.direction === direction && !button.disabled);
    (same ?? buttons.find((button) => !button.disabled) ?? (article as HTMLElement | null))?.focus();
  });
}

function runErrorAction(action: ChatErrorAction | undefined, messageId: string, deps: ActionDeps): void {
  if (action === 'retry') {
    if (deps.store.isStreaming) {
      deps.showInfo(BUSY);
      return;
    }
    deps.request('chat/retry', { messageId }).catch((error: unknown) => deps.showError('Could not retry', error));
  } else if (action) {
    deps.request('chat/runErrorAction', { messageId, action }).catch((error: unknown) => deps.showError('That did not work', error));
  }
}

async function copyAndFlash(text: string, status: Element | null | undefined): Promise<void> {
  const ok = await copyText(text);
  if (status) {
    flashStatus(status, ok ? 'Copied' : 'Copy failed: select the text and press Ctrl+C');
  }
}
