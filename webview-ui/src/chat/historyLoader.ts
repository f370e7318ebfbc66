import type { ChatRequests } from '../../../src/protocol/chat';
import type { ParamsOf } from '../../../src/protocol/rpc';
import { parseHistory } from './guards';
import type { ChatStore } from './store';

/**
 * Loads the parts of a long session the panel does not hold yet, one `chat/history` page at a time: the path of
 * a branch the host switched to, the stretch up to a message the host asked to reveal (a search hit far up),
 * and older history when the reader nears the top. The snapshot carries only the newest page, so a session of
 * 10,000 messages opens as fast, and stays as small in memory, as one of 200, until someone scrolls back.
 */

export interface HistoryLoaderDeps {
  store: ChatStore;
  history(params: ParamsOf<ChatRequests, 'chat/history'>): Promise<unknown>;
  /** A message the transcript was asked to reveal and cannot find on the shown path yet. */
  revealTarget(): string | undefined;
  /** True when the reader is near the top of what is loaded. */
  nearTop(): boolean;
  /** While a page is on its way (the panel shows a quiet progress line). */
  onBusy(busy: boolean): void;
  onError(error: unknown): void;
}

export class HistoryLoader {
  private loading = false;
  /** After a failed page, nothing more is asked until the reader does something (no request storm). */
  private failedFor: string | undefined;
  /**
   * The reader scrolled near the top. Only a scroll asks for older pages, not a render: while a snapshot is being
   * positioned at its newest message, the list passes through the top without anyone reading there.
   */
  private wantOlder = false;

  constructor(private readonly deps: HistoryLoaderDeps) {}

  /** Called after every store change and render: loads the next page that is needed, if any. */
  check(): void {
    if (this.loading) {
      return;
    }
    const params = this.nextPage();
    if (params === undefined) {
      return;
    }
    const key = JSON.stringify(params);
    if (key === this.failedFor) {
      return;
    }
    this.loading = true;
    this.deps.onBusy(true);
    this.deps
      .history(params)
      .then((result) => {
        const messages = parseHistory(result);
        if (messages === null) {
          throw new Error('the history page did not match the protocol');
        }
        this.failedFor = undefined;
        if (params.throughId === undefined && params.fromId === this.deps.store.olderFromId) {
          this.wantOlder = false;
        }
        this.deps.store.addMessages(messages);
      })
      .catch((error: unknown) => {
        this.failedFor = key;
        this.deps.onError(error);
      })
      .finally(() => {
        this.loading = false;
        this.deps.onBusy(false);
        this.check();
      });
  }

  /** The transcript scrolled: near the top of what is loaded, the page above is wanted. */
  onScroll(): void {
    if (this.deps.nearTop()) {
      this.wantOlder = true;
      this.check();
    }
  }

  /** Forgets a failure, so the next check asks again (the reader scrolled, or the host sent a new state). */
  retry(): void {
    this.failedFor = undefined;
    this.check();
  }

  private nextPage(): ParamsOf<ChatRequests, 'chat/history'> | undefined {
    const { store } = this.deps;
    const missing = store.missingLeafId;
    if (missing !== null) {
      return { fromId: missing };
    }
    const older = store.olderFromId;
    if (older === null) {
      return undefined;
    }
    const reveal = this.deps.revealTarget();
    if (reveal !== undefined && store.get(reveal) === undefined) {
      return { fromId: older, throughId: reveal };
    }
    return this.wantOlder ? { fromId: older } : undefined;
  }
}
