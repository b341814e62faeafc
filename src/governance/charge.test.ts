import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { AttemptPlan } from './attempt-budget.js';
import { chargeFor } from './charge.js';
import type { TokenUsage } from '../ledger/pricing.js';

const price = { inputPerMTok: 1, outputPerMTok: 2 };
const plan: AttemptPlan = { promptTokens: 1000, outputTokens: 500, sendCap: 500, price, perCallUsd: undefined, amountUsd: 0.002 };
const costOf = (u: TokenUsage) => (u.promptTokens * 1 + u.completionTokens * 2) / 1e6;

describe('charge of an attempt', () => {
  test('the provider usage: its cost, basis usage', () => {
    assert.deepEqual(chargeFor(plan, { kind: 'usage', usage: { promptTokens: 100, completionTokens: 10 } }, costOf), {
      usd: 0.00012,
      costUsd: 0.00012,
      costUnknown: false,
      basis: 'usage',
      tokens: 110,
    });
  });

  test('cut short after the input was proven: proven input + the reserved output cap, an estimate', () => {
    const c = chargeFor(plan, { kind: 'partial', usage: { promptTokens: 300, completionTokens: 1 } }, costOf);
    assert.equal(c.basis, 'estimate');
    assert.equal(c.usd, (300 + 500 * 2) / 1e6);
    assert.equal(c.tokens, 800);
  });

  test('nothing proven but it may have cost: the whole reservation, an estimate; never reached: nothing', () => {
    for (const seen of [
      { kind: 'none', mayHaveCost: true } as const,
      { kind: 'partial', usage: { promptTokens: 0, completionTokens: 0 } } as const,
    ]) {
      const c = chargeFor(plan, seen, costOf);
      assert.deepEqual([c.usd, c.basis, c.tokens], [0.002, 'estimate', 1500]);
    }
    assert.deepEqual(chargeFor(plan, { kind: 'none', mayHaveCost: false }, costOf), {
      usd: 0,
      costUsd: 0,
      costUnknown: false,
      basis: 'usage',
      tokens: 0,
    });
  });

  test('no price: NULL and flagged, or the operator per-call charge as an estimate', () => {
    const unpriced: AttemptPlan = { ...plan, price: undefined, amountUsd: 0 };
    const c = chargeFor(unpriced, { kind: 'usage', usage: { promptTokens: 5, completionTokens: 5 } }, () => null);
    assert.deepEqual([c.usd, c.costUsd, c.costUnknown], [0, null, true]);
    const optIn: AttemptPlan = { ...unpriced, perCallUsd: 0.01, amountUsd: 0.01 };
    const d = chargeFor(optIn, { kind: 'none', mayHaveCost: true }, () => null);
    assert.deepEqual([d.usd, d.costUsd, d.costUnknown, d.basis], [0.01, 0.01, true, 'estimate']);
  });
});
