// Where a Responses WebSocket upgrade fails decides how the client is told. Before the 101 (key,
// rate, budget, the per-key connection cap) the socket is still HTTP: a plain answer in the OpenAI
// error shape. After it the socket speaks WebSocket: HTTP bytes there read as a broken frame to the
// client, so it gets the surface's error event and a close frame instead.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import WebSocket from 'ws';
import type { ResponsesDeps } from '../responses/handler.js';
import { createResponsesWebSocket, type ResponsesWebSocketOptions } from './responses-websocket.js';

const logged: unknown[] = [];
const base: ResponsesWebSocketOptions = {
  // Only admission is reached: the connections here never send a response.create.
  deps: { gate: { admit: async () => ({ keyId: 'k' }) } } as unknown as ResponsesDeps,
  maxPayloadBytes: 1 << 20,
  maxConnectionsPerKey: 4,
  idleTimeoutMs: 60_000,
  draining: () => false,
  logger: { info() {}, warn() {}, error: (obj) => void logged.push(obj) },
};

const servers: Server[] = [];
after(() => {
  for (const s of servers) s.close();
});

async function serve(opts: ResponsesWebSocketOptions): Promise<string> {
  const server = createServer((_req, res) => res.end());
  servers.push(server);
  createResponsesWebSocket(opts).attach(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `ws://127.0.0.1:${(server.address() as AddressInfo).port}/v1/responses`;
}

/** What the client saw: an HTTP answer in place of the upgrade, or its messages, errors and close. */
function client(url: string): Promise<{ status?: number; messages: any[]; errors: string[]; close?: { code: number; reason: string } }> {
  const seen: { status?: number; messages: any[]; errors: string[]; close?: { code: number; reason: string } } = {
    messages: [],
    errors: [],
  };
  const ws = new WebSocket(url);
  ws.on('message', (data) => seen.messages.push(JSON.parse(data.toString())));
  ws.on('error', (err) => seen.errors.push(err.message));
  return new Promise((resolve) => {
    ws.on('unexpected-response', (_req, res) => {
      seen.status = res.statusCode;
      res.resume();
      ws.terminate();
      resolve(seen);
    });
    ws.on('close', (code, reason) => {
      seen.close = { code, reason: reason.toString() };
      resolve(seen);
    });
  });
}

test('a failure after the upgrade closes the WebSocket with an error event, no HTTP bytes on the socket', async () => {
  // Serving the connection throws as it starts (read from the options, as serveConnection does).
  const opts = Object.defineProperty({ ...base }, 'idleTimeoutMs', {
    get() {
      throw new Error('injected: serving the connection failed');
    },
  });
  const seen = await client(await serve(opts));
  assert.equal(seen.status, undefined, 'the upgrade was answered with 101');
  assert.deepEqual(seen.errors, [], 'no broken frame (HTTP bytes after the 101)');
  assert.equal(seen.messages.length, 1);
  assert.equal(seen.messages[0].type, 'error');
  assert.equal(seen.messages[0].status, 500);
  assert.equal(seen.messages[0].error.type, 'server_error');
  assert.equal(seen.close?.code, 1011);
  assert.equal(logged.length, 1, 'the failure is logged');
});

test('a failure before the upgrade (the per-key connection cap) is still a plain HTTP refusal', async () => {
  const seen = await client(await serve({ ...base, maxConnectionsPerKey: 0 }));
  assert.equal(seen.status, 429);
  assert.deepEqual(seen.messages, []);
});
