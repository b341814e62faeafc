// Every key's native Responses requests go to the provider's one account, whose store holds every
// key's responses and items. An `item_reference` or a `conversation` id would make the upstream pull
// what it holds under that id into this key's request, so a key that learns another key's id (a
// shared log, a pasted transcript) could read that key's data through the gateway — budget or not.
// As previous_response_id is, item ids are the key's own (the output items it was shown of its
// stored responses), and conversation ids (the gateway makes none) are nobody's: 400, nothing sent.
// A reasoning item sent back without its encrypted_content is read from that store by its id too,
// and so is an item of any other type given by its id alone.
import { after, before, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import type { MockUpstream } from '../mock-upstream/server.js';
import type { TestGateway } from '../helpers/gateway.js';
import type { Stack } from '../helpers/stack.js';
import { postJson, startPassThrough } from '../budgets/helpers.js';

const OWNER = 'vk-item-refs-owner';
const OTHER = 'vk-item-refs-other';
let mock: MockUpstream;
let gw: TestGateway;
let stop: Stack['stop'] | undefined;

before(async () => {
  ({ mock, gw, stop } = await startPassThrough('ir', [
    { id: 'owner', key: OWNER, models: ['*'] },
    { id: 'other', key: OTHER, models: ['*'] },
  ]));
});
after(() => stop?.());
beforeEach(() => mock.reset());

const refTo = (id: string) => ({ model: 'oai/gpt-5', input: [{ type: 'item_reference', id }] });

/** A stored response of the owner's (JSON or streamed): the ids of the output items it was shown. */
async function ownersItems(stream: boolean): Promise<string[]> {
  const res = await fetch(`${gw.url}/v1/responses`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${OWNER}` },
    body: JSON.stringify({ model: 'oai/gpt-5', input: 'the secret plan', stream }),
  });
  assert.equal(res.status, 200);
  const text = await res.text();
  const body = stream
    ? JSON.parse(
        text
          .split('\n')
          .filter((l) => l.startsWith('data: ') && l.includes('"response.completed"'))
          .map((l) => l.slice(6))[0]!,
      ).response
    : JSON.parse(text);
  const ids = (body.output as { id: string }[]).map((i) => i.id);
  assert.ok(ids.length > 0);
  return ids;
}

for (const stream of [false, true]) {
  test(`another key's item ids are not found (${stream ? 'streamed' : 'JSON'}); the owner's are sent upstream`, async () => {
    const ids = await ownersItems(stream);
    mock.reset();
    for (const id of ids) {
      const stolen = await postJson(gw, '/v1/responses', OTHER, refTo(id));
      assert.equal(stolen.status, 400, JSON.stringify(stolen.body));
      assert.equal(stolen.body.error.type, 'invalid_request_error');
      assert.equal(stolen.body.error.param, 'input[0]');
      assert.equal(stolen.body.error.message, `Item with id '${id}' not found.`);
    }
    // A made-up id, and one among the owner's own items, are refused alike.
    const mixed = await postJson(gw, '/v1/responses', OWNER, {
      model: 'oai/gpt-5',
      input: [
        { type: 'item_reference', id: ids[0] },
        { type: 'item_reference', id: 'msg_nobody' },
      ],
    });
    assert.equal(mixed.status, 400);
    assert.equal(mixed.body.error.param, 'input[1]');
    assert.equal(mock.requests.length, 0, 'nothing reached the upstream');

    const own = await postJson(gw, '/v1/responses', OWNER, refTo(ids[0]!));
    assert.equal(own.status, 200, JSON.stringify(own.body));
    assert.equal(mock.requests.length, 1);
    assert.deepEqual((mock.requests[0]!.body as { input: unknown }).input, [{ type: 'item_reference', id: ids[0] }]);
  });
}

for (const stream of [false, true]) {
  test(`a reasoning item sent back by id without its encrypted_content is another key's item too (${stream ? 'streamed' : 'JSON'})`, async () => {
    mock.enqueue({ kind: 'text', text: 'the plan', reasoning: { summary: 'the secret plan, thought through' } });
    const [id] = await ownersItems(stream);
    assert.match(id!, /^rs_/);
    mock.reset();
    const back = (encrypted?: string) => ({
      model: 'oai/gpt-5',
      input: [
        { type: 'reasoning', id, summary: [], ...(encrypted ? { encrypted_content: encrypted } : {}) },
        { role: 'user', content: 'go on' },
      ],
    });
    const stolen = await postJson(gw, '/v1/responses', OTHER, back());
    assert.equal(stolen.status, 400, JSON.stringify(stolen.body));
    assert.equal(stolen.body.error.param, 'input[0]');
    assert.equal(stolen.body.error.message, `Item with id '${id}' not found.`);
    assert.equal(mock.requests.length, 0, 'nothing reached the upstream');
    // With its encrypted content the item carries itself (Codex's store: false): sent as it came.
    assert.equal((await postJson(gw, '/v1/responses', OTHER, back('gAAAA-opaque'))).status, 200);
    const own = await postJson(gw, '/v1/responses', OWNER, back());
    assert.equal(own.status, 200, JSON.stringify(own.body));
    assert.deepEqual((mock.requests.at(-1)!.body as { input: unknown[] }).input[0], { type: 'reasoning', id, summary: [] });
  });
}

test("an image generation call sent back by id without its result is another key's item too", async () => {
  // OpenAI's multi-turn image editing sends back {type: image_generation_call, id} alone: the
  // upstream reads the image from its store by that id (any of the owner's output items stands in).
  const [id] = await ownersItems(false);
  mock.reset();
  const back = (result?: string | null) => ({
    model: 'oai/gpt-5',
    input: [
      { role: 'user', content: 'make it brighter' },
      { type: 'image_generation_call', id, ...(result !== undefined ? { result } : {}) },
    ],
  });
  for (const result of [undefined, null, '']) {
    const stolen = await postJson(gw, '/v1/responses', OTHER, back(result));
    assert.equal(stolen.status, 400, JSON.stringify(stolen.body));
    assert.equal(stolen.body.error.param, 'input[1]');
    assert.equal(stolen.body.error.message, `Item with id '${id}' not found.`);
  }
  assert.equal(mock.requests.length, 0, 'nothing reached the upstream');
  // With its image the item carries itself: sent as it came.
  assert.equal((await postJson(gw, '/v1/responses', OTHER, back('iVBORw0KGgo='))).status, 200);
  const own = await postJson(gw, '/v1/responses', OWNER, back());
  assert.equal(own.status, 200, JSON.stringify(own.body));
  assert.deepEqual((mock.requests.at(-1)!.body as { input: unknown[] }).input[1], { type: 'image_generation_call', id });
});

test("an item of any other type sent by its id alone is another key's item too, padded or not", async () => {
  // The upstream expands an item given by id from its store, whatever its type (a compaction, a
  // message with no content, a hosted tool's call…): any of the owner's output items stands in.
  const [id] = await ownersItems(false);
  mock.reset();
  const byId: Record<string, unknown>[] = [
    { type: 'compaction', id },
    { type: 'compaction', id, encrypted_content: '' },
    { type: 'message', id, role: 'assistant', content: [] },
    { type: 'web_search_call', id, status: 'completed' },
    { type: 'file_search_call', id, queries: [] },
    { type: 'code_interpreter_call', id, outputs: null },
    { type: 'computer_call', id },
    { type: 'local_shell_call', id },
    { type: 'shell_call', id },
    { type: 'apply_patch_call', id },
    { type: 'mcp_list_tools', id },
    { type: 'custom_tool_call', id },
    { type: 'program', id },
    { type: 'a_type_of_next_year', id },
    // A field its type does not have holds nothing of it (an upstream that ignores unknown fields).
    { type: 'compaction', id, note: 'padding' },
    { type: 'web_search_call', id, status: 'completed', queries: ['q'] },
  ];
  for (const item of byId) {
    const stolen = await postJson(gw, '/v1/responses', OTHER, { model: 'oai/gpt-5', input: [{ role: 'user', content: 'hi' }, item] });
    assert.equal(stolen.status, 400, `${JSON.stringify(item)}: ${JSON.stringify(stolen.body)}`);
    assert.equal(stolen.body.error.param, 'input[1]');
    assert.equal(stolen.body.error.message, `Item with id '${id}' not found.`);
  }
  assert.equal(mock.requests.length, 0, 'nothing reached the upstream');
  const rows = await gw.query<{ n: number }>("SELECT count(*) AS n FROM requests WHERE key_id = 'other' AND status = 400");
  assert.ok(rows[0]!.n >= byId.length, 'each refusal left its row');
  // An item that carries itself goes as sent, whoever sends it.
  const itself = { type: 'compaction', id, encrypted_content: 'gAAAA-opaque' };
  assert.equal((await postJson(gw, '/v1/responses', OTHER, { model: 'oai/gpt-5', input: [itself] })).status, 200);
  for (const item of byId) {
    const own = await postJson(gw, '/v1/responses', OWNER, { model: 'oai/gpt-5', input: [item] });
    assert.equal(own.status, 200, `${JSON.stringify(item)}: ${JSON.stringify(own.body)}`);
    assert.deepEqual((mock.requests.at(-1)!.body as { input: unknown[] }).input[0], item);
  }
});

test('a conversation id is refused for every key (the gateway makes none), as a string or an object', async () => {
  for (const conversation of ['conv_someone', { id: 'conv_someone' }]) {
    const res = await postJson(gw, '/v1/responses', OWNER, { model: 'oai/gpt-5', input: 'hi', conversation });
    assert.equal(res.status, 400, JSON.stringify(res.body));
    assert.equal(res.body.error.type, 'invalid_request_error');
    assert.equal(res.body.error.param, 'conversation');
    assert.match(res.body.error.message, /^Conversation with id 'conv_someone' not found\./);
  }
  assert.equal(mock.requests.length, 0, 'nothing reached the upstream');
});

test("items of a response not stored (store: false) are not the key's to reference", async () => {
  const res = await postJson(gw, '/v1/responses', OWNER, { model: 'oai/gpt-5', input: 'x', store: false });
  const id = (res.body.output as { id: string }[])[0]!.id;
  const ref = await postJson(gw, '/v1/responses', OWNER, refTo(id));
  assert.equal(ref.status, 400);
});
