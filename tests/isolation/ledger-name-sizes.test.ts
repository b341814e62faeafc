// Names a client makes up, as the ledger keeps them (README, Guarantees: Isolation). An /mcp client
// names the tool, prompt or resource it asks for, and a refusal is recorded with that name: a
// tools/call, prompts/get or resources/read naming a 1 MB name (the body may be 4 MiB) was refused
// (names are at most 256 characters, URIs 4096) and its tool_calls row held the name whole, two or
// three times over (name, tool, and server for a tool name without `__`): 3 MB per row, 12 MB per
// request within maxBodyBytes. A key could fill the ledger's queue (64 MB, for every key: a full
// queue holds every request back and makes /readyz answer 503) with a handful of requests, and the
// database for good. Each of those columns now keeps at most 4096 characters, more than any name
// the gateway accepts, so the rows of names it serves are unchanged.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'undici';
import { startMcpHttpServer, type McpHttpServer } from '../fixtures/mcp-http-server.js';
import { startGateway, type TestGateway } from '../helpers/gateway.js';
import { AGENT_KEY, offersConfig } from '../../mcp/server/testing.js';

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

async function post(headers: Record<string, string>, body: unknown) {
  const res = await request(`${gw.url}/mcp`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', 'x-bf-vk': AGENT_KEY, ...headers },
    body: JSON.stringify(body),
  });
  return { status: res.statusCode, headers: res.headers, text: await res.body.text() };
}

const MB = 1_000_000;

test('a refused tool, prompt or resource name of 1 MB is recorded cut to 4096 characters, and an honest one whole', async () => {
  const init = await post(
    {},
    {
      jsonrpc: '2.0',
      id: 0,
      method: 'initialize',
      params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'raw', version: '1' } },
    },
  );
  const session = { 'mcp-session-id': String(init.headers['mcp-session-id']), 'mcp-protocol-version': '2025-11-25' };
  await post(session, { jsonrpc: '2.0', method: 'notifications/initialized' });
  const asks = [
    { method: 'tools/call', params: { name: 'z'.repeat(MB), arguments: {} } },
    { method: 'tools/call', params: { name: `fx__${'z'.repeat(MB)}`, arguments: {} } },
    { method: 'prompts/get', params: { name: `fx__${'p'.repeat(MB)}` } },
    { method: 'resources/read', params: { uri: `fx+fx://docs/${'r'.repeat(MB)}` } },
    { method: 'tools/call', params: { name: 'fx__echo', arguments: { say: 'hi' } } },
  ];
  for (const [i, ask] of asks.entries()) assert.equal((await post(session, { jsonrpc: '2.0', id: i + 1, ...ask })).status, 200);
  const rows = await gw.query<{ kind: string; server: number; tool: number; name: number; error: number | null; decision: string }>(
    `SELECT kind, length(server) AS server, length(tool) AS tool, length(name) AS name, length(error) AS error, decision
       FROM tool_calls WHERE key_id = 'agent' ORDER BY id`,
  );
  assert.equal(rows.length, asks.length, 'every ask has its row');
  for (const row of rows.slice(0, 4)) {
    assert.equal(row.decision, 'denied');
    for (const column of ['server', 'tool', 'name', 'error'] as const) {
      assert.ok((row[column] ?? 0) <= 4096, `${row.kind} ${column}: ${row[column]} characters`);
    }
  }
  const { kind, server, tool, name, decision } = rows[4]!;
  assert.deepEqual(
    { kind, server, tool, name, decision },
    { kind: 'tool', server: 2, tool: 4, name: 8, decision: 'allowed' },
    'an honest call, whole',
  );
});
