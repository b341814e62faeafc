// A stored response's id belongs to the first key it was given to. Ids are the upstream's, but an
// upstream may let the client choose one: vLLM's Responses API takes a `request_id` extra parameter,
// answers with it as the response's id and stores the response under it in its own store, and the
// gateway passes unknown fields on untouched. Before, another key sending `request_id: <the owner's
// id>` took the id over in the gateway (INSERT OR REPLACE: the owner's GET, DELETE and follow-ups
// found nothing, the other key's went upstream), and the upstream's store then held the other key's
// response under the owner's id. Now a `request_id` naming another key's stored response is refused
// before anything is sent; one of the key's own, or a new one, goes as sent. (Should an upstream
// reuse an id anyway, the store keeps the first key's: the ResponseStore contract.)
import { after, before, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import type { MockUpstream } from '../mock-upstream/server.js';
import type { TestGateway } from '../helpers/gateway.js';
import type { Stack } from '../helpers/stack.js';
import { postJson, startPassThrough } from '../budgets/helpers.js';

const OWNER = 'vk-id-clash-owner';
const OTHER = 'vk-id-clash-other';
let mock: MockUpstream;
let gw: TestGateway;
let stop: Stack['stop'] | undefined;

before(async () => {
  ({ mock, gw, stop } = await startPassThrough('idc', [
    { id: 'owner', key: OWNER, models: ['*'] },
    { id: 'other', key: OTHER, models: ['*'] },
  ]));
});
after(() => stop?.());
beforeEach(() => mock.reset());

const send = (method: string, id: string, key: string) =>
  fetch(`${gw.url}/v1/responses/${id}`, { method, headers: { authorization: `Bearer ${key}` } });

/** The response's id: from the JSON, or from a stream's response.completed event. */
async function create(key: string, body: Record<string, unknown>, stream: boolean): Promise<string> {
  const res = await fetch(`${gw.url}/v1/responses`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
    body: JSON.stringify({ model: 'oai/gpt-5', ...body, stream }),
  });
  const text = await res.text();
  assert.equal(res.status, 200, text);
  if (!stream) return JSON.parse(text).id;
  const done = text.split('\n').find((l) => l.startsWith('data: ') && l.includes('"response.completed"'));
  return JSON.parse(done!.slice(6)).response.id;
}

for (const stream of [false, true]) {
  test(`another key cannot choose a stored response's id as its own (${stream ? 'streamed' : 'JSON'})`, async () => {
    const id = await create(OWNER, { input: 'the secret plan' }, stream);
    mock.reset();
    const taken = await postJson(gw, '/v1/responses', OTHER, { model: 'oai/gpt-5', input: 'mine now', request_id: id, stream });
    assert.equal(taken.status, 400, JSON.stringify(taken.body));
    assert.equal(taken.body.error.message, `request_id '${id}' is another response's id.`);
    assert.equal(taken.body.error.param, 'request_id');
    assert.equal(mock.requests.length, 0, 'nothing went upstream');
    await gw.quiet(50);
    const [row] = await gw.query<{ status: number }>('SELECT status FROM requests WHERE key_id = ? ORDER BY ts DESC LIMIT 1', 'other');
    assert.equal(row?.status, 400);
    // The id stays the owner's, and the other key finds nothing under it.
    assert.equal((await send('GET', id, OTHER)).status, 404);
    assert.equal((await send('GET', id, OWNER)).status, 200);
    assert.deepEqual(
      mock.requests.map((r) => `${r.method} ${r.path}`),
      [`GET /v1/responses/${id}`],
    );
    // An id of its own choosing, new or its own again, goes as sent (the upstream answers under it).
    const mine = `resp_other_${stream}`;
    assert.equal(await create(OTHER, { input: 'hello', request_id: mine }, stream), mine);
    assert.equal(await create(OTHER, { input: 'again', request_id: mine }, stream), mine);
    assert.equal((await send('GET', mine, OTHER)).status, 200);
    assert.equal((await send('GET', mine, OWNER)).status, 404);
  });
}
