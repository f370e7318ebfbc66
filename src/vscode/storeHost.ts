import path from 'node:path';
import * as vscode from 'vscode';
import { CommandIds } from '../commands/ids';
import type { Logger } from '../core/ports';
import type { RecoveryNotice } from '../db/rebuild';
import type { Store } from '../db/store';
import { corruptDir } from '../db/storeFiles';
import { loadSqlJs } from '../db/sqlJs';
import { openStudioStore, storeDir } from '../db/studioStore';

/**
 * Opens the store in the background, so activation never waits on disk or on another window's lock, and tells
 * the user when opening needed repairs or failed. Everything that needs data awaits `ready`.
 */
export class StoreHost implements vscode.Disposable {
  readonly ready: Promise<Store>;
  readonly dir: string;

  constructor(extensionPath: string, globalStoragePath: string, private readonly log: Logger) {
    this.dir = storeDir(globalStoragePath);
    const wasmPath = path.join(extensionPath, 'dist', 'sql-wasm.wasm');
    const started = Date.now();
    this.ready = loadSqlJs(wasmPath).then((SQL) =>
      openStudioStore({
        dir: this.dir,
        SQL,
        wasmPath,
        workerPath: path.join(extensionPath, 'dist', 'checkpointWorker.js'),
        onError: (error) => log.error(error),
      }),
    );
    this.ready.then(
      (store) => {
        log.info(`Store opened in ${Date.now() - started} ms: ${this.dir}`);
        this.report(store.notices);
      },
      (err: unknown) => this.reportFailure(err),
    );
  }

  dispose(): void {
    // Every commit is already on disk; closing only releases files and lets a running checkpoint finish.
    this.ready.then((store) => store.close()).catch(() => undefined);
  }

  private report(notices: readonly RecoveryNotice[]): void {
    if (notices.length === 0) {
      return;
    }
    for (const notice of notices) {
      this.log.warn(`Store repair: ${notice.file}: ${notice.problem}; ${notice.consequence}`);
    }
    const message =
      `AI Studio found ${notices.length === 1 ? 'a damaged file' : `${notices.length} damaged files`} in its data ` +
      `folder and recovered from its backups. The damaged files were kept in ${corruptDir(this.dir)}.`;
    void vscode.window.showWarningMessage(message, 'Show Log').then((choice) => {
      if (choice === 'Show Log') {
        void vscode.commands.executeCommand(CommandIds.showLog);
      }
    });
  }

  private reportFailure(err: unknown): void {
    this.log.error(err instanceof Error ? err : new Error(String(err)));
    const reason = err instanceof Error ? err.message : String(err);
    void vscode.window.showErrorMessage(`AI Studio could not open its data: ${reason}`, 'Show Log').then((choice) => {
      if (choice === 'Show Log') {
        void vscode.commands.executeCommand(CommandIds.showLog);
      }
    });
  }
}
