// /mcp while the servers behind it change: a new tool reaches connected agents as
// notifications/tools/list_changed, and a server restarted behind the gateway fails calls while it
// is down (as tool errors) and serves them again after the gateway reconnects.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { z } from 'zod';
import { ToolListChangedNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import { startMcpHttpServer, type McpHttpServer } from './fixtures/mcp-http-server.js';
import { startGateway, type TestGateway } from './helpers/gateway.js';
import {
  AGENT_KEY,
  NARROW_KEY,
  connectSse,
  connectStreamable,
  endpointConfig,
  reasonOf,
  textOf,
  type Connected,
} from '../mcp/server/testing.js';
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

function countNotifications(agent: Connected): { count: number } {
  const seen = { count: 0 };
  agent.client.setNotificationHandler(ToolListChangedNotificationSchema, () => {
    seen.count++;
  });
  return seen;
}

describe('tool list changes', () => {
  test('a tool added behind the gateway is announced to sessions whose key may use it, and listed', async () => {
    const streamable = await connectStreamable(gw.url, AGENT_KEY);
    const sse = await connectSse(gw.url, AGENT_KEY);
    const narrow = await connectStreamable(gw.url, NARROW_KEY);
    try {
      const seen = [countNotifications(streamable), countNotifications(sse)];
      const narrowSeen = countNotifications(narrow);
      await waitFor(() => streamable.notificationStreamOpen(), 5_000, 'the notification stream (GET) to open');
      fixture.setTool('shout', {
        description: 'Shouts the text',
        inputSchema: { text: z.string() },
        handler: (args) => ({ content: [{ type: 'text', text: String(args.text).toUpperCase() }] }),
      });
      // A new tool on a known server is held under pin: strict (issue 10); the admin's approval is what makes the set change.
      await waitFor(() => gw.gateway.pins.quarantineReason('fx__shout'), 5_000, 'fx__shout held for approval');
      assert.equal(seen[0]!.count + seen[1]!.count, 0, 'a held tool is not announced');
      await gw.gateway.pins.approve('fx', 'shout', 'test');
      await waitFor(() => seen.every((s) => s.count > 0), 5_000, 'list_changed on both transports');
      for (const agent of [streamable, sse]) {
        const { tools } = await agent.client.listTools();
        assert.ok(tools.some((t) => t.name === 'fx__shout' && t.description === 'Shouts the text'));
        assert.equal(textOf(await agent.client.callTool({ name: 'fx__shout', arguments: { text: 'hey' } })), 'HEY');
      }
      // fx__shout is outside the narrow key's allow-list: its set did not change, so no notification.
      assert.equal(narrowSeen.count, 0);
      assert.deepEqual(
        (await narrow.client.listTools()).tools.map((t) => t.name),
        ['fx__echo'],
      );
    } finally {
      await Promise.all([streamable.close(), sse.close(), narrow.close()]);
    }
  });
});

describe('a server restarted behind the gateway', () => {
  test('calls fail as tool errors while it is down and work again after the reconnect', async () => {
    const agent = await connectStreamable(gw.url, AGENT_KEY);
    try {
      assert.equal(textOf(await agent.client.callTool({ name: 'fx__echo', arguments: { text: 'before' } })), 'before');
      await fixture.stop();
      const down = await agent.client.callTool({ name: 'fx__echo', arguments: { text: 'during' } });
      assert.equal(down.isError, true);
      assert.ok(['server_unavailable', 'unknown_tool'].includes(reasonOf(down) ?? ''), textOf(down));
      await fixture.restart();
      const back = await waitFor(
        async () => {
          const r = await agent.client.callTool({ name: 'fx__echo', arguments: { text: 'after' } });
          return r.isError ? undefined : r;
        },
        15_000,
        'calls to work again',
      );
      assert.equal(textOf(back), 'after');
      const statuses = await gw.query<{ status: string }>(
        "select status from tool_calls where session_id = ? and name = 'fx__echo' order by id",
        agent.sessionId(),
      );
      assert.equal(statuses[0]?.status, 'ok');
      assert.ok(
        statuses.slice(1, -1).every((r) => r.status !== 'ok'),
        'calls while down were recorded as failures',
      );
      assert.equal(statuses.at(-1)?.status, 'ok');
    } finally {
      await agent.close();
    }
  });
});
