// GET /v1/responses/{id}/input_items (the openai SDK's responses.inputItems.list): before, no route
// (404 for every id). A response the gateway stored lists the items its request sent, paged as
// OpenAI pages them; one a native upstream stored is listed by that upstream with the provider's
// credentials. Either way only for the key that stored it: another key's id is 404, and nothing
// reaches an upstream for it.
import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI from 'openai';
import { startMockUpstream, type MockUpstream } from './mock-upstream/server.js';
import { passThroughProviders, startGateway, type TestGateway } from './helpers/gateway.js';

const VK = 'vk-input-items-owner-1';
const VK_OTHER = 'vk-input-items-other-1';
let mock: MockUpstream;
let gw: TestGateway;
let client: OpenAI;

before(async () => {
  mock = await startMockUpstream();
  gw = await startGateway({
    config: {
      providers: passThroughProviders(mock, 'input-items', { maxRetries: 0 }),
      virtualKeys: [
        { id: 'owner', key: VK, models: ['*'] },
        { id: 'other', key: VK_OTHER, models: ['*'] },
      ],
    },
  });
  client = new OpenAI({ apiKey: VK, baseURL: gw.baseURL, maxRetries: 0 });
});
after(async () => {
  await gw.close();
  await mock.close();
});
beforeEach(() => mock.reset());

const get = (path: string, key = VK) =>
  fetch(`${gw.baseURL}/responses/${path}`, { headers: { authorization: `Bearer ${key}` } }).then(async (r) => ({
    status: r.status,
    body: (await r.json()) as any,
  }));

describe('input items of a response the gateway stored (translated upstream)', () => {
  const model = 'ant/claude-sonnet-4-5';

  test('a string input is one user message; only the key that stored it may list it', async () => {
    const res = await client.responses.create({ model, instructions: 'be brief', input: 'hello there' });
    const page = await client.responses.inputItems.list(res.id);
    assert.equal(page.data.length, 1);
    const [item] = page.data as any[];
    assert.match(item.id, /^msg_/);
    assert.deepEqual(
      { type: item.type, role: item.role, content: item.content },
      { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'hello there' }] },
    );
    assert.equal((await get(`${res.id}/input_items`, VK_OTHER)).status, 404, "another key's id is not found");
    assert.equal((await get('resp_made_up/input_items')).status, 404);
  });

  test('items as sent, ids kept or given; desc by default, asc, limit, after and before page through them', async () => {
    const input = [
      { role: 'user' as const, content: 'one' },
      { type: 'message' as const, role: 'assistant' as const, content: 'two', id: 'msg_client_2' },
      { role: 'user' as const, content: [{ type: 'input_text' as const, text: 'three' }] },
    ];
    const res = await client.responses.create({ model, input });
    const all = await get(`${res.id}/input_items`);
    assert.equal(all.status, 200);
    assert.equal(all.body.object, 'list');
    const texts = (page: any) => page.data.map((i: any) => i.content[0].text);
    assert.deepEqual(texts(all.body), ['three', 'two', 'one'], 'newest first by default');
    assert.equal(all.body.data[1].id, 'msg_client_2', "the client's id kept");
    assert.deepEqual(all.body.data[1].content, [{ type: 'output_text', text: 'two' }]);
    assert.equal(all.body.has_more, false);

    const first = await get(`${res.id}/input_items?order=asc&limit=2`);
    assert.deepEqual(texts(first.body), ['one', 'two']);
    assert.equal(first.body.has_more, true);
    assert.equal(first.body.last_id, 'msg_client_2');
    const next = await get(`${res.id}/input_items?order=asc&limit=2&after=${first.body.last_id}`);
    assert.deepEqual(texts(next.body), ['three']);
    assert.equal(next.body.has_more, false);
    const back = await get(`${res.id}/input_items?order=asc&limit=1&before=${next.body.first_id}`);
    assert.deepEqual(texts(back.body), ['two']);
    assert.equal(back.body.has_more, true);

    // The SDK's auto-pagination reaches every item.
    const listed: string[] = [];
    for await (const item of client.responses.inputItems.list(res.id, { limit: 1, order: 'asc' }))
      listed.push((item as any).content[0].text);
    assert.deepEqual(listed, ['one', 'two', 'three']);

    for (const [query, param] of [
      ['limit=0', 'limit'],
      ['limit=101', 'limit'],
      ['order=up', 'order'],
      ['after=msg_nope', 'after'],
    ]) {
      const bad = await get(`${res.id}/input_items?${query}`);
      assert.equal(bad.status, 400, query);
      assert.equal(bad.body.error.param, param);
    }
  });

  test("a follow-up lists its own request's items, not the conversation it continued", async () => {
    const first = await client.responses.create({ model, input: 'remember 42' });
    const follow = await client.responses.create({ model, previous_response_id: first.id, input: 'what was it?' });
    const page = await client.responses.inputItems.list(follow.id);
    assert.deepEqual(
      page.data.map((i: any) => i.content[0].text),
      ['what was it?'],
    );
  });
});

describe('input items of a response a native upstream stored', () => {
  test('listed by that upstream with its credentials, the list parameters passed on; another key: 404, the upstream not asked', async () => {
    const res = await client.responses.create({ model: 'oai/gpt-5', input: 'hello' });
    assert.match(res.id, /^resp_mock/);
    mock.reset();
    assert.equal((await get(`${res.id}/input_items`, VK_OTHER)).status, 404);
    assert.equal(mock.requests.length, 0);

    const list = {
      object: 'list',
      data: [{ id: 'msg_up', type: 'message', role: 'user', content: [] }],
      first_id: 'msg_up',
      last_id: 'msg_up',
      has_more: false,
    };
    mock.enqueue({ kind: 'raw', status: 200, body: JSON.stringify(list) });
    const got = await get(`${res.id}/input_items?limit=5&order=asc&junk=1`);
    assert.equal(got.status, 200);
    assert.deepEqual(got.body, list);
    assert.deepEqual(
      mock.requests.map((r) => [r.method, r.path, r.headers.authorization]),
      [['GET', `/v1/responses/${res.id}/input_items?limit=5&order=asc`, 'Bearer sk-input-items']],
    );
  });
});
