import * as vscode from 'vscode';
import type { RunGroup } from '../views/runsModel';
import { ViewIds } from '../views/viewIds';

/**
 * A status bar item while runs are active: how many work and how many wait for the person; a click opens the
 * Runs view. Hidden when nothing runs, so an idle window shows nothing of it.
 */
export class RunStatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('aiStudio.runs', vscode.StatusBarAlignment.Left, 40);

  constructor() {
    this.item.name = 'AI Studio Runs';
    this.item.command = `${ViewIds.runs}.focus`;
  }

  update(groups: readonly RunGroup[]): void {
    const count = (id: RunGroup['id']) => {
      const group = groups.find((candidate) => candidate.id === id);
      return group ? group.runs.length + group.hidden : 0;
    };
    const running = count('running');
    const waiting = groups.find((group) => group.id === 'waiting')?.runs.filter((row) => row.state === 'waiting').length ?? 0;
    if (running === 0 && waiting === 0) {
      this.item.hide();
      return;
    }
    const parts = [...(running > 0 ? [`$(sync~spin) ${running}`] : []), ...(waiting > 0 ? [`$(bell) ${waiting}`] : [])];
    this.item.text = parts.join('  ');
    this.item.tooltip = `AI Studio: ${running} run${running === 1 ? '' : 's'} working${waiting > 0 ? `, ${waiting} waiting for you` : ''}. Click to open the Runs view.`;
    this.item.accessibilityInformation = { label: this.item.tooltip };
    this.item.backgroundColor = waiting > 0 ? new vscode.ThemeColor('statusBarItem.warningBackground') : undefined;
    this.item.show();
  }

  dispose(): void {
    this.item.dispose();
  }
}
