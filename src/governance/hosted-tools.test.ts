import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { GatewayError } from '../errors.js';
import { chargeFor } from './charge.js';
import { hostedFees, hostedReserve, NO_FEES } from './hosted-tools.js';
import { planAttempt } from './attempt-budget.js';

const fees: Record<string, number> = { 'messages/web_search': 0.01, 'messages/web_fetch': 0 };
const feeOf = (key: string) => fees[key];
const offer = (key: string, maxUses: number) => ({ key, type: `${key.split('/')[1]}_20250305`, maxUses });

describe('hosted tool fees', () => {
  test('the worst case is every offered tool at its bound; content allowance per use', () => {
    const r = hostedReserve([offer('messages/web_search', 3), offer('messages/web_fetch', 2)], feeOf, {
      budgeted: true,
      contentTokensPerUse: 1000,
    });
    assert.ok(Math.abs(r.feesUsd - 0.03) < 1e-12);
    assert.equal(r.contentTokens, 5000);
  });

  test('an unpriced tool is refused under a budget, reserves nothing without one', () => {
    const unpriced = [offer('messages/code_execution', 1)];
    assert.throws(
      () => hostedReserve(unpriced, feeOf, { budgeted: true, contentTokensPerUse: 0 }),
      (e: GatewayError) => e.status === 403 && e.code === 'hosted_tool_unpriced' && e.param === 'tools',
    );
    assert.deepEqual(hostedReserve(unpriced, feeOf, { budgeted: false, contentTokensPerUse: 10 }), { feesUsd: 0, contentTokens: 0 });
  });

  test('reported uses × fee; unpriced uses flag the cost', () => {
    assert.equal(hostedFees([], feeOf), NO_FEES);
    assert.deepEqual(hostedFees([['messages/web_search', 4]], feeOf), { usd: 0.04, unknown: false });
    assert.deepEqual(hostedFees([['messages/code_execution', 1]], feeOf), { usd: 0, unknown: true });
  });

  test('the plan reserves fees + allowance at the dearest input rate, and charges them when the stream is cut', () => {
    const price = { inputPerMTok: 2, outputPerMTok: 4, cacheWritePerMTok: 10 };
    const plan = planAttempt({
      request: { bounded: true, caps: { max_tokens: 100 }, promptTokens: 1000, hosted: { feesUsd: 0.05, contentTokens: 10_000 } },
      modelId: 'p/m',
      budgeted: true,
      price,
      limits: {},
      defaultMaxTokens: 4096,
      unpricedCallUsd: undefined,
    });
    assert.ok(Math.abs(plan.hostedUsd! - (0.05 + 0.1)) < 1e-12);
    assert.ok(Math.abs(plan.amountUsd - (0.15 + (1000 * 10 + 100 * 4) / 1e6)) < 1e-12);
    const cost = (u: { promptTokens: number; completionTokens: number }) => (u.promptTokens * 2 + u.completionTokens * 4) / 1e6;
    const cut = chargeFor(plan, { kind: 'partial', usage: { promptTokens: 500, completionTokens: 0 } }, cost);
    assert.ok(Math.abs(cut.usd - (cost({ promptTokens: 500, completionTokens: 100 }) + 0.15)) < 1e-12);
    const done = chargeFor(plan, { kind: 'usage', usage: { promptTokens: 500, completionTokens: 10 } }, cost, {
      usd: 0.02,
      unknown: false,
    });
    assert.ok(Math.abs(done.usd - (cost({ promptTokens: 500, completionTokens: 10 }) + 0.02)) < 1e-12);
    assert.equal(chargeFor(plan, { kind: 'none', mayHaveCost: true }, cost).usd, plan.amountUsd);
  });
});
