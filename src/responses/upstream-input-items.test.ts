import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GatewayError } from '../errors.js';
import { listShownItems } from './upstream-input-items.js';

/** An upstream's stored input: the client's two messages around the gateway's call and its output. */
const stored = [
  { id: 'msg_1', type: 'message', role: 'user', content: [{ type: 'input_text', text: 'one' }] },
  { id: 'fc_1', type: 'function_call', call_id: 'call_gw', name: 'fix__add', arguments: '{}' },
  { id: 'fco_1', type: 'function_call_output', call_id: 'call_gw', output: '5' },
  { id: 'fc_2', type: 'function_call', call_id: 'call_client', name: 'mine', arguments: '{}' },
  { id: 'fco_2', type: 'function_call_output', call_id: 'call_client', output: 'ok' },
  { id: 'msg_2', type: 'message', role: 'user', content: [{ type: 'input_text', text: 'two' }] },
];

/** The upstream's list endpoint over `stored` (asc, limit, after), recording what it was asked. */
function upstream(items: readonly object[] = stored) {
  const asked: string[] = [];
  const get = async (suffix: string) => {
    asked.push(suffix);
    const q = new URLSearchParams(suffix.split('?')[1]);
    const after = q.get('after');
    const from = after === null ? 0 : items.findIndex((i) => (i as { id: string }).id === after) + 1;
    const data = items.slice(from, from + Number(q.get('limit')));
    return JSON.stringify({ object: 'list', data, has_more: from + data.length < items.length });
  };
  return { asked, get };
}

const ids = (list: { data: object[] }) => list.data.map((i) => (i as { id: string }).id);
const hidden = new Set(['call_gw']);

test("the gateway's calls are left out; the rest paged as OpenAI pages, over every upstream page", async () => {
  const up = upstream();
  const all = await listShownItems(hidden, new URLSearchParams('include=x&junk=1'), up.get, 2);
  assert.deepEqual(ids(all), ['msg_2', 'fco_2', 'fc_2', 'msg_1'], 'newest first; the client’s own call kept');
  assert.deepEqual([all.first_id, all.last_id, all.has_more], ['msg_2', 'msg_1', false]);
  assert.deepEqual(up.asked, [
    '/input_items?order=asc&limit=2&include=x',
    '/input_items?order=asc&limit=2&after=fc_1&include=x',
    '/input_items?order=asc&limit=2&after=fc_2&include=x',
  ]);

  const first = await listShownItems(hidden, new URLSearchParams('order=asc&limit=1'), upstream().get, 2);
  assert.deepEqual([ids(first), first.has_more], [['msg_1'], true]);
  const next = await listShownItems(hidden, new URLSearchParams(`order=asc&limit=1&after=${first.last_id}`), upstream().get, 2);
  assert.deepEqual([ids(next), next.has_more], [['fc_2'], true], 'the hidden calls between are skipped');
  const back = await listShownItems(hidden, new URLSearchParams('order=asc&limit=2&before=msg_2'), upstream().get, 2);
  assert.deepEqual([ids(back), back.has_more], [['fc_2', 'fco_2'], true]);
  await assert.rejects(listShownItems(hidden, new URLSearchParams('after=fc_1'), upstream().get, 2), { status: 400, param: 'after' });
});

test('a bad limit is refused before the upstream is asked; an upstream list that never ends or is not a list: 502', async () => {
  const up = upstream();
  await assert.rejects(listShownItems(hidden, new URLSearchParams('limit=0'), up.get), { status: 400, param: 'limit' });
  assert.deepEqual(up.asked, []);
  const endless = async () => JSON.stringify({ object: 'list', data: [stored[0]], has_more: true });
  await assert.rejects(listShownItems(hidden, new URLSearchParams(), endless), (err: unknown) => {
    assert.ok(err instanceof GatewayError && err.status === 502 && err.code === 'upstream_malformed', String(err));
    return true;
  });
  await assert.rejects(
    listShownItems(hidden, new URLSearchParams(), async () => '{"object":"response"}'),
    { status: 502 },
  );
});
