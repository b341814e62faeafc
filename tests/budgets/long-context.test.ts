// The budget rule against Anthropic's long-context pricing on /v1/messages pass-through: with
// `anthropic-beta: context-1m-2025-08-07` a prompt over 200,000 tokens is billed twice the input
// rate and 1.5× the output rate, which the price table does not hold. The beta header went upstream
// as sent, so the gateway reserved and charged standard rates for a bill up to twice them: one
// 260,000-token prompt was billed $5.20 on a $5 budget while the ledger said $2.60. Under a budget
// the beta is refused (403 model_unpriced, param anthropic-beta), like a service_tier billed above
// the table; other betas, and the beta without a budget, go as sent.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { MockUpstream } from '../mock-upstream/server.js';
import type { TestGateway } from '../helpers/gateway.js';
import type { Stack } from '../helpers/stack.js';
import { budgetedAndFree, EPS, figure, PRICE, startPassThrough } from './helpers.js';

const BUDGET = 5;
const LONG = 200_000;
let mock: MockUpstream;
let gw: TestGateway;
let stop: Stack['stop'] | undefined;

before(async () => {
  ({ mock, gw, stop } = await startPassThrough('lctx', budgetedAndFree('lctx', BUDGET), { anthropic: true }));
  // The densest text: a token a byte (the input bound's worst case).
  mock.fallback = (body) => ({ kind: 'text', text: 'ok', usage: { input: JSON.stringify(body.messages).length, output: 16 } });
});
after(() => stop?.());

/** What Anthropic bills a call: long-context rates when the beta is on and the prompt is over 200,000 tokens. */
function billed(): number {
  let usd = 0;
  for (const r of mock.requests) {
    const input = JSON.stringify(r.body.messages).length;
    const long = String(r.headers['anthropic-beta'] ?? '').includes('context-1m') && input > LONG;
    usd += (input * PRICE.inputPerMTok * (long ? 2 : 1) + 16 * PRICE.outputPerMTok * (long ? 1.5 : 1)) / 1e6;
  }
  return usd;
}

const ask = (key: string, beta: string) =>
  fetch(`${gw.url}/v1/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${key}`, 'anthropic-beta': beta },
    body: JSON.stringify({ model: 'ant/claude-sonnet-4-5', max_tokens: 16, messages: [{ role: 'user', content: 'x'.repeat(260_000) }] }),
  });

test('a long-context prompt cannot be billed past the budget: the 1M beta is refused under one', async () => {
  const res = await ask('vk-lctx-budgeted', 'interleaved-thinking-2025-05-14, context-1m-2025-08-07');
  const body = (await res.json()) as any;
  figure('a 260,000-token prompt with the 1M-context beta', billed(), BUDGET);
  assert.ok(billed() <= BUDGET + EPS, `billed $${billed()} on a $${BUDGET} budget`);
  assert.equal(res.status, 403, JSON.stringify(body));
  assert.deepEqual([body.error.code, body.error.param], ['model_unpriced', 'anthropic-beta']);
});

test('other betas go as sent under a budget, and the 1M beta without one', async () => {
  const other = await ask('vk-lctx-budgeted', 'interleaved-thinking-2025-05-14');
  assert.equal(other.status, 200);
  assert.equal(mock.requests.at(-1)!.headers['anthropic-beta'], 'interleaved-thinking-2025-05-14');
  const free = await ask('vk-lctx-free', 'context-1m-2025-08-07');
  assert.equal(free.status, 200);
  assert.equal(mock.requests.at(-1)!.headers['anthropic-beta'], 'context-1m-2025-08-07');
});
