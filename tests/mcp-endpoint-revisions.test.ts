// /mcp speaks 2026-07-28 beside 2025-11-25 (issue 19, item 4): a request carrying its protocol
// version in `_meta` is served statelessly — no initialize, no session — with server/discover,
// header validation against the body and caching hints, while 2025 clients keep their sessions.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startMcpHttpServer, type McpHttpServer } from './fixtures/mcp-http-server.js';
import { startGateway, type TestGateway } from './helpers/gateway.js';
import { AGENT_KEY, connectModern, connectStreamable, offersConfig } from '../mcp/server/testing.js';

let fixture: McpHttpServer;
let gw: TestGateway;

before(async () => {
  fixture = await startMcpHttpServer({ full: true });
  gw = await startGateway({ config: offersConfig(fixture.url) });
});
after(async () => {
  await gw.close();
  await fixture.close();
});

const MODERN = '2026-07-28';
const META = {
  'io.modelcontextprotocol/protocolVersion': MODERN,
  'io.modelcontextprotocol/clientInfo': { name: 'raw', version: '1' },
  'io.modelcontextprotocol/clientCapabilities': {},
};

/** One raw 2026-07-28 request: the body, and the standard headers (overridable). */
async function modern(
  method: string,
  params: Record<string, unknown> = {},
  headers: Record<string, string> = {},
  meta: Record<string, unknown> = META,
) {
  const res = await fetch(`${gw.url}/mcp`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      'x-bf-vk': AGENT_KEY,
      'mcp-protocol-version': MODERN,
      'mcp-method': method,
      ...(typeof params.name === 'string' ? { 'mcp-name': params.name } : {}),
      ...headers,
    },
    body: JSON.stringify({ jsonrpc: '2.0', id: 7, method, params: { ...params, _meta: meta } }),
  });
  const text = await res.text();
  const json = text.startsWith('{') ? JSON.parse(text) : JSON.parse(/^data: (.*)$/m.exec(text)?.[1] ?? '{}');
  return {
    res,
    body: json as {
      id?: unknown;
      result?: Record<string, unknown>;
      error?: { code: number; message: string; data?: Record<string, unknown> };
    },
  };
}

describe('2026-07-28 requests', () => {
  test('are served without initialize and without a session', async () => {
    const { res, body } = await modern('tools/list');
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('mcp-session-id'), null);
    assert.ok((body.result!.tools as { name: string }[]).some((t) => t.name === 'fx__echo'));
    assert.equal(body.result?.cacheScope, 'private');
    assert.equal(typeof body.result?.ttlMs, 'number');
    const call = await modern('tools/call', { name: 'fx__echo', arguments: { text: 'stateless' } });
    assert.deepEqual((call.body.result!.content as unknown[])[0], { type: 'text', text: 'stateless' });
  });

  test('server/discover names the revision and what the gateway serves', async () => {
    const { body } = await modern('server/discover');
    assert.ok((body.result!.supportedVersions as string[]).includes(MODERN));
    const caps = body.result?.capabilities as Record<string, unknown>;
    assert.deepEqual(Object.keys(caps).sort(), ['completions', 'logging', 'prompts', 'resources', 'tools']);
    assert.deepEqual((body.result!._meta as Record<string, { name: string }>)['io.modelcontextprotocol/serverInfo']?.name, 'tollgate');
  });

  test('headers that disagree with the body are refused: 400 HeaderMismatch (-32020), nothing runs', async () => {
    const calls = fixture.calls.length;
    const method = await modern('tools/call', { name: 'fx__echo', arguments: { text: 'x' } }, { 'mcp-method': 'tools/list' });
    assert.equal(method.res.status, 400);
    assert.equal(method.body.error?.code, -32020);
    const name = await modern('tools/call', { name: 'fx__echo', arguments: { text: 'x' } }, { 'mcp-name': 'fx__add' });
    assert.equal(name.res.status, 400);
    assert.equal(name.body.error?.code, -32020);
    assert.equal(fixture.calls.length, calls, 'the tool never ran');
  });

  test('an unsupported version is 400 UnsupportedProtocolVersion (-32022) listing what is supported', async () => {
    const { res, body } = await modern(
      'tools/list',
      {},
      { 'mcp-protocol-version': '2099-01-01' },
      { ...META, 'io.modelcontextprotocol/protocolVersion': '2099-01-01' },
    );
    assert.equal(res.status, 400);
    assert.equal(body.error?.code, -32022);
    assert.deepEqual(body.error?.data?.requested, '2099-01-01');
    assert.ok((body.error!.data!.supported as string[]).includes(MODERN));
  });

  test('methods removed in 2026-07-28 are 404 Method not found', async () => {
    for (const method of ['initialize', 'ping', 'logging/setLevel']) {
      const { res, body } = await modern(method);
      assert.equal(res.status, 404, method);
      assert.equal(body.error?.code, -32601, method);
    }
  });

  test('the virtual key is still required', async () => {
    const { res, body } = await modern('tools/list', {}, { 'x-bf-vk': 'vk-nobody-0000' });
    assert.equal(res.status, 401);
    assert.equal((body as unknown as { error: { type: string } }).error.type, 'virtual_key_not_found');
  });
});

describe('version negotiation', () => {
  test('a 2.x SDK client lands on 2026-07-28; a 1.x client on a 2025-11-25 session', async () => {
    const fresh = await connectModern(gw.url, AGENT_KEY);
    const old = await connectStreamable(gw.url, AGENT_KEY);
    try {
      assert.equal(fresh.client.getProtocolEra(), 'modern');
      assert.equal(fresh.client.getNegotiatedProtocolVersion(), MODERN);
      assert.ok(old.sessionId(), 'the 2025 client has a session');
      assert.equal(old.transport.protocolVersion, '2025-11-25');
      assert.equal((await old.client.listTools()).tools.length, (await fresh.client.listTools()).tools.length);
    } finally {
      await Promise.all([fresh.close(), old.close()]);
    }
  });
});
