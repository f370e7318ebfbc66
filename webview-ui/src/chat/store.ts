import type { ChatAgentView, ChatMessageView, ChatSnapshot } from '../../../src/protocol/chat';
import type { PendingView, ToolCallView } from '../../../src/protocol/chatTools';
import type { DeltaParams, ParsedEvent } from './guards';
import { OrphanCalls, appendOutput, mergeCalls, upsertCall } from './toolCalls';

/**
 * The panel's copy of the session: the messages it has loaded (the newest page of the shown path, older pages as
 * the reader scrolls up, branches once visited), indexed by id and by parent, the ids of every message's siblings
 * (so the branch switcher works without the other branches' messages), the leaf whose path is shown, and who
 * answers next. The host owns the truth; this only mirrors the snapshot, the pages and the events that follow,
 * and tells the views precisely what changed so a token re-renders one message, not the history.
 */

export type StoreChange =
  /** Everything may have changed (a snapshot). */
  | { kind: 'reset' }
  /** One message was added or replaced; `touched` are the messages whose sibling counts changed with it. */
  | { kind: 'message'; id: string; touched: string[] }
  /** Streamed text was appended to one message. */
  | { kind: 'delta'; id: string }
  | { kind: 'path' }
  | { kind: 'streaming' }
  | { kind: 'session' }
  /** Bring this message into view and focus it. */
  | { kind: 'reveal'; id: string }
  /** A call of tool message `id` was created or changed state. */
  | { kind: 'tool'; id: string; callId: string }
  /** A running call of tool message `id` printed more output (the hot path of a chatty command). */
  | { kind: 'toolOutput'; id: string; callId: string }
  /** The questions the turn waits on (approvals, limits) changed. */
  | { kind: 'pending' };

export interface SiblingInfo {
  index: number;
  count: number;
  previousId: string | null;
  nextId: string | null;
}

export interface DeltaOutcome {
  /** The delta skipped text the panel never got: the view is stale and should ask for a fresh snapshot. */
  gap: boolean;
}

type Listener = (change: StoreChange) => void;

export class ChatStore {
  session: ChatSnapshot['session'] | null = null;
  agent: ChatAgentView | null = null;
  modelOverride: string | null = null;
  agents: ChatAgentView[] = [];
  leafId: string | null = null;
  streamingId: string | null = null;
  /** True once the first snapshot arrived: before that the panel shows "loading", not the empty state. */
  loaded = false;
  /** What the session's turn waits on now, as the host said last. */
  pending: readonly PendingView[] = [];

  private readonly byId = new Map<string, ChatMessageView>();
  private readonly children = new Map<string | null, string[]>();
  private pathCache: string[] | null = null;
  private pendingLeafId: string | null = null;
  private readonly listeners = new Set<Listener>();
  private readonly orphans = new OrphanCalls();

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  get(id: string): ChatMessageView | undefined {
    return this.byId.get(id);
  }

  applySnapshot(snapshot: ChatSnapshot): void {
    this.byId.clear();
    this.children.clear();
    for (const message of snapshot.messages) {
      this.insert(message);
    }
    this.session = snapshot.session;
    this.agent = snapshot.agent;
    this.modelOverride = snapshot.modelOverride;
    this.agents = snapshot.agents;
    this.leafId = snapshot.leafId !== null && this.byId.has(snapshot.leafId) ? snapshot.leafId : null;
    this.streamingId = snapshot.streamingId;
    this.pending = snapshot.pending;
    this.pathCache = null;
    this.pendingLeafId = null;
    this.loaded = true;
    this.emit({ kind: 'reset' });
  }

  /**
   * Adds a page of history (older messages of the path, or a branch's path). A message the panel already has
   * is kept as it is (it may be newer: a reply streaming), except for its sibling list. Shows a leaf that was
   * waiting for its message.
   */
  addMessages(messages: readonly ChatMessageView[]): void {
    for (const message of messages) {
      const existing = this.byId.get(message.id);
      if (existing === undefined) {
        this.insert(message);
      } else if (message.siblingIds !== undefined && existing.parentId === message.parentId) {
        existing.siblingIds = message.siblingIds;
        this.adoptSiblings(existing);
      }
    }
    this.pathCache = null;
    if (this.pendingLeafId !== null && this.byId.has(this.pendingLeafId)) {
      this.setLeaf(this.pendingLeafId);
    } else {
      this.emit({ kind: 'path' });
    }
  }

  /** A leaf the host showed whose message the panel has not loaded yet (its branch comes as a history page). */
  get missingLeafId(): string | null {
    return this.pendingLeafId;
  }

  /** Where older history of the shown path starts: the parent of its first loaded message, if it has one. */
  get olderFromId(): string | null {
    const first = this.path()[0];
    return first === undefined ? null : (this.byId.get(first)?.parentId ?? null);
  }

  /** Applies one validated host event; returns what a delta revealed about missed text. */
  applyEvent(event: ParsedEvent): DeltaOutcome {
    switch (event.method) {
      case 'chat/message':
        this.upsert(event.params);
        break;
      case 'chat/delta':
        return this.appendDelta(event.params);
      case 'chat/leaf':
        this.setLeaf(event.params.leafId);
        break;
      case 'chat/reveal':
        this.emit({ kind: 'reveal', id: event.params.messageId });
        break;
      case 'chat/streaming':
        this.streamingId = event.params.streamingId;
        this.emit({ kind: 'streaming' });
        break;
      case 'chat/session':
        this.session = event.params.session;
        this.agent = event.params.agent;
        this.modelOverride = event.params.modelOverride;
        this.agents = event.params.agents;
        this.emit({ kind: 'session' });
        break;
      case 'chat/tool':
        this.upsertToolCall(event.params.messageId, event.params.call);
        break;
      case 'chat/toolOutput':
        this.appendToolOutput(event.params.messageId, event.params.callId, event.params.text);
        break;
      case 'chat/pending':
        this.pending = event.params.pending;
        this.emit({ kind: 'pending' });
        break;
    }
    return { gap: false };
  }

  /** One call of a tool message, as the panel knows it now. */
  toolCall(messageId: string, callId: string): ToolCallView | undefined {
    return this.byId.get(messageId)?.tools?.find((call) => call.id === callId);
  }

  /** A call changed: upserted into its tool message, or kept until the message arrives (events may beat it). */
  private upsertToolCall(messageId: string, call: ToolCallView): void {
    const message = this.byId.get(messageId);
    if (!message) {
      this.orphans.addCall(messageId, call);
      return;
    }
    message.tools = upsertCall(message.tools, call);
    this.emit({ kind: 'tool', id: messageId, callId: call.id });
  }

  private appendToolOutput(messageId: string, callId: string, text: string): void {
    const calls = this.byId.get(messageId)?.tools;
    const index = calls?.findIndex((call) => call.id === callId) ?? -1;
    if (!calls || index === -1) {
      this.orphans.addOutput(messageId, callId, text);
      return;
    }
    const call = calls[index]!;
    calls[index] = { ...call, output: appendOutput(call.output, text) };
    this.emit({ kind: 'toolOutput', id: messageId, callId });
  }

  /** Shows the path to `leafId`; an id not known yet is shown when its message arrives (events may cross). */
  setLeaf(leafId: string | null): void {
    if (leafId !== null && !this.byId.has(leafId)) {
      if (this.pendingLeafId !== leafId) {
        this.pendingLeafId = leafId;
        // Nothing shown changes yet; listeners learn that a branch's page is wanted.
        this.emit({ kind: 'path' });
      }
      return;
    }
    this.pendingLeafId = null;
    if (leafId !== this.leafId) {
      this.leafId = leafId;
      this.pathCache = null;
      this.emit({ kind: 'path' });
    }
  }

  /** Resolves once the path to `leafId` is shown, or once another leaf replaced it (a newer switch). */
  whenShown(leafId: string): Promise<void> {
    return new Promise((resolve) => {
      const settled = () => this.leafId === leafId || this.pendingLeafId !== leafId;
      if (settled()) {
        resolve();
        return;
      }
      const unsubscribe = this.subscribe(() => {
        if (settled()) {
          unsubscribe();
          resolve();
        }
      });
    });
  }

  /** The ids from the root to the leaf. Cycles (a corrupt parent chain) end the walk instead of hanging. */
  path(): readonly string[] {
    if (this.pathCache) {
      return this.pathCache;
    }
    const path: string[] = [];
    const seen = new Set<string>();
    let id = this.leafId;
    while (id !== null && !seen.has(id)) {
      const message = this.byId.get(id);
      if (!message) {
        break;
      }
      seen.add(id);
      path.push(id);
      id = message.parentId;
    }
    path.reverse();
    this.pathCache = path;
    return path;
  }

  siblings(id: string): SiblingInfo | null {
    const message = this.byId.get(id);
    const siblings = message ? this.children.get(message.parentId) : undefined;
    if (!siblings || siblings.length < 2) {
      return null;
    }
    const index = siblings.indexOf(id);
    return {
      index,
      count: siblings.length,
      previousId: siblings[index - 1] ?? null,
      nextId: siblings[index + 1] ?? null,
    };
  }

  /** True while any reply streams: the composer shows Stop, and Esc stops. */
  get isStreaming(): boolean {
    return this.streamingId !== null;
  }

  private upsert(message: ChatMessageView): void {
    const existing = this.byId.get(message.id);
    if (existing && existing.parentId !== message.parentId) {
      // A message never moves in the tree; a different parent is a host bug, and moving it would corrupt paths.
      return;
    }
    const touched = existing ? [] : [...(this.children.get(message.parentId) ?? [])];
    if (existing?.tools && message.tools) {
      // A whole view of the message may be older than a call event already applied (they cross).
      message.tools = mergeCalls(existing.tools, message.tools);
    } else if (existing?.tools && !message.tools) {
      message.tools = existing.tools;
    }
    this.insert(message);
    this.emit({ kind: 'message', id: message.id, touched });
    if (this.pendingLeafId === message.id) {
      this.setLeaf(message.id);
    }
  }

  private insert(message: ChatMessageView): void {
    const tools = this.orphans.adopt(message.id, message.tools);
    if (tools) {
      message.tools = tools;
    }
    this.byId.set(message.id, message);
    if (this.adoptSiblings(message)) {
      return;
    }
    const siblings = this.children.get(message.parentId);
    if (!siblings) {
      this.children.set(message.parentId, [message.id]);
    } else if (!siblings.includes(message.id)) {
      siblings.push(message.id);
    }
  }

  /** The host's sibling list is the whole truth about a parent's replies, loaded or not. */
  private adoptSiblings(message: ChatMessageView): boolean {
    if (message.siblingIds === undefined || !message.siblingIds.includes(message.id)) {
      return false;
    }
    this.children.set(message.parentId, [...message.siblingIds]);
    return true;
  }

  private appendDelta(delta: DeltaParams): DeltaOutcome {
    const message = this.byId.get(delta.id);
    if (!message) {
      return { gap: false };
    }
    let text = delta.text ?? '';
    if (delta.offset !== undefined) {
      const have = message.text.length;
      if (delta.offset > have) {
        return { gap: true };
      }
      // Text the panel already has (a delta queued before a snapshot that included it) is not appended twice.
      text = text.slice(have - delta.offset);
    }
    message.text += text;
    message.reasoning += delta.reasoning ?? '';
    this.emit({ kind: 'delta', id: delta.id });
    return { gap: false };
  }

  private emit(change: StoreChange): void {
    for (const listener of this.listeners) {
      listener(change);
    }
  }
}
