import type { ChatMessageView } from '../../../src/protocol/chat';
import { isSettled } from './toolCalls';

/**
 * Where a message sits in its turn, as far as its rendering cares. A turn with tools is a chain on the shown path
 * (user -> assistant -> tool -> assistant -> ... -> the answer); a message is built knowing its neighbours, so
 * the chain reads as one reply: the assistant's raw calls are left to the tool rows below it, a continuing
 * assistant drops its repeated header, and the turn's last assistant message offers to undo what the turn
 * changed once nothing in it runs or waits any more.
 */

export interface TurnContext {
  /** An assistant message whose calls the next message (its tool message) shows as rows. */
  callsShownBelow: boolean;
  /** An assistant message that continues a turn after tool results (its header would repeat the last one). */
  continuation: boolean;
  /** The last assistant message of a settled turn whose tool steps changed files: it offers Undo. */
  undo: boolean;
}

const NONE: TurnContext = { callsShownBelow: false, continuation: false, undo: false };

/** How far a turn is looked through; a turn longer than this (hundreds of steps) just offers no Undo. */
const MAX_TURN = 2_000;

/**
 * `busy`: messages something waits on or streams into (a pending approval's or limit's message, the streaming
 * reply): a turn that holds one is not over.
 */
export function turnContext(
  path: readonly string[],
  index: number | undefined,
  get: (id: string) => ChatMessageView | undefined,
  busy: ReadonlySet<string> = new Set(),
): TurnContext {
  const id = index === undefined ? undefined : path[index];
  const message = id === undefined ? undefined : get(id);
  if (index === undefined || message?.role !== 'assistant') {
    return NONE;
  }
  const next = get(path[index + 1] ?? '');
  const parent = message.parentId === null ? undefined : get(message.parentId);
  return {
    callsShownBelow: next?.role === 'tool' && next.parentId === message.id && next.tools !== undefined,
    continuation: parent?.role === 'tool',
    undo: offersUndo(path, index, get, busy),
  };
}

function offersUndo(path: readonly string[], index: number, get: (id: string) => ChatMessageView | undefined, busy: ReadonlySet<string>): boolean {
  let changed = false;
  // Later in the turn: no other assistant message (this is the last), nothing streaming, every call ended.
  for (let i = index + 1; i < path.length && i <= index + MAX_TURN; i++) {
    const message = get(path[i]!);
    if (!message || message.role === 'user') {
      break;
    }
    if (message.role === 'assistant' || message.status === 'streaming' || !toolsSettled(message) || busy.has(message.id)) {
      return false;
    }
    changed ||= changedFiles(message);
  }
  const self = get(path[index]!);
  if (self?.status === 'streaming' || busy.has(path[index]!)) {
    return false;
  }
  // Earlier in the turn, back to the question: did any step change a file, and has every step ended?
  for (let i = index - 1; i >= 0 && i >= index - MAX_TURN; i--) {
    const message = get(path[i]!);
    if (!message || message.role === 'user') {
      break;
    }
    if (!toolsSettled(message) || busy.has(message.id)) {
      return false;
    }
    changed ||= changedFiles(message);
  }
  return changed;
}

function toolsSettled(message: ChatMessageView): boolean {
  return (message.tools ?? []).every(isSettled);
}

function changedFiles(message: ChatMessageView): boolean {
  return message.role === 'tool' && (message.tools ?? []).some((call) => (call.result?.files?.length ?? 0) > 0);
}

/** A short key of a context, so a cached element built for another context is rebuilt. */
export function contextKey(context: TurnContext): string {
  return `${Number(context.callsShownBelow)}${Number(context.continuation)}${Number(context.undo)}`;
}
