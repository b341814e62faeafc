import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type ServerResponse } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { SSE_HEADERS } from '../openai/sse.js';
import { nodeSink } from './node-request.js';

/** The raw bytes of one response written by `write` (its chunked framing visible). */
async function rawResponse(write: (res: ServerResponse) => Promise<void> | void): Promise<string> {
  const server = createServer((_req, res) => void write(res));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  try {
    const socket = connect((server.address() as AddressInfo).port, '127.0.0.1');
    socket.write('GET / HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n');
    let raw = '';
    socket.on('data', (d: Buffer) => (raw += d.toString('latin1')));
    await new Promise((r) => socket.on('close', r));
    return raw.slice(raw.indexOf('\r\n\r\n') + 4);
  } finally {
    server.close();
  }
}

const turn = () => new Promise((r) => setImmediate(r));

describe('nodeSink', () => {
  test('frames written in one turn leave as one chunk, the end with them', async () => {
    const body = await rawResponse((res) => {
      const sink = nodeSink(res, SSE_HEADERS, 'req-1');
      sink.open();
      sink.write('data: a\n\n');
      sink.write('data: b\n\n');
      sink.write('data: c\n\n');
      sink.end();
    });
    assert.equal(body, '1b\r\ndata: a\n\ndata: b\n\ndata: c\n\n\r\n0\r\n\r\n');
  });

  test('frames of a later turn leave in a chunk of their own, without waiting for the end', async () => {
    const body = await rawResponse(async (res) => {
      const sink = nodeSink(res, SSE_HEADERS, 'req-2');
      sink.open();
      sink.write('data: a\n\n');
      await turn();
      await turn();
      sink.write('data: b\n\n');
      sink.write('data: c\n\n');
      await turn();
      await turn();
      sink.end();
    });
    assert.equal(body, '9\r\ndata: a\n\n\r\n12\r\ndata: b\n\ndata: c\n\n\r\n0\r\n\r\n');
  });
});
