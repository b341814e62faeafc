// A 2025 session's tool call behaves the same for a client that declared no capabilities (the
// bench's and most agents' shape) as for one that declared elicitation and sampling (the shape the
// other /mcp tests use): progress and log messages at the session's level reach it (as SSE, the
// plain result as JSON), and notifications/cancelled on another POST cancels the call upstream with
// both ledger rows saying so. What a shorter path for such calls (without the MCP SDK server's
// dispatch, tried in bench/README.md's issue 20 part) would have to keep.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { LoggingMessageNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import { startMcpHttpServer, type McpHttpServer } from './fixtures/mcp-http-server.js';
import { startMockUpstream, type MockUpstream } from './mock-upstream/server.js';
import { mockProviders, startGateway, type TestGateway } from './helpers/gateway.js';
import { waitFor } from './helpers/wait-for.js';
import { connectStreamable, textOf } from '../mcp/server/testing.js';

const KEY = 'vk-plain-clients-0001';
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

const CLIENTS = {
  'a client that declared no capabilities': {},
  'a client that declared elicitation and sampling': { elicitation: {}, sampling: {} },
};

for (const [way, capabilities] of Object.entries(CLIENTS)) {
  describe(way, () => {
    test('progress and log messages at the session’s level reach the client, as SSE', async () => {
      const agent = await connectStreamable(gw.url, KEY, capabilities);
      const logs: string[] = [];
      agent.client.setNotificationHandler(
        LoggingMessageNotificationSchema,
        (n) => void logs.push(`${n.params.level}:${String(n.params.data)}`),
      );
      try {
        await agent.client.setLoggingLevel('info');
        agent.postAnswers.length = 0;
        const progress: number[] = [];
        const result = await agent.client.callTool({ name: 'fx__progress', arguments: { steps: 2 } }, undefined, {
          onprogress: (p) => progress.push(p.progress),
        });
        assert.equal(textOf(result), 'done in 2 steps');
        assert.deepEqual(progress, [1, 2]);
        assert.deepEqual(logs, ['info:step 1', 'info:step 2']);
        assert.deepEqual(agent.postAnswers, ['text/event-stream']);

        logs.length = 0;
        agent.postAnswers.length = 0;
        await agent.client.setLoggingLevel('error');
        assert.equal(textOf(await agent.client.callTool({ name: 'fx__chatty', arguments: {} })), 'logged');
        assert.deepEqual(logs, ['error:error line'], 'below the session level: filtered');
        assert.deepEqual(agent.postAnswers, ['application/json', 'text/event-stream'], 'setLevel, then the call as SSE');

        agent.postAnswers.length = 0;
        assert.equal(textOf(await agent.client.callTool({ name: 'fx__add', arguments: { a: 2, b: 3 } })), '5');
        assert.deepEqual(agent.postAnswers, ['application/json'], 'nothing but the result: JSON');
      } finally {
        await agent.close();
      }
    });

    test('notifications/cancelled on another POST cancels the call upstream; both rows say so', async () => {
      const agent = await connectStreamable(gw.url, KEY, capabilities);
      try {
        const [calls, cancelled] = [upstream.calls.length, upstream.cancelled.length];
        const controller = new AbortController();
        const call = agent.client.callTool({ name: 'fx__slow', arguments: { ms: 30_000 } }, undefined, { signal: controller.signal });
        await waitFor(() => upstream.calls.length > calls && upstream.calls.at(-1) === 'slow', 5_000, 'the call to reach the server');
        controller.abort();
        await assert.rejects(call);
        await waitFor(() => upstream.cancelled.length > cancelled, 5_000, 'the upstream server to see the call cancelled');
        const session = agent.sessionId();
        const rows = await waitFor(
          async () => {
            const tool = await gw.query<{ status: string }>(
              "select status from tool_calls where name = 'fx__slow' and session_id = ? order by id desc limit 1",
              session,
            );
            const request = await gw.query<{ status: number }>(
              "select status from requests where surface = 'mcp' and session_id = ? order by ts desc limit 1",
              session,
            );
            return tool[0] && request[0] ? { tool: tool[0].status, request: Number(request[0].status) } : undefined;
          },
          5_000,
          'the cancelled call to be recorded',
        );
        assert.deepEqual(rows, { tool: 'cancelled', request: 499 });
      } finally {
        await agent.close();
      }
    });
  });
}
