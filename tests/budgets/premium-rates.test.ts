// The budget rule against Messages fields that make Anthropic bill above the price table, on
// /v1/messages pass-through: `speed: "fast"` (fast mode: 2× to 6× the standard rates by model) and
// `inference_geo: "us"` (US-only inference: 1.1×). The body went upstream as sent, so the gateway
// reserved and charged standard rates for a bill up to six times them. Under a budget either field
// is refused (403 model_unpriced, param naming it), like a service_tier billed above the table and
// the long-context beta; their standard values go as sent, and so does anything without a budget.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { MockUpstream } from '../mock-upstream/server.js';
import type { TestGateway } from '../helpers/gateway.js';
import type { Stack } from '../helpers/stack.js';
import { budgetedAndFree, EPS, figure, postJson, PRICE, startPassThrough } from './helpers.js';

const BUDGET = 1;
let mock: MockUpstream;
let gw: TestGateway;
let stop: Stack['stop'] | undefined;

before(async () => {
  ({ mock, gw, stop } = await startPassThrough('premium', budgetedAndFree('premium', BUDGET), { anthropic: true }));
  // The densest text: a token a byte (the input bound's worst case).
  mock.fallback = (body) => ({ kind: 'text', text: 'ok', usage: { input: JSON.stringify(body.messages).length, output: 16 } });
});
after(() => stop?.());

/** What Anthropic bills the calls sent: fast mode at 6× (Opus 4.6), US-only inference at 1.1×. */
function billed(): number {
  let usd = 0;
  for (const r of mock.requests) {
    const rate = (r.body.speed === 'fast' ? 6 : 1) * (r.body.inference_geo === 'us' ? 1.1 : 1);
    usd += (rate * (JSON.stringify(r.body.messages).length * PRICE.inputPerMTok + 16 * PRICE.outputPerMTok)) / 1e6;
  }
  return usd;
}

/** A prompt of `chars` bytes to the Anthropic pass-through model, with `extra` fields. */
const ask = (key: string, chars: number, extra: Record<string, unknown>) =>
  postJson(gw, '/v1/messages', key, {
    model: 'ant/claude-sonnet-4-5',
    max_tokens: 16,
    messages: [{ role: 'user', content: 'x'.repeat(chars) }],
    ...extra,
  });

test('fast mode and US-only inference cannot be billed past the budget: refused under one', async () => {
  // $0.50 at the table's rates, $3 in fast mode.
  const fast = await ask('vk-premium-budgeted', 50_000, { speed: 'fast' });
  // $0.95 at the table's rates, $1.05 inferred in the US only.
  const us = await ask('vk-premium-budgeted', 95_000, { inference_geo: 'us' });
  figure('fast mode and US-only inference under a budget', billed(), BUDGET);
  assert.ok(billed() <= BUDGET + EPS, `billed $${billed().toFixed(4)} on a $${BUDGET} budget`);
  assert.equal(fast.status, 403, JSON.stringify(fast.body));
  assert.deepEqual([fast.body.error.code, fast.body.error.param], ['model_unpriced', 'speed']);
  assert.equal(us.status, 403, JSON.stringify(us.body));
  assert.deepEqual([us.body.error.code, us.body.error.param], ['model_unpriced', 'inference_geo']);
  assert.equal(mock.requests.length, 0, 'nothing went upstream');
});

test('the standard values go as sent under a budget, and the premium ones without one', async () => {
  const standard = await ask('vk-premium-budgeted', 10, { speed: 'standard', inference_geo: 'global' });
  assert.equal(standard.status, 200, JSON.stringify(standard.body));
  assert.deepEqual([mock.requests.at(-1)!.body.speed, mock.requests.at(-1)!.body.inference_geo], ['standard', 'global']);
  const free = await ask('vk-premium-free', 10, { speed: 'fast', inference_geo: 'us' });
  assert.equal(free.status, 200, JSON.stringify(free.body));
  assert.deepEqual([mock.requests.at(-1)!.body.speed, mock.requests.at(-1)!.body.inference_geo], ['fast', 'us']);
});
