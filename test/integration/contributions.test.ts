import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { CommandIds } from '../../src/commands/ids';
import { ViewIds, viewContainerId } from '../../src/views/viewIds';
import { activateStudio, extensionId } from './support';

interface Manifest {
  contributes: { commands: { command: string }[] };
}

describe('contributions in a real extension host', () => {
  before(activateStudio);

  it('opens the AI Studio container and focuses each of its four views', async () => {
    await vscode.commands.executeCommand(`workbench.view.extension.${viewContainerId}`);
    for (const id of Object.values(ViewIds)) {
      // VS Code registers `<view>.focus` for every contributed view; it fails for a view that does not exist.
      await vscode.commands.executeCommand(`${id}.focus`);
    }
  });

  it('registers a handler for every contributed command, and contributes every command it registers', async () => {
    const manifest = vscode.extensions.getExtension(extensionId)!.packageJSON as Manifest;
    const contributed = manifest.contributes.commands.map((c) => c.command).sort();
    const viewPrefixes = [...Object.values(ViewIds), `workbench.view.extension.${viewContainerId}`].map((id) => `${id}.`);
    const registered = (await vscode.commands.getCommands(true))
      .filter((id) => id.startsWith('aiStudio.'))
      // VS Code adds `<view>.focus`, `<view>.resetViewLocation`, ... for every view: those are not ours.
      .filter((id) => !viewPrefixes.some((prefix) => id.startsWith(prefix)))
      .sort();
    assert.deepEqual(registered, contributed);
    assert.deepEqual(contributed, Object.values(CommandIds).sort());
  });

  it('opens its settings from the palette command', async () => {
    await vscode.commands.executeCommand(CommandIds.openSettings);
    await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
  });
});
