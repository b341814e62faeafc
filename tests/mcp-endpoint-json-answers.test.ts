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
