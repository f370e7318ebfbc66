import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { CommandIds } from '../../src/commands/ids';
import { activateStudio, waitForEvent, waitUntil } from './support';

function overviewTabs(): vscode.Tab[] {
  return vscode.window.tabGroups.all
    .flatMap((group) => group.tabs)
    .filter((tab) => tab.input instanceof vscode.TabInputWebview && tab.input.viewType.endsWith('aiStudio.overview'));
}

describe('the Overview panel in a real extension host', () => {
  afterEach(async () => {
    await vscode.window.tabGroups.close(overviewTabs());
  });

  it('opens, loads its webview, and answers the webview with the full state', async () => {
    const api = await activateStudio();
    const ready = waitForEvent(api.onPanelTraffic, (t) => t.direction === 'fromPanel' && t.kind === 'ready', 'the panel to say ready');
    const snapshot = waitForEvent(api.onPanelTraffic, (t) => t.direction === 'toPanel' && t.kind === 'snapshot', 'the host to send the snapshot');
    await vscode.commands.executeCommand(CommandIds.showOverview);
    // The tab model reaches the extension host asynchronously, after the panel exists.
    await waitUntil(() => overviewTabs().length === 1, vscode.window.tabGroups.onDidChangeTabs, 'the Overview tab');
    assert.equal(overviewTabs()[0]!.label, 'AI Studio Overview');
    await ready;
    await snapshot;
  });

  it('reveals the open panel instead of opening a second one', async () => {
    await activateStudio();
    await vscode.commands.executeCommand(CommandIds.showOverview);
    await waitUntil(() => overviewTabs().length === 1, vscode.window.tabGroups.onDidChangeTabs, 'the Overview tab');
    await vscode.commands.executeCommand('workbench.action.files.newUntitledFile');
    await vscode.commands.executeCommand(CommandIds.showOverview);
    await waitUntil(() => vscode.window.tabGroups.activeTabGroup.activeTab?.label === 'AI Studio Overview', vscode.window.tabGroups.onDidChangeTabs, 'the Overview tab to be revealed');
    assert.equal(overviewTabs().length, 1);
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
  });

  it('re-sends its full state when a hidden panel is shown again', async () => {
    const api = await activateStudio();
    const firstSnapshot = waitForEvent(api.onPanelTraffic, (t) => t.kind === 'snapshot', 'the first snapshot');
    await vscode.commands.executeCommand(CommandIds.showOverview);
    await firstSnapshot;
    // Another editor in the same group hides the panel; without retained context its document is discarded.
    await vscode.commands.executeCommand('workbench.action.files.newUntitledFile');
    const readyAgain = waitForEvent(api.onPanelTraffic, (t) => t.direction === 'fromPanel' && t.kind === 'ready', 'the panel to say ready again');
    const snapshotAgain = waitForEvent(api.onPanelTraffic, (t) => t.kind === 'snapshot', 'the snapshot to be sent again');
    await vscode.commands.executeCommand(CommandIds.showOverview);
    await readyAgain;
    await snapshotAgain;
    await vscode.commands.executeCommand('workbench.action.files.newUntitledFile');
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });
});
