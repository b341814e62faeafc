// The HTTP server's own limits (config `server`, README "Configuration"): nothing per key is held
// while a request arrives, so a client without a key could hold a socket for Node's 300 s request
// timeout by sending its body slowly, and open as many such sockets as it likes. A request not
// received within server.requestTimeoutMs gets 408 in the OpenAI shape and its socket is closed,
// while other clients are served; a response that streams longer than that, and a WebSocket
// connection, are not cut (the limit is on receiving the request only). Beyond server.maxConnections
// a new connection is closed at once, and is accepted again once the held ones close.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { request } from 'node:http';
import type { MockUpstream } from '../mock-upstream/server.js';
import type { TestGateway } from '../helpers/gateway.js';
import { startStack, type Stack } from '../helpers/stack.js';
import { openResponsesSocket } from '../helpers/responses-socket.js';

const VK = 'vk-slow-clients-0001';
const MODEL = 'openai/gpt-4o-mini';
const TIMEOUT_MS = 500;

function chat(url: string, body: Record<string, unknown>): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    // agent: false, so each call is a connection of its own (counted against maxConnections).
    const req = request(`${url}/v1/chat/completions`, {
      method: 'POST',
      agent: false,
      headers: { authorization: `Bearer ${VK}`, 'content-type': 'application/json' },
    });
    req.on('error', reject);
    req.on('response', (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
      res.on('error', reject);
    });
    req.end(JSON.stringify({ model: MODEL, messages: [{ role: 'user', content: 'hi' }], ...body }));
  });
}

function rawSocket(url: string): Promise<Socket> {
  const { port } = new URL(url);
  return new Promise((resolve, reject) => {
    const s = connect(Number(port), '127.0.0.1', () => resolve(s));
    s.on('error', reject);
  });
}

/** Everything the socket receives until it closes (or `limitMs` passes: then `closed` is false). */
function untilClosed(s: Socket, limitMs: number): Promise<{ text: string; closed: boolean }> {
  return new Promise((resolve) => {
    let text = '';
    s.setEncoding('utf8');
    s.on('data', (d: string) => (text += d));
    s.on('error', () => undefined);
    const timer = setTimeout(() => resolve({ text, closed: false }), limitMs);
    s.on('close', () => {
      clearTimeout(timer);
      resolve({ text, closed: true });
    });
  });
}

const config = (server: Record<string, unknown>) => ({
  server,
  virtualKeys: [{ id: 'k', key: VK, models: ['*'] }],
});

describe('server.requestTimeoutMs', () => {
  let mock: MockUpstream;
  let gw: TestGateway;
  let stop: Stack['stop'] | undefined;
  before(async () => {
    ({ mock, gw, stop } = await startStack({
      providers: { maxRetries: 0 },
      config: config({ requestTimeoutMs: TIMEOUT_MS, headersTimeoutMs: TIMEOUT_MS }),
    }));
  });
  after(() => stop?.());

  test('a body sent a byte at a time is cut with 408 in the OpenAI shape; another client is served meanwhile', async () => {
    const s = await rawSocket(gw.url);
    const started = Date.now();
    s.write(
      `POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${VK}\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{`,
    );
    const drip = setInterval(() => s.writable && s.write(' '), 100);
    const done = untilClosed(s, 5_000);
    const other = await chat(gw.url, {});
    assert.equal(other.status, 200, other.text);
    const { text, closed } = await done;
    clearInterval(drip);
    const elapsed = Date.now() - started;
    assert.ok(closed, `the slow socket was still open after 5 s (received: ${JSON.stringify(text)})`);
    assert.ok(elapsed >= TIMEOUT_MS - 50, `cut after ${elapsed} ms, before the timeout`);
    assert.match(text, /^HTTP\/1\.1 408 /);
    assert.match(text, /\r\nconnection: close\r\n/i);
    const body = JSON.parse(text.slice(text.indexOf('\r\n\r\n') + 4));
    assert.deepEqual(body, {
      error: {
        message: `the request (headers and body) was not received within ${TIMEOUT_MS} ms`,
        type: 'invalid_request_error',
        code: 'request_timeout',
        param: null,
      },
    });
  });

  test('a streamed response lasting longer than the timeout is not cut', async () => {
    mock.enqueue({ kind: 'text', text: 'a slow answer that keeps coming', frameDelayMs: 250 });
    const started = Date.now();
    const res = await chat(gw.url, { stream: true });
    const elapsed = Date.now() - started;
    assert.equal(res.status, 200);
    assert.ok(elapsed > 2 * TIMEOUT_MS, `the stream took only ${elapsed} ms: not a test of the timeout`);
    assert.match(res.text, /data: \[DONE\]\n\n$/);
    assert.equal(res.text.includes('error'), false, res.text);
  });

  test('a WebSocket connection open longer than the timeout is not cut, and still answers', async () => {
    const socket = await openResponsesSocket(gw.url, VK);
    try {
      let closed = false;
      void socket.closed.then(() => (closed = true));
      await new Promise((r) => setTimeout(r, 3 * TIMEOUT_MS));
      assert.equal(closed, false, 'the WebSocket was closed');
      socket.create({ model: MODEL, input: 'still there?' });
      assert.equal((await socket.read()).at(-1)!.type, 'response.completed');
    } finally {
      socket.ws.terminate();
    }
  });
});

describe('server.maxConnections', () => {
  const CAP = 3;
  let gw: TestGateway;
  let stop: Stack['stop'] | undefined;
  before(async () => {
    ({ gw, stop } = await startStack({ config: config({ maxConnections: CAP }) }));
  });
  after(() => stop?.());

  test(`with ${CAP} connections held, one more is closed at once; once they close, it is served`, async () => {
    const held = await Promise.all(Array.from({ length: CAP }, () => rawSocket(gw.url)));
    // The server has accepted them all before the next one arrives.
    await new Promise((r) => setTimeout(r, 100));
    const extra = await rawSocket(gw.url);
    extra.write(`GET /v1/models HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${VK}\r\n\r\n`);
    const refused = await untilClosed(extra, 3_000);
    assert.ok(refused.closed, `the connection past the cap was served: ${JSON.stringify(refused.text)}`);
    assert.equal(refused.text, '');
    const closes = held.map((s) => untilClosed(s, 3_000));
    for (const s of held) s.end();
    await Promise.all(closes);
    await new Promise((r) => setTimeout(r, 100));
    const res = await chat(gw.url, {});
    assert.equal(res.status, 200, res.text);
  });
});
