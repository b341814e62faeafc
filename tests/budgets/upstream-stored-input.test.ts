// The budget rule against input a native Responses upstream fetches from its own store: a
// `conversation` makes the upstream bill content the request's bytes do not hold (a whole
// conversation), so the reservation cannot bound it. Under a budget such a request is refused
// before anything is sent (400 stored_input_under_budget). An `item_reference` is bounded instead
// by the size the gateway recorded of the item when it showed it (tests/budgets/items-by-id.test.ts);
// one to an item the key was not shown is not found, budget or not, and nothing is sent; a key
// without a budget passes on an item_reference to an item it was shown
// (tests/isolation/stored-item-refs.test.ts: another key's is not found, and so is any
// conversation, which the gateway never makes for a key).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { MockUpstream } from '../mock-upstream/server.js';
import type { TestGateway } from '../helpers/gateway.js';
import type { Stack } from '../helpers/stack.js';
import { budgetedAndFree, EPS, ledgerSpend, postJson, startPassThrough } from './helpers.js';

const BUDGET = 0.05;
const STORED_TOKENS = 20_000;
let mock: MockUpstream;
let gw: TestGateway;
let stop: Stack['stop'] | undefined;

before(async () => {
  ({ mock, gw, stop } = await startPassThrough('usi', budgetedAndFree('usi', BUDGET)));
  // Each reference (or the conversation) brings in what the upstream stored: 20,000 tokens ($0.20).
  mock.fallback = (body) => {
    const items = Array.isArray(body.input) ? body.input : [];
    const refs = items.filter((i: { type?: string }) => i?.type === 'item_reference').length + (body.conversation ? 1 : 0);
    return { kind: 'text', text: 'ok', usage: { input: 10 + refs * STORED_TOKENS, output: 16 } };
  };
});
after(() => stop?.());

const create = (key: string, body: object) => postJson(gw, '/v1/responses', key, body);

const ref = { model: 'oai/gpt-5', max_output_tokens: 16, input: [{ type: 'item_reference', id: 'msg_big' }] };
const conv = { model: 'oai/gpt-5', max_output_tokens: 16, conversation: 'conv_big', input: 'go on' };

test('under a budget, a conversation is refused before anything is sent, an item_reference not shown to the key too', async () => {
  const sent = mock.requests.length;
  const a = await create('vk-usi-budgeted', ref);
  assert.equal(a.status, 400, JSON.stringify(a.body));
  assert.equal(a.body.error.message, "Item with id 'msg_big' not found.");
  assert.equal(a.body.error.param, 'input[0]');
  const b = await create('vk-usi-budgeted', conv);
  assert.equal(b.status, 400, JSON.stringify(b.body));
  assert.equal(b.body.error.code, 'stored_input_under_budget');
  assert.equal(b.body.error.param, 'conversation');
  assert.equal(mock.requests.length, sent, 'nothing reached the upstream');
  await gw.quiet();
  assert.ok((await ledgerSpend(gw, 'budgeted')) <= BUDGET + EPS);
});

test("without a budget, a reference to the key's own item passes through as sent", async () => {
  const first = await create('vk-usi-free', { model: 'oai/gpt-5', max_output_tokens: 16, input: 'hello' });
  assert.equal(first.status, 200, JSON.stringify(first.body));
  const own = { ...ref, input: [{ type: 'item_reference', id: first.body.output[0].id }] };
  const a = await create('vk-usi-free', own);
  assert.equal(a.status, 200, JSON.stringify(a.body));
  assert.deepEqual(mock.requests.at(-1)?.body.input, own.input);
});
