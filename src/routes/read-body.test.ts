// readBody on a request whose client is already gone when the read starts (the hot routes wait for
// ledger room before reading: node-hot-routes.ts): it must settle as a client that left, not wait
// for events a destroyed request never emits again. Before, the read never settled: the request
// hung, held its memory, was never counted, and one cut by server.requestTimeoutMs during the
// wait never got the row its 408 is due.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { GatewayError } from '../errors.js';
import { readBody } from './read-body.js';

const TOO_LARGE = new GatewayError({ status: 413, type: 'request_too_large', message: 'too large' });

test('a request whose client left before the read began: rejected as 499, at once', async () => {
  let arrived!: (req: IncomingMessage) => void;
  const request = new Promise<IncomingMessage>((r) => (arrived = r));
  const server = createServer((req) => arrived(req));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  try {
    const socket = connect((server.address() as AddressInfo).port, '127.0.0.1');
    socket.write('POST / HTTP/1.1\r\nhost: x\r\ncontent-length: 100\r\n\r\n{"a"');
    const req = await request;
    const closed = new Promise<void>((r) => req.once('close', () => r()));
    socket.destroy();
    await closed;
    const outcome = await Promise.race([
      readBody(req, undefined, TOO_LARGE).then(
        () => 'resolved',
        (err: unknown) => err,
      ),
      new Promise((r) => setTimeout(() => r('still waiting after 2 s'), 2_000)),
    ]);
    assert.ok(outcome instanceof GatewayError, String(outcome));
    assert.equal(outcome.status, 499);
  } finally {
    server.close();
  }
});
