import * as assert from 'node:assert/strict';
import type { DatasetItem } from '../../../../src/core/batch/dataset';
import {
  batchItemInput,
  columnLabel,
  expandMatrix,
  MAX_MATRIX_ITEMS,
  readBatchItemInput,
  type ExpandedMatrix,
  type MatrixColumn,
  type MatrixItem,
} from '../../../../src/core/batch/matrix';

const items: DatasetItem[] = [
  { id: 'fr', vars: { query: 'Capital of France?' }, assert: [{ type: 'icontains', value: 'paris' }] },
  { id: 'jp', vars: { query: 'Capital of Japan?' }, assert: [], threshold: 0.5 },
];
const columns: MatrixColumn[] = [
  { id: 'c1', label: 'Researcher v3', agentId: 'A1', versionId: 'V3' },
  { id: 'c2', label: 'Researcher · gpt-4o-mini', agentId: 'A1', model: 'gpt-4o-mini' },
];

function expanded(result: ExpandedMatrix): MatrixItem[] {
  if (!result.ok) {
    assert.fail(`expected the matrix to expand, got: ${result.error}`);
  }
  return result.items;
}

function refused(result: ExpandedMatrix): string {
  if (result.ok) {
    assert.fail('expected the matrix to be refused');
  }
  return result.error;
}

describe('batch matrix', () => {
  it('lists every item under every column, dataset order first, then column order', () => {
    const list = expanded(expandMatrix({ items }, columns));
    assert.deepEqual(
      list.map((item) => [item.position, item.datasetItemId, item.column.id]),
      [
        [0, 'fr', 'c1'],
        [1, 'fr', 'c2'],
        [2, 'jp', 'c1'],
        [3, 'jp', 'c2'],
      ],
    );
    assert.deepEqual(list[0]?.assert, [{ type: 'icontains', value: 'paris' }]);
    assert.deepEqual([list[3]?.vars, list[3]?.threshold, list[0]?.threshold], [{ query: 'Capital of Japan?' }, 0.5, undefined]);
  });

  it('refuses an empty dataset, no columns, and two columns with one id, saying what to do', () => {
    assert.equal(refused(expandMatrix({ items: [] }, columns)), 'The dataset has no items; add at least one test case to run.');
    assert.equal(refused(expandMatrix({ items }, [])), 'No agents to run; choose at least one agent, version or model.');
    assert.equal(
      refused(expandMatrix({ items }, [columns[0]!, { ...columns[1]!, id: 'c1' }])),
      'Two columns have the id "c1"; each column needs its own so results do not mix.',
    );
  });

  it('takes 20,000 runs and refuses one more, with the arithmetic', () => {
    const many = (n: number): DatasetItem[] => Array.from({ length: n }, (_, i) => ({ id: `item-${i + 1}`, vars: {}, assert: [] }));
    assert.equal(expanded(expandMatrix({ items: many(MAX_MATRIX_ITEMS / 2) }, columns)).length, 20_000);
    assert.equal(
      refused(expandMatrix({ items: many(10_001) }, columns)),
      '10,001 items × 2 columns make 20,002 runs; a batch takes at most 20,000. Choose fewer columns or split the dataset.',
    );
  });

  it('labels a column by agent, pinned version and model', () => {
    assert.equal(columnLabel('Agent', 3, 'gpt-4o-mini'), 'Agent v3 · gpt-4o-mini');
    assert.equal(columnLabel('Agent', 3), 'Agent v3');
    assert.equal(columnLabel('Agent', undefined, 'claude-sonnet-4'), 'Agent · claude-sonnet-4');
    assert.equal(columnLabel('Agent', undefined, ''), 'Agent');
  });

  it('stores what results and grading need in the run item input and reads it back', () => {
    const [first, second, , fourth] = expanded(expandMatrix({ items }, columns));
    const stored = JSON.parse(JSON.stringify(batchItemInput(second!, 'Capital of France?'))) as ReturnType<typeof batchItemInput>;
    assert.deepEqual(stored, {
      datasetItemId: 'fr',
      vars: { query: 'Capital of France?' },
      assert: [{ type: 'icontains', value: 'paris' }],
      task: 'Capital of France?',
      column: { id: 'c2', label: 'Researcher · gpt-4o-mini', agentId: 'A1', model: 'gpt-4o-mini' },
    });
    assert.deepEqual(readBatchItemInput(batchItemInput(first!, 'Q', 'the French one')), {
      datasetItemId: 'fr',
      description: 'the French one',
      vars: first!.vars,
      assert: first!.assert,
      task: 'Q',
      column: columns[0],
    });
    assert.equal(readBatchItemInput(batchItemInput(fourth!, 'Q'))?.threshold, 0.5);
    assert.equal(readBatchItemInput({ task: 'a single run' }), undefined);
    assert.equal(readBatchItemInput({ datasetItemId: 'fr', vars: {}, assert: [], task: 'Q', column: { id: 'c1', agentId: 'A1' } }), undefined, 'no label');
    assert.equal(readBatchItemInput({ datasetItemId: 'fr', vars: {}, task: 'Q', column: columns[0] as never }), undefined, 'no assertions');
    assert.equal(readBatchItemInput('text'), undefined);
  });
});
