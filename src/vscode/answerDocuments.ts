import * as vscode from 'vscode';
import { answerDocumentName } from '../core/ask';

/**
 * Read-only Markdown documents for Ask's answers, served from memory under the `ai-studio-answer:` scheme. A
 * content provider's documents cannot be edited or saved by accident, and VS Code re-reads them when told they
 * changed. Streaming fires at most one change per interval: each change makes the workbench fetch and diff the
 * whole text, and a fast local model can produce hundreds of chunks a second.
 */
export const answerScheme = 'ai-studio-answer';

/** Answers kept for reopening (e.g. a closed tab brought back); older ones are dropped. */
const KEEP_ANSWERS = 50;

export class AnswerDocuments implements vscode.TextDocumentContentProvider, vscode.Disposable {
  private readonly contents = new Map<string, string>();
  private readonly pending = new Map<string, NodeJS.Timeout>();
  private readonly emitter = new vscode.EventEmitter<vscode.Uri>();
  private readonly registration: vscode.Disposable;
  private sequence = 0;
  readonly onDidChange = this.emitter.event;

  constructor(private readonly intervalMs = 80) {
    this.registration = vscode.workspace.registerTextDocumentContentProvider(answerScheme, this);
  }

  /** A new, empty answer document (not yet shown). */
  create(model: string, initialText: string): vscode.Uri {
    this.sequence += 1;
    const uri = vscode.Uri.from({ scheme: answerScheme, path: `/${this.sequence}/${answerDocumentName(this.sequence, model)}` });
    this.contents.set(uri.toString(), initialText);
    while (this.contents.size > KEEP_ANSWERS) {
      const oldest = this.contents.keys().next().value as string;
      this.contents.delete(oldest);
    }
    return uri;
  }

  /** Replaces the text; the editor sees it within one interval. */
  update(uri: vscode.Uri, text: string): void {
    const key = uri.toString();
    this.contents.set(key, text);
    if (!this.pending.has(key)) {
      this.pending.set(
        key,
        setTimeout(() => {
          this.pending.delete(key);
          this.emitter.fire(uri);
        }, this.intervalMs),
      );
    }
  }

  /** Replaces the text and tells the editor now: for the final state, which must not wait on a timer. */
  finish(uri: vscode.Uri, text: string): void {
    const key = uri.toString();
    this.contents.set(key, text);
    clearTimeout(this.pending.get(key));
    this.pending.delete(key);
    this.emitter.fire(uri);
  }

  text(uri: vscode.Uri): string | undefined {
    return this.contents.get(uri.toString());
  }

  provideTextDocumentContent(uri: vscode.Uri): string {
    return this.contents.get(uri.toString()) ?? '_This answer is no longer kept. Run "AI Studio: Ask…" again._\n';
  }

  dispose(): void {
    for (const timer of this.pending.values()) {
      clearTimeout(timer);
    }
    this.pending.clear();
    this.registration.dispose();
    this.emitter.dispose();
  }
}
