import type { ChatEvent } from '../../protocol/chat';
import type { Logger } from '../ports';
import type { ChatListener, Disposable } from './chatTypes';

/**
 * The chat loop's change feed. A listener that throws is logged and the others still hear the change: a broken
 * panel must not stop a reply from being saved.
 */
export class ChatEmitter {
  private readonly listeners = new Set<ChatListener>();

  constructor(private readonly log: Logger) {}

  on(listener: ChatListener): Disposable {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }

  emit(sessionId: string, event: ChatEvent): void {
    for (const listener of [...this.listeners]) {
      try {
        listener({ sessionId, event });
      } catch (err) {
        this.log.error(`A chat listener failed on ${event.method}: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
  }

  clear(): void {
    this.listeners.clear();
  }
}
