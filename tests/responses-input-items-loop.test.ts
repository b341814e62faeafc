// GET /v1/responses/{id}/input_items for a response a native upstream stored after the gateway ran
// its own tools in it. The upstream stored the last round's input, the gateway's function_call and
// function_call_output items included; the response hid those calls from the client, and before,
// the listing showed them. Now they are left out, pages still true to what is listed.
import { after, before, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { echoReply, type MockUpstream } from './mock-upstream/server.js';
import { passThroughProviders, type TestGateway } from './helpers/gateway.js';
import { startStack, type Stack } from './helpers/stack.js';

const VK = 'vk-input-items-loop-01';
let mock: MockUpstream;
let gw: TestGateway;
let stop: Stack['stop'] | undefined;

before(async () => {
  ({ mock, gw, stop } = await startStack({
    mcp: true,
    config: ({ mock }) => ({
      providers: passThroughProviders(mock, 'items-loop', { maxRetries: 0 }),
      virtualKeys: [{ id: 'loop', key: VK, models: ['*'], tools: { allow: ['fix__*'] } }],
    }),
  }));
});
after(() => stop?.());
beforeEach(() => {
  mock.reset();
  // The upstream's list of a stored response's input items: what its last POST sent, each with an
  // id, paged as OpenAI pages (asc here, `limit`, `after`).
  mock.fallback = (body, path) => {
    if (!path.includes('/input_items')) return echoReply(body);
    const sent = mock.requests.findLast((r) => r.method === 'POST')!.body.input as Record<string, unknown>[];
    const items = sent.map((item, i) => Object.assign({ id: `item_up_${i}` }, item));
    const q = new URL(path, 'http://x').searchParams;
    const from = q.has('after') ? items.findIndex((i) => i.id === q.get('after')) + 1 : 0;
    const data = items.slice(from, from + Number(q.get('limit') ?? 20));
    return { kind: 'raw', status: 200, body: JSON.stringify({ object: 'list', data, has_more: from + data.length < items.length }) };
  };
});

const call = (method: string, path: string, body?: unknown) =>
  fetch(`${gw.baseURL}${path}`, {
    method,
    headers: { authorization: `Bearer ${VK}`, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  }).then(async (r) => ({ status: r.status, body: (await r.json()) as any }));

test("a native response the gateway ran a tool in: its input items leave out the gateway's call and output", async () => {
  mock.enqueue(
    { kind: 'tool_calls', calls: [{ id: 'call_gw', name: 'fix__add', arguments: { a: 2, b: 3 } }] },
    { kind: 'text', text: 'it is 5' },
  );
  const input = [
    { type: 'message', role: 'user', content: 'add 2 and 3', id: 'msg_client_1' },
    { type: 'message', role: 'user', content: 'use the tool' },
  ];
  const res = await call('POST', '/responses', { model: 'oai/gpt-5', input });
  assert.equal(res.status, 200, JSON.stringify(res.body));
  assert.deepEqual(
    res.body.output.map((i: any) => i.type),
    ['message'],
    'the response hides the call',
  );
  // The last round sent (and the upstream stored) the gateway's call and its output.
  const lastSent = mock.requests.findLast((r) => r.method === 'POST')!.body.input as any[];
  assert.deepEqual(
    lastSent.map((i) => i.type),
    ['message', 'message', 'function_call', 'function_call_output'],
  );

  const all = await call('GET', `/responses/${res.body.id}/input_items`);
  assert.equal(all.status, 200, JSON.stringify(all.body));
  assert.deepEqual(
    all.body.data.map((i: any) => [i.id, i.type, i.content]),
    [
      ['item_up_1', 'message', 'use the tool'],
      ['msg_client_1', 'message', 'add 2 and 3'],
    ],
  );
  assert.deepEqual([all.body.first_id, all.body.last_id, all.body.has_more], ['item_up_1', 'msg_client_1', false]);

  // Paged over what is listed: the page after the client's first item ends where its items end.
  const first = await call('GET', `/responses/${res.body.id}/input_items?order=asc&limit=1`);
  assert.deepEqual([first.body.data.map((i: any) => i.id), first.body.has_more], [['msg_client_1'], true]);
  const next = await call('GET', `/responses/${res.body.id}/input_items?order=asc&limit=1&after=msg_client_1`);
  assert.deepEqual([next.body.data.map((i: any) => i.id), next.body.has_more], [['item_up_1'], false]);
  const gets = mock.requests.filter((r) => r.method === 'GET').map((r) => r.path);
  assert.ok(
    gets.every((p) => p === `/v1/responses/${res.body.id}/input_items?order=asc&limit=100`),
    gets.join(' '),
  );
});
