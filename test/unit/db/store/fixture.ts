import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { FsPort } from '../../../../src/db/fsPort';
import { workerSnapshotBuilder } from '../../../../src/db/snapshotWorker';
import { sqlJs, wasmPath, workerPath } from '../support/engine';
import { Store, type StoreOptions } from '../../../../src/db/store';

/** A real store in a temp folder, with a tiny schema, for the persistence tests. */

export { sqlJs as sqlEngine, wasmPath, workerPath } from '../support/engine';

export function tempStoreDir(): string {
  return mkdtempSync(path.join(os.tmpdir(), 'ais-store-'));
}

export const itemsSchema: NonNullable<StoreOptions['migrate']> = {
  needed: (sql) => sql.get<{ user_version: number }>('pragma user_version')!.user_version < 1,
  run: (sql) => {
    if (sql.get<{ user_version: number }>('pragma user_version')!.user_version >= 1) {
      return;
    }
    sql.run('create table items (id text primary key, writer text not null, n integer not null, body text not null)');
    sql.run('pragma user_version = 1');
  },
};

export async function openStore(dir: string, options: Partial<StoreOptions> & { fs?: FsPort } = {}): Promise<Store> {
  return Store.open({
    dir,
    SQL: await sqlJs(),
    buildSnapshot: workerSnapshotBuilder(workerPath, wasmPath),
    migrate: itemsSchema,
    lockStaleMs: 2000,
    ...options,
  });
}

export function addItem(store: Store, id: string, writer = 'test', n = 0, body = `item ${id}`): Promise<void> {
  return store.write((sql) => {
    sql.run('insert into items (id, writer, n, body) values (?, ?, ?, ?)', [id, writer, n, body]);
  });
}

export function itemIds(store: Store): string[] {
  return store.read((sql) => sql.all<{ id: string }>('select id from items order by id').map((row) => row.id));
}
