// Back-pressure on the /mcp event streams that carry only notifications (README, Guarantees:
// Isolation): a 2025 session's GET /mcp stream, a 2026-07-28 subscriptions/listen stream and an
// HTTP+SSE (2024-11-05) session stream. The gateway pushes on them whatever changes upstream
// (list_changed, resources/updated), however fast, whether or not the client reads; the shared
// bound (bounded-stream.ts) must hold there as on answers (mcp-sse-back-pressure.test.ts,
// mcp-endpoint-stream-bound.test.ts): the gateway queues at most streamMaxQueued and waits at most
// inputTimeoutMs past streamHighWaterMark, then ends the stream and drops what it held.
//
// The endpoint runs on a real Node listener on loopback (as the gateway serves /mcp); the client
// subscribes to one resource with a 16 KB URI, pauses its socket, and the upstream says 2,048 times
// that the resource changed: 32 MB of notifications. The kernel's socket buffers take several MB
// before anything queues in the gateway, so the bounds are small and the total well past them.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { request, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve, type ServerType } from '@hono/node-server';
import type { EndpointOffers } from '../../mcp/server/endpoint-deps.js';
import { bareEndpoint, MCP_HEADERS, noOffers } from '../helpers/mcp-bare-endpoint.js';
import { waitFor } from '../helpers/wait-for.js';

const KB = 1024;
const MB = 1024 * KB;
const URI = `fx+file:///${'u'.repeat(16 * KB)}`;
const UPDATES = 2048;
const servers: ServerType[] = [];
after(() =>
  servers.forEach((s) => {
    s.close();
    (s as import('node:http').Server).closeAllConnections();
  }),
);

/** An endpoint whose one resource (URI) can be said to change; it counts upstream (un)subscriptions. */
async function start(bounds: { streamHighWaterMark: number; streamMaxQueued: number; inputTimeoutMs: number }) {
  const listeners = new Set<(uri: string) => void>();
  const upstream = { subscribed: 0, unsubscribed: 0 };
  const offers: EndpointOffers = {
    ...noOffers,
    onResourceUpdated: (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    subscribe: async () => {
      upstream.subscribed++;
      return true;
    },
    unsubscribe: async () => void upstream.unsubscribed++,
  };
  const ep = bareEndpoint(undefined, bounds, { offers });
  const server = await new Promise<ServerType>((r) => {
    const s = serve({ fetch: ep.app.fetch, port: 0, hostname: '127.0.0.1' }, () => r(s));
  });
  servers.push(server);
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  /** The upstream says UPDATES times that the resource changed, yielding now and then as a socket would. */
  const push = async () => {
    for (let i = 0; i < UPDATES; i++) {
      for (const l of listeners) l(URI);
      if (i % 32 === 31) await new Promise((r) => setImmediate(r));
    }
  };
  return { base, push, upstream };
}

interface Opened {
  res: IncomingMessage;
  /** Sends one JSON-RPC message on the session (if the stream has one); its HTTP status. */
  post?: (body: unknown) => Promise<number>;
}

const get = (url: string, headers: Record<string, string>) =>
  new Promise<IncomingMessage>((r) => request(url, { headers: { 'x-bf-vk': 'k1', ...headers } }, r).end());

const INIT = (version: string) => ({
  jsonrpc: '2.0',
  id: 0,
  method: 'initialize',
  params: { protocolVersion: version, capabilities: {}, clientInfo: { name: 'c', version: '1' } },
});
const SUBSCRIBE = { jsonrpc: '2.0', id: 1, method: 'resources/subscribe', params: { uri: URI } };

/** The three kinds of notification stream, each opened with the resource subscribed. */
const streams: { name: string; open(base: string): Promise<Opened> }[] = [
  {
    name: 'GET /mcp (2025-11-25 session)',
    async open(base) {
      const headers: Record<string, string> = { 'x-bf-vk': 'k1', ...MCP_HEADERS };
      const send = (body: unknown) => fetch(`${base}/mcp`, { method: 'POST', headers, body: JSON.stringify(body) });
      const init = await send(INIT('2025-11-25'));
      await init.text();
      headers['mcp-session-id'] = init.headers.get('mcp-session-id')!;
      headers['mcp-protocol-version'] = '2025-11-25';
      const post = async (body: unknown) => {
        const res = await send(body);
        await res.text();
        return res.status;
      };
      await post({ jsonrpc: '2.0', method: 'notifications/initialized' });
      assert.equal(await post(SUBSCRIBE), 200);
      const res = await get(`${base}/mcp`, { accept: 'text/event-stream', 'mcp-session-id': headers['mcp-session-id'] });
      assert.equal(res.statusCode, 200);
      return { res, post };
    },
  },
  {
    name: 'a 2026-07-28 subscriptions/listen stream',
    async open(base) {
      const meta = {
        'io.modelcontextprotocol/protocolVersion': '2026-07-28',
        'io.modelcontextprotocol/clientInfo': { name: 'raw', version: '1' },
        'io.modelcontextprotocol/clientCapabilities': {},
      };
      const body = JSON.stringify({
        jsonrpc: '2.0',
        id: 1,
        method: 'subscriptions/listen',
        params: { notifications: { resourceSubscriptions: [URI] }, _meta: meta },
      });
      const res = await new Promise<IncomingMessage>((r) =>
        request(
          `${base}/mcp`,
          {
            method: 'POST',
            headers: {
              'x-bf-vk': 'k1',
              ...MCP_HEADERS,
              'mcp-protocol-version': '2026-07-28',
              'mcp-method': 'subscriptions/listen',
            },
          },
          r,
        ).end(body),
      );
      assert.equal(res.statusCode, 200);
      // The stream is acknowledged (its first event) once the gateway listens.
      await new Promise((r) => res.once('readable', r));
      return { res };
    },
  },
  {
    name: 'GET /mcp/sse (HTTP+SSE session)',
    async open(base) {
      const res = await get(`${base}/mcp/sse`, { accept: 'text/event-stream' });
      const first = await new Promise<string>((r) => res.once('readable', () => r(String(res.read()))));
      const endpoint = base + /data: (\S+)/.exec(first)![1]!;
      const post = async (body: unknown) =>
        (await fetch(endpoint, { method: 'POST', headers: { 'x-bf-vk': 'k1', ...MCP_HEADERS }, body: JSON.stringify(body) })).status;
      await post(INIT('2024-11-05'));
      await post({ jsonrpc: '2.0', method: 'notifications/initialized' });
      assert.equal(await post(SUBSCRIBE), 202);
      // The initialize and subscribe answers are on the stream: the subscription holds once they are.
      let text = '';
      await waitFor(() => {
        for (let chunk = res.read(); chunk !== null; chunk = res.read()) text += String(chunk);
        return text.includes('"id":1');
      });
      return { res, post };
    },
  },
];

/** Pauses `res` and counts what it gets once resumed; `closed` when the gateway ended it. */
function watch(res: IncomingMessage) {
  res.pause();
  const state = { received: 0, closed: false };
  res.on('data', (chunk: Buffer) => void (state.received += chunk.length));
  res.on('close', () => (state.closed = true));
  res.on('error', () => undefined);
  return state;
}

/** Resumes `res` and waits for it to end, or to have got every notification: what the gateway still held for it arrives first. */
async function drain(res: IncomingMessage, state: { received: number; closed: boolean }) {
  res.resume();
  await waitFor(() => state.closed || state.received >= UPDATES * URI.length, 20_000, 'the stream to end');
  return state.received;
}

describe('notification streams nobody reads are bounded and ended', () => {
  for (const kind of streams) {
    test(`${kind.name}: at most streamMaxQueued is held, then the stream is let go`, async () => {
      const { base, push, upstream } = await start({ streamHighWaterMark: 64 * KB, streamMaxQueued: 512 * KB, inputTimeoutMs: 60_000 });
      const { res, post } = await kind.open(base);
      const state = watch(res);
      await push();
      await new Promise((r) => setTimeout(r, 300));
      const held = await drain(res, state);
      const pushed = UPDATES * URI.length;
      console.log(`# pushed ${(pushed / MB).toFixed(1)} MB of notifications; ${(held / MB).toFixed(1)} MB reached the paused client`);
      // Socket buffers (a few MB on loopback) and streamMaxQueued: before the bound, every byte.
      assert.ok(
        held < pushed / 2,
        `the gateway held ${(held / MB).toFixed(1)} MB of ${(pushed / MB).toFixed(1)} MB for a client that did not read`,
      );
      if (kind.name.includes('listen')) {
        await waitFor(
          () => upstream.unsubscribed === upstream.subscribed,
          5_000,
          'the listen stream to let go of its upstream subscription',
        );
      }
      // A 2025 session outlives its GET stream (the client may open another); an HTTP+SSE session is its stream.
      if (post) {
        const list = await post({ jsonrpc: '2.0', id: 9, method: 'tools/list' });
        assert.equal(list, kind.name.includes('HTTP+SSE') ? 404 : 200);
      }
    });
  }

  test('GET /mcp: a client that takes nothing for inputTimeoutMs past streamHighWaterMark is let go', async () => {
    const { base, push } = await start({ streamHighWaterMark: 64 * KB, streamMaxQueued: 256 * MB, inputTimeoutMs: 500 });
    const { res } = await streams[0]!.open(base);
    const state = watch(res);
    await push();
    // Nothing reads: the queue only grows past the mark (it is far below streamMaxQueued), so only
    // the stall can end the stream. A stream let go ends with what the sockets held; one still
    // open would deliver all 32 MB and stay open.
    await new Promise((r) => setTimeout(r, 1_500));
    const held = await drain(res, state);
    assert.ok(held < (UPDATES * URI.length) / 2, `${(held / MB).toFixed(1)} MB reached the client after the stall`);
    await waitFor(() => state.closed, 5_000, 'the stream to end');
  });
});
