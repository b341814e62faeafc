// How /mcp answers a 2025 session's tool call: as plain JSON when the call sends nothing before its
// result (the usual case, and the cheaper one: issue 20), as SSE when it does — progress, log
// messages, an elicitation — so none of those is lost or held back (mcp/server/json-answer.ts).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { ElicitRequestSchema, LoggingMessageNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import { startMcpHttpServer, type McpHttpServer } from './fixtures/mcp-http-server.js';
import { startMockUpstream, type MockUpstream } from './mock-upstream/server.js';
import { mockProviders, startGateway, type TestGateway } from './helpers/gateway.js';
import { connectStreamable, textOf } from '../mcp/server/testing.js';

const KEY = 'vk-json-answers-0001';
let upstream: McpHttpServer;
let mock: MockUpstream;
let gw: TestGateway;

before(async () => {
  [upstream, mock] = await Promise.all([startMcpHttpServer({ full: true }), startMockUpstream()]);
  gw = await startGateway({
    config: {
      providers: mockProviders(mock),
      mcpServers: { fx: { transport: 'http', url: upstream.url, callTimeoutMs: 5_000, pin: 'off' } },
      virtualKeys: [{ id: 'agent', key: KEY, models: ['*'], tools: { allow: ['fx__*'] } }],
    },
  });
});
after(async () => {
  await gw.close();
  await Promise.all([upstream.close(), mock.close()]);
});

test('a call that streams nothing is answered as JSON; progress, logs and elicitation make it SSE', async () => {
  const agent = await connectStreamable(gw.url, KEY, { elicitation: {} });
  agent.client.setRequestHandler(ElicitRequestSchema, () => ({ action: 'accept', content: { ok: true } }));
  const logs: string[] = [];
  agent.client.setNotificationHandler(LoggingMessageNotificationSchema, (n) => void logs.push(String(n.params.data)));
  try {
    agent.postAnswers.length = 0;
    assert.equal(textOf(await agent.client.callTool({ name: 'fx__add', arguments: { a: 2, b: 3 } })), '5');
    assert.deepEqual(agent.postAnswers, ['application/json'], 'nothing but the result: plain JSON');

    agent.postAnswers.length = 0;
    const progress: number[] = [];
    const result = await agent.client.callTool({ name: 'fx__progress', arguments: { steps: 2 } }, undefined, {
      onprogress: (p) => progress.push(p.progress),
    });
    assert.equal(textOf(result), 'done in 2 steps');
    assert.deepEqual(progress, [1, 2]);
    assert.deepEqual(logs, ['step 1', 'step 2']);
    assert.deepEqual(agent.postAnswers, ['text/event-stream'], 'progress and logs before the result: SSE');

    agent.postAnswers.length = 0;
    assert.equal(textOf(await agent.client.callTool({ name: 'fx__confirm', arguments: { action: 'deploy' } })), 'accept:{"ok":true}');
    assert.equal(agent.postAnswers[0], 'text/event-stream', 'an elicitation during the call: SSE');
  } finally {
    await agent.close();
  }
});

// A 2025 session's POSTs are answered by the Node listener (src/routes/node-hot-routes.ts, issue 20),
// not Hono: the same answers, x-request-id included, as plain JSON and as a relayed event stream.
test('a session POST answered from the Node listener carries x-request-id, as JSON and as SSE', async () => {
  const headers = { 'content-type': 'application/json', accept: 'application/json, text/event-stream', 'x-bf-vk': KEY };
  const post = (body: object, extra: Record<string, string> = {}) =>
    fetch(`${gw.url}/mcp`, { method: 'POST', headers: { ...headers, ...extra }, body: JSON.stringify(body) });
  const init = await post({
    jsonrpc: '2.0',
    id: 1,
    method: 'initialize',
    params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1' } },
  });
  await init.text();
  const sid = init.headers.get('mcp-session-id')!;
  const session = { 'mcp-session-id': sid, 'mcp-protocol-version': '2025-06-18' };
  const initialized = await post({ jsonrpc: '2.0', method: 'notifications/initialized' }, session);
  assert.equal(initialized.status, 202);
  assert.ok(initialized.headers.get('x-request-id'));

  const plain = await post(
    { jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'fx__add', arguments: { a: 1, b: 2 } } },
    session,
  );
  assert.equal(plain.status, 200);
  assert.equal(plain.headers.get('content-type'), 'application/json');
  assert.equal(plain.headers.get('mcp-session-id'), sid);
  assert.ok(plain.headers.get('x-request-id'));
  assert.deepEqual(((await plain.json()) as { result: { content: { text: string }[] } }).result.content[0]!.text, '3');

  const streamed = await post(
    {
      jsonrpc: '2.0',
      id: 3,
      method: 'tools/call',
      params: { name: 'fx__progress', arguments: { steps: 2 }, _meta: { progressToken: 'p' } },
    },
    session,
  );
  assert.equal(streamed.status, 200);
  assert.equal(streamed.headers.get('content-type'), 'text/event-stream');
  assert.ok(streamed.headers.get('x-request-id'));
  const events = await streamed.text();
  assert.match(events, /notifications\/progress/);
  assert.match(events, /"id":3/);

  const gone = await post({ jsonrpc: '2.0', id: 4, method: 'tools/list', params: {} }, { ...session, 'mcp-session-id': 'no-such-session' });
  assert.equal(gone.status, 404);
  assert.ok(gone.headers.get('x-request-id'));
  assert.equal(((await gone.json()) as { error: { code: number } }).error.code, -32001);
  await fetch(`${gw.url}/mcp`, { method: 'DELETE', headers: { ...headers, ...session } });
});
