import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { GatewayError } from '../errors.js';
import { planAttempt, worstCaseUsd } from './attempt-budget.js';

const request = { model: 'm', messages: [{ role: 'user' as const, content: 'hello' }] };
const base = { request, modelId: 'p/m', budgeted: true, limits: {}, defaultMaxTokens: 100, unpricedCallUsd: undefined };

describe('attempt plan', () => {
  test('the reservation is the input bound and the output cap at the dearest input rate', () => {
    const price = { inputPerMTok: 3, outputPerMTok: 15, cachedInputPerMTok: 0.3, cacheWritePerMTok: 3.75 };
    const plan = planAttempt({ ...base, price });
    assert.equal(plan.outputTokens, 100);
    assert.equal(plan.sendCap, 100);
    assert.equal(plan.amountUsd, worstCaseUsd(plan.promptTokens, 100, price));
    assert.equal(plan.amountUsd, (plan.promptTokens * 3.75 + 100 * 15) / 1e6);
  });

  test("an audio model's reservation takes its audio rates when dearer: the answer may be all audio", () => {
    const price = { inputPerMTok: 2.5, outputPerMTok: 10, audioInputPerMTok: 40, audioOutputPerMTok: 80 };
    const plan = planAttempt({ ...base, price });
    assert.equal(plan.amountUsd, (plan.promptTokens * 40 + 100 * 80) / 1e6);
  });

  test("a chat prediction's bytes are reserved as output beside the cap sent", () => {
    const price = { inputPerMTok: 1, outputPerMTok: 20 };
    const text = 'ünïcode '.repeat(10);
    for (const prediction of [
      { type: 'content', content: text },
      { type: 'content', content: [{ type: 'text', text }] },
    ]) {
      const plan = planAttempt({ ...base, price, request: { ...request, max_completion_tokens: 5, prediction } });
      assert.ok(plan.outputTokens >= 5 + Buffer.byteLength(text), `${plan.outputTokens}`);
      assert.equal(plan.sendCap, undefined, "the client's cap goes as sent");
      assert.equal(plan.amountUsd, worstCaseUsd(plan.promptTokens, plan.outputTokens, price));
    }
    assert.equal(planAttempt({ ...base, price, request: { ...request, max_completion_tokens: 5 } }).outputTokens, 5);
  });

  test('a budget refuses an unpriced model (403 model_unpriced) unless the operator set a per-call charge', () => {
    assert.throws(
      () => planAttempt({ ...base, price: undefined }),
      (e: unknown) => e instanceof GatewayError && e.status === 403 && e.code === 'model_unpriced' && /p\/m has no price/.test(e.message),
    );
    assert.equal(planAttempt({ ...base, price: undefined, budgeted: false }).amountUsd, 0);
    assert.equal(planAttempt({ ...base, price: undefined, unpricedCallUsd: 0.02 }).amountUsd, 0.02);
  });
});
