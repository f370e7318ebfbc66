import { acquireLock } from '../../../../src/db/lock';
import { lockTarget } from '../../../../src/db/storeFiles';
import { addItem, openStore } from './fixture';

/**
 * A second "window" for the multi-process tests, run as a child process:
 *   node writerProcess.js DIR WRITER commit COUNT [CHECKPOINT_BYTES]   commit COUNT items, printing each id once durable
 *   node writerProcess.js DIR WRITER group COUNT [CHECKPOINT_BYTES]    the same, every other one 'withNext' (group commit)
 *   node writerProcess.js DIR WRITER hold-lock                         take the store lock and never let go
 * The parent reads "committed ID" lines: an id printed is a write that returned, so it must survive anything.
 */
async function main(): Promise<void> {
  const [dir, writer, mode, countText, checkpointText] = process.argv.slice(2);
  if (!dir || !writer) {
    throw new Error('usage: writerProcess DIR WRITER MODE ...');
  }
  if (mode === 'hold-lock') {
    await acquireLock(lockTarget(dir), { staleMs: 2000, acquireTimeoutMs: 10_000, onCompromised: () => {} });
    console.log('locked');
    setInterval(() => {}, 1 << 30);
    return;
  }
  const store = await openStore(dir, checkpointText ? { checkpointBytes: Number(checkpointText) } : {});
  console.log('opened');
  const count = Number(countText ?? '100');
  for (let i = 0; i < count; i++) {
    const id = `${writer}-${String(i).padStart(6, '0')}`;
    if (mode === 'group' && i % 2 === 0) {
      await store.write((sql) => sql.run('insert into items (id, writer, n, body) values (?, ?, ?, ?)', [id, writer, i, `item ${id}`]), { durability: 'withNext' });
    } else {
      await addItem(store, id, writer, i);
    }
    console.log(`committed ${id}`);
  }
  await store.close();
  console.log('done');
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.stack : String(err));
  process.exit(1);
});
