// Every tools/call at /mcp is a request in the ledger (issue 17): a `requests` row with surface
// `mcp`, the key, the MCP session, the status the client got, the latency and the tool's cost,
// and the call's `tool_calls` row linked to it; so cost_by_session and the spend reports show
// /mcp activity, and the spend a restart restores counts each tool's cost once.
// (tests/mcp-endpoint-ledger-pg.test.ts runs the same on PostgreSQL.)
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startMcpHttpServer, type McpHttpServer } from './fixtures/mcp-http-server.js';
import { startGateway, type TestGateway } from './helpers/gateway.js';
import { AGENT_KEY, PAID_KEY, connectModern, connectStreamable, endpointConfig, reasonOf, textOf } from '../mcp/server/testing.js';

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

interface RequestRow {
  id: string;
  key_id: string;
  session_id: string | null;
  surface: string;
  status: number;
  rounds: number;
  tool_calls: number;
  cost_usd: number;
  latency_ms: number;
  error_message: string | null;
}

const requestRows = (where: string, ...params: unknown[]) =>
  gw.query<RequestRow>(
    `SELECT id, key_id, session_id, surface, status, rounds, tool_calls, cost_usd, latency_ms, error_message
       FROM requests WHERE ${where} ORDER BY ts, id`,
    ...params,
  );

describe('tools/call at /mcp in the ledger', () => {
  test('each call is a request row with surface mcp, key, session, status and cost; its tool_calls row points at it', async () => {
    const paid = await connectStreamable(gw.url, PAID_KEY);
    try {
      assert.equal(textOf(await paid.client.callTool({ name: 'fx__add', arguments: { a: 1, b: 1 } })), '2');
      // Over the key's budget: refused, an isError result (the client still got a 200).
      assert.equal(reasonOf(await paid.client.callTool({ name: 'fx__add', arguments: { a: 2, b: 2 } })), 'budget_exceeded');
      const session = paid.sessionId()!;
      const rows = await requestRows('key_id = ?', 'paid');
      assert.equal(rows.length, 2, 'one request row per tools/call');
      const [ok, refused] = rows as [RequestRow, RequestRow];
      assert.deepEqual(
        { ...ok, id: undefined, latency_ms: undefined },
        { ...base, session_id: session, cost_usd: 0.001, error_message: null, id: undefined, latency_ms: undefined },
      );
      assert.ok(ok.latency_ms >= 0);
      assert.equal(refused.cost_usd, 0);
      assert.equal(refused.status, 200);
      assert.equal(refused.error_message, 'denied: budget_exceeded');

      const calls = await gw.query<{ request_id: string; session_id: string; decision: string; cost_usd: number }>(
        "SELECT request_id, session_id, decision, cost_usd FROM tool_calls WHERE key_id = 'paid' ORDER BY id",
      );
      assert.deepEqual(calls, [
        { request_id: ok.id, session_id: session, decision: 'allowed', cost_usd: 0.001 },
        { request_id: refused.id, session_id: session, decision: 'denied', cost_usd: 0 },
      ]);

      // The views and reports see it; the cost is counted once (requests holds the tool's cost).
      const [bySession] = await gw.query<{ surface: string; requests: number; cost_usd: number }>(
        'SELECT surface, requests, cost_usd FROM cost_by_session WHERE session_id = ?',
        session,
      );
      assert.deepEqual(bySession, { surface: 'mcp', requests: 2, cost_usd: 0.001 });
      await gw.query('SELECT 1'); // flushed
      assert.equal(await gw.gateway.store.spend({ keyId: 'paid' }, 0), 0.001, 'what a restart restores');
    } finally {
      await paid.close();
    }
  });

  test('a 2026-07-28 client, which has no session, gets request rows without a session id', async () => {
    const modern = await connectModern(gw.url, AGENT_KEY);
    try {
      const result = await modern.client.callTool({ name: 'fx__echo', arguments: { text: 'hi' } });
      assert.equal(textOf(result), 'hi');
      const denied = await modern.client.callTool({ name: 'fx__slow', arguments: { ms: 1 } });
      assert.equal(reasonOf(denied), 'tool_denied');
    } finally {
      await modern.close();
    }
    const rows = await requestRows("key_id = 'agent' AND session_id IS NULL");
    assert.deepEqual(
      rows.map((r) => [r.surface, r.status, r.tool_calls, r.error_message]),
      [
        ['mcp', 200, 1, null],
        ['mcp', 200, 1, 'denied: tool_denied'],
      ],
    );
    const linked = await gw.query<{ name: string; n: number }>(
      `SELECT t.name, count(r.id) AS n FROM tool_calls t LEFT JOIN requests r ON r.id = t.request_id
        WHERE t.key_id = 'agent' AND t.session_id IS NULL GROUP BY t.name ORDER BY t.name`,
    );
    assert.deepEqual(linked, [
      { name: 'fx__echo', n: 1 },
      { name: 'fx__slow', n: 1 },
    ]);
  });

  test('spend by surface (the README report) has an mcp line', async () => {
    const rows = await gw.query<{ surface: string; requests: number }>(
      "SELECT surface, count(*) AS requests FROM requests WHERE surface = 'mcp' GROUP BY surface",
    );
    assert.equal(rows.length, 1);
    assert.ok(rows[0]!.requests >= 4);
  });
});

const base = {
  key_id: 'paid',
  surface: 'mcp',
  status: 200,
  rounds: 0,
  tool_calls: 1,
};
