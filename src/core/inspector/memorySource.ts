import type { EventKey } from '../../db/repositories/eventPages';
import type { StudioEvent } from '../../db/repositories/events';
import type { InspectorDetail, InspectorFilter, InspectorRow, InspectorSelection, InspectorTotals, InspectorTypeCount } from '../../protocol/inspector';
import { buildDetail } from './detail';
import { eventEnd, matchesFilter, toRow } from './eventRows';
import { normalizeRanges, type InspectorSource } from './source';
import { groupToolCalls, toolCallFacts, type ToolCallFacts } from './toolCalls';
import { addInspectorSums, emptyInspectorSums } from './toolFigures';
import { sumsOfEvent, toTotals } from './totals';
import { BoundedCache, TurnIndex } from './turns';

/**
 * An Inspector source over events held in memory: an imported trace (OTLP JSON opened read-only), or any list of
 * events. Events are ordered as the store orders them (by start, ties in the given order), so a trace and the
 * session it was exported from show the same rows.
 */
export class MemoryInspectorSource implements InspectorSource {
  readonly live = false;
  private readonly events: readonly StudioEvent[];
  private readonly keys: readonly EventKey[];
  private readonly indexById = new Map<string, number>();
  private readonly children = new Map<string, number[]>();
  private readonly turns = new TurnIndex();
  private readonly turnEnds: number[] = [];
  private readonly sessionStart: number;
  private readonly filtered = new BoundedCache<string, Int32Array>(4);
  /** Each tool event's call (its events, in order); the facts are worked out when a row needs them. */
  private readonly callOf = new Map<string, StudioEvent[]>();
  private readonly facts = new Map<StudioEvent[], ToolCallFacts>();

  constructor(
    readonly title: string,
    events: readonly StudioEvent[],
  ) {
    this.events = events
      .map((event, order) => ({ event, order }))
      .sort((a, b) => a.event.startedAt - b.event.startedAt || a.order - b.order)
      .map(({ event }) => event);
    this.keys = this.events.map((event, seq) => ({ startedAt: event.startedAt, seq }));
    this.events.forEach((event, index) => {
      this.indexById.set(event.id, index);
      if (event.parentEventId !== null) {
        const siblings = this.children.get(event.parentEventId) ?? [];
        siblings.push(index);
        this.children.set(event.parentEventId, siblings);
      }
    });
    this.turns.add(this.keys.filter((_key, index) => this.events[index]!.type === 'message.user'));
    this.sessionStart = this.events[0]?.startedAt ?? 0;
    this.events.forEach((event, index) => {
      const turn = this.turns.turnOf(this.keys[index]!);
      const end = eventEnd(event);
      if (end !== null) {
        this.turnEnds[turn] = Math.max(this.turnEnds[turn] ?? -Infinity, end);
      }
    });
    for (const call of groupToolCalls(this.events)) {
      for (const event of call) {
        this.callOf.set(event.id, call);
      }
    }
  }

  total(): number {
    return this.events.length;
  }

  count(filter: InspectorFilter): number {
    return this.matching(filter).length;
  }

  rows(filter: InspectorFilter, start: number, count: number): InspectorRow[] {
    const matching = this.matching(filter);
    const rows: InspectorRow[] = [];
    for (let index = start; index < Math.min(matching.length, start + count); index++) {
      rows.push(this.row(matching[index]!, index));
    }
    return rows;
  }

  detail(id: string): InspectorDetail | undefined {
    const at = this.indexById.get(id);
    if (at === undefined) {
      return undefined;
    }
    const event = this.events[at]!;
    const parentAt = event.parentEventId === null ? undefined : this.indexById.get(event.parentEventId);
    const call = this.callOf.get(id);
    return buildDetail({
      event,
      ...(parentAt === undefined ? {} : { parent: this.events[parentAt]! }),
      children: (this.children.get(id) ?? []).map((index) => this.events[index]!),
      ...(call ? { call } : {}),
    });
  }

  totals(filter: InspectorFilter, selection?: InspectorSelection): InspectorTotals {
    const matching = this.matching(filter);
    if (selection === undefined) {
      let sums = emptyInspectorSums();
      for (const at of matching) {
        sums = addInspectorSums(sums, sumsOfEvent(this.events[at]!));
      }
      return toTotals(sums);
    }
    const turns = new Set(selection.turns);
    const ids = new Set(selection.ids);
    const ranges = normalizeRanges(selection.ranges, matching.length);
    let sums = emptyInspectorSums();
    let range = 0;
    for (let index = 0; index < matching.length; index++) {
      while (range < ranges.length && ranges[range]!.end <= index) {
        range++;
      }
      const at = matching[index]!;
      const event = this.events[at]!;
      const inRange = range < ranges.length && ranges[range]!.start <= index;
      if (inRange || ids.has(event.id) || (turns.size > 0 && turns.has(this.turns.turnOf(this.keys[at]!)))) {
        sums = addInspectorSums(sums, sumsOfEvent(event));
      }
    }
    return toTotals(sums);
  }

  types(): InspectorTypeCount[] {
    const counts = new Map<string, number>();
    for (const event of this.events) {
      counts.set(event.type, (counts.get(event.type) ?? 0) + 1);
    }
    return [...counts].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([type, count]) => ({ type, count }));
  }

  locate(filter: InspectorFilter, id: string): { eventId: string; index: number } | undefined {
    let at = this.indexById.get(id);
    if (at === undefined) {
      const ofMessage = this.events.map((event, index) => ({ event, index })).filter(({ event }) => event.messageId === id);
      at = (ofMessage.find(({ event }) => event.type === 'llm.response.completed' || event.type === 'llm.error') ?? ofMessage[0])?.index;
    }
    if (at === undefined) {
      return undefined;
    }
    const index = lowerBound(this.matching(filter), at);
    const matching = this.matching(filter);
    return matching[index] === at ? { eventId: this.events[at]!.id, index } : undefined;
  }

  private row(at: number, index: number): InspectorRow {
    const event = this.events[at]!;
    const turn = this.turns.turnOf(this.keys[at]!);
    const turnStart = this.turns.startOf(turn)?.startedAt ?? this.sessionStart;
    const call = this.callOf.get(event.id);
    let facts = call === undefined ? undefined : this.facts.get(call);
    if (call !== undefined && facts === undefined) {
      facts = toolCallFacts(call);
      this.facts.set(call, facts);
    }
    return toRow(event, {
      index,
      sessionStart: this.sessionStart,
      turn,
      turnStart,
      turnEnd: this.turnEnds[turn] ?? turnStart,
      answered: this.children.has(event.id),
      ...(facts ? { call: facts } : {}),
    });
  }

  /** Positions (in `events`) of the events that pass the filter, in order; the last few filters are kept. */
  private matching(filter: InspectorFilter): Int32Array {
    const key = JSON.stringify([filter.text.trim(), [...filter.types].sort()]);
    return this.filtered.getOrCompute(key, () => {
      if (filter.text.trim() === '' && filter.types.length === 0) {
        return Int32Array.from(this.events.keys());
      }
      const found: number[] = [];
      this.events.forEach((event, index) => {
        if (matchesFilter(event, filter)) {
          found.push(index);
        }
      });
      return Int32Array.from(found);
    });
  }
}

function lowerBound(sorted: Int32Array, value: number): number {
  let low = 0;
  let high = sorted.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (sorted[middle]! < value) {
      low = middle + 1;
    } else {
      high = middle;
    }
  }
  return low;
}
