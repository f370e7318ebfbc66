import os from 'node:os';
import * as vscode from 'vscode';
import { buildSessionExport, parseSessionExport } from '../core/sessionExport';
import { importSession as importIntoStore } from '../core/sessionImport';
import { sessionMarkdown } from '../core/sessionMarkdown';
import type { Session } from '../db/repositories/sessions';
import { sessionLabel } from '../views/sessionsModel';
import type { SessionsSource } from '../views/sessionsSource';
import type { SessionsView } from '../views/sessionsView';
import { ChatPanel, type ChatPanelServices } from '../webviews/chat/chatPanel';
import { fileArgument, resolveSession } from './sessionPicker';

/**
 * "Export Session…" (every branch, as versioned JSON), "Export Session as Markdown…" (the branch shown) and
 * "Import Session…" (such a JSON file becomes a new session). Files go through `workspace.fs`, so they work in
 * remote windows too. A file path (or Uri) as the second argument (the first for Import) skips the dialog.
 */

export interface ExportImportServices {
  source: SessionsSource;
  view: SessionsView;
  panels: ChatPanelServices;
}

export type ExportImportHandlers = {
  exportSession(arg?: unknown, target?: unknown): Promise<vscode.Uri | undefined>;
  exportSessionMarkdown(arg?: unknown, target?: unknown): Promise<vscode.Uri | undefined>;
  importSession(from?: unknown): Promise<Session | undefined>;
};

/** Far larger than any real session export; past it, reading the file would only hurt the window. */
const MAX_IMPORT_BYTES = 512 * 1024 * 1024;

export function exportImportCommands(services: ExportImportServices): ExportImportHandlers {
  const { source } = services;

  const exportAs = async (arg: unknown, target: unknown, kind: 'json' | 'markdown'): Promise<vscode.Uri | undefined> => {
    const title = kind === 'json' ? 'AI Studio: Export Session' : 'AI Studio: Export Session as Markdown';
    const session = await resolveSession(source, arg, { title, placeHolder: 'Which session?' });
    if (!session) {
      return undefined;
    }
    const given = fileArgument(target);
    const extension = kind === 'json' ? 'json' : 'md';
    const uri =
      given ??
      (await vscode.window.showSaveDialog({
        title,
        saveLabel: 'Export',
        defaultUri: vscode.Uri.joinPath(defaultFolder(), `${fileSlug(session.title)}.${kind === 'json' ? 'aisession.json' : 'md'}`),
        filters: kind === 'json' ? { 'AI Studio session': [extension] } : { Markdown: [extension] },
      }));
    if (!uri) {
      return undefined;
    }
    const data = buildSessionExport(await source.repositories(), session.id, { now: Date.now() });
    const text = kind === 'json' ? `${JSON.stringify(data, null, 2)}\n` : sessionMarkdown(data);
    await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode(text));
    if (!given) {
      const what = kind === 'json' ? `${data.messages.length} message${data.messages.length === 1 ? '' : 's'}, every branch` : 'the branch shown';
      void vscode.window.showInformationMessage(`Exported "${sessionLabel(session.title)}" (${what}) to ${uri.fsPath}.`, 'Open').then((choice) =>
        choice ? vscode.window.showTextDocument(uri) : undefined,
      );
    }
    return uri;
  };

  return {
    exportSession: (arg, target) => exportAs(arg, target, 'json'),
    exportSessionMarkdown: (arg, target) => exportAs(arg, target, 'markdown'),

    async importSession(from) {
      const given = fileArgument(from);
      const uri =
        given ??
        (
          await vscode.window.showOpenDialog({
            title: 'AI Studio: Import Session',
            openLabel: 'Import',
            canSelectMany: false,
            defaultUri: defaultFolder(),
            filters: { 'AI Studio session': ['json'] },
          })
        )?.[0];
      if (!uri) {
        return undefined;
      }
      const name = uri.path.split('/').pop() ?? uri.fsPath;
      const { size } = await vscode.workspace.fs.stat(uri);
      if (size > MAX_IMPORT_BYTES) {
        throw new Error(`Could not import ${name}: at ${Math.round(size / 1024 / 1024)} MB it is too large to be a session export.`);
      }
      const parsed = parseSessionExport(new TextDecoder().decode(await vscode.workspace.fs.readFile(uri)));
      if (!parsed.ok) {
        throw new Error(`Could not import ${name}: ${parsed.error} Nothing was imported.`);
      }
      const repos = await source.repositories();
      // The agent of the same name, when there is one here: the session can go on where it left off.
      const wanted = parsed.value.agent?.name.toLocaleLowerCase();
      const agent = wanted === undefined ? undefined : (await source.agents(false)).find((a) => a.name.toLocaleLowerCase() === wanted);
      const result = await importIntoStore(repos.store, parsed.value, { agentId: agent?.id ?? null });
      await ChatPanel.show(services.panels, result.session.id);
      await services.view.reveal(result.session.id);
      if (!given) {
        const agentNote = agent ? `with the agent "${agent.name}"` : 'without an agent (choose one in the chat panel)';
        void vscode.window.showInformationMessage(
          `Imported "${sessionLabel(result.session.title)}" as a new session ${agentNote}: ${result.messages} message${result.messages === 1 ? '' : 's'}.`,
        );
      }
      return result.session;
    },
  };
}

export function defaultFolder(): vscode.Uri {
  return vscode.workspace.workspaceFolders?.[0]?.uri ?? vscode.Uri.file(os.homedir());
}

/** A file name from a title: letters and digits kept, everything else one dash. */
export function fileSlug(title: string): string {
  const slug = title
    .normalize('NFKC')
    .replace(/[^\p{L}\p{N}]+/gu, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 60)
    .replace(/-+$/, '');
  return slug === '' ? 'session' : slug;
}
