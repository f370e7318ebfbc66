import * as assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { addItem, itemIds, openStore, tempStoreDir } from './fixture';

/** Damaged files at start: the store opens, moves the damage aside (never deletes it), and says what happened. */
describe('recovery from damaged store files', function () {
  this.timeout(30_000);
  let dir: string;

  /** Items a..f spread over snapshots 2 and 3 and journals 1-3, so an older backup can stand in. */
  async function buildHistory(): Promise<string[]> {
    const store = await openStore(dir);
    await addItem(store, 'a');
    await addItem(store, 'b');
    await store.checkpoint();
    await addItem(store, 'c');
    await addItem(store, 'd');
    await store.checkpoint();
    await addItem(store, 'e');
    await addItem(store, 'f');
    await store.close();
    return ['a', 'b', 'c', 'd', 'e', 'f'];
  }

  const corrupt = () => readdirSync(path.join(dir, 'corrupt'));
  function overwritePages(file: string): void {
    const bytes = readFileSync(file);
    randomBytes(bytes.length - 4096).copy(bytes, 4096);
    writeFileSync(file, bytes);
  }

  beforeEach(() => {
    dir = tempStoreDir();
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const snapshotDamage: [string, (file: string) => void][] = [
    ['empty', (file) => writeFileSync(file, '')],
    ['random bytes', (file) => writeFileSync(file, randomBytes(8192))],
    ['truncated', (file) => truncateSync(file, Math.floor(statSync(file).size / 2))],
    ['overwritten pages', overwritePages],
    ['overwritten pages and its checksum file lost (SQLite\'s own check decides)', (file) => {
      overwritePages(file);
      rmSync(`${file}.crc32`);
    }],
  ];
  for (const [name, damage] of snapshotDamage) {
    it(`restores from the previous snapshot when the newest is ${name}, and keeps the damaged one`, async () => {
      const expected = await buildHistory();
      damage(path.join(dir, 'snapshot-000003.sqlite'));
      const store = await openStore(dir);
      assert.deepEqual(itemIds(store), expected);
      assert.equal(store.notices.length, 1);
      assert.equal(store.notices[0]!.file, 'snapshot-000003.sqlite');
      assert.ok(corrupt().some((file) => file.endsWith('snapshot-000003.sqlite')), corrupt().join(', '));
      await addItem(store, 'g');
      await store.close();
      const again = await openStore(dir);
      assert.deepEqual(itemIds(again), [...expected, 'g']);
      assert.deepEqual(again.notices, [], 'the damage is reported once');
      await again.close();
    });
  }

  it('keeps the transactions before a damaged journal record, reports the rest as lost, and keeps a copy', async () => {
    const expected = await buildHistory();
    const journal = path.join(dir, 'journal-000003.log');
    const bytes = readFileSync(journal);
    const lastRecord = bytes.lastIndexOf(Buffer.from('"t":"tx"'));
    const firstRecord = bytes.indexOf(Buffer.from('"t":"tx"'));
    assert.ok(firstRecord < lastRecord);
    bytes[firstRecord + 12]! ^= 0xff;
    writeFileSync(journal, bytes);
    const store = await openStore(dir);
    assert.deepEqual(itemIds(store), expected.slice(0, 4));
    assert.match(store.notices[0]!.problem, /checksum/);
    assert.ok(corrupt().some((file) => file.endsWith('journal-000003.log')));
    await addItem(store, 'g');
    await store.close();
    const again = await openStore(dir);
    assert.deepEqual(itemIds(again), [...expected.slice(0, 4), 'g']);
    await again.close();
  });

  it('ignores and cuts a torn last record silently: a crash mid-commit loses nothing that returned', async () => {
    const expected = await buildHistory();
    const journal = path.join(dir, 'journal-000003.log');
    truncateSync(journal, statSync(journal).size - 5);
    const store = await openStore(dir);
    assert.deepEqual(itemIds(store), expected.slice(0, 5), 'the cut record was the one being written');
    assert.deepEqual(store.notices, []);
    await store.close();
  });

  it('starts empty, says so, and keeps every file when no snapshot can be read and old journals are gone', async () => {
    const store = await openStore(dir);
    for (let i = 0; i < 5; i++) {
      await addItem(store, `x${i}`);
      await store.checkpoint();
    }
    await store.close();
    for (const name of readdirSync(dir).filter((file) => file.startsWith('snapshot-'))) {
      writeFileSync(path.join(dir, name), 'garbage');
    }
    const reopened = await openStore(dir);
    assert.deepEqual(itemIds(reopened), []);
    assert.ok(reopened.notices.some((notice) => /empty store/.test(notice.consequence)));
    assert.ok(corrupt().filter((file) => file.includes('snapshot-')).length >= 3);
    await reopened.close();
  });
});
