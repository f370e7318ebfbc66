import type { JsonValue } from '../../db/repositories/rows';
import type { RunItem } from '../../db/repositories/runs';
import type { BatchSpec } from './batchPlan';
import type { DatasetItem } from './dataset';
import type { ItemGrade } from './grade';
import { readBatchItemInput } from './matrix';
import { buildResultsTable, type CellInput, type ResultsTable } from './results';

/**
 * A batch's results table from its run items alone: rows in dataset order (as the items were written), columns
 * in the spec's order (those with items), each cell from its item's status and grade. An item whose input cannot be read is left
 * out and counted, so a damaged row shows up as a gap, never as a crash.
 */
export function batchResultsTable(spec: BatchSpec, items: readonly RunItem[]): ResultsTable & { unreadable: number } {
  const rows = new Map<string, Pick<DatasetItem, 'id' | 'description' | 'vars'>>();
  const cells: CellInput[] = [];
  let unreadable = 0;
  for (const item of items) {
    const input = readBatchItemInput(item.input);
    if (input === undefined) {
      unreadable++;
      continue;
    }
    if (!rows.has(input.datasetItemId)) {
      rows.set(input.datasetItemId, { id: input.datasetItemId, vars: input.vars, ...(input.description !== undefined ? { description: input.description } : {}) });
    }
    const grade = gradeOf(item.output);
    const output = outputText(item.output);
    cells.push({
      datasetItemId: input.datasetItemId,
      columnId: input.column.id,
      runItemId: item.id,
      sessionId: item.sessionId,
      status: item.status,
      ...(output !== undefined ? { output } : {}),
      ...(grade !== undefined ? { grade } : {}),
    });
  }
  // A batch of some items run again may leave whole columns out: only the columns it ran are shown.
  const used = new Set(cells.map((cell) => cell.columnId));
  return { ...buildResultsTable([...rows.values()], spec.columns.filter((column) => used.has(column.id)), cells), unreadable };
}

/** The grade a finished item stored (batchItemTurn.ts), if its output has one of the right shape. */
export function gradeOf(output: JsonValue | null): ItemGrade | undefined {
  const grade = isObject(output) ? output.grade : undefined;
  if (!isObject(grade) || typeof grade.pass !== 'boolean' || typeof grade.score !== 'number' || !Array.isArray(grade.results) || typeof grade.errored !== 'boolean') {
    return undefined;
  }
  // Written by gradeItem and read back whole: the fields checked above are the ones the table relies on.
  return grade as unknown as ItemGrade;
}

function outputText(output: JsonValue | null): string | undefined {
  return isObject(output) && typeof output.text === 'string' ? output.text : undefined;
}

function isObject(value: JsonValue | null | undefined): value is { [key: string]: JsonValue } {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
