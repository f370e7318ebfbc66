import * as vscode from 'vscode';
import { systemClock, type Logger } from '../core/ports';
import { AgentsRepository, type Agent } from '../db/repositories/agents';
import { SessionsRepository } from '../db/repositories/sessions';
import type { Store, StoreChange } from '../db/store';

/**
 * The agents as the Agents view, the agent commands and the agent editors read them: the repository once the
 * store is open (it opens in the background, so everything here waits for it), and one event for every change
 * to agents, from this window or from another one sharing the store.
 */
const agentTables = new Set(['agents', 'agent_versions', '*']);

export class AgentsSource implements vscode.Disposable {
  private readonly emitter = new vscode.EventEmitter<void>();
  private subscription: { dispose(): void } | undefined;
  private disposed = false;
  readonly onDidChange = this.emitter.event;
  private readonly repositoryPromise: Promise<AgentsRepository>;

  constructor(
    private readonly storeReady: Promise<Store>,
    log: Logger,
  ) {
    this.repositoryPromise = storeReady.then((store) => new AgentsRepository(store, systemClock));
    // The store's own failure is reported by StoreHost; here it only must not become an unhandled rejection.
    this.repositoryPromise.catch(() => undefined);
    storeReady.then(
      (store) => {
        if (!this.disposed) {
          this.subscription = store.onDidChange((change) => this.onStoreChange(change));
          // Anything written before we subscribed is in the first read anyway; this makes views read it.
          this.emitter.fire();
        }
      },
      (err: unknown) => log.debug(`Agents are unavailable: the store did not open (${String(err)})`),
    );
  }

  repository(): Promise<AgentsRepository> {
    return this.repositoryPromise;
  }

  async list(includeArchived: boolean): Promise<Agent[]> {
    return (await this.repositoryPromise).list({ includeArchived });
  }

  async get(id: string): Promise<Agent | undefined> {
    return (await this.repositoryPromise).get(id);
  }

  /** How many sessions (archived ones included) use the agent: the delete confirmation says they are kept. */
  async sessionCount(agentId: string): Promise<number> {
    const store = await this.storeReady;
    return new SessionsRepository(store, systemClock).list({ agentId, includeArchived: true }).length;
  }

  dispose(): void {
    this.disposed = true;
    this.subscription?.dispose();
    this.emitter.dispose();
  }

  private onStoreChange(change: StoreChange): void {
    if (change.tables.some((table) => agentTables.has(table))) {
      this.emitter.fire();
    }
  }
}
