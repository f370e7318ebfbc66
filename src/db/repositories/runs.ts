import type { Clock } from '../../core/ports';
import { createIdFactory } from '../ids';
import type { SqlValue, SqlWriter } from '../sql';
import type { JsonObject, JsonValue } from './rows';
import { RunWrites, selectRun, toItem, toRun, type ItemRow, type RunRow } from './runWrites';
import type { StorePort } from './storePort';

/** `waiting`: paused on the user (a tool approval). */
export type RunStatus = 'queued' | 'running' | 'waiting' | 'completed' | 'failed' | 'cancelled';
export type RunItemStatus = 'queued' | 'running' | 'completed' | 'failed' | 'cancelled' | 'skipped';
/** A task: one item, an agent working on its own. A batch: a dataset's items under several columns. */
export type RunKind = 'task' | 'batch';

export interface Run {
  id: string;
  /** null once the agent is deleted; the run itself stays. */
  agentId: string | null;
  agentVersionId: string | null;
  status: RunStatus;
  kind: RunKind;
  task: string;
  budget: JsonObject | null;
  /** A batch's shared settings (dataset, template, columns); null for a task. */
  spec: JsonObject | null;
  /** What a batch ended with as a whole (its rate-limit waits); null until it ends, and for a task. */
  result: JsonObject | null;
  error: JsonValue | null;
  createdAt: number;
  updatedAt: number;
  startedAt: number | null;
  endedAt: number | null;
}

/** One input of a batch run. */
export interface RunItem {
  id: string;
  runId: string;
  position: number;
  input: JsonValue;
  status: RunItemStatus;
  output: JsonValue | null;
  /** The session the item's conversation ran in, if any. */
  sessionId: string | null;
  error: JsonValue | null;
  createdAt: number;
  updatedAt: number;
  startedAt: number | null;
  endedAt: number | null;
}

export interface NewRun {
  agentId: string;
  /** Defaults to the agent's current version. */
  agentVersionId?: string;
  task: string;
  budget?: JsonObject | null;
  /** Default 'task'. */
  kind?: RunKind;
  spec?: JsonObject | null;
  /** Batch inputs, one item each, in this order. */
  items?: readonly JsonValue[];
}

export interface RunItemChanges {
  status?: RunItemStatus;
  output?: JsonValue | null;
  sessionId?: string | null;
  error?: JsonValue | null;
}

/** Runs of an agent on a task by itself, and the items of batch runs. */
export class RunsRepository {
  constructor(
    private readonly store: StorePort,
    private readonly clock: Clock,
    private readonly newId: () => string = createIdFactory(clock),
  ) {}

  /** The same writes, synchronous, inside a transaction the caller holds (an item and its events, one commit). */
  within(sql: SqlWriter): RunWrites {
    return new RunWrites(sql, this.clock, this.newId);
  }

  /** A queued run of an agent's version (default: its current one), with its batch items if any. */
  create(input: NewRun): Promise<Run> {
    return this.store.write((sql) => this.within(sql).create(input));
  }

  /** Moves a run on. Entering `running` stamps startedAt (once); an ending status stamps endedAt and is final. */
  setStatus(id: string, status: RunStatus, error?: JsonValue | null): Promise<Run> {
    return this.store.write((sql) => this.within(sql).setStatus(id, status, error));
  }

  /** Deletes the run with its items and events. */
  delete(id: string): Promise<void> {
    return this.store.write((sql) => this.within(sql).delete(id));
  }

  /** Appends batch items after the existing ones. */
  addItems(runId: string, inputs: readonly JsonValue[]): Promise<RunItem[]> {
    return this.store.write((sql) => this.within(sql).addItems(runId, inputs));
  }

  /** Changes an item; status changes stamp times like a run's. */
  updateItem(id: string, changes: RunItemChanges): Promise<RunItem> {
    return this.store.write((sql) => this.within(sql).updateItem(id, changes));
  }

  get(id: string): Run | undefined {
    return this.store.read((sql) => selectRun(sql, id));
  }

  /** Newest first. */
  list(options: { status?: RunStatus; agentId?: string; kind?: RunKind; limit?: number } = {}): Run[] {
    const conditions: string[] = [];
    const params: SqlValue[] = [];
    if (options.status !== undefined) {
      conditions.push('status = ?');
      params.push(options.status);
    }
    if (options.agentId !== undefined) {
      conditions.push('agent_id = ?');
      params.push(options.agentId);
    }
    if (options.kind !== undefined) {
      conditions.push('kind = ?');
      params.push(options.kind);
    }
    const where = conditions.length > 0 ? `WHERE ${conditions.join(' AND ')}` : '';
    return this.store.read((sql) =>
      sql
        .all<RunRow>(`SELECT * FROM runs ${where} ORDER BY created_at DESC, id DESC LIMIT ?`, [
          ...params,
          options.limit ?? -1,
        ])
        .map(toRun),
    );
  }

  listItems(runId: string): RunItem[] {
    return this.store.read((sql) =>
      sql.all<ItemRow>('SELECT * FROM run_items WHERE run_id = ? ORDER BY position', [runId]).map(toItem),
    );
  }

  /** How many items of a run are in each status (progress of a batch). */
  itemCounts(runId: string): Partial<Record<RunItemStatus, number>> {
    return this.store.read((sql) =>
      Object.fromEntries(
        sql
          .all<{ status: string; count: number }>(
            'SELECT status, count(*) AS count FROM run_items WHERE run_id = ? GROUP BY status',
            [runId],
          )
          .map((row) => [row.status, row.count]),
      ),
    );
  }
}
