import * as vscode from 'vscode';

/**
 * Where a code block from the chat goes: the cursor of the last text editor that was active. While the chat panel
 * has focus VS Code reports no active text editor, and when the panel shares the file's editor group the file's
 * editor is not even visible, so the document and its selections are remembered and edited directly.
 */

/** Documents that are not the person's text: the log and other output channels. */
const notTargets = new Set(['output']);

interface Target {
  document: vscode.TextDocument;
  selections: readonly vscode.Selection[];
}

export class LastTextEditor implements vscode.Disposable {
  private last: Target | undefined;
  private readonly subscriptions: vscode.Disposable[];

  constructor() {
    this.remember(vscode.window.activeTextEditor);
    this.subscriptions = [
      vscode.window.onDidChangeActiveTextEditor((editor) => this.remember(editor)),
      vscode.window.onDidChangeTextEditorSelection(({ textEditor }) => {
        if (textEditor === vscode.window.activeTextEditor) {
          this.remember(textEditor);
        }
      }),
    ];
  }

  /** Replaces each selection (or inserts at each cursor) with `code`; says why not when there is nowhere to put it. */
  async insert(code: string): Promise<void> {
    const target = this.last;
    if (target === undefined || target.document.isClosed) {
      throw new Error('Open a file in an editor first: the code is inserted at its cursor.');
    }
    const { document } = target;
    // A visible editor of the document knows the selections best (they may have moved since).
    const editor = vscode.window.visibleTextEditors.find((e) => e.document === document);
    const selections = editor?.selections ?? target.selections;
    let done: boolean;
    if (editor) {
      done = await editor.edit((builder) => selections.forEach((selection) => builder.replace(selection, code)));
    } else {
      const edit = new vscode.WorkspaceEdit();
      selections.forEach((selection) => edit.replace(document.uri, document.validateRange(selection), code));
      done = await vscode.workspace.applyEdit(edit);
    }
    if (!done) {
      throw new Error(`The code could not be inserted into ${vscode.workspace.asRelativePath(document.uri)} (is it read-only?).`);
    }
  }

  dispose(): void {
    for (const subscription of this.subscriptions) {
      subscription.dispose();
    }
  }

  private remember(editor: vscode.TextEditor | undefined): void {
    if (editor && !notTargets.has(editor.document.uri.scheme)) {
      this.last = { document: editor.document, selections: editor.selections };
    }
  }
}
