// The budget rule on a native Responses follow-up that continues a response the upstream stored:
// `previous_response_id` goes upstream as sent, and the upstream bills the stored conversation
// (the earlier response's input and output) as this call's input. The request's own bytes are then
// no bound on its input: a tiny follow-up of a long conversation, sent many times at once, must be
// reserved at what the upstream will bill, or the key spends past its budget.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { MockUpstream } from '../mock-upstream/server.js';
import { promptTokensOf } from '../mock-upstream/tokenizer.js';
import type { TestGateway } from '../helpers/gateway.js';
import type { Stack } from '../helpers/stack.js';
import { assertRanOut, EPS, figure, ledgerSpend, PRICE, settled, startPassThrough } from './helpers.js';

const BUDGET = 0.05;
const VK = 'vk-native-continuation-budget';
let mock: MockUpstream;
let gw: TestGateway;
let stop: Stack['stop'] | undefined;
/** What the upstream holds per response id: the tokens a continuation of it is billed as input. */
const chain = new Map<string, number>();
/** Every call's bill, as the upstream counts it. */
const bills: number[] = [];

before(async () => {
  ({ mock, gw, stop } = await startPassThrough('nc', [{ id: 'nc', key: VK, models: ['*'], budget: { usd: BUDGET, period: 'month' } }]));
  // Billed as OpenAI bills a continuation: the stored conversation, then the new input.
  mock.fallback = (body) => {
    const carried = typeof body.previous_response_id === 'string' ? (chain.get(body.previous_response_id) ?? 0) : 0;
    const input = carried + promptTokensOf({ messages: [{ content: body.input }] });
    const output = body.max_output_tokens ?? PRICE.maxOutputTokens;
    bills.push(((input + output) * PRICE.inputPerMTok) / 1e6);
    return { kind: 'text', text: 'ok', usage: { input, output }, delayMs: 30 };
  };
});
after(() => stop?.());

async function create(body: object): Promise<{ status: number; body: any }> {
  const res = await fetch(`${gw.url}/v1/responses`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${VK}` },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: await res.json() };
}

test('tiny follow-ups of a long upstream-stored conversation, sent at once, stay within the budget', async () => {
  // A long first turn: ~1,000 tokens, about $0.01 billed (reserved at its bytes, well within $0.05).
  const long = Array.from({ length: 120 }, (_, i) => `line ${i} of the long document`).join('\n');
  const first = await create({ model: 'oai/gpt-5', input: long, max_output_tokens: 16 });
  assert.equal(first.status, 200, JSON.stringify(first.body));
  const id = String(first.body.id);
  chain.set(id, first.body.usage.input_tokens + first.body.usage.output_tokens);

  // Ten follow-ups of a few bytes each: each is billed the whole conversation again.
  const follow = await Promise.all(
    Array.from({ length: 10 }, (_, i) =>
      create({ model: 'oai/gpt-5', input: `more ${i}`, previous_response_id: id, max_output_tokens: 16 }),
    ),
  );
  assertRanOut(follow.map((r) => r.status));

  const u = await settled(gw.url, 'nc');
  assert.ok(u.reservedUsd <= EPS, `nothing stays reserved: ${u.reservedUsd}`);
  await gw.quiet();
  const spent = await ledgerSpend(gw, 'nc');
  const billed = bills.reduce((a, b) => a + b, 0);
  figure('native Responses continuations (previous_response_id upstream)', spent, BUDGET);
  assert.ok(billed <= spent + EPS, `the upstream billed $${billed}, the gateway charged $${spent}`);
  assert.ok(spent <= BUDGET + EPS, `spent $${spent} of a $${BUDGET} budget`);
});
