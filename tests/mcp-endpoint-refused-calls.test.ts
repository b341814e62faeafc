// A tools/call at /mcp that fails before the governed call runs is still a call in the ledger. The
// SDK checks a tools/call's params before the gateway's handler sees it (a name that is not a
// string, arguments that are not an object): before, such a call got its -32602 error and left no
// row at all. Now it has its requests row (surface mcp, the key and session, 400
// invalid_request_error, the SDK's words) and its tool_calls row (invalid_arguments, denied,
// reason invalid_params) linked to it, on 2025 sessions and 2026-07-28 requests alike. And a POST
// whose key is refused at the door (429 rate_limited, before its body is read) leaves a refused
// call per tools/call it carried, under that key, as /v1 records its refusals.
// (A call that throws inside the governed call: tests/mcp-endpoint-governance-faults.test.ts.)
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { McpError } from '@modelcontextprotocol/sdk/types.js';
import { startStack, type Stack } from './helpers/stack.js';
import { AGENT_KEY, connectModern, connectStreamable, endpointConfig, textOf } from '../mcp/server/testing.js';

let stack: Stack & { fixture: NonNullable<Stack['fixture']> };
const DOOR_KEY = 'vk-mcp-refused-at-door-1';

before(async () => {
  stack = await startStack({
    mcp: true,
    config: ({ fixture }) => {
      const config = endpointConfig(fixture!.url);
      const door = { id: 'door', key: DOOR_KEY, tools: { allow: ['fx__*'] }, rateLimit: { requests: 1, window: '1m' } };
      return { ...config, virtualKeys: [...(config.virtualKeys as unknown[]), door] };
    },
  });
});
after(() => stack.stop());

interface Joined {
  status: number;
  surface: string;
  session_id: string | null;
  error_type: string | null;
  error_message: string | null;
  tool_calls: number;
  cost_usd: number;
  name: string;
  tool_status: string;
  decision: string;
  reason: string | null;
  tool_error: string | null;
}

/** The key's /mcp request rows that are not 200, each with its tool_calls row. */
const refusedRows = (session: string | null) =>
  stack.gw.query<Joined>(
    `SELECT r.status, r.surface, r.session_id, r.error_type, r.error_message, r.tool_calls, r.cost_usd,
            t.name, t.status AS tool_status, t.decision, t.reason, t.error AS tool_error
       FROM requests r JOIN tool_calls t ON t.request_id = r.id
      WHERE r.key_id = 'agent' AND r.status <> 200 AND r.session_id ${session === null ? 'IS NULL' : '= ?'}
      ORDER BY r.ts, r.id`,
    ...(session === null ? [] : [session]),
  );

function assertRefused(row: Joined | undefined, name: string, session: string | null): void {
  assert.ok(row, 'a requests row joined to its tool_calls row');
  assert.deepEqual(
    {
      status: row.status,
      surface: row.surface,
      session_id: row.session_id,
      error_type: row.error_type,
      tool_calls: row.tool_calls,
      cost_usd: row.cost_usd,
      name: row.name,
      tool_status: row.tool_status,
      decision: row.decision,
      reason: row.reason,
    },
    {
      status: 400,
      surface: 'mcp',
      session_id: session,
      error_type: 'invalid_request_error',
      tool_calls: 1,
      cost_usd: 0,
      name,
      tool_status: 'invalid_arguments',
      decision: 'denied',
      reason: 'invalid_params',
    },
  );
  assert.match(row.error_message ?? '', /invalid/i, 'the SDK says what was wrong');
  assert.equal(row.tool_error, row.error_message);
}

describe('tools/call refused before the gateway handler runs', () => {
  test('a 2025 session: arguments that are not an object, a name that is not a string', async () => {
    const agent = await connectStreamable(stack.gw.url, AGENT_KEY);
    try {
      const raw = (params: Record<string, unknown>) =>
        agent.client.request({ method: 'tools/call', params } as never, {} as never).then(
          () => assert.fail('the SDK refuses these params'),
          (err: unknown) => err,
        );
      const notObject = await raw({ name: 'fx__echo', arguments: 'not an object' });
      assert.ok(notObject instanceof McpError && notObject.code === -32602, String(notObject));
      const notString = await raw({ name: 42, arguments: {} });
      assert.ok(notString instanceof McpError && notString.code === -32602, String(notString));
      // The session goes on; a good call after them is a call as ever.
      assert.equal(textOf(await agent.client.callTool({ name: 'fx__echo', arguments: { text: 'still here' } })), 'still here');

      const session = agent.sessionId()!;
      const rows = await refusedRows(session);
      assert.equal(rows.length, 2, 'one row per refused call');
      assertRefused(rows[0], 'fx__echo', session);
      assertRefused(rows[1], '', session);
    } finally {
      await agent.close();
    }
  });

  test('a 2026-07-28 request: arguments that are not an object', async () => {
    const modern = await connectModern(stack.gw.url, AGENT_KEY);
    try {
      const err = await modern.client.request({ method: 'tools/call', params: { name: 'fx__add', arguments: [1, 2] } } as never).then(
        () => assert.fail('the SDK refuses these params'),
        (e: unknown) => e as { code?: number },
      );
      assert.equal(err.code, -32602, String(err));
    } finally {
      await modern.close();
    }
    const rows = await refusedRows(null);
    assert.equal(rows.length, 1);
    assertRefused(rows[0], 'fx__add', null);
  });

  test("a POST refused at the door (the key's rate limit): each tools/call it carried is a refused call of the key", async () => {
    const post = (body: unknown) =>
      fetch(`${stack.gw.url}/mcp`, {
        method: 'POST',
        headers: { 'x-bf-vk': DOOR_KEY, 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
        body: JSON.stringify(body),
      }).then(async (r) => {
        await r.arrayBuffer();
        return r.status;
      });
    const call = (id: number, name: string) => ({ jsonrpc: '2.0', id, method: 'tools/call', params: { name, arguments: { text: 'x' } } });
    await post({ jsonrpc: '2.0', id: 0, method: 'ping' }); // the one request a minute
    assert.equal(await post(call(1, 'fx__echo')), 429);
    assert.equal(await post([call(2, 'fx__add'), { jsonrpc: '2.0', id: 3, method: 'tools/list' }, call(4, 'fx__echo')]), 429);
    const rows = await stack.gw.query<{
      status: number;
      error_type: string;
      session_id: string | null;
      name: string;
      decision: string;
      reason: string;
    }>(
      `SELECT r.status, r.error_type, r.session_id, t.name, t.decision, t.reason
         FROM requests r JOIN tool_calls t ON t.request_id = r.id WHERE r.key_id = 'door' ORDER BY t.id`,
    );
    const refused = { status: 429, error_type: 'rate_limited', session_id: null, decision: 'denied', reason: 'rate_limited' };
    assert.deepEqual(rows, [
      { ...refused, name: 'fx__echo' },
      { ...refused, name: 'fx__add' },
      { ...refused, name: 'fx__echo' },
    ]);
  });
});
