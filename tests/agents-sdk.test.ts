// The OpenAI Agents SDK (@openai/agents) through Tollgate over loopback (issue 18): an agent with
// hostedMcpTool naming a gateway MCP server, with and without requireApproval. The gateway runs the
// calls; with approval the run stops with interruptions, and approving one and rejecting the other
// runs exactly the approved call, once. The SDK speaks /v1/responses with the full item history.
import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Agent, OpenAIProvider, Runner, hostedMcpTool } from '@openai/agents';
import { startMockUpstream, type MockUpstream } from './mock-upstream/server.js';
import type { MockReply } from './mock-upstream/types.js';
import { mockProviders, startGateway, type TestGateway } from './helpers/gateway.js';
import { toolResultsOf } from './helpers/wire.js';
import { startMcpHttpServer, type McpHttpServer } from './fixtures/mcp-http-server.js';

const VK = 'vk-agents-sdk-test-1';
let mock: MockUpstream;
let fixture: McpHttpServer;
let gw: TestGateway;
let runner: Runner;

const text = (t: string): MockReply => ({ kind: 'text', text: t });

before(async () => {
  mock = await startMockUpstream();
  fixture = await startMcpHttpServer();
  gw = await startGateway({
    config: {
      providers: {
        ...mockProviders(mock),
        // Speaks Responses itself: the request stays native, the gateway's tools added to it.
        native: {
          type: 'openai',
          baseUrl: mock.openaiBaseUrl,
          keys: [{ value: 'sk-native' }],
          models: ['gpt-5'],
          apis: ['chat', 'responses'],
        },
      },
      mcpServers: { fix: { transport: 'http', url: fixture.url } },
      virtualKeys: [{ id: 'agents', key: VK, models: ['*'], tools: { allow: ['fix__*'] } }],
    },
  });
  runner = new Runner({
    modelProvider: new OpenAIProvider({ apiKey: VK, baseURL: gw.baseURL, useResponses: true }),
    tracingDisabled: true,
  });
});
after(async () => {
  await gw.close();
  await fixture.close();
  await mock.close();
});
beforeEach(() => {
  mock.reset();
  mock.fallback = (body) =>
    text(
      `results: ${toolResultsOf(body)
        .map((r) => r.content)
        .join(' | ')}`,
    );
  fixture.calls.length = 0;
});

for (const model of ['openai/gpt-4o-mini', 'anthropic/claude-sonnet-4-5', 'native/gpt-5']) {
  const native = model.startsWith('native/');
  describe(`Agents SDK on ${model}`, () => {
    test('hostedMcpTool without requireApproval: the gateway runs the call inside the response', async () => {
      mock.enqueue({ kind: 'tool_calls', calls: [{ name: 'fix__add', arguments: { a: 2, b: 3 } }] });
      const agent = new Agent({ name: 'calc', instructions: 'use tools', model, tools: [hostedMcpTool({ serverLabel: 'fix' })] });
      const result = await runner.run(agent, 'add 2 and 3');
      assert.equal(result.finalOutput, 'results: 5');
      assert.deepEqual(fixture.calls, ['add']);
      const types = result.newItems.map((i) => i.rawItem.type);
      assert.ok(types.includes('hosted_tool_call'), `an MCP call among ${types.join(',')}`);
      assert.equal(mock.requests[0]!.path.includes('responses'), native, 'the upstream was spoken to in its own format');
      if (native) assert.ok(mock.requests[0]!.body.tools.some((t: any) => t.type === 'function' && t.name === 'fix__add'));
    });

    test('streamed run: the SDK reads the gateway events while the MCP call runs in the gateway', async () => {
      mock.enqueue({ kind: 'tool_calls', calls: [{ name: 'fix__echo', arguments: { text: 'streamed' } }] });
      const agent = new Agent({ name: 'streamer', instructions: 'use tools', model, tools: [hostedMcpTool({ serverLabel: 'fix' })] });
      const result = await runner.run(agent, 'echo streamed', { stream: true });
      const seen: string[] = [];
      for await (const event of result) if (event.type === 'raw_model_stream_event') seen.push(event.data.type);
      await result.completed;
      assert.equal(result.finalOutput, 'results: streamed');
      assert.deepEqual(fixture.calls, ['echo']);
      assert.ok(seen.includes('output_text_delta'), `text deltas among ${[...new Set(seen)].join(',')}`);
    });

    test('requireApproval "always": approving one interruption and rejecting the other runs only the approved call', async () => {
      mock.enqueue({
        kind: 'tool_calls',
        calls: [
          { name: 'fix__add', arguments: { a: 1, b: 2 } },
          { name: 'fix__echo', arguments: { text: 'secret' } },
        ],
      });
      const agent = new Agent({
        name: 'careful',
        instructions: 'use tools',
        model,
        tools: [hostedMcpTool({ serverLabel: 'fix', requireApproval: 'always' })],
      });
      const first = await runner.run(agent, 'add and echo');
      assert.deepEqual(fixture.calls, [], 'nothing runs before approval');
      const interruptions = first.interruptions ?? [];
      assert.equal(interruptions.length, 2);
      const add = interruptions.find((i) => i.name === 'add')!;
      const echo = interruptions.find((i) => i.name === 'echo')!;
      first.state.approve(add);
      first.state.reject(echo);
      const second = await runner.run(agent, first.state);
      assert.deepEqual(fixture.calls, ['add'], 'exactly the approved call ran');
      assert.match(String(second.finalOutput), /^results: .*3.*denied this call/);
      const rows = await gw.query<{ name: string; reason: string | null }>(
        "SELECT name, reason FROM tool_calls WHERE key_id = 'agents' AND reason LIKE 'approv%' ORDER BY ts DESC LIMIT 4",
      );
      assert.deepEqual(rows.map((r) => `${r.name}:${r.reason}`).sort(), [
        'fix__add:approval_requested',
        'fix__add:approved',
        'fix__echo:approval_denied',
        'fix__echo:approval_requested',
      ]);
    });
  });
}
