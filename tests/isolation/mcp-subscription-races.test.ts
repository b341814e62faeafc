// Resource subscriptions sent at once on one /mcp session (README, Guarantees: Isolation). A 2025
// session holds at most `maxSubscriptionsPerSession`, and each of its subscriptions is one count on
// the upstream subscription every session shares, given back when it unsubscribes or ends. The
// handler checked the session's set, then waited for the upstream subscribe, then added to the set:
// requests in flight together (one JSON-RPC batch, or parallel POSTs) all passed the check. So a
// session held as many subscriptions as it sent at once (8 of a batch against a bound of 2), and two
// subscribes of one URI counted it twice upstream but once in the session, so the session's end gave
// back one: the upstream subscription stayed for good, for no session (the gateway re-subscribes it
// after every reconnect), one more per race. Now the URI is the session's before the wait.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'undici';
import { startMcpHttpServer, type McpHttpServer } from '../fixtures/mcp-http-server.js';
import { startGateway, type TestGateway } from '../helpers/gateway.js';
import { AGENT_KEY, offersConfig } from '../../mcp/server/testing.js';
import { waitFor } from '../helpers/wait-for.js';

let fixture: McpHttpServer;
let gw: TestGateway;

before(async () => {
  fixture = await startMcpHttpServer({ full: true });
  gw = await startGateway({ config: offersConfig(fixture.url, { mcpEndpoint: { maxSubscriptionsPerSession: 2 } }) });
});
after(async () => {
  await gw.close();
  await fixture.close();
});

type Rpc = { id: number; result?: unknown; error?: { message: string } };

async function post(headers: Record<string, string>, body: unknown, method = 'POST') {
  const res = await request(`${gw.url}/mcp`, {
    method: method as 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', 'x-bf-vk': AGENT_KEY, ...headers },
    ...(method === 'POST' ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.body.text();
  // An SSE answer carries each message on a data: line.
  const messages = text
    .split('\n')
    .filter((l) => l.startsWith('data: '))
    .flatMap((l) => JSON.parse(l.slice(6)) as Rpc | Rpc[]);
  return {
    status: res.statusCode,
    headers: res.headers,
    messages: text.startsWith('[') || text.startsWith('{') ? [JSON.parse(text)].flat() : messages,
  };
}

/** A 2025-11-25 session of the agent key: the headers its requests carry. */
async function openSession(): Promise<Record<string, string>> {
  const init = await post(
    {},
    {
      jsonrpc: '2.0',
      id: 0,
      method: 'initialize',
      params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'raw', version: '1' } },
    },
  );
  assert.equal(init.status, 200);
  const headers = { 'mcp-session-id': String(init.headers['mcp-session-id']), 'mcp-protocol-version': '2025-11-25' };
  assert.equal((await post(headers, { jsonrpc: '2.0', method: 'notifications/initialized' })).status, 202);
  return headers;
}

const subscribe = (id: number, uri: string) => ({ jsonrpc: '2.0', id, method: 'resources/subscribe', params: { uri } });

test('subscribes sent at once hold the per-session bound, and a session’s end gives back every upstream subscription', async () => {
  const session = await openSession();
  const uris = Array.from({ length: 8 }, (_, i) => `fx+fx://docs/race-${i}`);
  const batch = await post(
    session,
    uris.map((u, i) => subscribe(i + 1, u)),
  );
  assert.equal(batch.status, 200);
  const ok = batch.messages.filter((m) => m.result !== undefined);
  assert.equal(ok.length, 2, `at most maxSubscriptionsPerSession subscribed: ${JSON.stringify(batch.messages)}`);
  for (const m of batch.messages.filter((m) => m.error)) assert.match(m.error!.message, /at most 2 resource subscriptions per session/);
  assert.equal(fixture.subscribed().length, 2, 'upstream holds only what the session holds');
  assert.equal((await post(session, undefined, 'DELETE')).status, 200);
  await waitFor(() => fixture.subscribed().length === 0, 5_000, 'the upstream subscriptions to end with the session');
});

test('one URI subscribed twice at once is one subscription, given back once at the session’s end', async () => {
  const session = await openSession();
  const uri = 'fx+fx://docs/readme';
  const batch = await post(session, [subscribe(1, uri), subscribe(2, uri), subscribe(3, uri)]);
  assert.equal(batch.status, 200);
  assert.equal(batch.messages.filter((m) => m.result !== undefined).length, 3, JSON.stringify(batch.messages));
  assert.ok(fixture.subscribed().includes('fx://docs/readme'));
  assert.equal((await post(session, undefined, 'DELETE')).status, 200);
  await waitFor(
    () => !fixture.subscribed().includes('fx://docs/readme'),
    5_000,
    'the upstream subscription to end with the only session that held it',
  );
});
