import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createPricing } from './pricing.js';
import { bundledPrices } from './prices.js';

describe('priceOf', () => {
  const pricing = createPricing({
    overrides: {
      'local/llama3': { inputPerMTok: 0, outputPerMTok: 0 },
      'gpt-4o': { inputPerMTok: 2, outputPerMTok: 8 },
      'azure/gpt-4o': { inputPerMTok: 3, outputPerMTok: 12 },
    },
  });

  test('provider/model in config wins over the bare model, which wins over the bundled table', () => {
    assert.deepEqual(pricing.priceOf('azure', 'gpt-4o'), { inputPerMTok: 3, outputPerMTok: 12 });
    assert.deepEqual(pricing.priceOf('openai', 'gpt-4o'), { inputPerMTok: 2, outputPerMTok: 8 });
    assert.deepEqual(pricing.priceOf('local', 'llama3'), { inputPerMTok: 0, outputPerMTok: 0 });
    assert.equal(pricing.priceOf('openai', 'gpt-4.1-mini')?.inputPerMTok, 0.4);
  });

  test('dated ids resolve to their family by longest prefix', () => {
    const p = createPricing();
    assert.equal(p.priceOf('openai', 'gpt-4o-mini-2024-07-18'), bundledPrices.models['gpt-4o-mini']);
    assert.equal(p.priceOf('openai', 'gpt-4o-2024-08-06'), bundledPrices.models['gpt-4o']);
    assert.equal(p.priceOf('openai', 'gpt-4o-2024-05-13')?.inputPerMTok, 5);
    assert.equal(p.priceOf('anthropic', 'claude-sonnet-4-20250514'), bundledPrices.models['claude-sonnet-4']);
    assert.equal(p.priceOf('anthropic', 'claude-sonnet-4-5-20250929'), bundledPrices.models['claude-sonnet-4-5']);
    assert.equal(p.priceOf('anthropic', 'claude-opus-4-1-20250805'), bundledPrices.models['claude-opus-4-1']);
    assert.equal(p.priceOf('anthropic', 'claude-3-7-sonnet-latest'), bundledPrices.models['claude-3-7-sonnet']);
  });

  test('a prefix must end at a separator: gpt-4.5 does not borrow gpt-4', () => {
    const p = createPricing();
    assert.equal(p.priceOf('openai', 'gpt-4.5-preview'), undefined);
    assert.equal(p.priceOf('openai', 'o3x'), undefined);
  });

  test('a variant billed otherwise does not borrow its family price (deep research, audio, search, realtime)', () => {
    const p = createPricing({ overrides: { 'gpt-4o': { inputPerMTok: 2, outputPerMTok: 8 } } });
    for (const model of [
      'o3-deep-research',
      'o3-deep-research-2025-06-26',
      'o4-mini-deep-research',
      'gpt-4o-audio-preview',
      'gpt-4o-mini-audio-preview-2024-12-17',
      'gpt-4o-search-preview',
      'gpt-4o-mini-search-preview',
      'gpt-5-search-api',
      'gpt-4o-realtime-preview',
      'gpt-4o-mini-transcribe',
      'gpt-4o-mini-tts',
    ])
      assert.equal(p.priceOf('openai', model), undefined, model);
    assert.equal(p.priceOf('openai', 'gpt-4o-2024-11-20')?.inputPerMTok, 2, 'a dated id still does');
  });

  test('the bundled table is dated and covers the common models', () => {
    assert.match(bundledPrices.asOf, /^\d{4}-\d{2}-\d{2}$/);
    for (const m of [
      'gpt-4o',
      'gpt-4o-mini',
      'gpt-4.1',
      'gpt-4.1-mini',
      'gpt-4.1-nano',
      'o1',
      'o3',
      'o3-mini',
      'o4-mini',
      'gpt-5',
      'gpt-5-mini',
      'gpt-5-nano',
      'claude-opus-4',
      'claude-sonnet-4',
      'claude-3-7-sonnet',
      'claude-3-5-haiku',
      'claude-haiku-4-5',
    ]) {
      assert.ok(bundledPrices.models[m], m);
    }
  });
});

describe('costOf', () => {
  const pricing = createPricing({
    overrides: {
      'x/plain': { inputPerMTok: 2, outputPerMTok: 8 },
      'x/cached': { inputPerMTok: 3, outputPerMTok: 15, cachedInputPerMTok: 0.3, cacheWritePerMTok: 3.75 },
      // gpt-4o-audio-preview's rates (2025): text 2.5 / 10, audio 40 / 80.
      'x/audio': { inputPerMTok: 2.5, outputPerMTok: 10, audioInputPerMTok: 40, audioOutputPerMTok: 80 },
    },
  });

  test('input and output at their rates', () => {
    assert.equal(pricing.costOf('x', 'plain', { promptTokens: 1000, completionTokens: 500 }), 0.006);
    assert.equal(pricing.costOf('openai', 'gpt-4o', { promptTokens: 1_000_000, completionTokens: 1_000_000 }), 12.5);
  });

  test('cached and cache-write tokens are part of prompt and billed at their own rates', () => {
    // 10000 prompt = 6000 fresh @3 + 3000 cached @0.3 + 1000 written @3.75; 2000 out @15
    // = (18000 + 900 + 3750 + 30000) / 1e6
    assert.equal(
      pricing.costOf('x', 'cached', { promptTokens: 10_000, completionTokens: 2000, cachedTokens: 3000, cacheWriteTokens: 1000 }),
      52650 / 1_000_000,
    );
  });

  test('1-hour cache writes at their own rate: twice the input rate in the bundled table, else the 5-minute rate', () => {
    // claude-sonnet-4-5: 1000 written, 600 of them for an hour: 400 @3.75 + 600 @6 = 1500 + 3600
    const usage = { promptTokens: 1000, completionTokens: 0, cacheWriteTokens: 1000, cacheWrite1hTokens: 600 };
    assert.equal(pricing.costOf('anthropic', 'claude-sonnet-4-5', usage), 5100 / 1_000_000);
    // A configured price without cacheWrite1hPerMTok: all 1000 @3.75
    assert.equal(pricing.costOf('x', 'cached', usage), 3750 / 1_000_000);
  });

  test("an audio model's audio tokens are part of prompt and completion and billed at their own rates", () => {
    // 1000 prompt = 800 text @2.5 + 200 audio @40; 500 out = 100 text @10 + 400 audio @80
    const usage = { promptTokens: 1000, completionTokens: 500, audioInputTokens: 200, audioOutputTokens: 400 };
    assert.equal(pricing.costOf('x', 'audio', usage), (2000 + 8000 + 1000 + 32000) / 1_000_000);
    // A price without audio rates: all at the text rates.
    assert.equal(pricing.costOf('x', 'plain', usage), 0.006);
    // Never more audio tokens than the totals hold.
    assert.equal(
      pricing.costOf('x', 'audio', { promptTokens: 10, completionTokens: 5, audioInputTokens: 99, audioOutputTokens: 99 }),
      800 / 1e6,
    );
  });

  test('without cache rates, cached and cache-write tokens fall back to the input rate', () => {
    assert.equal(
      pricing.costOf('x', 'plain', { promptTokens: 1000, completionTokens: 0, cachedTokens: 400, cacheWriteTokens: 100 }),
      0.002,
    );
  });

  test('bundled OpenAI cached rate: gpt-4o-mini', () => {
    // 2000 fresh @0.15 + 8000 cached @0.075 + 1000 out @0.6 = 300 + 600 + 600 = 1500 micro-dollars
    const cost = pricing.costOf('openai', 'gpt-4o-mini-2024-07-18', { promptTokens: 10_000, cachedTokens: 8000, completionTokens: 1000 });
    assert.ok(cost !== null);
    assert.equal(Math.round(cost * 1e12) / 1e12, 0.0015);
  });

  test('an unknown price is null, never 0, and is remembered', () => {
    assert.equal(pricing.costOf('local', 'mystery', { promptTokens: 10, completionTokens: 10 }), null);
    assert.equal(pricing.costOf('local', 'mystery', { promptTokens: 1, completionTokens: 1 }), null);
    assert.deepEqual(pricing.unknownModels(), ['local/mystery']);
  });

  test('zero tokens on a known model cost exactly 0', () => {
    assert.equal(pricing.costOf('x', 'plain', { promptTokens: 0, completionTokens: 0 }), 0);
  });
});

describe('toolCost', () => {
  test('configured tools cost their price; others are free', () => {
    const pricing = createPricing({ toolCosts: { docs__search: 0.001 } });
    assert.equal(pricing.toolCost('docs__search'), 0.001);
    assert.equal(pricing.toolCost('docs__fetch'), 0);
  });
});

describe('limitsOf', () => {
  test('the model maximum output and image bound: config entry first, else the bundled model, even under a price override', () => {
    const p = createPricing({
      overrides: {
        'gpt-4o': { inputPerMTok: 2, outputPerMTok: 8 },
        'local/llama3': { inputPerMTok: 0, outputPerMTok: 0, maxOutputTokens: 2048 },
      },
    });
    assert.deepEqual(p.limitsOf('openai', 'gpt-4o'), { maxOutputTokens: 16_384, maxImageTokens: undefined });
    assert.deepEqual(p.limitsOf('openai', 'gpt-4o-mini-2024-07-18'), { maxOutputTokens: 16_384, maxImageTokens: 48_170 });
    assert.equal(p.limitsOf('anthropic', 'claude-sonnet-4-5-20250929').maxOutputTokens, 64_000);
    assert.equal(p.limitsOf('local', 'llama3').maxOutputTokens, 2048);
    assert.equal(p.limitsOf('local', 'unknown').maxOutputTokens, undefined);
    assert.equal(p.unpricedCallUsd, undefined);
    assert.equal(createPricing({ unpricedModels: { chargePerCallUsd: 0.05 } }).unpricedCallUsd, 0.05);
  });

  test('every bundled model states its maximum output', () => {
    for (const [model, price] of Object.entries(bundledPrices.models)) assert.ok((price.maxOutputTokens ?? 0) > 0, model);
  });
});
