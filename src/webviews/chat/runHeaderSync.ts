import type { Logger } from '../../core/ports';
import type { ChatEvent } from '../../protocol/chat';
import type { RunHeaderRequests, RunHeaderView } from '../../protocol/runHeader';
import type { RequestHandlers } from '../../protocol/rpc';

/**
 * Keeps a chat panel's run header in step with its run (issue 13). Each document that says ready (the panel opened,
 * shown again, reloaded) gets `chat/run` with its snapshot; while it is there, it gets the header again after the
 * run changes (coalesced to at most four a second) and every few seconds while the run has not ended (the minutes
 * meter moves, and another window's steps reach this one only through the store). Nothing is posted while no
 * document listens: the host would queue it, and a queued old header would arrive after the fresh one. Cancel and
 * Resume are served here, for the panel's own run only.
 */

export interface Disposable {
  dispose(): void;
}

/** What the chat panel needs of the runner; optional in ChatPanelServices (no header without it). */
export interface ChatRunPort {
  /** The header of the run this session belongs to; undefined for an ordinary chat (or before the runner is up). */
  headerOf(sessionId: string): RunHeaderView | undefined;
  /** Fires when any run changed. */
  onDidChange(listener: () => void): Disposable;
  cancel(runId: string): Promise<void>;
  resume(runId: string): Promise<void>;
}

/** The chat events of the panel's session that can move a meter (a step ended, a reply started or stopped). */
export interface SessionChanges {
  onDidChange(listener: (change: { sessionId: string; event: ChatEvent }) => void): Disposable;
}

export interface RunHeaderTiming {
  /** Least time between two posts caused by changes. */
  coalesceMs: number;
  /** How often a run that has not ended is read again. */
  tickMs: number;
}

export const defaultRunHeaderTiming: RunHeaderTiming = { coalesceMs: 250, tickMs: 5_000 };

const ENDED = new Set<RunHeaderView['state']>(['completed', 'failed', 'cancelled']);

export class RunHeaderSync implements Disposable {
  private readonly subscriptions: Disposable[] = [];
  private readonly timing: RunHeaderTiming;
  private scheduled: ReturnType<typeof setTimeout> | undefined;
  private ticker: ReturnType<typeof setInterval> | undefined;
  private lastPostAt = Number.NEGATIVE_INFINITY;
  /** What the document was last sent, as JSON. */
  private sent: string | undefined;
  /** A document is listening (between its ready and its going away). */
  private listening = false;
  private disposed = false;

  constructor(
    private readonly port: ChatRunPort | undefined,
    private readonly sessionId: string,
    private readonly post: (event: ChatEvent) => void,
    private readonly log: Pick<Logger, 'warn'>,
    timing: Partial<RunHeaderTiming> = {},
  ) {
    this.timing = { ...defaultRunHeaderTiming, ...timing };
  }

  /** Follows the run, and the session's steps, from now on. */
  start(chat?: SessionChanges): void {
    const { port, sessionId } = this;
    if (port === undefined || this.disposed) {
      return;
    }
    this.subscriptions.push(port.onDidChange(() => this.schedule()));
    if (chat) {
      this.subscriptions.push(
        chat.onDidChange(({ sessionId: changed, event }) => {
          if (changed === sessionId && (event.method === 'chat/message' || event.method === 'chat/streaming')) {
            this.schedule();
          }
        }),
      );
    }
  }

  /** A document said ready: it gets the header now, whether or not it changed, and the changes from now on. */
  documentReady(): void {
    this.listening = true;
    this.publish(true);
  }

  /** The document was discarded (the panel was hidden): nothing more until the next one is ready. */
  documentGone(): void {
    this.listening = false;
    this.keepTicking(false);
  }

  readonly handlers: RequestHandlers<RunHeaderRequests> = {
    'chat/cancelRun': async ({ runId }) => {
      await this.requirePort(runId).cancel(runId);
      this.schedule();
      return null;
    },
    'chat/resumeRun': async ({ runId }) => {
      await this.requirePort(runId).resume(runId);
      this.schedule();
      return null;
    },
  };

  dispose(): void {
    this.disposed = true;
    clearTimeout(this.scheduled);
    this.keepTicking(false);
    this.subscriptions.splice(0).forEach((subscription) => subscription.dispose());
  }

  /** At most one post per coalesceMs: a burst of changes (a step's messages and events) becomes one. */
  private schedule(): void {
    if (this.disposed || !this.listening || this.scheduled !== undefined) {
      return;
    }
    const wait = Math.max(0, this.lastPostAt + this.timing.coalesceMs - Date.now());
    this.scheduled = setTimeout(() => {
      this.scheduled = undefined;
      this.publish(false);
    }, wait);
  }

  private publish(force: boolean): void {
    if (this.disposed || !this.listening || this.port === undefined) {
      return;
    }
    let header: RunHeaderView | null;
    try {
      header = this.port.headerOf(this.sessionId) ?? null;
    } catch (err) {
      // A failed read leaves the header as it was: the next change or tick tries again.
      this.log.warn(`Chat panel: could not read the run of session ${this.sessionId}: ${err instanceof Error ? err.message : String(err)}`);
      return;
    }
    this.lastPostAt = Date.now();
    this.keepTicking(header !== null && !ENDED.has(header.state));
    const json = JSON.stringify(header);
    if (force || json !== this.sent) {
      this.sent = json;
      this.post({ method: 'chat/run', params: { run: header } });
    }
  }

  private keepTicking(on: boolean): void {
    if (on && this.ticker === undefined) {
      this.ticker = setInterval(() => this.publish(false), this.timing.tickMs);
      this.ticker.unref?.();
    } else if (!on && this.ticker !== undefined) {
      clearInterval(this.ticker);
      this.ticker = undefined;
    }
  }

  /** The panel may act only on its own session's run, whatever id it sends. */
  private requirePort(runId: string): ChatRunPort {
    const header = this.port?.headerOf(this.sessionId);
    if (this.port === undefined || header === undefined || header.runId !== runId) {
      throw new Error('That run is not the run of this session.');
    }
    return this.port;
  }
}
