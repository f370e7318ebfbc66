import * as assert from 'node:assert/strict';
import { systemClock } from '../../../src/core/ports';
import { runProbes, type Probe, type ProbeResult } from '../../../src/core/selfCheck';

const probe = (id: string, run: () => Promise<string>): Probe => ({ id, label: `Probe ${id}`, run });

describe('self-check probes', () => {
  it('reports each probe, and a failing one does not hide the others', async () => {
    const seen: ProbeResult[] = [];
    const results = await runProbes(
      [probe('a', () => Promise.resolve('fine')), probe('b', () => Promise.reject(new Error('folder is read-only'))), probe('c', () => Promise.resolve('also fine'))],
      systemClock,
      1000,
      (result) => seen.push(result),
    );
    assert.deepEqual(
      results.map(({ id, ok, detail }) => ({ id, ok, detail })),
      [
        { id: 'a', ok: true, detail: 'fine' },
        { id: 'b', ok: false, detail: 'folder is read-only' },
        { id: 'c', ok: true, detail: 'also fine' },
      ],
    );
    assert.equal(seen.length, 3, 'progress is reported for every probe');
  });

  it('fails a probe that never answers, naming it, instead of hanging the panel', async () => {
    const [result] = await runProbes([probe('slow', () => new Promise<string>(() => {}))], systemClock, 50);
    assert.equal(result!.ok, false);
    assert.match(result!.detail, /Probe slow did not answer within 50 ms/);
  });
});
