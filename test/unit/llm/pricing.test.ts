import * as assert from 'node:assert/strict';
import { costOf, formatCost, parsePriceOverrides, priceTable, resolvePrice, toMicroDollars } from '../../../src/llm/pricing';

const anthropic = { kind: 'anthropic' as const };
const openai = { kind: 'openai' as const };

describe('prices and cost', () => {
  it('ships a dated table', () => {
    assert.match(priceTable.asOf, /^\d{4}-\d{2}-\d{2}$/);
    assert.ok(priceTable.models.length >= 10);
  });

  it('prices a dated model id by its family entry, never by a different model sharing a prefix', () => {
    assert.equal(resolvePrice(anthropic, 'claude-sonnet-4-5-20250929')?.price.input, 3);
    assert.equal(resolvePrice(openai, 'gpt-4o-2024-08-06')?.price.input, 2.5);
    assert.equal(resolvePrice(openai, 'gpt-4o-mini')?.price.input, 0.15, 'gpt-4o-mini is its own model');
    assert.equal(resolvePrice({ kind: 'gemini' }, 'models/gemini-2.5-flash-lite')?.price.input, 0.1);
    assert.equal(resolvePrice(anthropic, 'gpt-4o'), undefined, 'prices belong to their provider');
    assert.equal(resolvePrice({ kind: 'azure-openai' }, 'gpt-4.1')?.source, 'table', 'Azure runs OpenAI models');
  });

  it('gives unknown, never 0, for a model it has no price for', () => {
    const price = resolvePrice({ kind: 'openai-compatible', baseUrl: 'https://llm.example.test/v1' }, 'my-finetune');
    assert.equal(price, undefined);
    assert.equal(costOf({ inputTokens: 1000, outputTokens: 1000 }, undefined), undefined);
    assert.equal(formatCost(undefined), 'cost unknown');
  });

  it('treats a model served on this machine as free', () => {
    assert.deepEqual(resolvePrice({ kind: 'ollama' }, 'llama3.2')?.source, 'local');
    const local = resolvePrice({ kind: 'openai-compatible', baseUrl: 'http://127.0.0.1:1234/v1' }, 'qwen');
    assert.equal(costOf({ inputTokens: 5000, outputTokens: 800 }, local?.price), 0);
  });

  it('lets the user override a price, for one provider or for any', () => {
    const { overrides, problems } = parsePriceOverrides([
      { provider: 'anthropic', model: 'claude-sonnet-4-5', input: 2, output: 10 },
      { model: 'my-finetune', input: 1, output: 1 },
      { model: 'broken', input: -1, output: 1 },
      'nonsense',
    ]);
    assert.equal(overrides.length, 2);
    assert.equal(problems.length, 2);
    assert.match(problems[0]!, /aiStudio\.prices\[2\]: input/);
    assert.deepEqual(resolvePrice(anthropic, 'claude-sonnet-4-5', overrides), {
      price: { provider: 'anthropic', model: 'claude-sonnet-4-5', input: 2, output: 10 },
      source: 'override',
    });
    assert.equal(resolvePrice({ kind: 'openai-compatible', baseUrl: 'https://x.test' }, 'my-finetune', overrides)?.price.input, 1);
    assert.deepEqual(parsePriceOverrides({ not: 'a list' }).overrides, []);
  });

  it('charges cached input at the cache prices, and counts cached tokens once', () => {
    const price = resolvePrice(anthropic, 'claude-sonnet-4-5')!.price;
    // 10,000 prompt tokens of which 6,000 read from cache and 1,000 written to it; 500 out.
    const usd = costOf({ inputTokens: 10_000, cacheReadTokens: 6_000, cacheWriteTokens: 1_000, outputTokens: 500 }, price)!;
    const expected = (3_000 * 3 + 6_000 * 0.3 + 1_000 * 3.75 + 500 * 15) / 1e6;
    assert.ok(Math.abs(usd - expected) < 1e-12, `${usd} vs ${expected}`);
    assert.equal(toMicroDollars(usd), 22_050);
  });

  it('prices reasoning at the output price unless it has its own', () => {
    const usage = { inputTokens: 0, outputTokens: 1_000, reasoningTokens: 800 };
    assert.equal(costOf(usage, { input: 1, output: 10 }), 0.01);
    assert.equal(costOf(usage, { input: 1, output: 10, reasoning: 5 }), (200 * 10 + 800 * 5) / 1e6);
  });

  it('formats small and large amounts readably', () => {
    assert.equal(formatCost(0), '$0');
    assert.equal(formatCost(0.00042), '$0.00042');
    assert.equal(formatCost(0.125), '$0.125');
    assert.equal(formatCost(12.5), '$12.50');
  });
});
