// Change notifications from upstream servers reach the /mcp clients that asked for them, and only
// those: resources/updated for subscribed resources (2025 resources/subscribe; 2026-07-28
// subscriptions/listen), and prompts/resources list changes that change what a key sees.
// One upstream subscription serves every session that wants a resource, and ends with the last.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { PromptListChangedNotificationSchema, ResourceUpdatedNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import { startMcpHttpServer, type McpHttpServer } from './fixtures/mcp-http-server.js';
import { startGateway, type TestGateway } from './helpers/gateway.js';
import { AGENT_KEY, NARROW_KEY, connectModern, connectStreamable, offersConfig } from '../mcp/server/testing.js';
import { waitFor } from './helpers/wait-for.js';

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

const README = 'fx+fx://docs/readme';

describe('2025 sessions', () => {
  test('resources/subscribe relays updates with the gateway URI; one upstream subscription for many sessions, dropped with the last', async () => {
    const a = await connectStreamable(gw.url, AGENT_KEY);
    const b = await connectStreamable(gw.url, AGENT_KEY);
    const updates: string[] = [];
    a.client.setNotificationHandler(ResourceUpdatedNotificationSchema, (n) => void updates.push(n.params.uri));
    try {
      await a.client.subscribeResource({ uri: README });
      await b.client.subscribeResource({ uri: README });
      assert.deepEqual(fixture.subscribed(), ['fx://docs/readme']);
      fixture.updateResource('fx://docs/readme');
      await waitFor(() => updates.length > 0, 5_000, 'resources/updated');
      assert.deepEqual(updates, [README]);
      await a.client.unsubscribeResource({ uri: README });
      assert.deepEqual(fixture.subscribed(), ['fx://docs/readme'], 'b still wants it');
      // b ends its session (DELETE); its subscription goes with it.
      await b.transport.terminateSession();
      await waitFor(() => fixture.subscribed().length === 0, 5_000, 'the upstream subscription to end with the last session');
    } finally {
      await a.close();
      await b.close();
    }
  });

  test('a resource outside the key’s list cannot be subscribed to', async () => {
    const narrow = await connectStreamable(gw.url, NARROW_KEY);
    try {
      await assert.rejects(narrow.client.subscribeResource({ uri: 'fx+fx://docs/logo' }), /not allowed for virtual key narrow/);
      assert.deepEqual(fixture.subscribed(), []);
    } finally {
      await narrow.close();
    }
  });
});

describe('2026-07-28 listen streams', () => {
  test('resourceSubscriptions are cut to what the key may read, subscribed upstream, and updates arrive on the stream', async () => {
    const narrow = await connectModern(gw.url, NARROW_KEY);
    const updates: string[] = [];
    narrow.client.setNotificationHandler('notifications/resources/updated', (n) => void updates.push(n.params.uri));
    try {
      const stream = await narrow.client.listen({ resourceSubscriptions: [README, 'fx+fx://docs/logo'] });
      assert.deepEqual(stream.honoredFilter.resourceSubscriptions, [README]);
      await waitFor(() => fixture.subscribed().includes('fx://docs/readme'), 5_000, 'the upstream subscription');
      assert.ok(!fixture.subscribed().includes('fx://docs/logo'));
      fixture.updateResource('fx://docs/readme');
      await waitFor(() => updates.length > 0, 5_000, 'resources/updated on the listen stream');
      assert.deepEqual(updates, [README]);
      await stream.close();
      await waitFor(() => fixture.subscribed().length === 0, 5_000, 'the upstream subscription to end with the stream');
    } finally {
      await narrow.close();
    }
  });
});

describe('list changes', () => {
  test('a new upstream prompt is announced to sessions and streams whose key sees it, and to no one else', async () => {
    const agentSession = await connectStreamable(gw.url, AGENT_KEY);
    const narrowSession = await connectStreamable(gw.url, NARROW_KEY);
    const agentModern = await connectModern(gw.url, AGENT_KEY);
    const narrowModern = await connectModern(gw.url, NARROW_KEY);
    const seen = { agentSession: 0, narrowSession: 0, agentModern: 0, narrowModern: 0 };
    agentSession.client.setNotificationHandler(PromptListChangedNotificationSchema, () => void seen.agentSession++);
    narrowSession.client.setNotificationHandler(PromptListChangedNotificationSchema, () => void seen.narrowSession++);
    agentModern.client.setNotificationHandler('notifications/prompts/list_changed', () => void seen.agentModern++);
    narrowModern.client.setNotificationHandler('notifications/prompts/list_changed', () => void seen.narrowModern++);
    try {
      await agentModern.client.listen({ promptsListChanged: true });
      await narrowModern.client.listen({ promptsListChanged: true });
      fixture.addPrompt('late', 'a late prompt');
      await waitFor(() => seen.agentSession > 0 && seen.agentModern > 0, 5_000, 'prompts/list_changed for the agent key');
      assert.ok((await agentSession.client.listPrompts()).prompts.some((p) => p.name === 'fx__late'));
      // fx__late is outside the narrow key's prompt list: nothing changed for it. Its lists are
      // re-read to be sure the notifications above had every chance to arrive.
      assert.deepEqual(
        (await narrowSession.client.listPrompts()).prompts.map((p) => p.name),
        ['fx__greet'],
      );
      assert.deepEqual([seen.narrowSession, seen.narrowModern], [0, 0]);
    } finally {
      await Promise.all([agentSession.close(), narrowSession.close(), agentModern.close(), narrowModern.close()]);
    }
  });
});
