import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { InMemoryTransport, type JSONRPCMessage } from '@modelcontextprotocol/client';
import { GatewayClient } from './gateway-client.js';
import { NO_SDK_TIMEOUT } from './deadline.js';

/** A 2025 server on the other end of an in-memory pair that answers tools/call with `result` (undefined: never). */
async function connectedTo(result: unknown, asked: (string | number)[] = []) {
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  serverSide.onmessage = (message: JSONRPCMessage) => {
    if (!('id' in message) || !('method' in message)) return;
    if (message.method !== 'initialize') asked.push(message.id);
    if (message.method !== 'initialize' && result === undefined) return;
    const answer =
      message.method === 'initialize'
        ? { protocolVersion: '2025-11-25', capabilities: { tools: {} }, serverInfo: { name: 'fx', version: '1' } }
        : result;
    void serverSide.send({ jsonrpc: '2.0', id: message.id, result: answer } as JSONRPCMessage);
  };
  await serverSide.start();
  const client = new GatewayClient({ name: 't', version: '1' }, { versionNegotiation: { mode: 'legacy' } });
  await client.connect(clientSide);
  return client;
}

describe('GatewayClient', () => {
  test('tools/call results are validated once each, with no probe of the schema by an undefined result', async (t) => {
    const client = await connectedTo({ content: [{ type: 'text', text: 'Echo: ping' }] });
    const codec = (client as unknown as { _wireCodec(): { validateResult(method: string, raw: unknown): unknown } })._wireCodec();
    const validated = t.mock.method(codec, 'validateResult');
    const result = await client.callTool({ name: 'echo', arguments: { message: 'ping' } });
    assert.deepEqual(result.content, [{ type: 'text', text: 'Echo: ping' }]);
    assert.deepEqual(
      validated.mock.calls.map((c) => c.arguments),
      [['tools/call', { content: [{ type: 'text', text: 'Echo: ping' }] }]],
    );
    await client.close();
  });

  test('a malformed tools/call result is still refused', async () => {
    const client = await connectedTo({ content: 'not a list' });
    await assert.rejects(client.callTool({ name: 'echo', arguments: {} }), /content/);
    await client.close();
  });
});

/** The SDK Protocol's per-request state (private in its types). */
const stateOf = (client: GatewayClient) => {
  const p = client as unknown as {
    _responseHandlers: Map<number, unknown>;
    _progressHandlers: Map<number, unknown>;
    _timeoutInfo: Map<number, unknown>;
  };
  return { handlers: p._responseHandlers.size, progress: p._progressHandlers.size, timeouts: p._timeoutInfo.size };
};

describe('GatewayClient.takeResult', () => {
  const RESULT = { content: [{ type: 'text', text: 'Echo: ping' }] };

  test('hands a result to its request as the SDK does: the same value, its handler, timeout and progress handler released', async () => {
    const viaSdk = await connectedTo(RESULT);
    const sdkValue = await viaSdk.callTool({ name: 'echo', arguments: {} }, { onprogress: () => undefined });
    const asked: (string | number)[] = [];
    const client = await connectedTo(undefined, asked);
    const pending = client.callTool({ name: 'echo', arguments: {} }, { onprogress: () => undefined });
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(stateOf(client), { handlers: 1, progress: 1, timeouts: 1 });
    assert.equal(client.takeResult({ jsonrpc: '2.0', id: asked[0], result: structuredClone(RESULT) }), true);
    assert.deepEqual(await pending, sdkValue);
    assert.deepEqual(stateOf(client), { handlers: 0, progress: 0, timeouts: 0 });
    await viaSdk.close();
    await client.close();
  });

  test("leaves to the SDK an id nothing waits for and a string id (a listen stream's)", async () => {
    const client = await connectedTo(RESULT);
    assert.equal(client.takeResult({ jsonrpc: '2.0', id: 999, result: {} }), false);
    assert.equal(client.takeResult({ jsonrpc: '2.0', id: '1', result: {} }), false);
    await client.close();
  });
});

describe('GatewayClient request timers', () => {
  const timers = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;

  test('a request sent with NO_SDK_TIMEOUT arms no SDK timer; its record is kept and released as the SDK does', async () => {
    const asked: (string | number)[] = [];
    const client = await connectedTo(undefined, asked);
    try {
      const before = timers();
      const pending = client.callTool({ name: 'echo', arguments: {} }, { timeout: NO_SDK_TIMEOUT });
      await new Promise((resolve) => setImmediate(resolve));
      assert.equal(timers(), before);
      assert.deepEqual(stateOf(client), { handlers: 1, progress: 0, timeouts: 1 });
      assert.ok(client.takeResult({ jsonrpc: '2.0', id: asked[0], result: { content: [] } }));
      await pending;
      assert.deepEqual(stateOf(client), { handlers: 0, progress: 0, timeouts: 0 });
    } finally {
      // Also settles a request left waiting by a failed assertion (its SDK timer would hold the process).
      await client.close();
    }
  });

  test('any other timeout is the SDK timer, which still times the request out', async () => {
    const client = await connectedTo(undefined);
    const before = timers();
    // The rejection is awaited from the start, and the timeout is long enough for the timer to be
    // counted before it fires: on a loaded machine (CI beside other work) 30 ms could pass before
    // the count, and the request's rejection went unhandled.
    const pending = assert.rejects(client.callTool({ name: 'echo', arguments: {} }, { timeout: 500 }), /timed out/i);
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(timers(), before + 1);
    await pending;
    await client.close();
  });
});
