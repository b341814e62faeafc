// A stored response's id belongs to the first key it was given to. Ids are the upstream's, but an
// upstream may let the client choose one: vLLM's Responses API takes a `request_id` extra parameter
// and answers with it as the response's id, and the gateway passes unknown fields on untouched. Before,
// the gateway kept a response under its id whoever had it (INSERT OR REPLACE), so another key sending
// `request_id: <the owner's id>` took the id over: the owner's response read as not found (GET,
// DELETE, previous_response_id), and the other key's requests by that id went upstream as its own.
// Now the first key keeps it; the later response is not kept (logged), so the other key gets 404.
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
  test(`another key cannot take over a stored response's id by having the upstream reuse it (${stream ? 'streamed' : 'JSON'})`, async () => {
    const id = await create(OWNER, { input: 'the secret plan' }, stream);
    // The other key's answer carries the owner's id (the upstream echoed its request_id)…
    assert.equal(await create(OTHER, { input: 'mine now', request_id: id }, stream), id);
    await gw.quiet(50);
    mock.reset();
    // …but the id stays the owner's: the other key's GET, DELETE and follow-up find nothing, nothing sent.
    assert.equal((await send('GET', id, OTHER)).status, 404);
    assert.equal((await send('DELETE', id, OTHER)).status, 404);
    const followUp = await postJson(gw, '/v1/responses', OTHER, { model: 'oai/gpt-5', input: 'go on', previous_response_id: id });
    assert.equal(followUp.status, 400, JSON.stringify(followUp.body));
    assert.equal(followUp.body.error.message, `Previous response with id '${id}' not found.`);
    assert.equal(mock.requests.length, 0, 'nothing went upstream for the other key');
    // The owner's still is: its GET goes upstream.
    assert.equal((await send('GET', id, OWNER)).status, 200);
    assert.deepEqual(
      mock.requests.map((r) => `${r.method} ${r.path}`),
      [`GET /v1/responses/${id}`],
    );
    // The clash is logged (on SQLite by the batched write, a moment after the answer).
    const logged = () => gw.logs.some((l) => l.includes(id) && l.includes("another key's"));
    for (let waited = 0; !logged() && waited < 5000; waited += 20) await new Promise((r) => setTimeout(r, 20));
    assert.ok(logged(), 'the clash is logged');
  });
}
