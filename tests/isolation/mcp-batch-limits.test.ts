// JSON-RPC batches on both /mcp transports: the legacy HTTP+SSE endpoint (POST /mcp/messages)
// refuses a batch of more than 100 messages as Streamable HTTP does (the MCP SDK's limit), before
// handling any of them; and a refused batch counts as the one request its POST is, not as its
// messages, as a 400 on /v1/* counts once (admission comes before the body is read).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { bareEndpoint, cpuMs, sseSession, streamableSession } from '../helpers/mcp-bare-endpoint.js';

const TOO_LONG = { jsonrpc: '2.0', error: { code: -32600, message: 'Invalid Request: Batch must not exceed 100 messages' }, id: null };
const notifications = (n: number) =>
  JSON.stringify(Array.from({ length: n }, () => ({ jsonrpc: '2.0', method: 'notifications/initialized' })));
const pings = (n: number, from = 1) =>
  JSON.stringify(Array.from({ length: n }, (_, i) => ({ jsonrpc: '2.0', id: from + i, method: 'ping' })));

describe('POST /mcp/messages (HTTP+SSE): batches', () => {
  test('a batch of 40,000 notifications is refused with the SDK’s 400, at about the cost of JSON.parse', async () => {
    const { app } = bareEndpoint();
    const sse = await sseSession(app);
    let handle = Infinity;
    let parse = Infinity;
    for (let i = 0; i < 3; i++) {
      const text = notifications(40_000);
      assert.ok(text.length <= 4 * 1024 * 1024, 'within maxBodyBytes');
      parse = Math.min(parse, await cpuMs(async () => JSON.parse(text)));
      let res!: { status: number; text: string };
      handle = Math.min(handle, await cpuMs(async () => (res = await sse.post(text))));
      assert.equal(res.status, 400);
      assert.deepEqual(JSON.parse(res.text), TOO_LONG);
    }
    console.log(
      `/mcp/messages, 40,000 notifications: handling ${handle.toFixed(1)} ms CPU, JSON.parse ${parse.toFixed(1)} ms (${(handle / parse).toFixed(1)}×)`,
    );
    assert.ok(handle <= 3 * parse, `handling ${handle.toFixed(1)} ms CPU, JSON.parse ${parse.toFixed(1)} ms (bound 3×)`);
  });

  test('a batch of 100 is served (202, each answer on the event stream)', async () => {
    const { app } = bareEndpoint();
    const sse = await sseSession(app);
    assert.equal((await sse.post(pings(100))).status, 202);
    let events = '';
    while ((events.match(/event: message/g) ?? []).length < 100) events += new TextDecoder().decode((await sse.reader.read()).value);
    await sse.reader.cancel();
  });
});

describe('a refused over-long batch counts as one request against the key’s rate', () => {
  test('Streamable HTTP: 101 messages count 1, 100 count 100', async () => {
    const { app, counted } = bareEndpoint();
    const session = await streamableSession(app, 'k2');
    const before = counted.get('k2')!;
    assert.equal((await session.post(pings(101))).status, 400);
    assert.equal(counted.get('k2')! - before, 1, 'the refused POST is one request');
    assert.equal((await session.post(pings(100, 200))).status, 200);
    assert.equal(counted.get('k2')! - before, 1 + 100, 'an accepted batch counts each message');
  });

  test('HTTP+SSE: 101 messages count 1, 100 count 100', async () => {
    const { app, counted } = bareEndpoint();
    const sse = await sseSession(app, 'k3');
    const before = counted.get('k3')!;
    assert.equal((await sse.post(pings(101))).status, 400);
    assert.equal(counted.get('k3')! - before, 1, 'the refused POST is one request');
    assert.equal((await sse.post(pings(100, 200))).status, 202);
    assert.equal(counted.get('k3')! - before, 1 + 100, 'an accepted batch counts each message');
    await sse.reader.cancel();
  });
});
