import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type ServerResponse } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { SSE_HEADERS } from '../openai/sse.js';
import { nodeSink, PendingFrames } from './node-request.js';

/** The raw bytes of one response written by `write` (its chunked framing visible). */
async function rawResponse(write: (res: ServerResponse) => Promise<void> | void): Promise<string> {
  const server = createServer((_req, res) => void write(res));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  try {
    const socket = connect((server.address() as AddressInfo).port, '127.0.0.1');
    socket.write('GET / HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n');
    let raw = '';
    // Done at the chunked terminator: SSE_HEADERS keep the connection alive, so waiting for the
    // server to close it would wait out its keep-alive timeout (5 s a test).
    await new Promise<void>((r) => {
      socket.on('data', (d: Buffer) => {
        raw += d.toString('latin1');
        if (raw.endsWith('\r\n0\r\n\r\n')) r();
      });
      socket.on('close', () => r());
    });
    socket.destroy();
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

  test('upstream bytes and text frames leave in order, in one chunk per turn', async () => {
    const upstream = Buffer.from('event: a\ndata: 1\n\nevent: b\ndata: 2\n\n');
    const body = await rawResponse((res) => {
      const sink = nodeSink(res, SSE_HEADERS, 'req-3');
      sink.open();
      sink.write(':x\n\n');
      sink.bytes!(upstream, 0, 18);
      sink.bytes!(upstream, 18, upstream.length);
      sink.write('data: c\n\n');
      sink.end();
    });
    assert.equal(body, `31\r\n:x\n\n${upstream.toString()}data: c\n\n\r\n0\r\n\r\n`);
  });
});

describe('PendingFrames', () => {
  test("ranges that follow each other in one chunk are written as that chunk's own bytes, neither copied nor encoded", () => {
    const chunk = Buffer.from('event: a\ndata: 1\n\nevent: b\ndata: 2\n\n');
    const pending = new PendingFrames();
    pending.bytes(chunk, 0, 18);
    pending.bytes(chunk, 18, chunk.length);
    assert.equal(pending.take(), chunk);
    assert.equal(pending.empty, true);
    pending.bytes(chunk, 18, chunk.length);
    const part = pending.take() as Buffer;
    assert.equal(part.buffer, chunk.buffer);
    assert.equal(part.toString(), 'event: b\ndata: 2\n\n');
  });

  test('text, bytes of two chunks and text again: one buffer, in order', () => {
    const one = Buffer.from('event: a\ndata: 1\n\n');
    const two = Buffer.from('event: b\ndata: é\n\n');
    const pending = new PendingFrames();
    pending.text(':x\n\n');
    pending.bytes(one, 0, one.length);
    pending.bytes(two, 0, two.length);
    pending.text('data: c\n\n');
    assert.equal((pending.take() as Buffer).toString(), ':x\n\nevent: a\ndata: 1\n\nevent: b\ndata: é\n\ndata: c\n\n');
    pending.text('data: d\n\n');
    assert.equal(pending.take(), 'data: d\n\n');
  });
});
