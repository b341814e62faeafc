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

type Outcome = { ws: WebSocket } | { status: number; headers: Record<string, unknown>; body: any };

/** Opens a connection; a refused upgrade resolves with its HTTP answer. */
function connect(gw: TestGateway, key: string): Promise<Outcome> {
  const ws = new WebSocket(`${gw.url.replace('http', 'ws')}/v1/responses`, {
    headers: { authorization: `Bearer ${key}`, 'openai-beta': 'responses_websockets=2026-02-06' },
  });
  open.push(ws);
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve({ ws }));
    ws.once('unexpected-response', (_req, res) => {
      let text = '';
      res.on('data', (chunk: Buffer) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: JSON.parse(text) }));
    });
    ws.once('error', reject);
  });
}

async function opened(gw: TestGateway, key: string): Promise<WebSocket> {
  const out = await connect(gw, key);
  assert.ok('ws' in out, `expected the upgrade, got ${JSON.stringify(out)}`);
  return out.ws;
}

const closeOf = (ws: WebSocket) =>
  new Promise<{ code: number; reason: string }>((r) => ws.once('close', (code, reason) => r({ code, reason: reason.toString() })));

describe('Responses WebSocket connections per key', () => {
  test('the (cap+1)-th upgrade of one key is a 429; other keys connect; a closed connection frees its slot', async () => {
    const held = [];
    for (let i = 0; i < CAP; i++) held.push(await opened(capped, A));
    const refused = await connect(capped, A);
    assert.ok(!('ws' in refused), 'the upgrade past the cap must be refused');
    assert.equal(refused.status, 429);
    assert.equal(refused.body.error.type, 'rate_limited');
    assert.equal(refused.body.error.code, 'responses_websocket_connections_exhausted');
    assert.match(refused.body.error.message, /3 open/);
    assert.ok(Number(refused.headers['retry-after']) > 0, 'Retry-After');

    // Another key is not affected.
    const other = await opened(capped, B);
    other.close();

    // A connection closed by the client frees its slot; terminated (no close handshake) too.
    const first = held.shift()!;
    const gone = closeOf(first);
    first.close();
    await gone;
    held.push(
      await waitFor(
        async () => {
          const out = await connect(capped, A);
          return 'ws' in out ? out.ws : undefined;
        },
        10_000,
        'a slot freed by a closed connection',
      ),
    );
    held.shift()!.terminate();
    await waitFor(
      async () => {
        const out = await connect(capped, A);
        return 'ws' in out ? out.ws : undefined;
      },
      10_000,
      'a slot freed by a terminated connection',
    );
  });

  test('an idle connection is closed with 1000 and a reason, messages keep it open', { timeout: 10_000 }, async () => {
    const ws = await opened(idle, A);
    const closed = closeOf(ws);
    // Messages within the idle timeout keep it open.
    for (let i = 0; i < 4; i++) {
      ws.send(JSON.stringify({ type: 'response.processed' }));
      await new Promise((r) => setTimeout(r, IDLE_MS / 2));
    }
    assert.equal(ws.readyState, WebSocket.OPEN);
    const started = Date.now();
    const { code, reason } = await closed;
    assert.equal(code, 1000);
    assert.match(reason, /idle/);
    assert.ok(Date.now() - started < IDLE_MS * 5, 'closed soon after going idle');
  });

  test('a response in progress longer than the idle timeout keeps its connection open', { timeout: 10_000 }, async () => {
    const ws = await opened(idle, A);
    const events: any[] = [];
    ws.on('message', (data) => events.push(JSON.parse(data.toString())));
    const closed = closeOf(ws);
    ws.send(JSON.stringify({ type: 'response.create', model: 'oresp/gpt-5', input: 'hi' }));
    await waitFor(() => events.some((e) => e.type === 'response.completed' || e.type === 'error'), 10_000, 'the response');
    assert.ok(
      events.some((e) => e.type === 'response.completed'),
      JSON.stringify(events),
    );
    // Idle again once it ended.
    assert.equal((await closed).code, 1000);
  });
});
