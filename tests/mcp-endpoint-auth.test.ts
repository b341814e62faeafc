// /mcp authentication and session rules over the wire: the virtual key is checked before any MCP
// handling (OpenAI error body), sessions answer only to the key that opened them, and end on DELETE
// or when the SSE stream closes.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { startMcpHttpServer, type McpHttpServer } from './fixtures/mcp-http-server.js';
import { startGateway, type TestGateway } from './helpers/gateway.js';
import { AGENT_KEY, NARROW_KEY, connectSse, connectStreamable, endpointConfig } from '../mcp/server/testing.js';
import { waitFor } from './helpers/wait-for.js';

let fixture: McpHttpServer;
let gw: TestGateway;

before(async () => {
  fixture = await startMcpHttpServer();
  gw = await startGateway({ config: endpointConfig(fixture.url) });
});
after(async () => {
  await gw.close();
  await fixture.close();
});

const INITIALIZE = {
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1' } },
};
const LIST = { jsonrpc: '2.0', id: 2, method: 'tools/list', params: {} };
const MCP_HEADERS = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };

async function post(path: string, body: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(`${gw.url}${path}`, { method: 'POST', headers: { ...MCP_HEADERS, ...headers }, body: JSON.stringify(body) });
  const text = await res.text();
  return { res, text, json: () => JSON.parse(text) as { error: { type: string; code: string | null; message: string } } };
}

describe('authentication', () => {
  test('no key: 401 virtual_key_required in the OpenAI shape, on every /mcp route', async () => {
    const streamable = await post('/mcp', INITIALIZE);
    assert.equal(streamable.res.status, 401);
    assert.equal(streamable.json().error.type, 'virtual_key_required');
    assert.ok(streamable.res.headers.get('x-request-id'));
    const sse = await fetch(`${gw.url}/mcp/sse`, { headers: { accept: 'text/event-stream' } });
    assert.equal(sse.status, 401);
    assert.equal(((await sse.json()) as { error: { type: string } }).error.type, 'virtual_key_required');
    assert.equal((await post('/mcp/messages?sessionId=x', LIST)).res.status, 401);
  });

  test('an unknown key: 401 virtual_key_not_found', async () => {
    const { res, json } = await post('/mcp', INITIALIZE, { 'x-bf-vk': 'vk-nobody' });
    assert.equal(res.status, 401);
    assert.equal(json().error.type, 'virtual_key_not_found');
  });

  test('the SDK client fails to connect without a key', async () => {
    const client = new Client({ name: 'keyless', version: '1.0.0' });
    await assert.rejects(client.connect(new StreamableHTTPClientTransport(new URL(`${gw.url}/mcp`))), /401|virtual_key_required/);
  });

  test('Authorization: Bearer works as well as x-bf-vk', async () => {
    const { res } = await post('/mcp', INITIALIZE, { authorization: `Bearer ${AGENT_KEY}` });
    assert.equal(res.status, 200);
    assert.ok(res.headers.get('mcp-session-id'));
  });
});

describe('sessions', () => {
  test('a Streamable HTTP session refuses a different key with 403', async () => {
    const agent = await connectStreamable(gw.url, AGENT_KEY);
    try {
      const sid = agent.sessionId()!;
      const other = await post('/mcp', LIST, { 'x-bf-vk': NARROW_KEY, 'mcp-session-id': sid, 'mcp-protocol-version': '2025-06-18' });
      assert.equal(other.res.status, 403);
      assert.equal(other.json().error.code, 'mcp_session_key_mismatch');
      // The owner still gets through.
      assert.equal((await agent.client.listTools()).tools.length, 4);
    } finally {
      await agent.close();
    }
  });

  test('an HTTP+SSE session refuses a different key with 403', async () => {
    const agent = await connectSse(gw.url, AGENT_KEY);
    try {
      const other = await post(`/mcp/messages?sessionId=${agent.sessionId()}`, LIST, { 'x-bf-vk': NARROW_KEY });
      assert.equal(other.res.status, 403);
    } finally {
      await agent.close();
    }
  });

  test('unknown session: 404 (so clients start over); GET without a session: 405', async () => {
    const unknown = await post('/mcp', LIST, { 'x-bf-vk': AGENT_KEY, 'mcp-session-id': 'no-such-session' });
    assert.equal(unknown.res.status, 404);
    assert.match(unknown.text, /Session not found/);
    const get = await fetch(`${gw.url}/mcp`, { headers: { 'x-bf-vk': AGENT_KEY, accept: 'text/event-stream' } });
    assert.equal(get.status, 405);
    await get.body?.cancel();
  });

  test('a request that is not initialize does not open a session', async () => {
    const { res } = await post('/mcp', LIST, { 'x-bf-vk': AGENT_KEY });
    assert.equal(res.status, 400);
    assert.equal(res.headers.get('mcp-session-id'), null);
  });

  test('DELETE ends a Streamable HTTP session', async () => {
    const agent = await connectStreamable(gw.url, AGENT_KEY);
    const sid = agent.sessionId()!;
    await agent.transport.terminateSession();
    await agent.close();
    const after = await post('/mcp', LIST, { 'x-bf-vk': AGENT_KEY, 'mcp-session-id': sid, 'mcp-protocol-version': '2025-06-18' });
    assert.equal(after.res.status, 404);
  });

  test('closing the SSE stream ends the HTTP+SSE session', async () => {
    const agent = await connectSse(gw.url, AGENT_KEY);
    const sid = agent.sessionId()!;
    assert.equal(
      (await post(`/mcp/messages?sessionId=${sid}`, { jsonrpc: '2.0', method: 'notifications/initialized' }, { 'x-bf-vk': AGENT_KEY })).res
        .status,
      202,
    );
    await agent.close();
    await waitFor(
      async () => (await post(`/mcp/messages?sessionId=${sid}`, LIST, { 'x-bf-vk': AGENT_KEY })).res.status === 404,
      3_000,
      'the session to end',
    );
  });

  test('a body that is not JSON-RPC is a 400', async () => {
    const agent = await connectSse(gw.url, AGENT_KEY);
    try {
      const bad = await post(`/mcp/messages?sessionId=${agent.sessionId()}`, { hello: 'world' }, { 'x-bf-vk': AGENT_KEY });
      assert.equal(bad.res.status, 400);
      assert.equal(bad.json().error.type, 'invalid_request_error');
    } finally {
      await agent.close();
    }
  });
});
