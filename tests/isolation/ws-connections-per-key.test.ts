// One key may not hold unbounded Responses WebSocket connections (README, Guarantees: Isolation).
// Each open connection is a file descriptor and may queue messages of up to maxBodyBytes, so the
// upgrade past `responses.webSocket.maxConnectionsPerKey` is refused with a plain HTTP 429 in the
// OpenAI error shape, other keys still connect, and a closed connection frees its slot. A connection
// with no response in progress and no message for `idleTimeoutMs` is closed (1000 and a reason),
// which frees its slot too; one whose response takes longer than that is not.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import WebSocket from 'ws';
import { startGateway, type TestGateway } from '../helpers/gateway.js';
import { waitFor } from '../helpers/wait-for.js';
import { type ResponsesSocket, upgradeResponsesSocket } from '../helpers/responses-socket.js';

const A = 'vk-ws-connections-a-01';
const B = 'vk-ws-connections-b-01';
const CAP = 3;
const IDLE_MS = 400;
/** How long the upstream takes to answer: longer than IDLE_MS. */
const SLOW_MS = 1_200;

let upstream: Server;
let capped: TestGateway;
let idle: TestGateway;
const open: WebSocket[] = [];

const ev = (type: string, data: object) => `event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`;
const resp = (status: string) => ({ id: 'resp_wscap', object: 'response', status, model: 'gpt-5', output: [] });

before(async () => {
  // A Responses upstream that answers after SLOW_MS.
  upstream = createServer((req, res) => {
    req.resume();
    req.on('end', () =>
      setTimeout(() => {
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        res.end(ev('response.created', { response: resp('in_progress') }) + ev('response.completed', { response: resp('completed') }));
      }, SLOW_MS),
    );
  });
  await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', r));
  const baseUrl = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}/v1`;
  const config = (webSocket: object) => ({
    providers: { oresp: { type: 'openai', baseUrl, keys: [{ value: 'sk-wscap' }], models: ['gpt-5'], apis: ['responses'], maxRetries: 0 } },
    virtualKeys: [
      { id: 'a', key: A, models: ['*'] },
      { id: 'b', key: B, models: ['*'] },
    ],
    responses: { webSocket },
  });
  capped = await startGateway({ config: config({ maxConnectionsPerKey: CAP }) });
  idle = await startGateway({ config: config({ idleTimeoutMs: IDLE_MS }) });
});
after(async () => {
  for (const ws of open) ws.terminate();
  await capped.close();
  await idle.close();
  await new Promise((r) => upstream.close(r));
});

/** Opens a connection; a refused upgrade resolves with its HTTP answer. */
const connect = (gw: TestGateway, key: string) =>
  upgradeResponsesSocket(gw.url, key, { track: open, headers: { 'openai-beta': 'responses_websockets=2026-02-06' } });

async function opened(gw: TestGateway, key: string): Promise<ResponsesSocket> {
  const out = await connect(gw, key);
  assert.ok(out.socket, `expected the upgrade, got ${JSON.stringify(out.refused)}`);
  return out.socket;
}

describe('Responses WebSocket connections per key', () => {
  test('the (cap+1)-th upgrade of one key is a 429; other keys connect; a closed connection frees its slot', async () => {
    const held = [];
    for (let i = 0; i < CAP; i++) held.push(await opened(capped, A));
    const { refused } = await connect(capped, A);
    assert.ok(refused, 'the upgrade past the cap must be refused');
    assert.equal(refused.status, 429);
    assert.equal(refused.body.error.type, 'rate_limited');
    assert.equal(refused.body.error.code, 'responses_websocket_connections_exhausted');
    assert.match(refused.body.error.message, /3 open/);
    assert.ok(Number(refused.headers['retry-after']) > 0, 'Retry-After');

    // Another key is not affected.
    const other = await opened(capped, B);
    other.ws.close();

    // A connection closed by the client frees its slot; terminated (no close handshake) too.
    const first = held.shift()!;
    first.ws.close();
    await first.closed;
    held.push(await waitFor(async () => (await connect(capped, A)).socket, 10_000, 'a slot freed by a closed connection'));
    held.shift()!.ws.terminate();
    await waitFor(async () => (await connect(capped, A)).socket, 10_000, 'a slot freed by a terminated connection');
  });

  test('an idle connection is closed with 1000 and a reason, messages keep it open', { timeout: 10_000 }, async () => {
    const socket = await opened(idle, A);
    // Messages within the idle timeout keep it open.
    for (let i = 0; i < 4; i++) {
      socket.send({ type: 'response.processed' });
      await new Promise((r) => setTimeout(r, IDLE_MS / 2));
    }
    assert.equal(socket.ws.readyState, WebSocket.OPEN);
    const started = Date.now();
    const { code, reason } = await socket.closed;
    assert.equal(code, 1000);
    assert.match(reason, /idle/);
    assert.ok(Date.now() - started < IDLE_MS * 5, 'closed soon after going idle');
  });

  test('a response in progress longer than the idle timeout keeps its connection open', { timeout: 10_000 }, async () => {
    const socket = await opened(idle, A);
    const events = socket.received;
    socket.create({ model: 'oresp/gpt-5', input: 'hi' });
    await waitFor(() => events.some((e) => e.type === 'response.completed' || e.type === 'error'), 10_000, 'the response');
    assert.ok(
      events.some((e) => e.type === 'response.completed'),
      JSON.stringify(events),
    );
    // Idle again once it ended.
    assert.equal((await socket.closed).code, 1000);
  });
});
