import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { JSONRPCMessage } from '@modelcontextprotocol/server';
import { SseServerTransport } from './sse-transport.js';

async function readFrames(reader: ReadableStreamDefaultReader<Uint8Array>, count: number): Promise<string[]> {
  const frames: string[] = [];
  let buffer = '';
  while (frames.length < count) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += new TextDecoder().decode(value);
    const parts = buffer.split('\n\n');
    buffer = parts.pop() ?? '';
    frames.push(...parts);
  }
  return frames;
}

describe('SseServerTransport', () => {
  test('announces the endpoint first, then sends messages as `message` events', async () => {
    const t = new SseServerTransport({ sessionId: 's1', endpoint: '/mcp/messages?sessionId=s1' });
    assert.equal(t.response.headers.get('content-type'), 'text/event-stream');
    const reader = t.response.body!.getReader();
    await t.send({ jsonrpc: '2.0', method: 'notifications/tools/list_changed' });
    assert.deepEqual(await readFrames(reader, 2), [
      'event: endpoint\ndata: /mcp/messages?sessionId=s1',
      'event: message\ndata: {"jsonrpc":"2.0","method":"notifications/tools/list_changed"}',
    ]);
    await t.close();
  });

  test('writes keep-alive comments while quiet', async () => {
    const t = new SseServerTransport({ sessionId: 's2', endpoint: '/e', keepAliveMs: 5 });
    // The keep-alive timer is unref'd (it must never hold a gateway open), so the test holds the
    // event loop open itself while it waits; otherwise the run can end before the first beat.
    const hold = setTimeout(() => undefined, 5_000);
    const frames = await readFrames(t.response.body!.getReader(), 2);
    clearTimeout(hold);
    assert.equal(frames[1], ': keep-alive');
    await t.close();
  });

  test('passes valid messages on and rejects anything else', async () => {
    const t = new SseServerTransport({ sessionId: 's3', endpoint: '/e' });
    const got: JSONRPCMessage[] = [];
    const errors: Error[] = [];
    t.onmessage = (m) => void got.push(m);
    t.onerror = (e) => void errors.push(e);
    await t.handleMessage({ jsonrpc: '2.0', id: 1, method: 'ping' });
    await assert.rejects(t.handleMessage({ nope: true }), /invalid JSON-RPC message/);
    assert.deepEqual(got, [{ jsonrpc: '2.0', id: 1, method: 'ping' }]);
    assert.equal(errors.length, 1);
    await t.close();
  });

  test('a client disconnect closes the transport once; sending afterwards fails', async () => {
    const t = new SseServerTransport({ sessionId: 's4', endpoint: '/e' });
    let closes = 0;
    t.onclose = () => void closes++;
    await t.response.body!.cancel();
    await t.close();
    assert.equal(closes, 1);
    await assert.rejects(t.send({ jsonrpc: '2.0', method: 'x' }), /Not connected/);
  });
});
