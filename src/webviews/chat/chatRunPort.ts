import { FILE_WRITTEN_EVENT } from '../../core/agent/undoRecords';
import { systemClock, type Clock } from '../../core/ports';
import { changedFiles } from '../../core/runs/runFiles';
import { buildRunHeader, spendFacts } from '../../core/runs/runHeader';
import type { RunService } from '../../core/runs/runService';
import { CostsRepository } from '../../db/repositories/costs';
import { EventsRepository } from '../../db/repositories/events';
import { MessagesRepository } from '../../db/repositories/messages';
import { RunSessionReads } from '../../db/repositories/runSessions';
import type { StorePort } from '../../db/repositories/storePort';
import type { RunHeaderView } from '../../protocol/runHeader';
import type { ChatRunPort, Disposable } from './runHeaderSync';

/**
 * The chat panel's run port, built from the runner and the store it writes to. Until both are ready every session
 * reads as no run; when they are, listeners are told once, so panels opened early get their header then.
 */

export interface ChatRunSources {
  runs: Pick<RunService, 'get' | 'onDidChange' | 'cancel' | 'resume'>;
  /** The store the runs live in (reads only). */
  store: StorePort;
}

export interface ChatRunPortHandle extends ChatRunPort, Disposable {}

export function chatRunPort(sources: ChatRunSources | Promise<ChatRunSources>, clock: Clock = systemClock): ChatRunPortHandle {
  const listeners = new Set<() => void>();
  const fire = () => [...listeners].forEach((listener) => listener());
  let reader: RunHeaderReader | undefined;
  let subscription: Disposable | undefined;
  let disposed = false;
  const attach = (ready: ChatRunSources) => {
    if (disposed) {
      return;
    }
    reader = new RunHeaderReader(ready, clock);
    subscription = ready.runs.onDidChange(fire);
    fire();
  };
  if (sources instanceof Promise) {
    sources.then(attach, () => undefined);
  } else {
    attach(sources);
  }
  const require = (): ChatRunSources => {
    if (reader === undefined) {
      throw new Error('Runs are not available yet; try again in a moment.');
    }
    return reader.sources;
  };
  return {
    headerOf: (sessionId) => reader?.headerOf(sessionId),
    onDidChange: (listener) => {
      listeners.add(listener);
      return { dispose: () => listeners.delete(listener) };
    },
    cancel: async (runId) => require().runs.cancel(runId),
    resume: async (runId) => require().runs.resume(runId),
    dispose: () => {
      disposed = true;
      subscription?.dispose();
      listeners.clear();
    },
  };
}

/** The reads behind one header: the run of the session, then its spend, and once it ended, its files and task message. */
class RunHeaderReader {
  private readonly sessions: RunSessionReads;
  private readonly costs: CostsRepository;
  private readonly events: EventsRepository;
  private readonly messages: MessagesRepository;
  /** A session's run never changes (runs make their sessions); null: an ordinary chat. */
  private readonly runIds = new Map<string, string | null>();

  constructor(
    readonly sources: ChatRunSources,
    private readonly clock: Clock,
  ) {
    const { store } = sources;
    this.sessions = new RunSessionReads(store);
    this.costs = new CostsRepository(store);
    this.events = new EventsRepository(store, clock);
    this.messages = new MessagesRepository(store, clock);
  }

  headerOf(sessionId: string): RunHeaderView | undefined {
    let runId = this.runIds.get(sessionId);
    if (runId === undefined) {
      runId = this.sessions.runOf(sessionId) ?? null;
      this.runIds.set(sessionId, runId);
    }
    const details = runId === null ? undefined : this.sources.runs.get(runId);
    if (details === undefined || details.sessionId !== sessionId) {
      // Deleted, or a batch's item session: a batch has its own results view, not this header.
      return undefined;
    }
    const ended = details.state === 'completed' || details.state === 'failed' || details.state === 'cancelled';
    const spend = spendFacts(this.costs.forSession(sessionId, { replays: false }));
    const files = ended ? changedFiles(this.events.list({ sessionId }, { types: [FILE_WRITTEN_EVENT] }), (id) => this.messages.get(id)) : [];
    const firstMessageId = ended ? (this.sessions.firstUserMessageOf(sessionId) ?? null) : null;
    return buildRunHeader(details, { ...spend, files, firstMessageId }, this.clock.now());
  }
}
