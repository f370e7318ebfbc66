import { randomUUID } from 'node:crypto';
import type * as vscode from 'vscode';
import { ChatService } from '../core/chat/chatService';
import type { ToolRuntime } from '../core/agent/toolRuntime';
import type { ProviderAccess } from '../core/chat/chatTypes';
import { systemClock, type Logger } from '../core/ports';
import type { Store } from '../db/store';

/**
 * The chat loop of this window, once the store is open. Replies another window left streaming when it closed or
 * crashed are marked incomplete before anyone can open a panel on them, so nobody waits on a reply that is not
 * coming. `shutdown` (from deactivate) ends this window's streams and waits until each is saved.
 */
export class ChatRuntime implements vscode.Disposable {
  readonly ready: Promise<ChatService>;
  /** One id per activation: the leases of the replies (and runs) this window carries have it. */
  readonly windowId = randomUUID();
  private service: ChatService | undefined;

  constructor(storeReady: Promise<Store>, providers: ProviderAccess, log: Logger, tools?: ToolRuntime) {
    this.ready = storeReady.then(async (store) => {
      const service = new ChatService({ store, clock: systemClock, log, providers, windowId: this.windowId, ...(tools ? { tools } : {}) });
      this.service = service;
      try {
        await service.markInterrupted();
      } catch (err) {
        log.warn(`Could not mark replies left streaming by a closed window: ${err instanceof Error ? err.message : String(err)}`);
      }
      return service;
    });
    // The store's own failure is reported by StoreHost.
    this.ready.catch(() => undefined);
  }

  /** Whether a reply streams in the session now (false until the chat loop exists). */
  isStreaming(sessionId: string): boolean {
    return this.service?.isStreaming(sessionId) ?? false;
  }

  async shutdown(): Promise<void> {
    await this.service?.shutdown();
  }

  dispose(): void {
    this.service?.dispose();
  }
}
