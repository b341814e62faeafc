// Tollgate as an MCP server (issue 7): SDK clients over Streamable HTTP and over the older HTTP+SSE
// transport see exactly their key's tools, and every call goes through the governed tool call.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { startMcpHttpServer, type McpHttpServer } from './fixtures/mcp-http-server.js';
import { TINY_PNG_BASE64 } from './fixtures/mcp-fixture-tools.js';
import { startGateway, type TestGateway } from './helpers/gateway.js';
import {
  AGENT_KEY,
  NARROW_KEY,
  PAID_KEY,
  connectSse,
  connectStreamable,
  endpointConfig,
  reasonOf,
  textOf,
  type Connected,
} from '../mcp/server/testing.js';

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

const ALLOWED = ['fx__add', 'fx__echo', 'fx__fail', 'fx__image'];

const transports: Array<[string, (url: string, key: string) => Promise<Connected>]> = [
  ['streamable HTTP', connectStreamable],
  ['HTTP+SSE', connectSse],
];

for (const [kind, connect] of transports) {
  describe(`over ${kind}`, () => {
    let agent: Connected;
    before(async () => {
      agent = await connect(gw.url, AGENT_KEY);
    });
    after(() => agent.close());

    test('tools/list is exactly the key’s tools, with gateway names, descriptions and schemas', async () => {
      const { tools } = await agent.client.listTools();
      assert.deepEqual(tools.map((t) => t.name).sort(), ALLOWED);
      const add = tools.find((t) => t.name === 'fx__add')!;
      const entry = gw.gateway.mcp.getTool('fx__add')!;
      assert.equal(add.description, 'Adds two numbers');
      assert.deepEqual(add.inputSchema, entry.definition.inputSchema);
    });

    test('a call returns the server’s content and is recorded with key and session', async () => {
      const result = await agent.client.callTool({ name: 'fx__add', arguments: { a: 2, b: 3 } });
      assert.equal(result.isError, undefined);
      assert.equal(textOf(result), '5');
      const image = (await agent.client.callTool({ name: 'fx__image', arguments: {} })) as CallToolResult;
      assert.deepEqual(image.content, [{ type: 'image', data: TINY_PNG_BASE64, mimeType: 'image/png' }]);
      const rows = await gw.query<{
        name: string;
        status: string;
        decision: string;
        key_id: string;
        surface: string;
        round: number | null;
      }>(
        `select t.name, t.status, t.decision, t.key_id, r.surface, t.round
           from tool_calls t join requests r on r.id = t.request_id where t.session_id = ? order by t.id`,
        agent.sessionId(),
      );
      // Each call is a request of its own (surface mcp); tests/mcp-endpoint-ledger.test.ts has the rest.
      assert.deepEqual(rows.slice(0, 2), [
        { name: 'fx__add', status: 'ok', decision: 'allowed', key_id: 'agent', surface: 'mcp', round: null },
        { name: 'fx__image', status: 'ok', decision: 'allowed', key_id: 'agent', surface: 'mcp', round: null },
      ]);
    });

    test('a denied tool is an isError result with the reason, and a denied row', async () => {
      const callsBefore = fixture.calls.length;
      const result = await agent.client.callTool({ name: 'fx__slow', arguments: { ms: 1 } });
      assert.equal(result.isError, true);
      assert.equal(reasonOf(result), 'tool_denied');
      assert.equal(fixture.calls.length, callsBefore, 'the tool never ran');
      const [row] = await gw.query<{ status: string; decision: string; reason: string }>(
        "select status, decision, reason from tool_calls where session_id = ? and name = 'fx__slow'",
        agent.sessionId(),
      );
      assert.deepEqual(row, { status: 'denied', decision: 'denied', reason: 'tool_denied' });
    });

    test('bad arguments come back as an invalid_arguments tool error', async () => {
      const result = await agent.client.callTool({ name: 'fx__add', arguments: { a: 'two' } });
      assert.equal(result.isError, true);
      assert.equal(reasonOf(result), 'invalid_arguments');
      assert.match(textOf(result), /a|b/);
    });

    test('a tool’s own error is passed through as it came', async () => {
      const result = await agent.client.callTool({ name: 'fx__fail', arguments: {} });
      assert.equal(result.isError, true);
      assert.equal(textOf(result), 'this tool always fails');
    });
  });
}

describe('governance at /mcp', () => {
  test('another key sees only its own tools; its per-tool rate limit applies; others are denied', async () => {
    const narrow = await connectSse(gw.url, NARROW_KEY);
    try {
      assert.deepEqual(
        (await narrow.client.listTools()).tools.map((t) => t.name),
        ['fx__echo'],
      );
      assert.equal(reasonOf(await narrow.client.callTool({ name: 'fx__add', arguments: { a: 1, b: 2 } })), 'tool_not_allowed');
      assert.equal(textOf(await narrow.client.callTool({ name: 'fx__echo', arguments: { text: 'once' } })), 'once');
      const limited = await narrow.client.callTool({ name: 'fx__echo', arguments: { text: 'twice' } });
      assert.equal(limited.isError, true);
      assert.equal(reasonOf(limited), 'tool_rate_limited');
    } finally {
      await narrow.close();
    }
  });

  test('tool cost is charged against the key’s budget; over it the call is refused', async () => {
    const paid = await connectStreamable(gw.url, PAID_KEY);
    try {
      assert.equal(textOf(await paid.client.callTool({ name: 'fx__add', arguments: { a: 1, b: 1 } })), '2');
      const refused = await paid.client.callTool({ name: 'fx__add', arguments: { a: 1, b: 1 } });
      assert.equal(refused.isError, true);
      assert.equal(reasonOf(refused), 'budget_exceeded');
      const rows = await gw.query<{ decision: string; cost_usd: number }>(
        "select decision, cost_usd from tool_calls where key_id = 'paid' order by id",
      );
      assert.deepEqual(rows, [
        { decision: 'allowed', cost_usd: 0.001 },
        { decision: 'denied', cost_usd: 0 },
      ]);
    } finally {
      await paid.close();
    }
  });
});
