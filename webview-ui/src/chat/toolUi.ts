import type { ToolCallView } from '../../../src/protocol/chatTools';

/**
 * What the person did to the tool steps that the host does not know about: which rows they opened or closed,
 * which undo is in flight, and what the last undo said. Kept apart from the built elements, so a rebuilt or
 * re-mounted message (a call changed state, the list scrolled) looks the way the person left it.
 */
export class ToolUiState {
  private readonly expanded = new Map<string, boolean>();
  private readonly undoBusy = new Set<string>();
  private readonly notices = new Map<string, string>();

  /** A row is open while its command runs (its output streams there), unless the person said otherwise. */
  isExpanded(messageId: string, call: ToolCallView): boolean {
    return this.expanded.get(key(messageId, call.id)) ?? call.state === 'running';
  }

  setExpanded(messageId: string, callId: string, open: boolean): void {
    this.expanded.set(key(messageId, callId), open);
    if (this.expanded.size > 5_000) {
      // Oldest first: a session with thousands of steps does not keep every choice forever.
      this.expanded.delete(this.expanded.keys().next().value!);
    }
  }

  isUndoBusy(messageId: string): boolean {
    return this.undoBusy.has(messageId);
  }

  setUndoBusy(messageId: string, busy: boolean): void {
    if (busy) {
      this.undoBusy.add(messageId);
    } else {
      this.undoBusy.delete(messageId);
    }
  }

  notice(messageId: string): string | undefined {
    return this.notices.get(messageId);
  }

  setNotice(messageId: string, text: string): void {
    this.notices.set(messageId, text);
  }

  /** Part of a message's cache key: a change here rebuilds it. */
  messageKey(messageId: string): string {
    return `${Number(this.undoBusy.has(messageId))}${this.notices.get(messageId) ?? ''}`;
  }
}

function key(messageId: string, callId: string): string {
  return `${messageId}\n${callId}`;
}
