import type { JsonObject, JsonValue } from '../../db/repositories/rows';
import type { Assertion, Vars } from './assertions';
import type { Dataset } from './dataset';

/**
 * A batch run's work list: every dataset item under every column (an agent, a version of it, a model), in a stable
 * order (dataset order, then column order), so positions, progress and exports read the same on every run.
 */

/** Refused above this: 10,000 items under 2 columns fits; a typo'd matrix of 10 columns does not. */
export const MAX_MATRIX_ITEMS = 20_000;

export interface MatrixColumn {
  /** Unique in the batch: the results table keys its cells by it. */
  id: string;
  label: string;
  agentId: string;
  /** The agent's current version when absent. */
  versionId?: string;
  /** The version's model when absent. */
  model?: string;
}

export interface MatrixItem {
  /** 0-based, the run item's position. */
  position: number;
  datasetItemId: string;
  vars: Vars;
  assert: Assertion[];
  threshold?: number;
  column: MatrixColumn;
}

export type ExpandedMatrix = { ok: true; items: MatrixItem[] } | { ok: false; error: string };

export function expandMatrix(dataset: Pick<Dataset, 'items'>, columns: readonly MatrixColumn[]): ExpandedMatrix {
  if (dataset.items.length === 0) {
    return { ok: false, error: 'The dataset has no items; add at least one test case to run.' };
  }
  if (columns.length === 0) {
    return { ok: false, error: 'No agents to run; choose at least one agent, version or model.' };
  }
  const seen = new Set<string>();
  for (const column of columns) {
    if (seen.has(column.id)) {
      return { ok: false, error: `Two columns have the id "${column.id}"; each column needs its own so results do not mix.` };
    }
    seen.add(column.id);
  }
  const total = dataset.items.length * columns.length;
  if (total > MAX_MATRIX_ITEMS) {
    const n = (value: number) => value.toLocaleString('en-US');
    return {
      ok: false,
      error:
        `${n(dataset.items.length)} items × ${n(columns.length)} columns make ${n(total)} runs; a batch takes at most ` +
        `${n(MAX_MATRIX_ITEMS)}. Choose fewer columns or split the dataset.`,
    };
  }
  const items: MatrixItem[] = [];
  for (const item of dataset.items) {
    for (const column of columns) {
      items.push({
        position: items.length,
        datasetItemId: item.id,
        vars: item.vars,
        assert: item.assert,
        ...(item.threshold !== undefined ? { threshold: item.threshold } : {}),
        column,
      });
    }
  }
  return { ok: true, items };
}

/** "Researcher v3 · gpt-4o-mini": the agent, its version when one is pinned, the model when it is overridden. */
export function columnLabel(agentName: string, versionNumber?: number, model?: string): string {
  const agent = versionNumber !== undefined ? `${agentName} v${versionNumber}` : agentName;
  return model !== undefined && model !== '' ? `${agent} · ${model}` : agent;
}

/**
 * What a run item's `input` holds, so a batch's results can be rebuilt and its items graded from the store alone:
 * the item's vars, checks and the task it was given, and its column (with id and label: the column list is stored
 * only in the batch's spec, and an item must stand on its own).
 */
export interface BatchItemInput {
  datasetItemId: string;
  description?: string;
  vars: Vars;
  assert: Assertion[];
  threshold?: number;
  /** The task as sent: the template filled from the vars. */
  task: string;
  column: MatrixColumn;
}

export function batchItemInput(item: MatrixItem, task: string, description?: string): JsonObject {
  return {
    datasetItemId: item.datasetItemId,
    ...(description !== undefined ? { description } : {}),
    // Vars and assertions come from JSON, YAML or CSV text, so they are JSON values.
    vars: item.vars as JsonObject,
    assert: item.assert as unknown as JsonValue[],
    ...(item.threshold !== undefined ? { threshold: item.threshold } : {}),
    task,
    column: columnJson(item.column),
  };
}

export function columnJson(column: MatrixColumn): JsonObject {
  const { id, label, agentId, versionId, model } = column;
  return { id, label, agentId, ...(versionId !== undefined ? { versionId } : {}), ...(model !== undefined ? { model } : {}) };
}

/** A run item's input read back; undefined when it is not a batch item's (a single run's item, or a damaged row). */
export function readBatchItemInput(input: JsonValue): BatchItemInput | undefined {
  if (!isObject(input) || typeof input.datasetItemId !== 'string' || !isObject(input.vars) || typeof input.task !== 'string') {
    return undefined;
  }
  const column = readColumn(input.column);
  if (column === undefined || !Array.isArray(input.assert)) {
    return undefined;
  }
  return {
    datasetItemId: input.datasetItemId,
    ...(typeof input.description === 'string' ? { description: input.description } : {}),
    vars: input.vars,
    // Written by batchItemInput from a parsed dataset: checked when the dataset was read.
    assert: input.assert as unknown as Assertion[],
    ...(typeof input.threshold === 'number' ? { threshold: input.threshold } : {}),
    task: input.task,
    column,
  };
}

export function readColumn(value: JsonValue | undefined): MatrixColumn | undefined {
  if (!isObject(value)) {
    return undefined;
  }
  const { id, label, agentId, versionId, model } = value;
  if (typeof id !== 'string' || typeof label !== 'string' || typeof agentId !== 'string') {
    return undefined;
  }
  return { id, label, agentId, ...(typeof versionId === 'string' ? { versionId } : {}), ...(typeof model === 'string' ? { model } : {}) };
}

function isObject(value: JsonValue | undefined): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
