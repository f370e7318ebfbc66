import * as assert from 'node:assert/strict';
import { decodeRecords, encodeRecord, tablesWritten, type JournalRecord } from '../../../../src/db/journal';

const tx = (n: number): JournalRecord => ({ t: 'tx', writer: 'w', statements: [['insert into items values (?)', [n]]], tables: ['items'] });

describe('journal records', () => {
  const frames = [encodeRecord({ t: 'header', generation: 1, base: 'create' }), encodeRecord(tx(1)), encodeRecord(tx(2))];
  const journal = Buffer.concat(frames);

  it('round-trips records and reports where the last one ends', () => {
    const decoded = decodeRecords(journal);
    assert.equal(decoded.problem, undefined);
    assert.deepEqual(decoded.records.map((r) => r.record), [{ t: 'header', generation: 1, base: 'create' }, tx(1), tx(2)]);
    assert.equal(decoded.validEnd, journal.length);
  });

  it('treats a record cut short by a crash as a torn tail and keeps everything before it', () => {
    for (let cut = 1; cut < frames[2]!.length; cut += 7) {
      const decoded = decodeRecords(journal.subarray(0, journal.length - cut));
      assert.equal(decoded.records.length, 2);
      assert.equal(decoded.problem?.kind, 'torn');
      assert.equal(decoded.validEnd, frames[0]!.length + frames[1]!.length);
    }
  });

  it('treats zeros after the last record (pages that never reached the disk) as a torn tail', () => {
    const decoded = decodeRecords(Buffer.concat([journal, Buffer.alloc(4096)]));
    assert.equal(decoded.records.length, 3);
    assert.equal(decoded.problem?.kind, 'torn');
  });

  it('reports a damaged record followed by good ones as corruption, not as a crash', () => {
    const damaged = Buffer.from(journal);
    damaged[frames[0]!.length + 20]! ^= 0xff;
    const decoded = decodeRecords(damaged);
    assert.equal(decoded.records.length, 1);
    assert.equal(decoded.problem?.kind, 'corrupt');
    assert.match(decoded.problem.reason, /checksum/);
  });

  it('names the tables a statement writes', () => {
    assert.deepEqual(tablesWritten('INSERT OR REPLACE INTO settings (k) values (?)'), ['settings']);
    assert.deepEqual(tablesWritten('update messages set status = ?'), ['messages']);
    assert.deepEqual(tablesWritten('delete from "events" where id = ?'), ['events']);
    assert.deepEqual(tablesWritten('select * from items'), []);
  });
});
