// Who may reach /mcp and how much of it one key may hold (issue 19 item 3, issue 15 item 6):
// browser Origins other than the gateway's own get 403, a gateway on loopback refuses other Host
// names (DNS rebinding), both configurable; a key holds at most its share of sessions; sessions of
// every kind end when idle or old; every JSON-RPC message counts against the key's request rate.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'undici';
import { startMcpHttpServer, type McpHttpServer } from './fixtures/mcp-http-server.js';
import { startGateway, type TestGateway } from './helpers/gateway.js';
import { AGENT_KEY, NARROW_KEY, connectModern, connectSse, connectStreamable, offersConfig, within } from '../mcp/server/testing.js';
import { waitFor } from './helpers/wait-for.js';

let fixture: McpHttpServer;
let clock = Date.now();

before(async () => {
  fixture = await startMcpHttpServer({ full: true });
});
after(() => fixture.close());

const INITIALIZE = {
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'raw', version: '1' } },
};

async function post(gw: TestGateway, headers: Record<string, string>, body: unknown = INITIALIZE, path = '/mcp') {
  const res = await request(`${gw.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', 'x-bf-vk': AGENT_KEY, ...headers },
    body: JSON.stringify(body),
  });
  const text = await res.body.text();
  return {
    status: res.statusCode,
    headers: res.headers,
    text,
    error: () => (JSON.parse(text) as { error: { type: string; code: string; message: string } }).error,
  };
}

describe('Origin and Host, by default', () => {
  let gw: TestGateway;
  before(async () => {
    gw = await startGateway({ config: offersConfig(fixture.url) });
  });
  after(() => gw.close());

  test('a browser Origin other than the gateway’s own is refused with 403', async () => {
    const evil = await post(gw, { origin: 'http://evil.example' });
    assert.equal(evil.status, 403);
    assert.deepEqual([evil.error().type, evil.error().code], ['authentication_error', 'mcp_origin_not_allowed']);
    assert.equal((await post(gw, { origin: 'null' })).status, 403);
    const sse = await request(`${gw.url}/mcp/sse`, { headers: { origin: 'http://evil.example', 'x-bf-vk': AGENT_KEY } });
    assert.equal(sse.statusCode, 403);
    await sse.body.dump();
  });

  test('the gateway’s own origin, and no Origin at all (not a browser), are served', async () => {
    assert.equal((await post(gw, { origin: gw.url })).status, 200);
    assert.equal((await post(gw, {})).status, 200);
  });

  test('listening on loopback, a Host that is not loopback (DNS rebinding) is refused', async () => {
    const port = new URL(gw.url).port;
    const rebound = await post(gw, { host: `evil.example:${port}`, origin: `http://evil.example:${port}` });
    assert.equal(rebound.status, 403);
    assert.equal(rebound.error().code, 'mcp_host_not_allowed');
    assert.equal((await post(gw, { host: `localhost:${port}` })).status, 200);
  });
});

describe('Origin and Host, configured', () => {
  let gw: TestGateway;
  before(async () => {
    gw = await startGateway({
      config: offersConfig(fixture.url, { mcpEndpoint: { allowedOrigins: ['https://app.example'], allowedHosts: ['gw.example.com'] } }),
    });
  });
  after(() => gw.close());

  test('allowedOrigins adds origins; allowedHosts replaces the loopback rule', async () => {
    assert.equal((await post(gw, { host: 'gw.example.com', origin: 'https://app.example' })).status, 200);
    assert.equal((await post(gw, { host: 'gw.example.com', origin: 'https://other.example' })).status, 403);
    assert.equal((await post(gw, { host: 'localhost' })).error().code, 'mcp_host_not_allowed');
  });
});

describe('sessions', () => {
  let gw: TestGateway;
  before(async () => {
    gw = await startGateway({
      now: () => clock,
      config: offersConfig(fixture.url, {
        mcpEndpoint: { maxSessionsPerKey: 2, sessionIdleMs: 60_000, sessionMaxAgeMs: 3_600_000 },
      }),
    });
  });
  after(() => gw.close());

  test('a key holds at most maxSessionsPerKey sessions of any kind (429); other keys are not affected', async () => {
    const first = await connectStreamable(gw.url, AGENT_KEY);
    const second = await connectSse(gw.url, AGENT_KEY);
    try {
      const third = await post(gw, {});
      assert.equal(third.status, 429);
      assert.equal(third.error().code, 'mcp_key_sessions_exhausted');
      assert.ok(Number(third.headers['retry-after']) > 0);
      const sse = await request(`${gw.url}/mcp/sse`, { headers: { 'x-bf-vk': AGENT_KEY } });
      assert.equal(sse.statusCode, 429);
      await sse.body.dump();
      const other = await connectStreamable(gw.url, NARROW_KEY);
      await other.close();
      await first.transport.terminateSession();
      const again = await connectStreamable(gw.url, AGENT_KEY);
      await again.transport.terminateSession();
    } finally {
      await first.close();
      await second.close();
    }
  });

  test('sessions of both kinds end when idle, and when old however busy', async () => {
    const endpoint = gw.gateway.mcpEndpoint;
    const idle = await connectStreamable(gw.url, AGENT_KEY);
    const stream = await connectSse(gw.url, AGENT_KEY);
    try {
      clock += 61_000;
      endpoint.sessions.sweep();
      assert.equal(endpoint.sessions.size, 0, 'idle past sessionIdleMs: both closed');
      await assert.rejects(idle.client.listTools(), /404|Session not found/);
      await assert.rejects(stream.client.listTools());

      const busy = await connectSse(gw.url, AGENT_KEY);
      for (let i = 0; i < 4; i++) {
        clock += 1_000_000;
        await busy.client.listTools();
        endpoint.sessions.sweep();
      }
      assert.equal(endpoint.sessions.size, 0, 'past sessionMaxAgeMs: closed though never idle');
      await busy.close();
    } finally {
      await idle.close();
      await stream.close();
    }
  });
});

describe('sessions of a team', () => {
  const TEAM_KEYS = [1, 2, 3].map((i) => `vk-mcp-crowd-000${i}`);
  let gw: TestGateway;
  before(async () => {
    const config = offersConfig(fixture.url, {
      teams: [{ id: 'crowd' }],
      mcpEndpoint: { maxSessions: 10, maxSessionsPerKey: 2, maxSessionsPerTeam: 3 },
    });
    const keys = config.virtualKeys as Record<string, unknown>[];
    keys.push(...TEAM_KEYS.map((key, i) => ({ id: `crowd-${i}`, key, team: 'crowd', tools: { allow: ['fx__*'] } })));
    gw = await startGateway({ config });
  });
  after(() => gw.close());

  test('the keys of one team hold at most maxSessionsPerTeam sessions together (429); other keys are not affected', async () => {
    const [k1, k2, k3] = TEAM_KEYS as [string, string, string];
    // A POST without a session that is no initialize opens none, and gives its place back.
    await post(gw, { 'x-bf-vk': k3 }, { jsonrpc: '2.0', id: 1, method: 'tools/list' });
    assert.equal(gw.gateway.mcpEndpoint.sessions.countForTeam('crowd'), 0);
    const first = await connectStreamable(gw.url, k1);
    const held = [first, await connectSse(gw.url, k1), await connectStreamable(gw.url, k2)];
    try {
      // k2 holds one of its own 2, k3 none: the team's 3 are what is full.
      const refused = await post(gw, { 'x-bf-vk': k2 });
      assert.equal(refused.status, 429);
      assert.equal(refused.error().code, 'mcp_team_sessions_exhausted');
      assert.match(refused.error().message, /team crowd/);
      assert.ok(Number(refused.headers['retry-after']) > 0);
      const sse = await request(`${gw.url}/mcp/sse`, { headers: { 'x-bf-vk': k3 } });
      assert.equal(sse.statusCode, 429);
      await sse.body.dump();
      assert.equal(gw.gateway.mcpEndpoint.sessions.countForTeam('crowd'), 3);
      // Keys of no team, or another, still open sessions.
      const other = await connectStreamable(gw.url, AGENT_KEY);
      await other.close();
      await first.transport.terminateSession();
      const again = await connectStreamable(gw.url, k3);
      await again.transport.terminateSession();
      await again.close();
    } finally {
      await Promise.all(held.map((s) => s.close()));
    }
  });
});

describe('listen streams of a team', () => {
  const TEAM_KEYS = [1, 2, 3].map((i) => `vk-mcp-listen-000${i}`);
  let gw: TestGateway;
  before(async () => {
    const config = offersConfig(fixture.url, {
      teams: [{ id: 'listeners' }],
      mcpEndpoint: { maxSessions: 10, maxSessionsPerKey: 2, maxSessionsPerTeam: 3 },
    });
    const keys = config.virtualKeys as Record<string, unknown>[];
    keys.push(...TEAM_KEYS.map((key, i) => ({ id: `listen-${i}`, key, team: 'listeners', tools: { allow: ['fx__*'] } })));
    gw = await startGateway({ config });
  });
  after(() => gw.close());

  test('2026-07-28 listen streams count against maxSessionsPerTeam with the team’s sessions (429)', async () => {
    const [k1, k2, k3] = TEAM_KEYS as [string, string, string];
    const agents = await Promise.all([k1, k2, k3].map((k) => connectModern(gw.url, k)));
    const [a1, a2, a3] = agents as [(typeof agents)[0], (typeof agents)[0], (typeof agents)[0]];
    const streams = [];
    try {
      // k1 its own 2, k2 one: the team's 3.
      streams.push(await a1.client.listen({ toolsListChanged: true }), await a1.client.listen({ toolsListChanged: true }));
      streams.push(await a2.client.listen({ toolsListChanged: true }));
      assert.equal(gw.gateway.mcpEndpoint.sessions.countForTeam('listeners'), 3);
      await assert.rejects(a3.client.listen({ toolsListChanged: true }), /429|mcp_team_sessions_exhausted/);
      const refused = await post(gw, { 'x-bf-vk': k3 });
      assert.equal(refused.status, 429);
      assert.equal(refused.error().code, 'mcp_team_sessions_exhausted');
      // A stream that ends gives its place back.
      await streams.shift()!.close();
      await waitFor(() => gw.gateway.mcpEndpoint.sessions.countForTeam('listeners') === 2, 5_000, 'the place to come back');
      streams.push(await a3.client.listen({ toolsListChanged: true }));
    } finally {
      await Promise.all(streams.map((s) => s.close()));
      await Promise.all(agents.map((a) => a.close()));
    }
    await waitFor(() => gw.gateway.mcpEndpoint.sessions.countForTeam('listeners') === 0, 5_000, 'every place back');
  });
});

describe('2026-07-28 listen streams', () => {
  test('a key holds at most maxSessionsPerKey streams; resourceSubscriptions are deduplicated and capped', async () => {
    const gw = await startGateway({
      config: offersConfig(fixture.url, { mcpEndpoint: { maxSessionsPerKey: 1, maxSubscriptionsPerSession: 2 } }),
    });
    const agent = await connectModern(gw.url, AGENT_KEY);
    try {
      const uris = ['fx+fx://docs/readme', 'fx+fx://docs/logo', 'fx+fx://notes/1', 'fx+fx://docs/readme'];
      const stream = await agent.client.listen({ toolsListChanged: true, resourceSubscriptions: uris });
      assert.deepEqual(stream.honoredFilter.resourceSubscriptions, ['fx+fx://docs/readme', 'fx+fx://docs/logo'], 'distinct, and capped');
      await assert.rejects(agent.client.listen({ toolsListChanged: true }), /Subscription limit reached/);
      await stream.close();
      await waitFor(() => fixture.subscribed().length === 0, 5_000, 'its upstream subscriptions to end');
      // The key's share is free again.
      const next = await agent.client.listen({ toolsListChanged: true });
      await next.close();
    } finally {
      await agent.close();
      await gw.close();
    }
  });

  test('a stream ends at sessionMaxAgeMs, and its upstream subscriptions with it', async () => {
    const gw = await startGateway({ config: offersConfig(fixture.url, { mcpEndpoint: { sessionMaxAgeMs: 300 } }) });
    const agent = await connectModern(gw.url, AGENT_KEY);
    try {
      const stream = await agent.client.listen({ resourceSubscriptions: ['fx+fx://docs/readme'] });
      assert.equal(await within(stream.closed, 5_000, 'the stream to end at its lifetime'), 'remote');
      await waitFor(() => fixture.subscribed().length === 0, 5_000, 'its upstream subscriptions to end');
    } finally {
      await agent.close();
      await gw.close();
    }
  });
});

describe('request rate', () => {
  let gw: TestGateway;
  before(async () => {
    const config = offersConfig(fixture.url);
    const keys = config.virtualKeys as Record<string, unknown>[];
    keys[0] = { ...keys[0], rateLimit: { requests: 6, window: '1h' } };
    gw = await startGateway({ config });
  });
  after(() => gw.close());

  test('each message of a JSON-RPC batch counts against the key’s request rate', async () => {
    const session = await post(gw, {}); // 1
    const sid = String(session.headers['mcp-session-id']);
    const headers = { 'mcp-session-id': sid, 'mcp-protocol-version': '2025-03-26' };
    assert.equal((await post(gw, headers, { jsonrpc: '2.0', method: 'notifications/initialized' })).status, 202); // 2
    const list = (id: number) => ({ jsonrpc: '2.0', id, method: 'tools/list' });
    // The request is counted (3) before its body is read; its other four messages do not fit.
    const batch = await post(gw, headers, [list(10), list(11), list(12), list(13), list(14)]);
    assert.equal(batch.status, 429, '3 + 4 > 6: the batch is refused');
    assert.equal(batch.error().type, 'rate_limited');
    const small = await post(gw, headers, [list(20), list(21), list(22)]); // 4 + 2 = 6
    assert.equal(small.status, 200);
    assert.equal((await post(gw, headers, list(30))).status, 429);
  });
});
