import { buildMessage, updateStreamedText } from './messageView';
import type { ChatStore, StoreChange } from './store';
import { StreamScheduler } from './streamScheduler';
import { updateStepOutput } from './toolSteps';
import type { ToolUiState } from './toolUi';
import { contextKey, turnContext, type TurnContext } from './turns';
import { VirtualList } from './virtualList';

/**
 * The conversation: the path from the root to the leaf, in a virtualized list. Keeps built message elements in a
 * bounded cache (scrolling back does not re-parse Markdown), rebuilds only the messages an event touched, and
 * re-renders a streaming reply at most once per animation frame through the StreamScheduler.
 */

/** Built elements kept off screen; beyond this the least recently shown are dropped (memory stays flat). */
const CACHE_LIMIT = 300;

export interface TranscriptHooks {
  /** Sends an edited user message; resolves true when the host accepted it. */
  submitEdit(messageId: string, text: string): Promise<boolean>;
  /** Called after every render and store change: the empty state and the jump button follow it. */
  onLayout(): void;
  /** What the person did to tool steps (open rows, undo in flight), kept across rebuilds. */
  toolUi: ToolUiState;
}

export class Transcript {
  readonly list: VirtualList;
  private readonly cache = new Map<string, HTMLElement>();
  /** What each cached element was built for (its place in a turn, its undo state): built again when it changes. */
  private readonly cacheKeys = new Map<string, string>();
  private readonly edits = new Map<string, { draft: string; focus: boolean }>();
  private readonly scheduler: StreamScheduler;
  /** A running command's output, at most once a frame per call, like streamed text. */
  private readonly outputScheduler: StreamScheduler;
  private focusedId: string | null = null;
  /** A message the host asked to reveal that the shown path does not hold yet. */
  private pendingReveal: string | undefined;

  constructor(
    private readonly store: ChatStore,
    scroller: HTMLElement,
    sizer: HTMLElement,
    private readonly hooks: TranscriptHooks,
  ) {
    this.list = new VirtualList(scroller, sizer, {
      element: (id) => this.element(id),
      estimateSize: (id) => this.estimate(id),
      keepRendered: () => [this.focusedId, ...this.edits.keys()].filter((id): id is string => id !== null),
      onRendered: () => hooks.onLayout(),
    });
    this.scheduler = new StreamScheduler((id) => this.renderStreamed(id));
    this.outputScheduler = new StreamScheduler((key) => this.renderOutput(key));
    scroller.addEventListener('focusin', (event) => this.trackFocus(event.target));
    store.subscribe((change) => this.onChange(change));
  }

  /** A message the host asked to reveal that the shown path does not hold yet (its page is on the way). */
  get revealTarget(): string | undefined {
    return this.pendingReveal;
  }

  /** Within two screens of the top of what is loaded: time to ask for older history. */
  nearTop(): boolean {
    const scroller = this.list.scroller;
    return this.list.count > 0 && scroller.scrollTop < scroller.clientHeight * 2;
  }

  startEdit(messageId: string): void {
    const message = this.store.get(messageId);
    if (message?.role !== 'user') {
      return;
    }
    this.edits.set(messageId, { draft: message.text, focus: true });
    this.rebuild(messageId);
    this.list.refresh();
  }

  /**
   * Keeps the newest message in view through a change of the conversation's height (a card docked below it),
   * once the list has seen the new size: its own observer was created first, so it hears of the size first.
   */
  keepEndThroughResize(): void {
    const observer = new ResizeObserver(() => {
      observer.disconnect();
      this.list.scrollToEnd();
    });
    observer.observe(this.list.scroller);
  }

  /** Rebuilds one message (its undo state changed), keeping focus where it was. */
  refresh(messageId: string): void {
    this.rebuild(messageId);
  }

  cancelEdit(messageId: string): void {
    if (this.edits.delete(messageId)) {
      this.rebuild(messageId, true);
    }
  }

  isEditing(messageId: string): boolean {
    return this.edits.has(messageId);
  }

  async submitEdit(messageId: string): Promise<void> {
    const edit = this.edits.get(messageId);
    const text = edit?.draft.trim() ?? '';
    if (!edit || text === '') {
      return;
    }
    if (await this.hooks.submitEdit(messageId, edit.draft)) {
      this.cancelEdit(messageId);
    }
  }

  private revealPending(): void {
    const index = this.pendingReveal === undefined ? -1 : this.store.path().indexOf(this.pendingReveal);
    if (index !== -1) {
      this.pendingReveal = undefined;
      this.focusIndex(index);
    }
  }

  /** Moves focus to a message (keyboard navigation), scrolling it into view first. */
  focusIndex(index: number): void {
    const bounded = Math.max(0, Math.min(index, this.list.count - 1));
    this.list.scrollToIndex(bounded, 'auto');
    requestAnimationFrame(() => {
      const id = this.store.path()[bounded];
      const element = id ? this.list.mountedElement(id) : undefined;
      element?.focus({ preventScroll: true });
    });
  }

  private onChange(change: StoreChange): void {
    switch (change.kind) {
      case 'reset': {
        const first = this.list.count === 0;
        const atEnd = this.list.isAtEnd();
        this.cache.clear();
        this.cacheKeys.clear();
        for (const id of [...this.edits.keys()]) {
          if (!this.store.get(id)) {
            this.edits.delete(id);
          }
        }
        this.list.setIds(this.store.path());
        this.revealPending();
        // Elements still on screen show the old state: rebuild them (keeping focus), the rest come from the store.
        this.rebuildMounted();
        if (first || atEnd) {
          this.list.scrollToEnd();
        }
        break;
      }
      case 'message':
        for (const id of [change.id, ...change.touched]) {
          this.rebuild(id);
        }
        this.refreshContexts();
        break;
      case 'tool':
        this.rebuild(change.id);
        // The turn's other messages may change with it (Undo appears once a step changed files and all ended).
        this.refreshContexts();
        break;
      case 'toolOutput':
        this.outputScheduler.mark(`${change.id}\n${change.callId}`);
        return;
      case 'pending':
        // A turn that waits on a question is not over: its Undo waits too.
        this.refreshContexts();
        return;
      case 'delta':
        // The hot path: one per token. Only marks the message; the frame does the work, and nothing else runs.
        this.scheduler.mark(change.id);
        return;
      case 'path':
        this.list.setIds(this.store.path());
        this.refreshContexts();
        this.revealPending();
        break;
      case 'reveal':
        // The leaf that shows it may still be on its way (events cross): then it is revealed once the path has it.
        this.pendingReveal = change.id;
        this.revealPending();
        break;
      case 'session':
        // Agent names appear in assistant headers: rebuild what is shown, drop the rest.
        this.cache.clear();
        this.cacheKeys.clear();
        this.rebuildMounted();
        break;
      case 'streaming':
        this.refreshContexts();
        break;
    }
    this.hooks.onLayout();
  }

  private element(id: string): HTMLElement {
    const cached = this.cache.get(id);
    if (cached && this.cacheKeys.get(id) !== this.keyOf(id)) {
      this.cache.delete(id);
    } else if (cached) {
      // Refresh its place in the LRU order.
      this.cache.delete(id);
      this.cache.set(id, cached);
      return cached;
    }
    const element = this.build(id);
    this.cache.set(id, element);
    this.cacheKeys.set(id, this.keyOf(id));
    this.evict();
    return element;
  }

  private turnOf(id: string): TurnContext {
    const busy = new Set(this.store.pending.map((item) => item.messageId));
    if (this.store.streamingId !== null) {
      busy.add(this.store.streamingId);
    }
    return turnContext(this.store.path(), this.list.indexOf(id), (other) => this.store.get(other), busy);
  }

  private keyOf(id: string): string {
    return contextKey(this.turnOf(id)) + this.hooks.toolUi.messageKey(id);
  }

  /** Rebuilds the messages on screen whose place in their turn changed (a step arrived, a branch was switched). */
  private refreshContexts(): void {
    for (const id of this.list.mountedIds()) {
      if (this.cache.has(id) && this.cacheKeys.get(id) !== this.keyOf(id)) {
        this.rebuild(id);
      }
    }
  }

  private build(id: string): HTMLElement {
    const message = this.store.get(id);
    if (!message) {
      // The path only holds known ids; this is a guard, not a state the user sees.
      return document.createElement('article');
    }
    const edit = this.edits.get(id);
    const agentName =
      message.role === 'assistant' && message.agentVersionId
        ? (this.store.agents.find((agent) => agent.versionId === message.agentVersionId)?.name ?? null)
        : null;
    const ui = this.hooks.toolUi;
    const parent = message.parentId === null ? undefined : this.store.get(message.parentId);
    const element = buildMessage(message, {
      siblings: this.store.siblings(id),
      agentName,
      turn: this.turnOf(id),
      tools: {
        argumentsOf: (callId) => parent?.toolCalls.find((call) => call.id === callId)?.arguments,
        isExpanded: (call) => ui.isExpanded(id, call),
      },
      undo: { busy: ui.isUndoBusy(id), notice: ui.notice(id) },
      edit: edit
        ? {
            draft: edit.draft,
            focus: edit.focus,
            callbacks: {
              onInput: (messageId, text) => {
                const current = this.edits.get(messageId);
                if (current) {
                  current.draft = text;
                }
              },
              onSubmit: (messageId) => void this.submitEdit(messageId),
              onCancel: (messageId) => this.cancelEdit(messageId),
            },
          }
        : null,
    });
    if (edit) {
      // Focus only when the user asked to edit, not on every later rebuild.
      edit.focus = false;
    }
    return element;
  }

  /** Rebuilds a message's element; if it is on screen, swaps it in and keeps keyboard focus where it was. */
  private rebuild(id: string, focusArticle = false): void {
    this.cache.delete(id);
    const mounted = this.list.mountedElement(id);
    if (!mounted) {
      return;
    }
    const active = document.activeElement;
    const hadFocus = mounted.contains(active);
    // A tool step's controls name themselves (several rows share one action); others by their action.
    const focusKey = hadFocus && active instanceof HTMLElement ? (active.dataset.focusKey ?? active.dataset.action) : undefined;
    const element = this.element(id);
    this.list.replace(id, element);
    if (hadFocus || focusArticle) {
      const key = focusKey === undefined ? '' : CSS.escape(focusKey);
      const target = focusKey
        ? (element.querySelector<HTMLElement>(`[data-focus-key="${key}"]:not([disabled])`) ?? element.querySelector<HTMLElement>(`[data-action="${key}"]:not([disabled])`))
        : null;
      (target ?? element).focus({ preventScroll: true });
    }
  }

  private rebuildMounted(): void {
    for (const id of this.list.mountedIds()) {
      this.rebuild(id);
    }
  }

  private renderOutput(key: string): void {
    const [id = '', callId = ''] = key.split('\n');
    const element = this.cache.get(id);
    const call = this.store.toolCall(id, callId);
    if (element && call) {
      updateStepOutput(element, call);
    }
  }

  private renderStreamed(id: string): void {
    const message = this.store.get(id);
    const element = this.cache.get(id);
    if (message && element && !this.edits.has(id)) {
      updateStreamedText(element, message);
    }
  }

  private estimate(id: string): number {
    const message = this.store.get(id);
    if (!message) {
      return 80;
    }
    if (message.role === 'tool' && message.tools) {
      return 8 + message.tools.length * 26;
    }
    // Roughly 90 characters a line at 20 px, plus header, footer and actions: close enough that the scrollbar
    // does not jump much as real heights replace estimates.
    const lines = Math.ceil(message.text.length / 90) + (message.text.match(/\n/g)?.length ?? 0) / 2;
    return Math.min(72 + lines * 20, 4000);
  }

  private trackFocus(target: EventTarget | null): void {
    const article = target instanceof Element ? target.closest<HTMLElement>('article.message') : null;
    const id = article?.dataset.id ?? null;
    if (id !== this.focusedId) {
      this.focusedId = id;
      this.list.refresh();
    }
  }

  private evict(): void {
    if (this.cache.size <= CACHE_LIMIT) {
      return;
    }
    for (const id of this.cache.keys()) {
      if (!this.list.mountedElement(id)) {
        this.cache.delete(id);
        this.cacheKeys.delete(id);
        if (this.cache.size <= CACHE_LIMIT) {
          return;
        }
      }
    }
  }
}
