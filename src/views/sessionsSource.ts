import * as vscode from 'vscode';
import { systemClock, type Logger } from '../core/ports';
import { AgentsRepository, type Agent } from '../db/repositories/agents';
import { EventsRepository } from '../db/repositories/events';
import { MessagesRepository } from '../db/repositories/messages';
import { SessionsRepository, type Session } from '../db/repositories/sessions';
import { SettingsRepository } from '../db/repositories/settings';
import type { Store, StoreChange } from '../db/store';
import { searchStore } from '../db/textIndexer';
import type { SearchHit } from '../db/search';

/**
 * Sessions as the Sessions view, the session commands, search and export read and change them: the repositories
 * once the store is open, pins, and one event for every change to sessions (a new one, a title the chat loop
 * gave, last activity, pins, agent names), from this window or another one sharing the store.
 */

/** Tables whose changes can change a row of the view; messages alone do not (their inserts touch sessions too). */
const viewTables = new Set(['sessions', 'agents', 'settings', '*']);
const PIN_PREFIX = 'sessions.pinned.';
/** SessionState keeps a session's model override under this key (src/core/chat/sessionState.ts). */
const MODEL_PREFIX = 'chat.sessionModel.';

export interface SessionRepositories {
  store: Store;
  sessions: SessionsRepository;
  messages: MessagesRepository;
  events: EventsRepository;
  agents: AgentsRepository;
  settings: SettingsRepository;
}

export class SessionsSource implements vscode.Disposable {
  private readonly emitter = new vscode.EventEmitter<void>();
  private subscription: { dispose(): void } | undefined;
  private disposed = false;
  readonly onDidChange = this.emitter.event;
  private readonly reposPromise: Promise<SessionRepositories>;

  constructor(storeReady: Promise<Store>, log: Logger) {
    this.reposPromise = storeReady.then((store) => ({
      store,
      sessions: new SessionsRepository(store, systemClock),
      messages: new MessagesRepository(store, systemClock),
      events: new EventsRepository(store, systemClock),
      agents: new AgentsRepository(store, systemClock),
      settings: new SettingsRepository(store, systemClock),
    }));
    // The store's own failure is reported by StoreHost; here it only must not become an unhandled rejection.
    this.reposPromise.catch(() => undefined);
    storeReady.then(
      (store) => {
        if (!this.disposed) {
          this.subscription = store.onDidChange((change) => this.onStoreChange(change));
          this.emitter.fire();
        }
      },
      (err: unknown) => log.debug(`Sessions are unavailable: the store did not open (${String(err)})`),
    );
  }

  repositories(): Promise<SessionRepositories> {
    return this.reposPromise;
  }

  /** The chat sessions; a run's session is listed in the Runs view instead. */
  async list(): Promise<Session[]> {
    return (await this.reposPromise).sessions.list({ excludeRunSessions: true });
  }

  async get(id: string): Promise<Session | undefined> {
    return (await this.reposPromise).sessions.get(id);
  }

  /** Every agent, archived ones included: a session keeps showing the name of the agent it uses. */
  async agents(includeArchived = true): Promise<Agent[]> {
    return (await this.reposPromise).agents.list({ includeArchived });
  }

  async create(agentId: string | null): Promise<Session> {
    return (await this.reposPromise).sessions.create({ agentId });
  }

  async rename(id: string, title: string): Promise<Session> {
    return (await this.reposPromise).sessions.rename(id, title);
  }

  /** The session with its messages and events, its pin and its model override, in one transaction. */
  async delete(id: string): Promise<void> {
    const repos = await this.reposPromise;
    await repos.store.write((sql) => {
      repos.sessions.within(sql).delete(id);
      const settings = repos.settings.within(sql);
      settings.delete(`${PIN_PREFIX}${id}`);
      settings.delete(`${MODEL_PREFIX}${id}`);
    });
  }

  async pinnedIds(): Promise<Set<string>> {
    const keys = (await this.reposPromise).settings.keys(PIN_PREFIX);
    return new Set(keys.map((key) => key.slice(PIN_PREFIX.length)));
  }

  /** One key per session, so two windows pinning different sessions never overwrite each other's list. */
  async setPinned(id: string, pinned: boolean): Promise<void> {
    const repos = await this.reposPromise;
    if (repos.sessions.get(id) === undefined) {
      throw new Error('That session no longer exists; it may have been deleted in another window.');
    }
    if (pinned) {
      await repos.settings.set(`${PIN_PREFIX}${id}`, Date.now());
    } else {
      await repos.settings.delete(`${PIN_PREFIX}${id}`);
    }
  }

  /** Full-text search over every message (the rows still queued for indexing included), best first. */
  async searchMessages(query: string, limit: number): Promise<SearchHit[]> {
    const { store } = await this.reposPromise;
    // Event hits (error texts) share the limit; asking for more leaves room for `limit` messages.
    const hits = await searchStore(store, query, { limit: Math.min(500, limit * 2) });
    return hits.filter((hit) => hit.kind === 'message' && hit.sessionId !== null).slice(0, limit);
  }

  dispose(): void {
    this.disposed = true;
    this.subscription?.dispose();
    this.emitter.dispose();
  }

  private onStoreChange(change: StoreChange): void {
    if (change.tables.some((table) => viewTables.has(table))) {
      this.emitter.fire();
    }
  }
}
