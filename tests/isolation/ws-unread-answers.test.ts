// A Responses WebSocket client that sends messages and reads none of the answers (README,
// Guarantees: Isolation). A response's events wait for the client (ws-back-pressure.test.ts), but
// the answers a connection sends itself (an error event, a warm-up's) did not: each was written
// whatever the socket held, so a client pacing its messages under the flood bound grew the
// gateway's socket buffer without end (an unsupported type is echoed in its error: 64 KB a
// message). Now a message is taken only once the client has read what was sent before; the ones
// sent meanwhile wait, within the bounds on waiting messages (past them 429 and 1008).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Duplex } from 'node:stream';
import type WebSocket from 'ws';
import type { TestGateway } from '../helpers/gateway.js';
import { startStack, type Stack } from '../helpers/stack.js';
import { waitFor } from '../helpers/wait-for.js';
import { openResponsesSocket } from '../helpers/responses-socket.js';

const VK = 'vk-ws-unread-answers-01';
let gw: TestGateway;
let stop: Stack['stop'] | undefined;
const open: WebSocket[] = [];
/** The gateway's side of each upgraded connection. */
const sockets: Duplex[] = [];

before(async () => {
  ({ gw, stop } = await startStack({ config: { virtualKeys: [{ id: 'ws-unread', key: VK, models: ['*'] }] } }));
  gw.server.on('upgrade', (_req, socket: Duplex) => sockets.push(socket));
});
after(async () => {
  for (const ws of open) ws.terminate();
  await stop?.();
});

describe('answers a Responses WebSocket client does not read', () => {
  test('wait for the client: the gateway does not buffer them without bound', { timeout: 60_000 }, async () => {
    const socket = await openResponsesSocket(gw.url, VK, { track: open });
    socket.ws.pause(); // reads nothing
    const server = await waitFor(() => sockets.at(-1), 10_000, "the gateway's socket");
    const type = 'a'.repeat(64 * 1024);
    let most = 0;
    // 400 messages whose errors echo 64 KB each (25 MB): more than the kernel's socket buffers hold.
    for (let i = 0; i < 400 && !server.destroyed; i++) {
      socket.send({ type });
      await new Promise((r) => setTimeout(r, 2));
      most = Math.max(most, server.writableLength);
    }
    await new Promise((r) => setTimeout(r, 200));
    most = Math.max(most, server.writableLength);
    assert.ok(most < 1024 * 1024, `the gateway buffered ${most} bytes for a client that reads nothing`);
    // The messages sent meanwhile waited, past their bound: told why, and closed.
    socket.ws.resume();
    assert.equal((await socket.closed).code, 1008);
    const last = socket.received.at(-1)!;
    assert.deepEqual([last.type, last.status], ['error', 429]);
  });
});
