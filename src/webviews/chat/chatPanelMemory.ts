import type * as vscode from 'vscode';
import { z } from 'zod';

/**
 * Which session each open chat panel shows, kept in the window's workspace state. VS Code restores a panel after
 * a reload with the state its webview saved; when that state does not name the session (a webview that saved
 * only its draft, or none at all), the panel is matched here by its title, the one thing VS Code keeps of it.
 */

const KEY = 'aiStudio.chat.openPanels';
const idSchema = z.string().regex(/^[0-9A-HJKMNP-TV-Z]{26}$/);
const entriesSchema = z.array(z.object({ sessionId: idSchema, title: z.string() }));
const stateSchema = z.object({ sessionId: idSchema });

export type PanelEntry = z.infer<typeof entriesSchema>[number];

export class ChatPanelMemory {
  constructor(private readonly memento: vscode.Memento) {}

  remember(sessionId: string, title: string): void {
    const entries = this.entries().filter((entry) => entry.sessionId !== sessionId);
    this.save([...entries, { sessionId, title }]);
  }

  forget(sessionId: string): void {
    const entries = this.entries();
    if (entries.some((entry) => entry.sessionId === sessionId)) {
      this.save(entries.filter((entry) => entry.sessionId !== sessionId));
    }
  }

  /**
   * The session a restored panel shows: from its webview state when that names one, else the remembered panel
   * with its title (or, when no title matches, the oldest remembered one) that is not already open.
   */
  sessionFor(state: unknown, title: string, open: ReadonlySet<string>): string | undefined {
    const parsed = stateSchema.safeParse(state);
    if (parsed.success) {
      return parsed.data.sessionId;
    }
    const candidates = this.entries().filter((entry) => !open.has(entry.sessionId));
    return (candidates.find((entry) => entry.title === title) ?? candidates[0])?.sessionId;
  }

  private entries(): PanelEntry[] {
    const parsed = entriesSchema.safeParse(this.memento.get(KEY));
    return parsed.success ? parsed.data : [];
  }

  private save(entries: PanelEntry[]): void {
    // Not awaited: the workbench persists it in the background; a lost update only costs a restored panel.
    void this.memento.update(KEY, entries);
  }
}
