import * as vscode from 'vscode';
import type { ChatService } from '../core/chat/chatService';
import type { PendingView } from '../protocol/chatTools';

/**
 * Tells the person when an agent waits for them and its chat panel is not in view (hidden behind another tab, or
 * closed while the turn went on): a notification with a button that opens the panel, once per question.
 */
export class ApprovalNotifier implements vscode.Disposable {
  /** Per session, the questions already notified about. */
  private readonly told = new Map<string, Set<string>>();
  private subscription: { dispose(): void } | undefined;

  constructor(
    chat: Promise<ChatService>,
    private readonly panel: { isVisible(sessionId: string): boolean; show(sessionId: string): Promise<void>; title(sessionId: string): string },
  ) {
    chat.then(
      (service) => {
        this.subscription = service.onDidChange(({ sessionId, event }) => {
          if (event.method === 'chat/pending') {
            this.changed(sessionId, event.params.pending);
          }
        });
      },
      () => undefined,
    );
  }

  private changed(sessionId: string, pending: readonly PendingView[]): void {
    // Answered questions are forgotten, so the set does not grow with the session.
    const told = new Set([...(this.told.get(sessionId) ?? [])].filter((id) => pending.some((question) => question.id === id)));
    this.told.set(sessionId, told);
    for (const question of pending) {
      if (told.has(question.id) || this.panel.isVisible(sessionId)) {
        continue;
      }
      told.add(question.id);
      const what = question.kind === 'approval' ? `wants to run ${question.approval.tool}: ${question.approval.summary}` : `reached ${question.reached}`;
      const show = 'Show';
      void vscode.window.showInformationMessage(`The agent in "${this.panel.title(sessionId)}" ${what}. It waits for you.`, show).then((choice) => {
        if (choice === show) {
          void this.panel.show(sessionId);
        }
      });
    }
    if (told.size === 0) {
      this.told.delete(sessionId);
    }
  }

  dispose(): void {
    this.subscription?.dispose();
  }
}
