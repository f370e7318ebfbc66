import * as assert from 'node:assert/strict';
import { PricesRepository, costMicroUsd, type Price } from '../../../../src/db/repositories/prices';
import { SettingsRepository, type Parser } from '../../../../src/db/repositories/settings';
import { ManualClock, openMemoryStore, type MemoryStore } from '../support/memoryStore';

const layoutParser: Parser<{ width: number }> = {
  parse(value) {
    if (typeof value === 'object' && value !== null && typeof (value as { width?: unknown }).width === 'number') {
      return value as { width: number };
    }
    throw new Error('not a layout');
  },
};

describe('settings repository', () => {
  let store: MemoryStore;
  let settings: SettingsRepository;
  beforeEach(async () => {
    store = await openMemoryStore();
    settings = new SettingsRepository(store, new ManualClock());
  });
  afterEach(() => store.close());

  it('stores, overwrites and deletes JSON values', async () => {
    assert.equal(settings.get('layout'), undefined);
    await settings.set('layout', { width: 300, panes: ['chat', 'inspector'] });
    assert.deepEqual(settings.get('layout'), { width: 300, panes: ['chat', 'inspector'] });
    await settings.set('layout', { width: 320 });
    assert.deepEqual(settings.get('layout', layoutParser), { width: 320 });
    await settings.set('layout.sidebar', false);
    await settings.set('lastAgent', 'a1');
    assert.deepEqual(settings.keys('layout'), ['layout', 'layout.sidebar']);
    assert.equal(await settings.delete('layout'), true);
    assert.equal(await settings.delete('layout'), false);
    assert.equal(settings.get('layout.sidebar'), false);
  });

  it('reads a value its parser rejects as missing (a newer window may store another shape)', async () => {
    await settings.set('layout', 'wide');
    assert.equal(settings.get('layout', layoutParser), undefined);
    assert.equal(settings.get('layout'), 'wide');
  });

  it('refuses values JSON cannot carry', async () => {
    await assert.rejects(settings.set('n', Number.POSITIVE_INFINITY), /not JSON-safe/);
    await assert.rejects(settings.set('d', new Date(0) as unknown as string), /not a plain object/);
  });
});

describe('prices repository', () => {
  let store: MemoryStore;
  let clock: ManualClock;
  let prices: PricesRepository;
  const base: Price = {
    provider: 'google',
    model: 'gemini-2.5-flash',
    effectiveFrom: Date.UTC(2025, 0, 1),
    inputPerMTok: 0.075,
    outputPerMTok: 0.3,
    cacheReadPerMTok: null,
    cacheWritePerMTok: null,
  };
  beforeEach(async () => {
    store = await openMemoryStore();
    clock = new ManualClock(Date.UTC(2025, 5, 1));
    prices = new PricesRepository(store, clock);
  });
  afterEach(() => store.close());

  it('finds the price in force at a time', async () => {
    await prices.upsert(base);
    await prices.upsert({ ...base, effectiveFrom: Date.UTC(2025, 3, 1), inputPerMTok: 0.15, outputPerMTok: 0.6 });
    assert.equal(prices.effective('google', 'gemini-2.5-flash', Date.UTC(2024, 11, 31)), undefined);
    assert.equal(prices.effective('google', 'gemini-2.5-flash', Date.UTC(2025, 1, 1))?.inputPerMTok, 0.075);
    assert.equal(prices.effective('google', 'gemini-2.5-flash')?.inputPerMTok, 0.15, 'now');
    assert.equal(prices.effective('google', 'other'), undefined);
    assert.equal(prices.list('google').length, 2);
  });

  it('replaces a price with the same start, keeping six decimals exactly', async () => {
    await prices.upsert(base);
    const updated = await prices.upsert({ ...base, inputPerMTok: 0.0375, cacheReadPerMTok: 0.01875 });
    assert.deepEqual([updated.inputPerMTok, updated.cacheReadPerMTok], [0.0375, 0.01875]);
    assert.equal(prices.list().length, 1);
    assert.equal(await prices.delete(base.provider, base.model, base.effectiveFrom), true);
    assert.deepEqual(prices.list(), []);
  });

  it('computes a cost in whole micro-dollars, cache tokens at the input price when not priced apart', () => {
    assert.equal(costMicroUsd(base, { input: 1000, output: 1000 }), 375);
    assert.equal(costMicroUsd(base, { input: 1, output: 0 }), 0, 'a fraction of a micro-dollar rounds');
    assert.equal(costMicroUsd(base, { cacheRead: 1_000_000 }), 75_000);
    assert.equal(costMicroUsd({ ...base, cacheReadPerMTok: 0.01875 }, { cacheRead: 1_000_000 }), 18_750);
  });

  it('refuses a negative price or an empty model', async () => {
    await assert.rejects(prices.upsert({ ...base, outputPerMTok: -1 }), /outputPerMTok must be/);
    await assert.rejects(prices.upsert({ ...base, model: '' }), /needs a model/);
  });
});
