import * as assert from 'node:assert/strict';
import { formatBytes } from '../../../src/core/format';

describe('formatBytes', () => {
  it('reads like a file manager', () => {
    assert.equal(formatBytes(0), '0 B');
    assert.equal(formatBytes(512), '512 B');
    assert.equal(formatBytes(48.2 * 1024), '48.2 KB');
    assert.equal(formatBytes(201.3 * 2 ** 20), '201.3 MB');
    assert.equal(formatBytes(1.25 * 2 ** 30), '1.3 GB');
  });
});
