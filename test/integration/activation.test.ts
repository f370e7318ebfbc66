import * as assert from 'node:assert/strict';
import { stat } from 'node:fs/promises';
import * as vscode from 'vscode';
import { activateStudio, extensionId } from './support';

describe('activation in a real extension host', () => {
  it('activates and reports how long it took', async () => {
    const api = await activateStudio();
    assert.equal(vscode.extensions.getExtension(extensionId)?.isActive, true);
    const ms = api.activationMs();
    assert.ok(ms >= 0, `activation time ${ms}`);
    console.log(`    activation took ${ms} ms`);
  });

  it('creates its global storage folder', async () => {
    const api = await activateStudio();
    const info = await stat(api.globalStoragePath);
    assert.ok(info.isDirectory(), api.globalStoragePath);
    assert.match(api.globalStoragePath, /aistudio\.ai-studio$/);
  });
});
