import * as assert from 'node:assert/strict';
import { activateStudio } from './support';

describe('secret storage in a real extension host', () => {
  it('stores, reads back and deletes a key', async () => {
    const { secrets } = await activateStudio();
    const key = `integration.${Date.now()}`;
    assert.equal(await secrets.get(key), undefined);
    await secrets.set(key, 'sk-test-sentinel-value');
    assert.equal(await secrets.get(key), 'sk-test-sentinel-value');
    await secrets.set(key, 'sk-test-rotated');
    assert.equal(await secrets.get(key), 'sk-test-rotated');
    await secrets.delete(key);
    assert.equal(await secrets.get(key), undefined);
  });
});
