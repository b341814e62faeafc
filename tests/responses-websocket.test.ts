// /v1/responses in WebSocket mode, as Codex speaks it: one connection, `response.create` messages,
// one message per event. Checked here with the `ws` client against the real gateway and the mock:
// the key is checked at the upgrade, events match the SSE stream's, a continuation with
// previous_response_id (store:false) carries the whole conversation upstream, a warm-up
// (generate:false) calls no model, errors come as `type: "error"` messages and leave the
// connection usable, and gateway tools run in the loop with ledger rows as on HTTP.
import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { connect as connectTcp } from 'node:net';
import type WebSocket from 'ws';
import { startMockUpstream, type MockUpstream } from './mock-upstream/server.js';
import { mockProviders, startGateway, type TestGateway } from './helpers/gateway.js';
import { startMcpHttpServer, type McpHttpServer } from './fixtures/mcp-http-server.js';
import { toolResultsOf } from './helpers/wire.js';
import { type Event, openResponsesSocket, upgradeResponsesSocket } from './helpers/responses-socket.js';

const VK = 'vk-responses-ws-test-1';
let mock: MockUpstream;
let fixture: McpHttpServer;
let gw: TestGateway;
const open: WebSocket[] = [];

before(async () => {
  mock = await startMockUpstream();
  fixture = await startMcpHttpServer();
  gw = await startGateway({
    config: {
      providers: mockProviders(mock),
      mcpServers: { fix: { transport: 'http', url: fixture.url } },
      virtualKeys: [{ id: 'ws', key: VK, models: ['openai/*'], tools: { allow: ['fix__*'] } }],
    },
  });
});
after(async () => {
  for (const ws of open) ws.terminate();
  await gw.close();
  await fixture.close();
  await mock.close();
});
beforeEach(() => mock.reset());

/** An open connection, and a reader that collects events up to one that ends a response. */
async function connect(key = VK, path = '/v1/responses') {
  const socket = await openResponsesSocket(gw.url, key, {
    path,
    track: open,
    headers: { 'openai-beta': 'responses_websockets=2026-02-06' },
  });
  return {
    ws: socket.ws,
    /** Sends one message and returns its events, through the one that ends it. */
    async create(body: Record<string, unknown>): Promise<Event[]> {
      socket.create(body);
      return socket.read();
    },
    /** The next response's events, through the one that ends it. */
    read: (): Promise<Event[]> => socket.read(),
  };
}

/** The status and body of a refused upgrade. */
async function refused(key: string, path = '/v1/responses'): Promise<{ status: number; body: any }> {
  const out = await upgradeResponsesSocket(gw.url, key, { path, track: open });
  if (!out.refused) throw new Error('the upgrade was accepted');
  return out.refused;
}

describe('Responses over WebSocket', () => {
  test('an unknown key is refused at the upgrade with a 401 in the OpenAI error shape', async () => {
    const { status, body } = await refused('vk-not-a-real-key-0001');
    assert.equal(status, 401);
    assert.equal(body.error.code ?? body.error.type, 'virtual_key_not_found');
  });

  test('only /v1/responses upgrades: elsewhere a WebSocket handshake is answered as the HTTP GET it is', async () => {
    const { status, body } = await refused(VK, '/v1/chat/completions');
    assert.equal(status, 404);
    assert.equal(body.error.type, 'not_found_error');
  });

  test('an upgrade the gateway does not do (curl --http2 offers h2c) is served as plain HTTP, pipelined requests too', async () => {
    const body = JSON.stringify({ model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'via h2c offer' }] });
    const raw =
      'POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\n' +
      `HTTP2-Settings: AAMAAABkAAQCAAAAAAIAAAAA\r\nAuthorization: Bearer ${VK}\r\nContent-Type: application/json\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}` +
      'GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n';
    const { port } = new URL(gw.url);
    const answer = await new Promise<string>((resolve, reject) => {
      const socket = connectTcp(Number(port), '127.0.0.1', () => socket.write(raw));
      let text = '';
      socket.on('data', (d) => (text += d.toString()));
      socket.on('end', () => resolve(text));
      socket.on('error', reject);
    });
    const responses = answer.split(/(?=HTTP\/1\.1 )/);
    assert.equal(responses.length, 2, answer);
    assert.match(responses[0]!, /^HTTP\/1\.1 200 /);
    assert.match(responses[0]!, /echo: via h2c offer/);
    assert.match(responses[1]!, /^HTTP\/1\.1 200 [\s\S]*"status":"ok"/);
  });

  test('a response streams as one message per event, in OpenAI order, and is in the ledger', async () => {
    const c = await connect();
    const events = await c.create({ model: 'openai/gpt-4o-mini', input: 'hello over ws' });
    assert.equal(events[0]!.type, 'response.created');
    assert.equal(events.at(-1)!.type, 'response.completed');
    assert.deepEqual(
      events.map((e) => e.sequence_number),
      events.map((_, i) => i),
    );
    const text = events.flatMap((e) => (e.type === 'response.output_text.delta' ? [e.delta] : [])).join('');
    assert.equal(text, 'echo: hello over ws');
    const rows = await gw.query<{ surface: string; status: number }>('SELECT surface, status FROM requests WHERE key_id = ?', 'ws');
    assert.ok(rows.some((r) => r.surface === 'responses' && r.status === 200));
    c.ws.close();
  });

  test('store:false continuation: previous_response_id on the connection sends the whole conversation upstream', async () => {
    const c = await connect();
    const first = await c.create({ model: 'openai/gpt-4o-mini', input: 'first question', store: false });
    const id = first.at(-1)!.response.id as string;
    const second = await c.create({
      model: 'openai/gpt-4o-mini',
      store: false,
      previous_response_id: id,
      input: [{ type: 'message', role: 'user', content: [{ type: 'input_text', text: 'second question' }] }],
    });
    assert.equal(second.at(-1)!.type, 'response.completed', JSON.stringify(second.at(-1)));
    const sent = mock.requests
      .at(-1)!
      .body.messages.map((m: any) => [m.role, typeof m.content === 'string' ? m.content : m.content[0].text]);
    assert.deepEqual(sent, [
      ['user', 'first question'],
      ['assistant', 'echo: first question'],
      ['user', 'second question'],
    ]);
    c.ws.close();
  });

  test('a warm-up (generate:false) calls no model, and the next request continues from its input', async () => {
    const c = await connect();
    const warm = await c.create({ model: 'openai/gpt-4o-mini', input: 'context only', generate: false });
    assert.deepEqual(
      warm.map((e) => e.type),
      ['response.created', 'response.completed'],
    );
    assert.equal(mock.requests.length, 0, 'no upstream call for a warm-up');
    const events = await c.create({ model: 'openai/gpt-4o-mini', previous_response_id: warm.at(-1)!.response.id, input: 'now answer' });
    assert.equal(events.at(-1)!.type, 'response.completed');
    const users = mock.requests
      .at(-1)!
      .body.messages.filter((m: any) => m.role === 'user')
      .map((m: any) => m.content);
    assert.deepEqual(users, ['context only', 'now answer']);
    c.ws.close();
  });

  test('a refused request is an error message, and the connection keeps serving', async () => {
    const c = await connect();
    const denied = await c.create({ model: 'anthropic/claude-sonnet-4-5', input: 'not my model' });
    assert.equal(denied.length, 1);
    assert.equal(denied[0]!.type, 'error');
    assert.equal(denied[0]!.status, 403);
    assert.equal(denied[0]!.error.code ?? denied[0]!.error.type, 'provider_blocked');
    const bad = await c.create({ model: 'openai/gpt-4o-mini', input: 42 });
    assert.equal(bad[0]!.type, 'error');
    assert.equal(bad[0]!.status, 400);
    c.ws.send('not json');
    const ok = await c.create({ model: 'openai/gpt-4o-mini', input: 'still here' });
    assert.equal(ok[0]!.type, 'error', 'the malformed message is answered first');
    assert.match(ok[0]!.error.message, /not valid JSON/);
    const after = await c.read();
    assert.equal(after.at(-1)!.type, 'response.completed');
    assert.equal(mock.requests.length, 1, 'the one valid request reached the model');
    c.ws.close();
  });

  test('a message nested 100,000 deep is a 400 json_too_deep, as a POST body would be', async () => {
    const c = await connect();
    c.ws.send(`{"type":"response.create","input":${'['.repeat(100_000)}${']'.repeat(100_000)}}`);
    const [error] = await c.read();
    assert.equal(error!.type, 'error');
    assert.equal(error!.status, 400);
    assert.equal(error!.error.code, 'json_too_deep');
    c.ws.close();
  });

  test('a governed key sent twice in a message is a 400 duplicate_key, as in a POST body, and reaches no model', async () => {
    const c = await connect();
    c.ws.send('{"type":"response.create","model":"openai/gpt-4o-mini","input":"twice","max_output_tokens":16,"max_output_tokens":100000}');
    const [error] = await c.read();
    assert.equal(error!.type, 'error');
    assert.equal(error!.status, 400);
    assert.equal(error!.error.code, 'duplicate_key');
    assert.equal(mock.requests.length, 0);
    const ok = await c.create({ model: 'openai/gpt-4o-mini', input: 'once' });
    assert.equal(ok.at(-1)!.type, 'response.completed', 'the connection keeps serving');
    c.ws.close();
  });

  test('a client flooding one connection with messages is cut off, not queued without bound', async () => {
    mock.enqueue({ kind: 'text', text: 'slow', delayMs: 300 });
    const c = await connect();
    const closedWith = new Promise<number>((resolve) => c.ws.once('close', (code) => resolve(code)));
    for (let i = 0; i < 12; i++) c.ws.send(JSON.stringify({ type: 'response.create', model: 'openai/gpt-4o-mini', input: `flood ${i}` }));
    const events: Event[] = [];
    c.ws.on('message', (data) => events.push(JSON.parse(data.toString())));
    assert.equal(await closedWith, 1008);
    assert.ok(
      events.some((e) => e.type === 'error' && e.status === 429),
      'told why',
    );
    assert.ok(mock.requests.length <= 1, 'the messages waiting behind the first never ran');
  });

  test("the key's MCP tools run in the gateway's loop, hidden from the client, and are ledgered", async () => {
    mock.enqueue({ kind: 'tool_calls', calls: [{ name: 'fix__add', arguments: { a: 20, b: 22 } }] });
    mock.fallback = (body) => ({ kind: 'text', text: `sum is ${toolResultsOf(body)[0]?.content}` });
    const c = await connect();
    const events = await c.create({ model: 'openai/gpt-4o-mini', input: 'add 20 and 22' });
    const done = events.at(-1)!;
    assert.equal(done.type, 'response.completed');
    assert.ok(!done.response.output.some((i: any) => i.type === 'function_call'), 'no gateway call reaches the client');
    assert.match(JSON.stringify(done.response.output), /sum is 42/);
    const tools = await gw.query<{ tool: string }>("SELECT tool FROM tool_calls WHERE tool LIKE '%add%'");
    assert.ok(tools.length >= 1);
    c.ws.close();
  });
});
