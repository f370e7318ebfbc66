import { EventPages, type EventKey, type KeyedEvent } from '../../db/repositories/eventPages';
import type { EventScope, StudioEvent } from '../../db/repositories/events';
import type { Message } from '../../db/repositories/messages';
import type { StorePort } from '../../db/repositories/storePort';
import type { InspectorDetail, InspectorFilter, InspectorRow, InspectorSelection, InspectorTotals, InspectorTypeCount } from '../../protocol/inspector';
import { buildDetail } from './detail';
import { matchesFilter, toRow } from './eventRows';
import { normalizeRanges, type InspectorSource, type SourceChange } from './source';
import { callEventsOf, callsOfEvents, isToolCallType } from './toolCalls';
import { addInspectorSums, emptyInspectorSums, mergeByType, ToolFigures, withExtras, type InspectorSums } from './toolFigures';
import { toTotals } from './totals';
import { BoundedCache, compareKeys, TurnIndex } from './turns';

/**
 * An Inspector source over a session's (or a run's) events in the store. A page is one LIMIT/OFFSET query plus a
 * small indexed query per turn it touches, so a page of a 100,000-event session never reads the other rows.
 *
 * Figures are kept rather than recomputed: sums per event type (one grouped pass, the first time totals are
 * asked for) give the session's totals, its type counts and any type filter's totals; a text filter's sums are
 * one pass each, cached. When events are appended, only the new ones (seq above the last seen) are read and
 * added, so a streaming session costs what it appends. The per-session state is those sums and the turn index
 * (two numbers per turn). A tool event's row shows its whole call: the other events of its tool message are
 * read with the page (a few per call, through the message index).
 *
 * Live: `onDidAppend` listens to the store's change notices (this window's writes and other windows'), looks at
 * most every `throttleMs` for events recorded since the last look, and says from which row the list changed.
 */

export interface StoreSourceOptions {
  store: StorePort;
  scope: EventScope;
  title: string;
  /** Reads the message an event belongs to, for the detail pane. */
  messages?: { get(id: string): Message | undefined };
  /** Subscribes to the store's change notices: the tables written, ['*'] for a reload. */
  changes?: (listener: (tables: readonly string[]) => void) => { dispose(): void };
  throttleMs?: number;
  /** Events summed per step when totals are prepared in the background (tests make it small). */
  chunkSize?: number;
}

const USER = 'message.user';
/** Events summed per step when the totals are prepared in the background. */
const CHUNK = 10_000;

interface FilterSums {
  filter: InspectorFilter;
  sums: InspectorSums;
}

export class StoreInspectorSource implements InspectorSource {
  readonly live = true;
  private readonly pages: EventPages;
  private readonly figures: ToolFigures;
  private readonly scope: EventScope;
  private readonly turns = new TurnIndex();
  /** The turn index holds every turn start up to this key; null: none read yet; 'all': to the end. */
  private horizon: EventKey | null | 'all' = null;
  private readonly turnEnds = new BoundedCache<number, number>(4096);
  private preparing: Promise<void> | undefined;
  /** Bumped when the source starts over (events deleted): a background sum of the old state is dropped. */
  private generation = 0;
  private perType: Map<string, InspectorSums> | undefined;
  private readonly textSums = new BoundedCache<string, FilterSums>(8);
  private known = { firstStart: null as number | null, maxSeq: 0, events: 0 };
  private readonly listeners = new Set<(change: SourceChange) => void>();
  private subscription: { dispose(): void } | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private lastCheck = 0;
  title: string;

  constructor(private readonly options: StoreSourceOptions) {
    this.pages = new EventPages(options.store);
    this.figures = new ToolFigures(options.store, options.scope);
    this.scope = options.scope;
    this.title = options.title;
    this.reload();
  }

  total(): number {
    return this.known.events;
  }

  /** Whether totals are at hand (no pass over the session needed to answer `totals` without text). */
  totalsReady(): boolean {
    return this.perType !== undefined;
  }

  count(filter: InspectorFilter): number {
    if (filter.text.trim() !== '') {
      return this.filterSums(filter).sums.events;
    }
    if (filter.types.length === 0) {
      return this.known.events;
    }
    return this.typeSums(filter.types).events;
  }

  rows(filter: InspectorFilter, start: number, count: number): InspectorRow[] {
    const page = this.pages.page(this.scope, filter, start, count);
    const requests = page.filter((keyed) => keyed.event.type === 'llm.request.started').map((keyed) => keyed.event.id);
    const answered = new Set(this.pages.children(this.scope, requests).map((child) => child.event.parentEventId));
    const sessionStart = this.known.firstStart ?? 0;
    const last = page.at(-1);
    if (last) {
      this.readTurnsTo(last);
    }
    const calls = callsOfEvents(page.map((keyed) => keyed.event), (messageId) => this.ofMessage(messageId));
    return page.map((keyed, offset) => {
      const turn = this.turns.turnOf(keyed);
      const turnStart = this.turns.startOf(turn)?.startedAt ?? sessionStart;
      const call = calls.get(keyed.event.id);
      return toRow(keyed.event, {
        index: start + offset,
        sessionStart,
        turn,
        turnStart,
        turnEnd: this.turnEnd(turn, turnStart),
        answered: answered.has(keyed.event.id),
        ...(call ? { call } : {}),
      });
    });
  }

  detail(id: string): InspectorDetail | undefined {
    const found = this.pages.get(this.scope, id);
    if (!found) {
      return undefined;
    }
    const event = found.event;
    const parent = event.parentEventId === null ? undefined : this.pages.get(this.scope, event.parentEventId)?.event;
    const message = event.messageId === null ? undefined : this.options.messages?.get(event.messageId);
    const call = callEventsOf(event, (messageId) => this.ofMessage(messageId));
    return buildDetail({
      event,
      ...(parent ? { parent } : {}),
      children: this.pages.children(this.scope, [id]).map((child) => child.event),
      ...(message ? { message } : {}),
      ...(call ? { call } : {}),
    });
  }

  totals(filter: InspectorFilter, selection?: InspectorSelection): InspectorTotals {
    if (selection === undefined) {
      return toTotals(filter.text.trim() !== '' ? this.filterSums(filter).sums : this.typeSums(filter.types));
    }
    const count = this.count(filter);
    const ranges = [...selection.ranges];
    for (const turn of new Set(selection.turns)) {
      const from = this.turns.startOf(turn);
      if (turn !== 0 && from === undefined) {
        continue;
      }
      const next = this.nextTurnStart(turn);
      const start = from === undefined ? 0 : this.pages.countBefore(this.scope, filter, from);
      const end = next === null ? count : this.pages.countBefore(this.scope, filter, next);
      ranges.push({ start, end });
    }
    for (const id of new Set(selection.ids)) {
      const found = this.locate(filter, id);
      if (found) {
        ranges.push({ start: found.index, end: found.index + 1 });
      }
    }
    const windows = normalizeRanges(ranges, count).map((range) => ({ offset: range.start, limit: range.end - range.start }));
    return toTotals(withExtras(this.pages.sums(this.scope, filter, { windows }), this.figures.sums(filter, { windows })));
  }

  types(): InspectorTypeCount[] {
    return [...this.sumsByType()].map(([type, sums]) => ({ type, count: sums.events }));
  }

  locate(filter: InspectorFilter, id: string): { eventId: string; index: number } | undefined {
    let found: KeyedEvent | undefined = this.pages.get(this.scope, id);
    if (!found) {
      const ofMessage = this.pages.ofMessage(this.scope, id);
      found = ofMessage.find((keyed) => keyed.event.type === 'llm.response.completed' || keyed.event.type === 'llm.error') ?? ofMessage[0];
    }
    if (!found || !matchesFilter(found.event, filter)) {
      return undefined;
    }
    return { eventId: found.event.id, index: this.pages.countBefore(this.scope, filter, found) };
  }

  /** A message's events (a tool message: a few per call), through the message index. */
  private ofMessage(messageId: string): StudioEvent[] {
    return this.pages.ofMessage(this.scope, messageId).map((keyed) => keyed.event);
  }

  onDidAppend(listener: (change: SourceChange) => void): { dispose(): void } {
    this.listeners.add(listener);
    this.subscription ??= this.options.changes?.((tables) => {
      if (tables.includes('events') || tables.includes('*')) {
        this.schedule();
      }
    });
    return { dispose: () => this.listeners.delete(listener) };
  }

  /** Looks for events recorded since the last look; returns what changed, or undefined when nothing did. */
  check(): SourceChange | undefined {
    const bounds = this.pages.bounds(this.scope);
    const known = this.known;
    if (bounds.maxSeq === known.maxSeq && bounds.events === known.events && bounds.firstStart === known.firstStart) {
      return undefined;
    }
    const added = bounds.maxSeq > known.maxSeq ? this.pages.keysAfter(this.scope, known.maxSeq) : [];
    if (bounds.events - known.events !== added.length || (known.events > 0 && bounds.firstStart !== known.firstStart)) {
      // Something was deleted, or events landed before the first one (every offset moves): start over.
      this.reload();
      return { fromIndex: () => 0 };
    }
    // The earliest place a row changed: a new event, or the request a new response answers.
    let earliest: EventKey | undefined;
    const consider = (key: EventKey) => {
      if (earliest === undefined || compareKeys(key, earliest) < 0) {
        earliest = { startedAt: key.startedAt, seq: key.seq };
      }
    };
    const parents = new Set<string>();
    for (const keyed of added) {
      consider(keyed);
      if (keyed.parentEventId !== null) {
        parents.add(keyed.parentEventId);
      }
    }
    for (const parent of parents) {
      const found = this.pages.get(this.scope, parent);
      if (found) {
        consider(found);
      }
    }
    // A tool call's new step changes its call's rows too, from its first event (a row of the same message).
    if (added.some((keyed) => isToolCallType(keyed.type))) {
      for (const messageId of this.figures.toolMessagesAfter(known.maxSeq)) {
        const [first] = this.pages.ofMessage(this.scope, messageId);
        if (first) {
          consider(first);
        }
      }
    }
    const horizon = this.horizon;
    // New questions within what the index covers join it; later ones are read when rows there are asked for.
    this.turns.add(added.filter((keyed) => keyed.type === USER && (horizon === 'all' || (horizon !== null && compareKeys(keyed, horizon) <= 0))));
    const firstTurn = earliest === undefined ? 0 : this.turns.turnOf(earliest);
    // The turn the new events fall in ends later now; the one before it too, if a new question split it.
    this.turnEnds.deleteWhere((turn) => turn >= firstTurn - 1);
    this.addFigures(known.maxSeq);
    this.known = bounds;
    const from = earliest;
    return { fromIndex: (filter) => (from === undefined ? 0 : this.pages.countBefore(this.scope, filter, from)) };
  }

  dispose(): void {
    clearTimeout(this.timer);
    this.subscription?.dispose();
    this.listeners.clear();
  }

  private schedule(): void {
    if (this.timer !== undefined) {
      return;
    }
    const wait = Math.max(0, this.lastCheck + (this.options.throttleMs ?? 250) - Date.now());
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.lastCheck = Date.now();
      let change: SourceChange | undefined;
      try {
        change = this.check();
      } catch {
        // The store closed, or the session was deleted under us: nothing to show.
        return;
      }
      if (change) {
        for (const listener of [...this.listeners]) {
          listener(change);
        }
      }
    }, wait);
  }

  private reload(): void {
    this.generation++;
    this.known = this.pages.bounds(this.scope);
    this.turns.clear();
    this.horizon = null;
    this.turnEnds.clear();
    this.perType = undefined;
    this.textSums.clear();
  }

  /** Adds the events recorded after `afterSeq` to the kept sums (sums only grow: events are never edited). */
  private addFigures(afterSeq: number): void {
    if (this.perType) {
      for (const [type, sums] of this.byType({ afterSeq })) {
        this.perType.set(type, addInspectorSums(this.perType.get(type) ?? emptyInspectorSums(), sums));
      }
      this.perType = new Map([...this.perType].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
    }
    for (const key of this.textSums.keys()) {
      const entry = this.textSums.get(key);
      if (entry) {
        entry.sums = addInspectorSums(entry.sums, this.setSums(entry.filter, { afterSeq }));
      }
    }
  }

  /** The store's sums per type with the tool figures of the same stretch. */
  private byType(part: { afterSeq?: number; upToSeq?: number; from?: EventKey | null; to?: EventKey | null } = {}): Map<string, InspectorSums> {
    return mergeByType(this.pages.sumsByType(this.scope, part), this.figures.byType(part));
  }

  private setSums(filter: InspectorFilter, part: { afterSeq?: number } = {}): InspectorSums {
    return withExtras(this.pages.sums(this.scope, filter, part), this.figures.sums(filter, part));
  }

  private sumsByType(): Map<string, InspectorSums> {
    this.perType ??= sortedByType(this.byType());
    return this.perType;
  }

  /**
   * Sums the session in chunks of CHUNK events, yielding to the event loop between them, so a 100,000-event
   * session does not freeze the extension host for the second a single pass takes. Chunks cover what was recorded
   * when it started (seq up to then); what was appended meanwhile is added at the end, in the same turn of the
   * event loop as the sums are kept, so nothing is counted twice or missed.
   */
  prepareTotals(): Promise<void> {
    if (this.perType) {
      return Promise.resolve();
    }
    this.preparing ??= (async () => {
      const generation = this.generation;
      const upToSeq = this.known.maxSeq;
      const sums = new Map<string, InspectorSums>();
      let from: EventKey | null = null;
      for (;;) {
        const to = this.pages.keyAfter(this.scope, from, this.options.chunkSize ?? CHUNK);
        for (const [type, part] of this.byType({ upToSeq, from, to: to ?? null })) {
          sums.set(type, addInspectorSums(sums.get(type) ?? emptyInspectorSums(), part));
        }
        if (!to) {
          break;
        }
        from = to;
        await new Promise((resolve) => setTimeout(resolve, 0));
        if (generation !== this.generation) {
          return;
        }
      }
      if (!this.perType && generation === this.generation) {
        for (const [type, part] of this.byType({ afterSeq: upToSeq })) {
          sums.set(type, addInspectorSums(sums.get(type) ?? emptyInspectorSums(), part));
        }
        this.perType = sortedByType(sums);
      }
    })().finally(() => {
      this.preparing = undefined;
    });
    return this.preparing;
  }

  /** Makes the turn index cover every turn start up to `key` (reading only the stretch it did not cover). */
  private readTurnsTo(key: EventKey): void {
    const horizon = this.horizon;
    if (horizon === 'all' || (horizon !== null && compareKeys(key, horizon) <= 0)) {
      return;
    }
    this.turns.add(this.pages.keysOfType(this.scope, USER, horizon, key));
    this.horizon = { startedAt: key.startedAt, seq: key.seq };
  }

  /** The start of the turn after `turn`, looking one question past what the index covers; null for the last turn. */
  private nextTurnStart(turn: number): EventKey | null {
    const known = this.turns.nextStart(turn);
    if (known !== null || this.horizon === 'all') {
      return known;
    }
    const [next] = this.pages.keysOfType(this.scope, USER, this.horizon, null, 1);
    if (!next) {
      this.horizon = 'all';
      return null;
    }
    this.turns.add([next]);
    this.horizon = next;
    return this.turns.nextStart(turn);
  }

  private typeSums(types: readonly string[]): InspectorSums {
    const byType = this.sumsByType();
    const wanted = types.length === 0 ? [...byType.keys()] : [...new Set(types)];
    return wanted.reduce((sums, type) => addInspectorSums(sums, byType.get(type) ?? emptyInspectorSums()), emptyInspectorSums());
  }

  private filterSums(filter: InspectorFilter): FilterSums {
    return this.textSums.getOrCompute(filterKey(filter), () => ({ filter, sums: this.setSums(filter) }));
  }

  /** The turn's last end as the timeline draws it (a tool call's end where it ended, not a run time later). */
  private turnEnd(turn: number, turnStart: number): number {
    return this.turnEnds.getOrCompute(turn, () => {
      const from = this.turns.startOf(turn) ?? { startedAt: 0, seq: 0 };
      return this.figures.lastEnd(from, this.nextTurnStart(turn)) ?? turnStart;
    });
  }
}

function sortedByType(sums: Map<string, InspectorSums>): Map<string, InspectorSums> {
  return new Map([...sums].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

function filterKey(filter: InspectorFilter): string {
  return JSON.stringify([filter.text.trim(), [...filter.types].sort()]);
}
