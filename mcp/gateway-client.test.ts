import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { InMemoryTransport, type JSONRPCMessage } from '@modelcontextprotocol/client';
import { GatewayClient } from './gateway-client.js';

/** A 2025 server on the other end of an in-memory pair that answers tools/call with `result`. */
async function connectedTo(result: unknown) {
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  serverSide.onmessage = (message: JSONRPCMessage) => {
    if (!('id' in message) || !('method' in message)) return;
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
