import * as vscode from 'vscode';
import type { SearchHit } from '../db/search';
import { sessionLabel } from '../views/sessionsModel';
import type { SessionsSource } from '../views/sessionsSource';
import { ChatPanel, type ChatPanelServices } from '../webviews/chat/chatPanel';

/**
 * "AI Studio: Search Sessions": full-text search over every message of every session, as you type. A hit shows
 * its session, who wrote it and the words around the match; choosing it opens the session on the branch that
 * holds that message. Automation passes `{ query }` (and `open: true` to open the best hit) and gets the hits.
 */

export interface SearchServices {
  source: SessionsSource;
  panels: ChatPanelServices;
}

export interface SessionSearchHit {
  sessionId: string;
  sessionTitle: string;
  messageId: string;
  role: string;
  snippet: string;
}

interface HitItem extends vscode.QuickPickItem {
  hit: SessionSearchHit;
}

/** A search per keystroke is cheap (tens of ms), but not while someone types a word quickly. */
const DEBOUNCE_MS = 150;
const LIMIT = 50;
const TITLE = 'AI Studio: Search Sessions';
const ROLE_NAMES: Record<string, string> = { user: 'You', assistant: 'Assistant', system: 'System', tool: 'Tool' };

export async function searchSessions(services: SearchServices, arg?: unknown): Promise<SessionSearchHit[] | undefined> {
  if (typeof arg === 'object' && arg !== null && typeof (arg as { query?: unknown }).query === 'string') {
    const { query, open } = arg as { query: string; open?: unknown };
    const hits = await findHits(services.source, query);
    if (open === true && hits[0]) {
      await ChatPanel.show(services.panels, hits[0].sessionId, { revealMessageId: hits[0].messageId });
    }
    return hits;
  }
  showSearchPick(services);
  return undefined;
}

export async function findHits(source: SessionsSource, query: string): Promise<SessionSearchHit[]> {
  const [hits, sessions] = await Promise.all([source.searchMessages(query, LIMIT), source.list()]);
  const titles = new Map(sessions.map((session) => [session.id, session.title]));
  return hits.flatMap((hit: SearchHit) =>
    hit.sessionId === null || !titles.has(hit.sessionId)
      ? []
      : [{ sessionId: hit.sessionId, sessionTitle: sessionLabel(titles.get(hit.sessionId) ?? ''), messageId: hit.id, role: hit.label, snippet: hit.snippet }],
  );
}

function showSearchPick(services: SearchServices): void {
  const pick = vscode.window.createQuickPick<HitItem>();
  pick.title = TITLE;
  pick.placeholder = 'Words from any message of any session ("quoted phrase", prefix*)';
  // The items come from full-text search; VS Code's own filter must not hide hits whose words it does not see.
  pick.matchOnDescription = false;
  pick.matchOnDetail = true;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let generation = 0;

  const run = async (query: string, current: number): Promise<void> => {
    if (query.trim() === '') {
      pick.items = [];
      pick.busy = false;
      return;
    }
    try {
      const hits = await findHits(services.source, query);
      if (current !== generation) {
        return;
      }
      pick.items = hits.map((hit) => ({
        label: hit.sessionTitle,
        description: ROLE_NAMES[hit.role] ?? hit.role,
        detail: hit.snippet.replace(/\s+/g, ' '),
        alwaysShow: true,
        hit,
      }));
      pick.title = TITLE;
    } catch (err) {
      pick.items = [];
      // The title is the one line a quick pick shows whatever is typed.
      pick.title = `${TITLE}: the search failed (${err instanceof Error ? err.message : String(err)})`;
    } finally {
      if (current === generation) {
        pick.busy = false;
      }
    }
  };

  pick.onDidChangeValue((value) => {
    clearTimeout(timer);
    generation += 1;
    const current = generation;
    pick.busy = value.trim() !== '';
    timer = setTimeout(() => void run(value, current), DEBOUNCE_MS);
  });
  pick.onDidAccept(() => {
    const chosen = pick.selectedItems[0]?.hit;
    if (!chosen) {
      return;
    }
    pick.hide();
    ChatPanel.show(services.panels, chosen.sessionId, { revealMessageId: chosen.messageId }).catch((err: unknown) => {
      void vscode.window.showErrorMessage(`AI Studio: ${err instanceof Error ? err.message : String(err)}`);
    });
  });
  pick.onDidHide(() => {
    clearTimeout(timer);
    pick.dispose();
  });
  pick.show();
}
