import * as assert from 'node:assert/strict';
import type { AssertionResult } from '../../../../src/core/batch/assertions';
import type { DatasetItem } from '../../../../src/core/batch/dataset';
import type { ItemGrade } from '../../../../src/core/batch/grade';
import {
  buildResultsTable,
  diffCells,
  exportCsv,
  exportJsonl,
  filterFailures,
  type CellInput,
} from '../../../../src/core/batch/results';

const items: Pick<DatasetItem, 'id' | 'description' | 'vars'>[] = [
  { id: 'fr', description: 'France', vars: { query: 'Capital of France?' } },
  { id: 'jp', vars: { query: 'Capital of "Japan", please', meta: { level: 2 } } },
  { id: 'pe', vars: { query: 'Capital of Peru?' } },
];
const columns = [
  { id: 'c1', label: 'Helper v1' },
  { id: 'c2', label: 'Helper v2 · gpt-4o-mini' },
];

const result = (type: AssertionResult['type'], pass: boolean, reason = pass ? 'ok' : 'missing'): AssertionResult => ({ type, pass, score: pass ? 1 : 0, reason, weight: 1 });

function grade(itemId: string, pass: boolean, extra: Partial<ItemGrade> = {}): ItemGrade {
  return { itemId, pass, score: pass ? 1 : 0, results: [result('icontains', pass)], reason: pass ? 'the assertion passed' : 'failed', errored: false, ...extra };
}

let nextItem = 0;
function cell(datasetItemId: string, columnId: string, status: CellInput['status'], extra: Partial<CellInput> = {}): CellInput {
  return { datasetItemId, columnId, runItemId: `RI${nextItem++}`, sessionId: `S-${datasetItemId}-${columnId}`, status, ...extra };
}

const cells: CellInput[] = [
  cell('fr', 'c1', 'completed', { output: 'Paris', grade: grade('fr', true, { costUsd: 0.01, latencyMs: 100 }) }),
  cell('fr', 'c2', 'completed', { output: 'Lyon', grade: grade('fr', false, { costUsd: 0.03, latencyMs: 300 }) }),
  cell('jp', 'c1', 'completed', { output: 'Tokyo, "the capital"\nyes', grade: grade('jp', true, { latencyMs: 200 }) }),
  cell('jp', 'c2', 'failed', { grade: grade('jp', false, { errored: true, reason: 'provider unreachable', latencyMs: 5 }) }),
  cell('pe', 'c1', 'running'),
  // pe under c2 has no run item yet.
];

describe('batch results table', () => {
  const table = buildResultsTable(items, columns, cells);

  it('puts a row per dataset item and a cell per column, with what each cell reached', () => {
    assert.deepEqual(
      table.rows.map((row) => [row.datasetItemId, ...row.cells.map((c) => c.status)]),
      [
        ['fr', 'pass', 'fail'],
        ['jp', 'pass', 'error'],
        ['pe', 'running', 'queued'],
      ],
    );
    const lyon = table.rows[0]!.cells[1]!;
    assert.deepEqual([lyon.score, lyon.costUsd, lyon.latencyMs, lyon.output, lyon.sessionId], [0, 0.03, 300, 'Lyon', 'S-fr-c2']);
    const notMade = table.rows[2]!.cells[1]!;
    assert.deepEqual([notMade.runItemId, notMade.sessionId, notMade.score, notMade.costUsd], [null, null, null, null]);
  });

  it('shows cancelled items as cancelled, failed runs as errors, and a completed item being graded as running', () => {
    const statuses = buildResultsTable(items.slice(0, 1), [{ id: 'c', label: 'c' }], []).rows[0]!.cells.map((c) => c.status);
    assert.deepEqual(statuses, ['queued']);
    const one = (input: Partial<CellInput>) => buildResultsTable(items.slice(0, 1), [{ id: 'c', label: 'c' }], [cell('fr', 'c', 'queued', input)]).rows[0]!.cells[0]!.status;
    assert.equal(one({ status: 'cancelled', grade: grade('fr', false, { errored: true }) }), 'cancelled');
    assert.equal(one({ status: 'skipped' }), 'cancelled');
    assert.equal(one({ status: 'failed' }), 'error');
    assert.equal(one({ status: 'completed' }), 'running');
    assert.equal(one({ status: 'queued' }), 'queued');
  });

  it('summarizes each column: pass rate over graded cells, total and mean of known costs, latency percentiles of completed runs', () => {
    const [first, second] = table.summaries;
    assert.deepEqual(first, {
      columnId: 'c1',
      label: 'Helper v1',
      pending: 1,
      graded: 2,
      passed: 2,
      failed: 0,
      errored: 0,
      passRate: 1,
      totalCostUsd: 0.01,
      meanCostUsd: 0.01,
      unknownCostItems: 1,
      latencyP50: 100,
      latencyP95: 200,
    });
    assert.deepEqual(
      [second?.passRate, second?.failed, second?.errored, second?.pending, second?.totalCostUsd, second?.latencyP50, second?.latencyP95],
      [0, 1, 1, 1, 0.03, 300, 300],
      "the errored run's 5 ms is left out of the latency",
    );
    const empty = buildResultsTable(items, columns, []).summaries[0]!;
    assert.deepEqual([empty.passRate, empty.meanCostUsd, empty.latencyP50, empty.pending], [0, null, null, 3]);
  });

  it('keeps only the rows with a failed or errored cell when filtering failures', () => {
    assert.deepEqual(filterFailures(table.rows).map((row) => row.datasetItemId), ['fr', 'jp']);
    const allPass = buildResultsTable(items.slice(0, 1), columns.slice(0, 1), cells.slice(0, 1));
    assert.deepEqual(filterFailures(allPass.rows), []);
  });

  it('exports JSONL: one record per item and column, in table order', () => {
    const lines = exportJsonl(table).split('\n');
    assert.equal(lines.pop(), '', 'ends with a newline');
    assert.equal(lines.length, 6);
    const records = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    assert.deepEqual(records.map((r) => `${String(r.item_id)}/${String(r.column_id)}`), ['fr/c1', 'fr/c2', 'jp/c1', 'jp/c2', 'pe/c1', 'pe/c2']);
    assert.deepEqual(records[1], {
      item_id: 'fr',
      description: 'France',
      vars: { query: 'Capital of France?' },
      column_id: 'c2',
      column: 'Helper v2 · gpt-4o-mini',
      status: 'fail',
      score: 0,
      cost_usd: 0.03,
      latency_ms: 300,
      output: 'Lyon',
      reason: 'failed',
      run_item_id: cells[1]!.runItemId,
      session_id: 'S-fr-c2',
    });
  });

  it('exports CSV that a spreadsheet reads back: header, quotes doubled, commas and newlines quoted, vars as JSON', () => {
    const csv = exportCsv(table);
    const lines = csv.split('\r\n');
    assert.equal(lines[0], 'item_id,description,vars,column_id,column,status,score,cost_usd,latency_ms,output,reason,run_item_id,session_id');
    assert.equal(lines[1], `fr,France,"{""query"":""Capital of France?""}",c1,Helper v1,pass,1,0.01,100,Paris,the assertion passed,${cells[0]!.runItemId},S-fr-c1`);
    assert.ok(
      csv.includes(`jp,,"{""query"":""Capital of \\""Japan\\"", please"",""meta"":{""level"":2}}",c1,Helper v1,pass,1,,200,"Tokyo, ""the capital""\nyes",`),
      csv,
    );
    assert.ok(csv.endsWith('\r\npe,,"{""query"":""Capital of Peru?""}",c2,Helper v2 · gpt-4o-mini,queued,,,,,,,\r\n'), 'nulls are empty fields');
  });

  it('compares two cells: both outputs, and only the assertions that differ', () => {
    const a = buildResultsTable(items, columns, [
      cell('fr', 'c1', 'completed', { output: 'Paris', grade: grade('fr', true, { results: [result('icontains', true), result('cost', true), { ...result('llm-rubric', true), score: 0.9, metric: 'style' }] }) }),
      cell('fr', 'c2', 'completed', { output: 'Lyon', grade: grade('fr', false, { results: [result('icontains', false), result('cost', true), { ...result('llm-rubric', true), score: 0.7, metric: 'style' }] }) }),
    ]).rows[0]!;
    const comparison = diffCells(a.cells[0]!, a.cells[1]!);
    assert.deepEqual(comparison.a, { status: 'pass', output: 'Paris' });
    assert.deepEqual(comparison.b, { status: 'fail', output: 'Lyon' });
    assert.deepEqual(
      comparison.differing.map((d) => [d.index, d.type, d.metric, d.a?.pass, d.b?.pass, d.a?.score, d.b?.score]),
      [
        [0, 'icontains', undefined, true, false, 1, 0],
        [2, 'llm-rubric', 'style', true, true, 0.9, 0.7],
      ],
    );
    // Against a cell still running, every assertion of the graded one differs.
    const ungraded = diffCells(a.cells[0]!, table.rows[2]!.cells[0]!);
    assert.deepEqual(ungraded.differing.map((d) => [d.type, d.b]), [['icontains', null], ['cost', null], ['llm-rubric', null]]);
  });
});
