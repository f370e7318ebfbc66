import {
  MAX_ROWS_PER_REQUEST,
  PAGE_SIZE,
  type InspectorEvent,
  type InspectorFilter,
  type InspectorRequests,
  type InspectorScope,
  type InspectorSnapshot,
  type InspectorView,
  type ReplayComparison,
  type ReplayOpen,
  type ReplayProviderChoice,
  type ReplayRequest,
} from '../../protocol/inspector';
import type { RequestHandlers } from '../../protocol/rpc';
import type { ReplayService } from './replayService';
import { ReplayError } from './replayTypes';
import type { InspectorSource, SourceChange } from './source';

/** What a session's Inspector needs for replay: the service, the endpoints to offer, and a way to show a branch. */
export interface InspectorReplayHooks {
  service: ReplayService | Promise<ReplayService>;
  /** The configured provider endpoints. */
  providers(): ReplayProviderChoice[];
  /** Shows the branch a replay was continued as (opens the session's chat panel on it). */
  showBranch(sessionId: string, messageId: string): Promise<void>;
}

/**
 * What an Inspector panel does with its source, without VS Code: the snapshot a (re)loading panel gets, the
 * answers to its requests, and the events that tell it about new rows. It remembers the panel's filter, so a
 * panel that is hidden and shown again (its document reloaded) comes back filtered as it was, and so live
 * updates count rows for the filter the panel shows.
 */

const NO_FILTER: InspectorFilter = { text: '', types: [] };

export class InspectorController {
  private filter: InspectorFilter = NO_FILTER;
  private focus: string | undefined;
  /** The replay this panel is running, if any: one at a time, stopped by `inspector/replay/stop` or dispose. */
  private replayRun: AbortController | undefined;
  /** The last snapshot left the totals out: `figures()` should follow it. */
  figuresPending = false;
  readonly handlers: RequestHandlers<InspectorRequests>;

  constructor(
    readonly source: InspectorSource,
    readonly scope: InspectorScope,
    focus?: string,
    private readonly replay?: InspectorReplayHooks,
  ) {
    this.focus = focus;
    this.handlers = {
      'inspector/query': ({ filter }) => {
        this.filter = cleanFilter(filter);
        return this.view(this.filter);
      },
      'inspector/rows': ({ filter, start, count }) => {
        const clean = cleanFilter(filter);
        return { start, rows: this.source.rows(clean, start, Math.min(count, MAX_ROWS_PER_REQUEST)), count: this.source.count(clean) };
      },
      'inspector/detail': ({ eventId }) => this.source.detail(eventId) ?? null,
      'inspector/totals': ({ filter, selection }) => this.source.totals(cleanFilter(filter), selection),
      'inspector/locate': ({ filter, eventId }) => {
        const found = this.source.locate(cleanFilter(filter), eventId);
        return found ? { index: found.index } : null;
      },
      'inspector/replay/open': ({ eventId }) => this.openReplay(eventId),
      'inspector/replay/run': ({ request }) => this.runReplay(request),
      'inspector/replay/stop': () => {
        this.replayRun?.abort();
        return null;
      },
      'inspector/replay/continue': ({ replayEventId }) => this.continueReplay(replayEventId),
    };
  }

  /** Whether this panel can replay: a session's, with the replay service wired. */
  get canReplay(): boolean {
    return this.scope.kind === 'session' && this.replay !== undefined;
  }

  /** Stops a replay in progress (the panel closed): it is recorded as cancelled. */
  dispose(): void {
    this.replayRun?.abort();
  }

  private async replayService(): Promise<{ service: ReplayService; hooks: InspectorReplayHooks; sessionId: string }> {
    if (this.scope.kind !== 'session') {
      throw new ReplayError('not_a_call', 'An imported trace is read-only: its calls cannot be replayed.');
    }
    if (this.replay === undefined) {
      throw new ReplayError('closed', 'Replay is not available in this window.');
    }
    return { service: await this.replay.service, hooks: this.replay, sessionId: this.scope.sessionId };
  }

  private async openReplay(eventId: string): Promise<ReplayOpen> {
    const { service, hooks, sessionId } = await this.replayService();
    const request = service.rebuild(eventId);
    if (request.sessionId !== sessionId) {
      throw new ReplayError('not_a_call', 'That call belongs to another session.');
    }
    let comparison: ReplayComparison | null = null;
    try {
      comparison = service.comparison(eventId);
    } catch (err) {
      if (!(err instanceof ReplayError)) {
        throw err;
      }
    }
    return { request, providers: hooks.providers(), comparison };
  }

  private async runReplay(request: ReplayRequest): Promise<ReplayComparison> {
    const { service, sessionId } = await this.replayService();
    if (request.sessionId !== sessionId) {
      throw new ReplayError('invalid', 'The edited request names another session than this Inspector shows.');
    }
    if (this.replayRun !== undefined) {
      throw new ReplayError('invalid', 'A replay is already running in this Inspector; stop it or wait for it to end.');
    }
    const run = new AbortController();
    this.replayRun = run;
    try {
      return await service.run(request, run.signal);
    } finally {
      if (this.replayRun === run) {
        this.replayRun = undefined;
      }
    }
  }

  private async continueReplay(replayEventId: string): Promise<{ sessionId: string; messageId: string }> {
    const { service, hooks, sessionId } = await this.replayService();
    const comparison = service.comparison(replayEventId);
    if (comparison.sessionId !== sessionId) {
      throw new ReplayError('not_a_call', 'That replay belongs to another session.');
    }
    const messageId = await service.continueAsBranch(replayEventId);
    await hooks.showBranch(sessionId, messageId);
    return { sessionId, messageId };
  }

  get currentFilter(): InspectorFilter {
    return this.filter;
  }

  /**
   * The state a (re)loading panel renders from. When the source has no totals at hand yet (a large session's first
   * open), they are left out so the rows paint at once; `figuresPending` then says to send `figures()` next.
   */
  snapshot(): InspectorSnapshot {
    let focus: InspectorSnapshot['focus'] = null;
    if (this.focus !== undefined) {
      let found = this.source.locate(this.filter, this.focus);
      if (!found && !isEmpty(this.filter)) {
        // The event is filtered out: show it rather than the filter.
        this.filter = NO_FILTER;
        found = this.source.locate(this.filter, this.focus);
      }
      focus = found ?? null;
      this.focus = undefined;
    }
    const ready = this.source.totalsReady?.() ?? true;
    this.figuresPending = !ready;
    return {
      title: this.source.title,
      scope: this.scope,
      total: this.source.total(),
      totals: ready ? this.source.totals(NO_FILTER) : null,
      types: ready ? this.source.types() : null,
      view: this.view(this.filter, ready || !isEmpty(this.filter)),
      live: this.source.live,
      focus,
    };
  }

  view(filter: InspectorFilter, withTotals = true): InspectorView {
    const count = this.source.count(filter);
    // The first page, and the second when that is the end: rows at the end of a long list come when the panel
    // goes there (numbering their turns reads every question before them, a cost the first paint should not pay).
    const tailStart = PAGE_SIZE;
    return {
      filter,
      count,
      totals: withTotals ? this.source.totals(filter) : null,
      head: { start: 0, rows: this.source.rows(filter, 0, PAGE_SIZE) },
      tail: { start: tailStart, rows: count > tailStart && count <= 2 * PAGE_SIZE ? this.source.rows(filter, tailStart, count - tailStart) : [] },
    };
  }

  /** The totals and type counts a snapshot left out (nothing else changed), summed without blocking for long. */
  async figures(): Promise<InspectorEvent> {
    await this.source.prepareTotals?.();
    this.figuresPending = false;
    return this.changed({ fromIndex: (filter) => this.source.count(filter) });
  }

  /** The event that tells the panel about appended events, for the filter it shows. */
  changed(change: SourceChange): InspectorEvent {
    const filter = this.filter;
    // While the totals are still being summed (a large session just opened), the rows change and the sums follow.
    const ready = this.source.totalsReady?.() ?? true;
    const filteredReady = ready || filter.text !== '';
    return {
      method: 'inspector/changed',
      params: {
        total: this.source.total(),
        totals: ready ? this.source.totals(NO_FILTER) : null,
        types: ready ? this.source.types() : null,
        filter,
        count: this.source.count(filter),
        filteredTotals: filteredReady ? this.source.totals(filter) : null,
        from: change.fromIndex(filter),
      },
    };
  }

  /**
   * Opened again on an event (or a message's call): where it is in the list the panel shows, or, when the filter
   * hides it, in the unfiltered list (the panel then drops its filter). Undefined when there is no such event.
   */
  focusOn(id: string): InspectorEvent | undefined {
    let found = this.source.locate(this.filter, id);
    if (!found && !isEmpty(this.filter)) {
      found = this.source.locate(NO_FILTER, id);
      if (found) {
        this.filter = NO_FILTER;
      }
    }
    return found ? { method: 'inspector/focus', params: { ...found, filter: this.filter } } : undefined;
  }
}

function isEmpty(filter: InspectorFilter): boolean {
  return filter.text === '' && filter.types.length === 0;
}

/** The filter as the sources use it: trimmed text, each type once. */
function cleanFilter(filter: InspectorFilter): InspectorFilter {
  return { text: filter.text.trim(), types: [...new Set(filter.types)].sort() };
}
