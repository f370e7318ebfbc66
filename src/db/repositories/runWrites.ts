import type { Clock } from '../../core/ports';
import type { SqlReader, SqlValue, SqlWriter } from '../sql';
import {
  fromJson,
  fromJsonOrNull,
  nowMs,
  NotFoundError,
  required,
  toJson,
  toJsonOrNull,
  type JsonObject,
  type JsonValue,
} from './rows';
import type { NewRun, Run, RunItem, RunItemChanges, RunItemStatus, RunKind, RunStatus } from './runs';

/**
 * The run writes, synchronous, inside a transaction the caller holds: `RunsRepository.within(sql)`. Also the
 * row mapping the repository's reads share.
 */
export class RunWrites {
  constructor(
    private readonly sql: SqlWriter,
    private readonly clock: Clock,
    private readonly newId: () => string,
  ) {}

  /** A queued run of an agent's version (default: its current one), with its batch items if any. */
  create(input: NewRun): Run {
    const agent = required(
      this.sql.get<{ version: string }>('SELECT current_version_id AS version FROM agents WHERE id = ?', [
        input.agentId,
      ]),
      'agent',
      input.agentId,
    );
    const versionId = input.agentVersionId ?? agent.version;
    const version = required(
      this.sql.get<{ agent_id: string }>('SELECT agent_id FROM agent_versions WHERE id = ?', [versionId]),
      'agent version',
      versionId,
    );
    if (version.agent_id !== input.agentId) {
      throw new Error(`Agent version ${versionId} belongs to agent ${version.agent_id}, not ${input.agentId}`);
    }
    const id = this.newId();
    const now = nowMs(this.clock);
    this.sql.run(
      `INSERT INTO runs (id, agent_id, agent_version_id, status, kind, task, budget, spec, created_at, updated_at)
       VALUES (?, ?, ?, 'queued', ?, ?, ?, ?, ?, ?)`,
      [id, input.agentId, versionId, input.kind ?? 'task', input.task, toJsonOrNull(input.budget, 'budget'), toJsonOrNull(input.spec, 'spec'), now, now],
    );
    this.insertItems(id, input.items ?? []);
    return required(selectRun(this.sql, id), 'run', id);
  }

  /** Entering `running` stamps startedAt (once); an ending status stamps endedAt and is final. */
  setStatus(id: string, status: RunStatus, error?: JsonValue | null): Run {
    checkStatus(status, runStatuses, 'run');
    const run = required(selectRun(this.sql, id), 'run', id);
    this.stamp('runs', run, status, error === undefined ? [] : [['error', toJsonOrNull(error, 'error')]]);
    return required(selectRun(this.sql, id), 'run', id);
  }

  /** Ends every item of the run still in one of `from` (a batch cancelled or ended before they ran). */
  endItems(runId: string, from: readonly ('queued' | 'running')[], status: 'cancelled' | 'skipped'): number {
    const now = nowMs(this.clock);
    const marks = from.map(() => '?').join(', ');
    return this.sql.run(`UPDATE run_items SET status = ?, updated_at = ?, ended_at = ? WHERE run_id = ? AND status IN (${marks})`, [status, now, now, runId, ...from]).changes;
  }

  /** What the run ended with as a whole (set by the runner beside its end). */
  setResult(id: string, result: JsonObject): void {
    const now = nowMs(this.clock);
    if (this.sql.run('UPDATE runs SET result = ?, updated_at = ? WHERE id = ?', [toJson(result, 'result'), now, id]).changes === 0) {
      throw new NotFoundError('run', id);
    }
  }

  delete(id: string): void {
    if (this.sql.run('DELETE FROM runs WHERE id = ?', [id]).changes === 0) {
      throw new NotFoundError('run', id);
    }
  }

  /** Appends batch items after the existing ones. */
  addItems(runId: string, inputs: readonly JsonValue[]): RunItem[] {
    required(selectRun(this.sql, runId), 'run', runId);
    return this.insertItems(runId, inputs).map((id) => required(selectItem(this.sql, id), 'run item', id));
  }

  updateItem(id: string, changes: RunItemChanges): RunItem {
    if (changes.status !== undefined) {
      checkStatus(changes.status, itemStatuses, 'run item');
    }
    const item = required(selectItem(this.sql, id), 'run item', id);
    const sets: [string, SqlValue][] = [];
    if (changes.output !== undefined) {
      sets.push(['output', toJsonOrNull(changes.output, 'output')]);
    }
    if (changes.error !== undefined) {
      sets.push(['error', toJsonOrNull(changes.error, 'error')]);
    }
    if (changes.sessionId !== undefined) {
      if (changes.sessionId !== null) {
        required(
          this.sql.get('SELECT 1 AS found FROM sessions WHERE id = ?', [changes.sessionId]),
          'session',
          changes.sessionId,
        );
      }
      sets.push(['session_id', changes.sessionId]);
    }
    this.stamp('run_items', item, changes.status ?? item.status, sets);
    return required(selectItem(this.sql, id), 'run item', id);
  }

  private insertItems(runId: string, inputs: readonly JsonValue[]): string[] {
    const now = nowMs(this.clock);
    const last = this.sql.get<{ last: number | null }>('SELECT max(position) AS last FROM run_items WHERE run_id = ?', [
      runId,
    ]);
    const first = (last?.last ?? -1) + 1;
    return inputs.map((input, index) => {
      const id = this.newId();
      this.sql.run(
        `INSERT INTO run_items (id, run_id, position, input, status, created_at, updated_at)
         VALUES (?, ?, ?, ?, 'queued', ?, ?)`,
        [id, runId, first + index, toJson(input, `items[${index}]`), now, now],
      );
      return id;
    });
  }

  /** Writes a status change with its timestamps, plus any other column changes, refusing to reopen an ended row. */
  private stamp(
    table: 'runs' | 'run_items',
    row: { id: string; status: string; startedAt: number | null },
    status: string,
    sets: [string, SqlValue][],
  ): void {
    const now = nowMs(this.clock);
    if (status !== row.status) {
      if (ended.includes(row.status)) {
        throw new Error(`${table === 'runs' ? 'Run' : 'Run item'} ${row.id} has already ended (${row.status})`);
      }
      sets.push(['status', status]);
      if (status === 'running' && row.startedAt === null) {
        sets.push(['started_at', now]);
      }
      if (ended.includes(status)) {
        sets.push(['ended_at', now]);
      }
    }
    sets.push(['updated_at', now]);
    // Column names come from the literals in this file, never from callers.
    this.sql.run(`UPDATE ${table} SET ${sets.map(([column]) => `${column} = ?`).join(', ')} WHERE id = ?`, [
      ...sets.map(([, value]) => value),
      row.id,
    ]);
  }
}

const runStatuses: readonly string[] = ['queued', 'running', 'waiting', 'completed', 'failed', 'cancelled'];
const itemStatuses: readonly string[] = ['queued', 'running', 'completed', 'failed', 'cancelled', 'skipped'];
const ended: readonly string[] = ['completed', 'failed', 'cancelled', 'skipped'];

function checkStatus(status: string, allowed: readonly string[], what: string): void {
  if (!allowed.includes(status)) {
    throw new Error(`Unknown ${what} status ${JSON.stringify(status)}`);
  }
}

export type RunRow = Record<'id' | 'status' | 'kind' | 'task', string> &
  Record<'agent_id' | 'agent_version_id' | 'budget' | 'spec' | 'result' | 'error', string | null> &
  Record<'created_at' | 'updated_at', number> &
  Record<'started_at' | 'ended_at', number | null>;
export type ItemRow = Record<'id' | 'run_id' | 'input' | 'status', string> &
  Record<'output' | 'session_id' | 'error', string | null> &
  Record<'position' | 'created_at' | 'updated_at', number> &
  Record<'started_at' | 'ended_at', number | null>;

export function selectRun(sql: SqlReader, id: string): Run | undefined {
  const row = sql.get<RunRow>('SELECT * FROM runs WHERE id = ?', [id]);
  return row && toRun(row);
}

function selectItem(sql: SqlReader, id: string): RunItem | undefined {
  const row = sql.get<ItemRow>('SELECT * FROM run_items WHERE id = ?', [id]);
  return row && toItem(row);
}

export function toRun(row: RunRow): Run {
  return {
    id: row.id,
    agentId: row.agent_id,
    agentVersionId: row.agent_version_id,
    status: row.status as RunStatus,
    kind: row.kind as RunKind,
    task: row.task,
    budget: fromJsonOrNull<JsonObject>(row.budget),
    spec: fromJsonOrNull<JsonObject>(row.spec),
    result: fromJsonOrNull<JsonObject>(row.result),
    error: fromJsonOrNull(row.error),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    startedAt: row.started_at,
    endedAt: row.ended_at,
  };
}

export function toItem(row: ItemRow): RunItem {
  return {
    id: row.id,
    runId: row.run_id,
    position: row.position,
    input: fromJson(row.input),
    status: row.status as RunItemStatus,
    output: fromJsonOrNull(row.output),
    sessionId: row.session_id,
    error: fromJsonOrNull(row.error),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    startedAt: row.started_at,
    endedAt: row.ended_at,
  };
}
