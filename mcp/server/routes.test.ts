// The /mcp routes on a bare Hono app with fake governance and tools (no sockets): session bounds,
// idle expiry, shutdown, and what reaches the governed tool call.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { bareEndpoint, sdkSession } from '../../tests/helpers/mcp-bare-endpoint.js';
import type { McpEndpointDeps, McpEndpointLimits } from './routes.js';

/** The shared bare endpoint (tests/helpers/mcp-bare-endpoint.ts), with an SDK client on it. */
function setup(deps: Partial<McpEndpointDeps> = {}, limits: Partial<McpEndpointLimits> = {}) {
  const ep = bareEndpoint(undefined, limits, deps);
  return { ...ep, streamable: (key?: string) => sdkSession(ep.app, key) };
}

describe('createMcpEndpoint', () => {
  test('a call reaches the tool with its arguments and is recorded under the session id', async () => {
    const { endpoint, got, toolCalls, rows, streamable } = setup();
    const { client, transport } = await streamable();
    const result = await client.callTool({ name: 'fx__echo', arguments: { text: 'x' } });
    assert.deepEqual(result.content, [{ type: 'text', text: 'hi' }]);
    assert.deepEqual(got, [{ name: 'fx__echo', args: '{"text":"x"}' }]);
    assert.deepEqual([toolCalls[0]?.sessionId, toolCalls[0]?.keyId], [transport.sessionId, 'k1']);
    // The call is a request of its own (surface mcp), and its tool_calls row points at it.
    assert.equal(rows.length, 1);
    assert.equal(toolCalls[0]?.requestId, rows[0]?.id);
    await endpoint.close();
  });

  test('beyond maxSessions a new session gets 503; closing one makes room', async () => {
    const { endpoint, streamable } = setup({}, { maxSessions: 1 });
    const first = await streamable();
    await assert.rejects(streamable(), /503|too many open MCP sessions/);
    await first.transport.terminateSession();
    const second = await streamable();
    assert.equal((await second.client.listTools()).tools.length, 1);
    assert.equal(endpoint.sessions.size, 1);
    await endpoint.close();
  });

  test('an idle session is swept; its next request is a 404', async () => {
    let now = 0;
    const { endpoint, streamable } = setup({ now: () => now }, { idleTimeoutMs: 1_000 });
    const { client } = await streamable();
    now = 5_000;
    endpoint.sessions.sweep();
    assert.equal(endpoint.sessions.size, 0);
    await assert.rejects(client.listTools(), /404|Session not found/);
    await endpoint.close();
  });

  test('close() ends every session, SSE streams included', async () => {
    const { app, endpoint, streamable } = setup();
    await streamable();
    const res = await app.fetch(new Request('http://gw.test/mcp/sse', { headers: { 'x-bf-vk': 'k1' } }));
    const reader = res.body!.getReader();
    const first = new TextDecoder().decode((await reader.read()).value);
    assert.match(first, /^event: endpoint\ndata: \/mcp\/messages\?sessionId=[0-9a-f-]+\n\n$/);
    assert.equal(endpoint.sessions.size, 2);
    await endpoint.close();
    assert.equal(endpoint.sessions.size, 0);
    assert.equal((await reader.read()).done, true, 'the event stream ended');
  });
});
