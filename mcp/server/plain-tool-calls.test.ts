// SessionMcpServer: a 2025 session's tools/call answers, byte for byte, what the SDK's Server
// answers (its wrapper's request and result validation skipped only where both are known to pass
// unchanged), and the SDK's own checks, errors and input_required handling for everything else.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { InMemoryTransport, type JSONRPCMessage, Server } from '@modelcontextprotocol/server';
import { plainCallParams, plainCallResult, SessionMcpServer } from './plain-tool-calls.js';

type Answer = (params: Record<string, unknown>) => unknown;

/** The JSON text of each server's answer to one tools/call (after a 2025 initialize), and the handler's call count. */
async function answerOf(Kind: typeof Server, answer: Answer, params: unknown): Promise<{ text: string; calls: number }> {
  const server = new Kind({ name: 't', version: '1' }, { capabilities: { tools: {} } });
  let calls = 0;
  server.setRequestHandler('tools/call', async (req) => {
    calls++;
    return answer(req.params as Record<string, unknown>) as never;
  });
  const [client, end] = InMemoryTransport.createLinkedPair();
  const got = new Map<unknown, JSONRPCMessage>();
  client.onmessage = (m) => void got.set((m as { id?: unknown }).id, m);
  await server.connect(end);
  await client.start();
  const next = async (id: number) => {
    while (!got.has(id)) await new Promise((r) => setTimeout(r, 1));
    return got.get(id)!;
  };
  await client.send({
    jsonrpc: '2.0',
    id: 0,
    method: 'initialize',
    params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'c', version: '1' } },
  });
  await next(0);
  await client.send({ jsonrpc: '2.0', method: 'notifications/initialized' });
  await client.send({ jsonrpc: '2.0', id: 1, method: 'tools/call', params } as JSONRPCMessage);
  const text = JSON.stringify(await next(1));
  await server.close();
  return { text, calls };
}

async function same(answer: Answer, params: unknown = { name: 'x', arguments: { a: 1 } }) {
  const sdk = await answerOf(Server, answer, params);
  const ours = await answerOf(SessionMcpServer, answer, params);
  assert.equal(ours.text, sdk.text);
  assert.equal(ours.calls, sdk.calls);
  return ours.text;
}

const text = (t: string) => ({ type: 'text' as const, text: t });

describe('SessionMcpServer tools/call', () => {
  test('plain results: the same answer as the SDK server', async () => {
    assert.match(await same(() => ({ content: [text('Echo: ping')] })), /Echo: ping/);
    await same(() => ({ content: [text('a'), text('b')], isError: true }));
    await same(() => ({ content: [] }));
    await same(() => ({ content: [text('p')] }), { name: 'x', _meta: { progressToken: 7 } });
    await same(() => ({ content: [text('p')] }), { name: 'x' });
  });

  test('other results go through the SDK validation: its normalising, its key order, its refusals', async () => {
    await same(() => ({ isError: false, content: [text('order')] }));
    await same(() => ({ content: [{ text: 'order', type: 'text' }] }));
    await same(() => ({ content: [{ ...text('x'), extra: 1 }] }));
    await same(() => ({ content: [text('x')], structuredContent: { a: 1 }, _meta: { k: 'v' } }));
    await same(() => ({ content: [{ type: 'image', data: 'AAAA', mimeType: 'image/png' }] }));
    await same(() => ({ structuredContent: { a: 1 } }));
    assert.match(await same(() => ({ content: [{ type: 'text', text: 5 }] })), /"error"/);
    assert.match(await same(() => ({ content: 'nope' })), /"error"/);
    assert.match(await same(() => ({ content: [text('x')], isError: 'yes' })), /"error"/);
  });

  test('a handler that throws: the SDK error answer', async () => {
    assert.match(
      await same(() => {
        throw new Error('boom');
      }),
      /boom/,
    );
  });

  test('params that are not plain go through the SDK request validation (bad ones never reach the handler)', async () => {
    assert.match(await same(() => ({ content: [text('x')] }), { name: 5 }), /"error"/);
    assert.match(await same(() => ({ content: [text('x')] }), { name: 'x', arguments: [1] }), /"error"/);
    await same(() => ({ content: [text('x')] }), { name: 'x', task: { ttl: 5 } });
    await same(() => ({ content: [text('x')] }), { name: 'x', _meta: { other: 1 } });
  });

  test('a plain result is handed on as it is, without the SDK parse (its copy)', async () => {
    const result = { content: [text('same')] };
    const seen: Record<string, unknown> = {};
    for (const Kind of [Server, SessionMcpServer]) {
      const server = new Kind({ name: 't', version: '1' }, { capabilities: { tools: {} } });
      server.setRequestHandler('tools/call', async () => result);
      const wrapped = (
        server as unknown as { _requestHandlers: Map<string, (r: unknown, c: unknown) => Promise<unknown>> }
      )._requestHandlers.get('tools/call')!;
      const ctx = { mcpReq: { requestState: () => undefined, _meta: undefined } };
      seen[Kind.name] = await wrapped({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'x' } }, ctx);
    }
    assert.notEqual(seen.Server, result, 'the SDK gives back its parsed copy');
    assert.deepEqual(seen.Server, result);
    assert.equal(seen.SessionMcpServer, result);
  });

  test('what is plain', () => {
    assert.ok(plainCallParams({ params: { name: 'a', arguments: {}, _meta: { progressToken: 'x' } } }));
    assert.ok(!plainCallParams({ params: { name: 'a', arguments: null } }));
    assert.ok(!plainCallParams({ params: { name: 'a', _meta: { progressToken: 1.5 } } }));
    assert.ok(plainCallResult({ content: [text('a')], isError: false }));
    assert.ok(!plainCallResult({ isError: false, content: [] }));
    assert.ok(!plainCallResult({ content: [text('a')], isError: 1 }));
    assert.ok(!plainCallResult({ content: [{ type: 'text' }] }));
    assert.ok(!plainCallResult({}));
  });
});
