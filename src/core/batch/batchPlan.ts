import type { JsonObject, JsonValue } from '../../db/repositories/rows';
import { renderTask, type Dataset } from './dataset';
import { batchItemInput, columnJson, expandMatrix, readColumn, type MatrixColumn } from './matrix';

/**
 * A batch before it starts: the dataset's items under its columns, each with the task it will be given, all
 * checked first, so a batch that cannot run whole is refused with what is wrong and nothing is half-started.
 */

/** Items run at a time within one batch, at most; a batch also slows down by itself on rate limits. */
export const MAX_BATCH_CONCURRENCY = 32;
export const DEFAULT_BATCH_CONCURRENCY = 4;

/** What a batch's items share, stored as the run's spec. */
export interface BatchSpec {
  /** The dataset's file name, as the person knows it. */
  source: string;
  /** The task template; without one the task is an item's query/prompt/input/question/task var. */
  prompt?: string;
  /** Each with its agent version pinned, so results compare what they say whatever is saved meanwhile. */
  columns: MatrixColumn[];
  concurrency: number;
  /**
   * The person let this dataset's `javascript` assertions run (on their machine, in a trusted workspace); kept so
   * a resumed batch grades the same way. Without it those assertions fail, saying why.
   */
  javascript: boolean;
}

export interface BatchPlan {
  spec: BatchSpec;
  /** One run item input each, in matrix order. */
  inputs: JsonObject[];
}

export type PlannedBatch = { ok: true; plan: BatchPlan } | { ok: false; errors: string[] };

/** At most this many problems are listed: enough to fix a template, not a wall of the same line. */
const MAX_PROBLEMS = 20;

export function planBatch(source: string, dataset: Dataset, columns: readonly MatrixColumn[], concurrency = DEFAULT_BATCH_CONCURRENCY, javascript = false): PlannedBatch {
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > MAX_BATCH_CONCURRENCY) {
    return { ok: false, errors: [`The concurrency must be a whole number from 1 to ${MAX_BATCH_CONCURRENCY}; it is ${concurrency}.`] };
  }
  const unpinned = columns.find((column) => column.versionId === undefined);
  if (unpinned !== undefined) {
    return { ok: false, errors: [`The column "${unpinned.label}" names no agent version; every column runs one pinned version.`] };
  }
  const matrix = expandMatrix(dataset, columns);
  if (!matrix.ok) {
    return { ok: false, errors: [matrix.error] };
  }
  const byId = new Map(dataset.items.map((item) => [item.id, item]));
  const tasks = new Map<string, string>();
  const errors: string[] = [];
  for (const item of dataset.items) {
    const rendered = renderTask(dataset.prompt, item.vars);
    if (rendered.ok) {
      tasks.set(item.id, rendered.task);
    } else if (errors.length < MAX_PROBLEMS) {
      errors.push(`Item ${item.id}: ${rendered.error}.`);
    }
  }
  if (errors.length > 0) {
    return { ok: false, errors };
  }
  const inputs = matrix.items.map((item) => batchItemInput(item, tasks.get(item.datasetItemId) ?? '', byId.get(item.datasetItemId)?.description));
  const spec: BatchSpec = { source, ...(dataset.prompt !== undefined ? { prompt: dataset.prompt } : {}), columns: [...columns], concurrency, javascript };
  return { ok: true, plan: { spec, inputs } };
}

export function batchSpecJson(spec: BatchSpec): JsonObject {
  return {
    source: spec.source,
    ...(spec.prompt !== undefined ? { prompt: spec.prompt } : {}),
    columns: spec.columns.map(columnJson),
    concurrency: spec.concurrency,
    javascript: spec.javascript,
  };
}

/** A run's spec read back; undefined for a task's (null) or a damaged one. */
export function readBatchSpec(value: JsonValue | null): BatchSpec | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return undefined;
  }
  const { source, prompt, columns, concurrency, javascript } = value as JsonObject;
  if (typeof source !== 'string' || !Array.isArray(columns) || typeof concurrency !== 'number') {
    return undefined;
  }
  const read = columns.map(readColumn);
  if (read.some((column) => column === undefined)) {
    return undefined;
  }
  return {
    source,
    ...(typeof prompt === 'string' ? { prompt } : {}),
    columns: read as MatrixColumn[],
    concurrency: Math.min(MAX_BATCH_CONCURRENCY, Math.max(1, Math.floor(concurrency))),
    javascript: javascript === true,
  };
}

/** Whether any item checks its output with JavaScript (which runs only when the person allows it). */
export function usesJavascript(dataset: Pick<Dataset, 'items'>): boolean {
  return dataset.items.some((item) => item.assert.some((assertion) => assertion.type === 'javascript' || assertion.type === 'not-javascript'));
}
