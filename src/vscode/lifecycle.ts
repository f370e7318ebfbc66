import type * as vscode from 'vscode';

/**
 * One base for everything that owns resources: register them as they are created, dispose them all, once,
 * newest first (a view is torn down before the service it reads from).
 */
export class Disposable implements vscode.Disposable {
  private readonly disposables: vscode.Disposable[] = [];
  private disposed = false;

  protected _register<T extends vscode.Disposable>(disposable: T): T {
    if (this.disposed) {
      disposable.dispose();
    } else {
      this.disposables.push(disposable);
    }
    return disposable;
  }

  dispose(): void {
    if (this.disposed) {
      return;
    }
    this.disposed = true;
    const errors: unknown[] = [];
    for (const disposable of this.disposables.splice(0).reverse()) {
      try {
        disposable.dispose();
      } catch (err) {
        errors.push(err);
      }
    }
    if (errors.length > 0) {
      throw new AggregateError(errors, 'Some AI Studio resources failed to dispose');
    }
  }

  protected get isDisposed(): boolean {
    return this.disposed;
  }
}

/** A bag of disposables for code that composes rather than inherits. */
export class DisposableStore extends Disposable {
  add<T extends vscode.Disposable>(disposable: T): T {
    return this._register(disposable);
  }
}
