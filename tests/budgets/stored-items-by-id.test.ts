// The budget rule against items a native Responses upstream reads from its store by id: a reasoning
// item sent back without its encrypted_content (`{"type": "reasoning", "id": "rs_…", "summary": []}`,
// what the Agents SDK sends every turn) and an image_generation_call without its result (OpenAI's
// multi-turn image editing) are a few dozen bytes of the body, but the upstream bills what it
// stored: the reasoning's tokens, the image. The input bound counted their bytes, so follow-ups
// reserved at $0.002 were billed $0.02 each, $0.06 on a $0.05 budget. Reasoning items still go
// under a budget, bounded by what the gateway recorded when it showed them (the output tokens of the
// round that made them); an image by id counts as the model's image bound.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import type { MockUpstream } from '../mock-upstream/server.js';
import type { TestGateway } from '../helpers/gateway.js';
import type { Stack } from '../helpers/stack.js';
import { EPS, figure, ledgerSpend, postJson, PRICE, settled, startPassThrough } from './helpers.js';

const BUDGET = 0.05;
/** The first turn's output, all of it reasoning; billed again as input whenever its item comes back by id. */
const REASONING_TOKENS = 2_000;
/** An image the upstream generated, billed as input when it comes back by id. */
const IMAGE_TOKENS = 1_500;
let mock: MockUpstream;
let gw: TestGateway;
let stop: Stack['stop'] | undefined;
/** Each call's bill, as the upstream counts it, per key. */
const bills = new Map<string, number[]>();

before(async () => {
  ({ mock, gw, stop } = await startPassThrough('sibi', [
    ...['reasoning', 'image'].map((id) => ({ id, key: `vk-sibi-${id}`, models: ['*'], budget: { usd: BUDGET, period: 'month' } })),
    ...['old', 'stream'].map((id) => ({ id, key: `vk-sibi-${id}`, models: ['*'], budget: { usd: 1, period: 'month' } })),
  ]));
  mock.fallback = (body, _path) => {
    const input: any[] = Array.isArray(body.input) ? body.input : [];
    const byId = (type: string) => input.filter((i) => i.type === type && !i.encrypted_content && !i.result).length;
    const first = typeof body.input === 'string';
    const tokens = 10 + byId('reasoning') * REASONING_TOKENS + byId('image_generation_call') * IMAGE_TOKENS;
    const output = first && body.input.includes('think') ? REASONING_TOKENS : 16;
    const key = String(body.metadata?.key);
    bills.set(key, [...(bills.get(key) ?? []), ((tokens + output) * PRICE.inputPerMTok) / 1e6]);
    return {
      kind: 'text',
      text: 'ok',
      usage: { input: tokens, output },
      ...(first && body.input.includes('think') ? { reasoning: { summary: 'thought hard' } } : {}),
      ...(first && body.input.includes('draw') ? { imageGeneration: true } : {}),
    };
  };
});
after(() => stop?.());

const create = (key: string, body: object) =>
  postJson(gw, '/v1/responses', `vk-sibi-${key}`, { model: 'oai/gpt-5', metadata: { key }, ...body });
const billed = (key: string) => (bills.get(key) ?? []).reduce((a, b) => a + b, 0);

test('reasoning items sent back by id cannot spend past the budget: each reserves what its round produced', async () => {
  const first = await create('reasoning', { input: 'think about it', max_output_tokens: REASONING_TOKENS });
  assert.equal(first.status, 200, JSON.stringify(first.body));
  const item = first.body.output.find((i: { type: string }) => i.type === 'reasoning');
  assert.ok(item?.id, 'a reasoning item was shown');
  const statuses: number[] = [];
  for (let i = 0; i < 4; i++) {
    const next = await create('reasoning', {
      input: [
        { type: 'reasoning', id: item.id, summary: [] },
        { role: 'user', content: `and then ${i}?` },
      ],
      max_output_tokens: 16,
    });
    statuses.push(next.status);
  }
  await gw.quiet();
  const spent = await ledgerSpend(gw, 'reasoning');
  figure('Responses reasoning items sent back by id, 4 follow-ups', billed('reasoning'), BUDGET);
  // Each follow-up is billed $0.0203 and reserved $0.0218: one fits beside the first turn's $0.0201.
  assert.deepEqual(statuses, [200, 402, 402, 402]);
  assert.ok(billed('reasoning') <= BUDGET + EPS, `the upstream billed $${billed('reasoning')} on a $${BUDGET} budget`);
  assert.ok(Math.abs(spent - billed('reasoning')) < EPS, `charged $${spent}`);
  assert.ok(Math.abs((await settled(gw.url, 'reasoning')).spentUsd - spent) < EPS);
});

test('an image sent back by id reserves the model image bound', async () => {
  const first = await create('image', { input: 'draw a cat', max_output_tokens: 16 });
  assert.equal(first.status, 200, JSON.stringify(first.body));
  const item = first.body.output.find((i: { type: string }) => i.type === 'image_generation_call');
  assert.ok(item?.id, 'an image generation call was shown');
  const statuses: number[] = [];
  for (let i = 0; i < 4; i++) {
    const next = await create('image', {
      input: [
        { type: 'image_generation_call', id: item.id },
        { role: 'user', content: `make it bigger ${i}` },
      ],
      max_output_tokens: 16,
    });
    statuses.push(next.status);
  }
  await gw.quiet();
  figure('Responses generated images sent back by id, 4 follow-ups', billed('image'), BUDGET);
  // Each follow-up is billed $0.0153 and reserved 3,800 image tokens ($0.04+): one fits.
  assert.deepEqual(statuses, [200, 402, 402, 402]);
  assert.ok(billed('image') <= BUDGET + EPS, `the upstream billed $${billed('image')} on a $${BUDGET} budget`);
});

test('a reasoning item by id whose size was not recorded is refused under a budget', async () => {
  const first = await create('old', { input: 'think about it', max_output_tokens: REASONING_TOKENS });
  assert.equal(first.status, 200, JSON.stringify(first.body));
  const item = first.body.output.find((i: { type: string }) => i.type === 'reasoning');
  await gw.quiet();
  // As an earlier version stored it: the item ids without their sizes.
  const rows = await gw.query<{ id: string; response: string }>("SELECT id, response FROM stored_responses WHERE key_id = 'old'");
  assert.equal(rows.length, 1);
  const held = JSON.parse(rows[0]!.response);
  assert.equal(held.itemTokens[item.id], REASONING_TOKENS + 8, 'recorded: the round output tokens and an item overhead');
  delete held.itemTokens;
  const db = new Database(gw.dbPath);
  try {
    db.prepare('UPDATE stored_responses SET response = ? WHERE id = ?').run(JSON.stringify(held), rows[0]!.id);
  } finally {
    db.close();
  }
  const next = await create('old', {
    input: [
      { type: 'reasoning', id: item.id, summary: [] },
      { role: 'user', content: 'go on' },
    ],
  });
  assert.equal(next.status, 400);
  assert.deepEqual([next.body.error.code, next.body.error.param], ['stored_input_under_budget', 'input[0]']);
});

test('a streamed answer records its reasoning items as a JSON one does', async () => {
  const res = await fetch(`${gw.url}/v1/responses`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: 'Bearer vk-sibi-stream' },
    body: JSON.stringify({
      model: 'oai/gpt-5',
      metadata: { key: 'stream' },
      input: 'think about it',
      max_output_tokens: REASONING_TOKENS,
      stream: true,
    }),
  });
  assert.equal(res.status, 200);
  const text = await res.text();
  const id = /"id":"(rs_[^"]+)"/.exec(text)?.[1];
  assert.ok(id, 'a reasoning item was streamed');
  await gw.quiet();
  const [row] = await gw.query<{ response: string }>("SELECT response FROM stored_responses WHERE key_id = 'stream'");
  assert.equal(JSON.parse(row!.response).itemTokens[id], REASONING_TOKENS + 8);
  const next = await create('stream', {
    input: [
      { type: 'reasoning', id, summary: [] },
      { role: 'user', content: 'go on' },
    ],
    max_output_tokens: 16,
  });
  assert.equal(next.status, 200, JSON.stringify(next.body));
});
