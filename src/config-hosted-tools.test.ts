import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { parseConfig } from './config.js';
import { createPricing } from './ledger/pricing.js';

const parse = (extra: Record<string, unknown>) => parseConfig(JSON.stringify({ requireVirtualKey: false, ...extra }), 'test', {});

describe('hosted tool fees in config', () => {
  test('`hosted:` pricing keys override the table; model keys stay prices', () => {
    const { config } = parse({
      pricing: {
        'hosted:messages/web_search': { perUseUsd: 0.02 },
        'hosted:messages/code_execution': { perUseUsd: 0.05 },
        'local/m': { inputPerMTok: 1, outputPerMTok: 2 },
      },
      hostedTools: { defaultMaxUses: 3 },
    });
    const pricing = createPricing({ overrides: config.pricing, hostedTools: config.hostedTools });
    assert.equal(pricing.hostedFee('messages/web_search'), 0.02);
    assert.equal(pricing.hostedFee('messages/code_execution'), 0.05);
    assert.equal(pricing.hostedFee('responses/file_search'), 0.0025, 'the table for the rest');
    assert.equal(pricing.hostedFee('messages/unknown_tool'), undefined);
    assert.equal(pricing.priceOf('local', 'm')?.outputPerMTok, 2);
    assert.deepEqual(pricing.hostedTools, { defaultMaxUses: 3, contentTokensPerUse: 10_000 });
  });

  test('a key of one kind with the other shape is named at startup', () => {
    assert.throws(() => parse({ pricing: { 'hosted:messages/web_search': { inputPerMTok: 1, outputPerMTok: 1 } } }), /perUseUsd/);
    assert.throws(() => parse({ pricing: { 'openai/gpt-x': { perUseUsd: 1 } } }), /inputPerMTok/);
  });
});
