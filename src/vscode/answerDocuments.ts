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
  /** The newest text of an answer that changed since it was last rendered. */
  private readonly renders = new Map<string, () => string>();
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
      this.renders.delete(oldest);
    }
    return uri;
  }

  /**
   * The text changed: `render` produces it. It runs when the editor is told (once per interval) or the text is
   * read, not per call, because Ask calls this per streamed token and rendering is the whole answer each time.
   */
  update(uri: vscode.Uri, render: () => string): void {
    const key = uri.toString();
    this.renders.set(key, render);
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
    this.renders.delete(key);
    this.contents.set(key, text);
    clearTimeout(this.pending.get(key));
    this.pending.delete(key);
    this.emitter.fire(uri);
  }

  text(uri: vscode.Uri): string | undefined {
    return this.current(uri.toString());
  }

  provideTextDocumentContent(uri: vscode.Uri): string {
    return this.current(uri.toString()) ?? '_This answer is no longer kept. Run "AI Studio: Ask…" again._\n';
  }

  private current(key: string): string | undefined {
    const render = this.renders.get(key);
    if (render && this.contents.has(key)) {
      this.renders.delete(key);
      this.contents.set(key, render());
    }
    return this.contents.get(key);
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
