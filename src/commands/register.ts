import * as vscode from 'vscode';
import type { Logger } from '../core/ports';
import { notifyWithLog } from '../vscode/notify';
import { CommandIds, type CommandKey } from './ids';

/** One handler per command id: leaving one out is a compile error, not a "command not found" at runtime. */
export type CommandHandlers = { [K in CommandKey]: (...args: unknown[]) => unknown };

export function registerCommands(handlers: CommandHandlers, log: Logger): vscode.Disposable[] {
  return (Object.keys(CommandIds) as CommandKey[]).map((key) =>
    vscode.commands.registerCommand(CommandIds[key], async (...args: unknown[]) => {
      try {
        return await handlers[key](...args);
      } catch (err) {
        // A command runs from a click or a key press: tell the person, and keep the details in the log.
        log.error(err instanceof Error ? err : new Error(String(err)));
        const message = err instanceof Error ? err.message : String(err);
        // Not awaited: the command settles now, whether or not the person ever dismisses the notification.
        void notifyWithLog('error', `AI Studio: ${message}`, () => void vscode.commands.executeCommand(CommandIds.showLog));
        return undefined;
      }
    }),
  );
}
