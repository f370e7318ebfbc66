import * as assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { systemClock } from '../../src/core/ports';
import { SettingsRepository } from '../../src/db/repositories/settings';
import { activateStudio } from './support';

describe('the history store in a real extension host', () => {
  it('opens in global storage, saves through a repository, and checkpoints on its worker thread', async () => {
    const api = await activateStudio();
    const store = await api.store;
    const settings = new SettingsRepository(store, systemClock);
    await settings.set('integration.probe', { written: 'in the extension host' });
    assert.deepEqual(settings.get('integration.probe'), { written: 'in the extension host' });

    await store.checkpoint();
    const dir = path.join(api.globalStoragePath, 'store');
    const files = readdirSync(dir);
    assert.ok(files.some((name) => /^snapshot-\d+\.sqlite$/.test(name)), files.join(', '));
    // The lock is leased for a moment after a write (the next one may follow): it must be let go soon, not kept.
    const deadline = Date.now() + 5_000;
    while (existsSync(path.join(dir, 'store.lock')) && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    assert.ok(existsSync(path.join(dir, 'store.lock')) === false, 'the lock is released after the checkpoint');
  });
});
