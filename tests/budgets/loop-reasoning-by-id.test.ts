// The budget rule against reasoning items in the gateway's own tool loop on Responses pass-through:
// with store not false, a round's reasoning item comes without encrypted_content and the gateway
// sends it back in the next round's input by id, where the upstream bills what it stored (the
// reasoning's tokens). Every later round carries every earlier round's reasoning, which the bound
// (the body's bytes) did not count: a third round reserved at about $0.05 was billed $0.12, $0.24 on a
// $0.20 budget. Each round now adds the recorded size of the reasoning items it sends back by id
// (responses/reasoning-size.ts), so the round that would pass the budget is refused and the loop
// ends with the answer so far.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { MockUpstream } from '../mock-upstream/server.js';
import type { TestGateway } from '../helpers/gateway.js';
import { passThroughProviders } from '../helpers/gateway.js';
import { startStack, type Stack } from '../helpers/stack.js';
import { ADMIN, EPS, figure, ledgerSpend, postJson, PRICE, settled } from './helpers.js';

const BUDGET = 0.2;
/** Every round thinks this much, its whole output cap; billed again as input each later round. */
const REASONING_TOKENS = 4_000;
let mock: MockUpstream;
let gw: TestGateway;
let stop: Stack['stop'] | undefined;
const bills: number[] = [];

before(async () => {
  ({ mock, gw, stop } = await startStack({
    adminToken: ADMIN,
    mcp: true,
    config: ({ mock }) => ({
      providers: { oai: passThroughProviders(mock, 'lrbi', { maxRetries: 0 }).oai },
      pricing: { 'oai/gpt-5': PRICE },
      virtualKeys: [
        { id: 'loop', key: 'vk-lrbi-loop', models: ['*'], tools: { allow: ['fix__*'] }, budget: { usd: BUDGET, period: 'month' } },
      ],
    }),
  }));
  mock.fallback = (body) => {
    const input: any[] = Array.isArray(body.input) ? body.input : [];
    const byId = input.filter((i) => i.type === 'reasoning' && !i.encrypted_content).length;
    const outputs = input.filter((i) => i.type === 'function_call_output').length;
    const usage = { input: 10 + byId * REASONING_TOKENS, output: REASONING_TOKENS };
    bills.push(((usage.input + usage.output) * PRICE.inputPerMTok) / 1e6);
    if (outputs >= 2) return { kind: 'text', text: 'the sum is 6', usage, reasoning: { summary: 'done' } };
    return {
      kind: 'tool_calls',
      reasoning: { summary: `round ${outputs + 1}` },
      calls: [{ id: `call_${outputs + 1}`, name: 'fix__add', arguments: { a: outputs, b: 3 } }],
      usage,
    };
  };
});
after(() => stop?.());

test("the gateway's loop sends reasoning back by id: each round reserves it, and the budget holds", async () => {
  const res = await postJson(
    gw,
    '/v1/responses',
    'vk-lrbi-loop',
    {
      model: 'oai/gpt-5',
      input: 'think, then add twice',
      max_output_tokens: REASONING_TOKENS,
    },
    { 'x-tollgate-tools': 'fix__add' },
  );
  await gw.quiet();
  const billed = bills.reduce((a, b) => a + b, 0);
  const spent = await ledgerSpend(gw, 'loop');
  figure('Responses gateway loop, reasoning sent back by id each round', billed, BUDGET);
  assert.equal(res.status, 200, JSON.stringify(res.body));
  // Rounds 1 and 2 ($0.0401 + $0.0801); round 3 would be billed $0.1201 and is refused: the answer so far.
  assert.equal(mock.requests.length, 2);
  assert.equal(res.body.tollgate?.stopped, 'budget_exceeded', JSON.stringify(res.body.tollgate));
  assert.ok(billed <= BUDGET + EPS, `the upstream billed $${billed} on a $${BUDGET} budget`);
  assert.ok(Math.abs(spent - billed) < EPS, `charged $${spent} for $${billed}`);
  assert.ok(Math.abs((await settled(gw.url, 'loop')).spentUsd - spent) < EPS);
});
