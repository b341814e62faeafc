// Every key's requests run under the provider's one account, and its code-execution containers
// hold each key's files: an upstream runs a request's code in whichever container of the account it
// names. A key that learns another key's container id (a shared log, a pasted transcript) must not
// run its code there. A key may name only containers an answer relayed to it reported (a Responses
// code_interpreter_call's container_id, a Messages response's container, JSON or streamed): any
// other is a 400 with nothing sent; the owner's own goes upstream. Recorded in the database, so a
// restart keeps it (replicas on PostgreSQL: tests/responses-store-pg.test.ts, the store's contract).
import { after, before, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startMockUpstream, type MockUpstream } from '../mock-upstream/server.js';
import { startMcpHttpServer, type McpHttpServer } from '../fixtures/mcp-http-server.js';
import { passThroughProviders, startGateway, type TestGateway } from '../helpers/gateway.js';
import { postJson } from '../budgets/helpers.js';

const OWNER = 'vk-containers-owner';
const OTHER = 'vk-containers-other';
/** A key with the gateway's MCP tools (the fixture's, as `fix`): its requests may take tool rounds. */
const TOOLS = 'vk-containers-tools';
const RESPONSES = 'oai/gpt-5';
const MESSAGES = 'ant/claude-sonnet-4-5';
let mock: MockUpstream;
let fixture: McpHttpServer;
let gw: TestGateway;
// A database of the test's own, which outlives a gateway (the restart below); on PostgreSQL, that one.
const dir = mkdtempSync(join(tmpdir(), 'tollgate-containers-'));
const dbUrl = process.env.TOLLGATE_TEST_DB_URL ?? join(dir, 'tollgate.db');

const config = () => {
  const { oai, ant } = passThroughProviders(mock, 'ct', { maxRetries: 0 });
  return {
    providers: { oai, ant },
    mcpServers: { fix: { transport: 'http', url: fixture.url } },
    virtualKeys: [
      { id: 'owner', key: OWNER, models: ['*'] },
      { id: 'other', key: OTHER, models: ['*'] },
      { id: 'tools', key: TOOLS, models: ['*'], tools: { allow: ['fix__*'] } },
    ],
  };
};

before(async () => {
  mock = await startMockUpstream();
  fixture = await startMcpHttpServer();
  gw = await startGateway({ config: config(), dbUrl });
});
after(async () => {
  await gw?.close();
  await fixture?.close();
  await mock?.close();
  rmSync(dir, { recursive: true, force: true });
});
beforeEach(() => mock.reset());

/** POST with `key`; a stream's text is read whole. */
async function post(path: string, key: string, body: object): Promise<{ status: number; text: string }> {
  const res = await fetch(`${gw.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${key}`, 'anthropic-version': '2023-06-01' },
    body: JSON.stringify(body),
  });
  return { status: res.status, text: await res.text() };
}

const codeTool = (container: unknown) => ({ type: 'code_interpreter', container });
const responsesWith = (tools: unknown[]) => ({ model: RESPONSES, input: 'run it', store: false, tools });
const messagesWith = (container: unknown) => ({
  model: MESSAGES,
  max_tokens: 64,
  messages: [{ role: 'user', content: 'run it' }],
  container,
});

/** The owner runs code in a fresh container; the answer (JSON or streamed) reports its id. */
async function ownersContainer(surface: 'responses' | 'messages', stream: boolean, id: string): Promise<void> {
  mock.enqueue({ kind: 'text', text: 'ran it', container: id });
  const body =
    surface === 'responses'
      ? { ...responsesWith([codeTool({ type: 'auto' })]), stream }
      : { model: MESSAGES, max_tokens: 64, messages: [{ role: 'user', content: 'run it' }], stream };
  const res = await post(`/v1/${surface}`, OWNER, body);
  assert.equal(res.status, 200, res.text);
  assert.ok(res.text.includes(`"${id}"`), 'the answer shows the container');
  mock.reset();
}

for (const stream of [false, true]) {
  const how = stream ? 'streamed' : 'JSON';

  test(`Responses: another key cannot name a container it was not shown (${how}); the owner can`, async () => {
    const id = `cntr_owner_${how}`;
    await ownersContainer('responses', stream, id);
    const stolen = await postJson(gw, '/v1/responses', OTHER, responsesWith([{ type: 'function', name: 'f' }, codeTool(id)]));
    assert.equal(stolen.status, 400, JSON.stringify(stolen.body));
    assert.equal(stolen.body.error.type, 'invalid_request_error');
    assert.equal(stolen.body.error.param, 'tools[1].container');
    assert.equal(stolen.body.error.message, `Container with id '${id}' not found.`);
    // A shell tool's container environment, and an id nobody was shown (the owner's own request too).
    const shell = await postJson(
      gw,
      '/v1/responses',
      OTHER,
      responsesWith([{ type: 'shell', environment: { type: 'container_reference', container_id: id } }]),
    );
    assert.equal(shell.status, 400, JSON.stringify(shell.body));
    assert.equal(shell.body.error.param, 'tools[0].environment.container_id');
    const madeUp = await postJson(gw, '/v1/responses', OWNER, responsesWith([codeTool('cntr_nobody')]));
    assert.equal(madeUp.status, 400);
    assert.equal(mock.requests.length, 0, 'nothing reached the upstream');

    const own = await postJson(gw, '/v1/responses', OWNER, responsesWith([codeTool(id)]));
    assert.equal(own.status, 200, JSON.stringify(own.body));
    assert.equal(mock.requests.length, 1);
    assert.deepEqual((mock.requests[0]!.body as { tools: unknown }).tools, [codeTool(id)]);
  });

  test(`Messages: another key cannot name a container it was not shown (${how}); the owner can`, async () => {
    const id = `container_owner_${how}`;
    await ownersContainer('messages', stream, id);
    for (const [container, param] of [
      [id, 'container'],
      [{ id, skills: [] }, 'container.id'],
    ] as const) {
      const stolen = await postJson(gw, '/v1/messages', OTHER, messagesWith(container));
      assert.equal(stolen.status, 400, JSON.stringify(stolen.body));
      assert.equal(stolen.body.error.type, 'invalid_request_error');
      assert.match(stolen.body.error.message, new RegExp(`Container with id '${id}' not found\\.`), param);
    }
    const madeUp = await postJson(gw, '/v1/messages', OWNER, messagesWith('container_nobody'));
    assert.equal(madeUp.status, 400);
    assert.equal(mock.requests.length, 0, 'nothing reached the upstream');

    const own = await postJson(gw, '/v1/messages', OWNER, messagesWith({ id }));
    assert.equal(own.status, 200, JSON.stringify(own.body));
    assert.equal(mock.requests.length, 1);
    assert.deepEqual((mock.requests[0]!.body as { container: unknown }).container, { id });
  });
}

// OpenAI's `{type: "auto"}` container reuses one that a code_interpreter_call in the model's
// context used, and a shell_call sent back runs on in its container_reference: an input item naming
// another key's container is the tool naming it.
const codeCall = (container_id: unknown) => ({
  type: 'code_interpreter_call',
  id: 'ci_1',
  status: 'completed',
  code: 'print(1)',
  container_id,
  outputs: null,
});
const shellCall = (container_id: unknown) => ({
  type: 'shell_call',
  id: 'sh_1',
  call_id: 'call_sh_1',
  status: 'completed',
  action: { commands: ['ls /mnt/data'] },
  environment: { type: 'container_reference', container_id },
});
const sentBack = (item: object) => ({
  model: RESPONSES,
  store: false,
  tools: [codeTool({ type: 'auto' })],
  input: [item, { role: 'user', content: 'list the files again' }],
});

test('Responses: another key cannot send back a call item naming a container it was not shown; the owner can', async () => {
  const id = 'cntr_owner_input';
  await ownersContainer('responses', false, id);
  for (const [item, param] of [
    [codeCall(id), 'input[0].container_id'],
    [shellCall(id), 'input[0].environment.container_id'],
    [codeCall({ id }), 'input[0].container_id'],
  ] as const) {
    const stolen = await postJson(gw, '/v1/responses', OTHER, sentBack(item));
    assert.equal(stolen.status, 400, JSON.stringify(stolen.body));
    assert.equal(stolen.body.error.type, 'invalid_request_error');
    assert.equal(stolen.body.error.param, param);
  }
  assert.equal(mock.requests.length, 0, 'nothing reached the upstream');

  for (const item of [codeCall(id), shellCall(id)]) {
    mock.reset();
    const own = await postJson(gw, '/v1/responses', OWNER, sentBack(item));
    assert.equal(own.status, 200, JSON.stringify(own.body));
    assert.equal(mock.requests.length, 1);
    assert.deepEqual((mock.requests[0]!.body as { input: unknown[] }).input[0], item);
  }
});

test('a fresh container is always allowed', async () => {
  const fresh = await postJson(gw, '/v1/responses', OTHER, responsesWith([codeTool({ type: 'auto', file_ids: [] })]));
  assert.equal(fresh.status, 200, JSON.stringify(fresh.body));
  const skills = await postJson(gw, '/v1/messages', OTHER, messagesWith({ skills: [] }));
  assert.equal(skills.status, 200, JSON.stringify(skills.body));
});

/** POST this exact text with the other key: what the upstream got, as text. */
async function sentAsOther(path: string, text: string): Promise<string> {
  mock.reset();
  const res = await fetch(`${gw.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${OTHER}` },
    body: text,
  });
  assert.equal(res.status, 200, await res.text());
  assert.equal(mock.requests.length, 1);
  return mock.requests[0]!.raw;
}

test('a container named twice in one object goes upstream as the one checked', async () => {
  // JSON.parse keeps the last: the other key's own container, checked. An upstream keeping the
  // first would run in the owner's, so the body goes re-serialized: only the checked one is sent.
  await ownersContainer('messages', false, 'container_first');
  await ownersContainer('responses', false, 'cntr_first');
  mock.enqueue({ kind: 'text', text: 'ran', container: 'container_others' }, { kind: 'text', text: 'ran', container: 'cntr_others' });
  assert.equal((await post('/v1/messages', OTHER, messagesWith(null))).status, 200);
  assert.equal((await post('/v1/responses', OTHER, responsesWith([codeTool({ type: 'auto' })]))).status, 200);

  const messages = JSON.stringify(messagesWith('X')).replace('"X"', '{"id":"container_first","id":"container_others"}');
  const sentMessages = await sentAsOther('/v1/messages', messages);
  assert.deepEqual(JSON.parse(sentMessages).container, { id: 'container_others' });
  assert.ok(!sentMessages.includes('container_first'), sentMessages);

  const responses = JSON.stringify(responsesWith([codeTool('X')])).replace('"X"', '"cntr_first","container":"cntr_others"');
  const sentResponses = await sentAsOther('/v1/responses', responses);
  assert.deepEqual(JSON.parse(sentResponses).tools, [codeTool('cntr_others')]);
  assert.ok(!sentResponses.includes('cntr_first'), sentResponses);

  // Likewise in an input item sent back.
  const item = JSON.stringify(sentBack(codeCall('X'))).replace('"X"', '"cntr_first","container_id":"cntr_others"');
  const sentItem = await sentAsOther('/v1/responses', item);
  assert.equal(JSON.parse(sentItem).input[0].container_id, 'cntr_others');
  assert.ok(!sentItem.includes('cntr_first'), sentItem);
});

test("Messages JSON over the gateway's tool rounds: the one message shows the container, which is the key's", async () => {
  mock.enqueue(
    { kind: 'tool_calls', calls: [{ id: 'toolu_gw1', name: 'fix__add', arguments: { a: 2, b: 3 } }] },
    { kind: 'text', text: 'ran it', container: 'container_rounds' },
  );
  const res = await postJson(gw, '/v1/messages', TOOLS, messagesWith(undefined));
  assert.equal(res.status, 200, JSON.stringify(res.body));
  assert.equal(mock.requests.length, 2, 'two rounds');
  assert.equal(res.body.container?.id, 'container_rounds');
  mock.reset();
  assert.equal((await postJson(gw, '/v1/messages', OTHER, messagesWith('container_rounds'))).status, 400);
  assert.equal((await postJson(gw, '/v1/messages', TOOLS, messagesWith('container_rounds'))).status, 200);
});

test('after a restart the owner still may name its container, and another key still may not', async () => {
  await ownersContainer('responses', false, 'cntr_before_restart');
  await gw.close();
  gw = await startGateway({ config: config(), dbUrl });
  const stolen = await postJson(gw, '/v1/responses', OTHER, responsesWith([codeTool('cntr_before_restart')]));
  assert.equal(stolen.status, 400);
  assert.equal(mock.requests.length, 0);
  const own = await postJson(gw, '/v1/responses', OWNER, responsesWith([codeTool('cntr_before_restart')]));
  assert.equal(own.status, 200, JSON.stringify(own.body));
});
