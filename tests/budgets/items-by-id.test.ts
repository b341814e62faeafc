// The budget rule against any item a native Responses upstream reads from its store by id: an item
// of any type sent with nothing but its id (`{"type": "compaction", "id": …}`, a message with no
// content, a hosted tool's call) and an `item_reference` bring in what the upstream stored under
// that id, billed as input, which their few bytes do not bound. The gateway records, for each
// output item it shows, everything the round that made it was billed (input and output); an item
// sent back by id adds that to the input bound, and one whose size it did not record is refused
// under a budget (stored_input_under_budget). Before, such an item of another type than reasoning
// passed unbounded (4 follow-ups at $0.0203 each reserved $0.0004), and an item_reference was
// refused under a budget even to an item of known size.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import type { MockUpstream } from '../mock-upstream/server.js';
import type { TestGateway } from '../helpers/gateway.js';
import type { Stack } from '../helpers/stack.js';
import { EPS, figure, ledgerSpend, postJson, PRICE, settled, startPassThrough } from './helpers.js';

const BUDGET = 0.05;
/** The first turn's input; an item of it sent back by id is billed that much again. */
const STORED_TOKENS = 2_000;
const LABELS = ['type', 'id', 'status', 'role', 'phase'];
let mock: MockUpstream;
let gw: TestGateway;
let stop: Stack['stop'] | undefined;
/** Each call's bill, as the upstream counts it, per key. */
const bills = new Map<string, number[]>();

before(async () => {
  ({ mock, gw, stop } = await startPassThrough(
    'aibi',
    ['compaction', 'ref', 'old'].map((id) => ({ id, key: `vk-aibi-${id}`, models: ['*'], budget: { usd: BUDGET, period: 'month' } })),
  ));
  mock.fallback = (body) => {
    const input: any[] = Array.isArray(body.input) ? body.input : [];
    const byId = input.filter(
      (i) => i.type === 'item_reference' || Object.keys(i).every((k) => LABELS.includes(k) || i[k] === '' || i[k] === null),
    ).length;
    const tokens = typeof body.input === 'string' ? STORED_TOKENS : 10 + byId * STORED_TOKENS;
    const key = String(body.metadata?.key);
    bills.set(key, [...(bills.get(key) ?? []), ((tokens + 16) * PRICE.inputPerMTok) / 1e6]);
    return { kind: 'text', text: 'ok', usage: { input: tokens, output: 16 } };
  };
});
after(() => stop?.());

const create = (key: string, body: object) =>
  postJson(gw, '/v1/responses', `vk-aibi-${key}`, { model: 'oai/gpt-5', metadata: { key }, max_output_tokens: 16, ...body });
const billed = (key: string) => (bills.get(key) ?? []).reduce((a, b) => a + b, 0);

/** A first turn of the key's (JSON or streamed): the id of the message it was shown. */
async function shownMessage(key: string, stream: boolean): Promise<string> {
  const res = await fetch(`${gw.url}/v1/responses`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer vk-aibi-${key}` },
    body: JSON.stringify({ model: 'oai/gpt-5', metadata: { key }, input: 'a long story', max_output_tokens: 16, stream }),
  });
  assert.equal(res.status, 200);
  const id = /"id":"(msg_[^"]+)"/.exec(await res.text())?.[1];
  assert.ok(id, 'a message was shown');
  return id;
}

for (const [key, stream, item] of [
  ['compaction', false, (id: string) => ({ type: 'compaction', id })],
  ['ref', true, (id: string) => ({ type: 'item_reference', id })],
] as const) {
  test(`${item('x').type} by id cannot spend past the budget: each reserves what its round was billed (${stream ? 'streamed' : 'JSON'} first turn)`, async () => {
    const id = await shownMessage(key, stream);
    await gw.quiet();
    const [row] = await gw.query<{ response: string }>('SELECT response FROM stored_responses WHERE key_id = ?', key);
    assert.equal(JSON.parse(row!.response).itemTokens[id], STORED_TOKENS + 16 + 8, "recorded: the round's input and output, an overhead");
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) {
      const next = await create(key, { input: [item(id), { role: 'user', content: `and then ${i}?` }] });
      statuses.push(next.status);
    }
    await gw.quiet();
    const spent = await ledgerSpend(gw, key);
    figure(`Responses ${item('x').type} by id, 4 follow-ups`, billed(key), BUDGET);
    // The first turn is billed $0.0202, each follow-up $0.0203 and reserved more: one fits.
    assert.deepEqual(statuses, [200, 402, 402, 402]);
    assert.ok(billed(key) <= BUDGET + EPS, `the upstream billed $${billed(key)} on a $${BUDGET} budget`);
    assert.ok(Math.abs(spent - billed(key)) < EPS, `charged $${spent}`);
    assert.ok(Math.abs((await settled(gw.url, key)).spentUsd - spent) < EPS);
  });
}

test('an item by id whose size was not recorded is refused under a budget, an item_reference too', async () => {
  const id = await shownMessage('old', false);
  await gw.quiet();
  // As an earlier version stored it: the item ids without their sizes.
  const [row] = await gw.query<{ id: string; response: string }>("SELECT id, response FROM stored_responses WHERE key_id = 'old'");
  const held = JSON.parse(row!.response);
  delete held.itemTokens;
  const db = new Database(gw.dbPath);
  try {
    db.prepare('UPDATE stored_responses SET response = ? WHERE id = ?').run(JSON.stringify(held), row!.id);
  } finally {
    db.close();
  }
  const sent = mock.requests.length;
  for (const item of [
    { type: 'compaction', id },
    { type: 'message', id, role: 'assistant', content: [] },
    { type: 'item_reference', id },
  ]) {
    const next = await create('old', { input: [{ role: 'user', content: 'go on' }, item] });
    assert.equal(next.status, 400, JSON.stringify(next.body));
    assert.deepEqual([next.body.error.code, next.body.error.param], ['stored_input_under_budget', 'input[1]']);
  }
  assert.equal(mock.requests.length, sent, 'nothing reached the upstream');
});
