// MCP tool execution inside chat completions (issue 3): the gateway runs the model's MCP tool calls
// against real MCP servers (server-everything over stdio, an SDK server over streamable HTTP) and
// loops until the model answers — for both providers, streaming and not.
import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI from 'openai';
import { startMockUpstream, type MockUpstream } from './mock-upstream/server.js';
import type { MockReply } from './mock-upstream/types.js';
import { mockProviders, startGateway, type TestGateway } from './helpers/gateway.js';
import { everythingServer, historyToolCallsOf, offeredToolsOf, toolResultsOf } from './helpers/wire.js';
import { startMcpHttpServer, type McpHttpServer } from './fixtures/mcp-http-server.js';
import { waitFor } from './helpers/wait-for.js';

const VK = 'vk-loop-test-0001';
const VK_CAPPED = 'vk-loop-capped-01';
const VK_OTHER = 'vk-loop-other-001';
const SECRET = 'sk-gateway-secret-never-in-tools';
let mock: MockUpstream;
let fixture: McpHttpServer;
let gw: TestGateway;
let client: OpenAI;

const text = (t: string): MockReply => ({ kind: 'text', text: t });
const calls = (...c: [string, unknown][]): MockReply => ({
  kind: 'tool_calls',
  calls: c.map(([name, args]) => ({ name, arguments: args })),
});
/** tool_choice "none" in either wire format. */
const toolsForbidden = (body: any) => body.tool_choice === 'none' || body.tool_choice?.type === 'none';

before(async () => {
  process.env.TOLLGATE_LOOP_TEST_SECRET = SECRET;
  mock = await startMockUpstream();
  fixture = await startMcpHttpServer();
  gw = await startGateway({
    config: {
      providers: mockProviders(mock),
      mcpServers: { everything: everythingServer(), fix: { transport: 'http', url: fixture.url, callTimeoutMs: 400 } },
      virtualKeys: [
        {
          id: 'loop',
          key: VK,
          models: ['*'],
          tools: { allow: ['everything__*', 'fix__*'], deny: ['everything__trigger-long-running-operation'] },
        },
        { id: 'other', key: VK_OTHER, models: ['*'], tools: { allow: ['fix__*'] } },
        {
          id: 'capped',
          key: VK_CAPPED,
          models: ['*'],
          tools: { allow: ['fix__*'] },
          loop: { maxRounds: 2, maxToolCalls: 3, timeoutMs: 30000 },
        },
      ],
    },
  });
  client = new OpenAI({ apiKey: VK, baseURL: gw.baseURL, maxRetries: 0 });
});
after(async () => {
  await gw.close();
  await fixture.close();
  await mock.close();
  delete process.env.TOLLGATE_LOOP_TEST_SECRET;
});
beforeEach(() => mock.reset());

for (const model of ['openai/gpt-4o-mini', 'anthropic/claude-sonnet-4-5']) {
  describe(model, () => {
    for (const stream of [false, true]) {
      test(`single MCP call, then the answer (${stream ? 'streaming' : 'json'})`, async () => {
        mock.enqueue(calls(['everything__echo', { message: 'hello tools' }]));
        mock.fallback = (body) => text(`the tool said: ${toolResultsOf(body)[0]?.content}`);
        let content: string | null;
        if (stream) {
          const s = await client.chat.completions.create({
            model,
            stream: true,
            stream_options: { include_usage: true },
            messages: [{ role: 'user', content: 'echo please' }],
          });
          content = '';
          let usage: OpenAI.CompletionUsage | null | undefined;
          for await (const c of s) {
            content += c.choices[0]?.delta.content ?? '';
            assert.equal(c.choices[0]?.delta.tool_calls, undefined, 'MCP tool calls are never forwarded to the client');
            usage = c.usage ?? usage;
          }
          assert.equal(usage?.prompt_tokens, 20, 'usage is summed over both rounds');
        } else {
          const res = await client.chat.completions.create({ model, messages: [{ role: 'user', content: 'echo please' }] });
          content = res.choices[0]!.message.content;
          assert.equal(res.choices[0]!.finish_reason, 'stop');
          assert.equal(res.usage?.prompt_tokens, 20);
          assert.equal((res as any).tollgate.rounds, 2);
          assert.equal((res as any).tollgate.tool_calls[0].status, 'ok');
        }
        assert.equal(content, 'the tool said: Echo: hello tools');
        assert.equal(mock.requests.length, 2);
        const offered = offeredToolsOf(mock.requests[0]!.body);
        assert.ok(offered.includes('everything__echo') && offered.includes('fix__add'));
        assert.ok(!offered.includes('everything__trigger-long-running-operation'), 'denied tools are never offered');
      });
    }

    test('parallel calls across two servers, then a second round, then the answer', async () => {
      mock.enqueue(
        calls(['fix__add', { a: 2, b: 3 }], ['everything__get-sum', { a: 10, b: 20 }]),
        calls(['fix__echo', { text: 'round two' }]),
      );
      mock.fallback = () => text('done');
      const res = await client.chat.completions.create({ model, messages: [{ role: 'user', content: 'sum' }] });
      assert.equal(res.choices[0]!.message.content, 'done');
      const second = toolResultsOf(mock.requests[1]!.body).map((r) => r.content);
      assert.equal(second[0], '5');
      assert.match(second[1]!, /30/);
      const third = toolResultsOf(mock.requests[2]!.body).map((r) => r.content);
      assert.deepEqual(third.slice(-1), ['round two']);
      assert.equal((res as any).tollgate.rounds, 3);
      assert.equal((res as any).tollgate.tool_calls.length, 3);
    });

    test('tool error, bad arguments, unknown tool: results for the model, not HTTP errors', async () => {
      mock.enqueue(
        calls(
          ['fix__fail', {}],
          ['fix__add', { a: 'x' }],
          ['fix__nope', {}],
          ['everything__trigger-long-running-operation', { duration: 1, steps: 1 }],
        ),
      );
      mock.fallback = () => text('handled');
      const res = await client.chat.completions.create({ model, messages: [{ role: 'user', content: 'x' }] });
      assert.equal(res.choices[0]!.message.content, 'handled');
      const results = toolResultsOf(mock.requests[1]!.body).map((r) => r.content);
      assert.match(results[0]!, /always fails/);
      assert.match(results[1]!, /invalid_arguments/);
      assert.match(results[1]!, /\ba\b/);
      assert.match(results[2]!, /unknown_tool/);
      assert.match(results[3]!, /tool_denied/);
      const statuses = (res as any).tollgate.tool_calls.map((t: any) => t.status);
      assert.deepEqual(statuses, ['error', 'invalid_arguments', 'unknown_tool', 'denied']);
    });
  });
}

describe('loop behaviour', () => {
  // The tool would take a minute; the test's own timeout (well under it) fails the test if the
  // gateway waited instead of timing the call out at callTimeoutMs.
  test('a timed-out tool returns a timeout result and the loop continues', { timeout: 30_000 }, async () => {
    mock.enqueue(calls(['fix__slow', { ms: 60_000 }]));
    mock.fallback = (body) => text(toolResultsOf(body)[0]?.content ?? 'none');
    const res = await client.chat.completions.create({ model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'x' }] });
    assert.match(res.choices[0]!.message.content!, /tool_timeout/);
  });

  test('an MCP server killed mid-request: error result, loop continues, manager reconnects', async () => {
    fixture.calls.length = 0;
    mock.enqueue(calls(['fix__slow', { ms: 300 }]));
    mock.fallback = (body) => text(toolResultsOf(body)[0]?.content ?? 'none');
    const pending = client.chat.completions.create({ model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'x' }] });
    await waitFor(() => fixture.calls.includes('slow'), 10_000, 'the slow call to reach the server');
    await fixture.stop();
    const res = await pending;
    assert.match(res.choices[0]!.message.content!, /server_unavailable|tool_error|Error/);
    await fixture.restart();
    await waitFor(
      () => gw.gateway.mcp.getTool('fix__add') && gw.gateway.mcp.status().find((s) => s.name === 'fix')?.state === 'connected',
      15_000,
      'the manager to reconnect',
    );
    mock.reset();
    mock.enqueue(calls(['fix__add', { a: 1, b: 1 }]));
    mock.fallback = (body) => text(toolResultsOf(body)[0]?.content ?? 'none');
    const again = await client.chat.completions.create({ model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'x' }] });
    assert.equal(again.choices[0]!.message.content, '2');
  });

  test('client tools mixed with MCP tools: client gets only its calls; the hidden part is stitched back', async () => {
    const tools: OpenAI.Chat.Completions.ChatCompletionTool[] = [
      { type: 'function', function: { name: 'local_lookup', parameters: { type: 'object', properties: {} } } },
    ];
    mock.enqueue({
      kind: 'tool_calls',
      calls: [
        { id: 'call_mcp', name: 'fix__add', arguments: { a: 4, b: 4 } },
        { id: 'call_client', name: 'local_lookup', arguments: {} },
      ],
    });
    const first = await client.chat.completions.create({ model: 'openai/gpt-4o-mini', tools, messages: [{ role: 'user', content: 'x' }] });
    assert.equal(first.choices[0]!.finish_reason, 'tool_calls');
    assert.deepEqual(
      first.choices[0]!.message.tool_calls!.map((c) => c.id),
      ['call_client'],
    );
    assert.equal(mock.requests.length, 1, 'the gateway returned to the client without another model call');

    mock.fallback = () => text('final');
    const second = await client.chat.completions.create({
      model: 'openai/gpt-4o-mini',
      tools,
      messages: [
        { role: 'user', content: 'x' },
        first.choices[0]!.message as any,
        { role: 'tool', tool_call_id: 'call_client', content: 'client result' },
      ],
    });
    assert.equal(second.choices[0]!.message.content, 'final');
    const sent = mock.requests[1]!.body;
    assert.deepEqual(
      historyToolCallsOf(sent)
        .map((c) => c.id)
        .sort(),
      ['call_client', 'call_mcp'],
    );
    const results = Object.fromEntries(toolResultsOf(sent).map((r) => [r.id, r.content]));
    assert.deepEqual(results, { call_mcp: '8', call_client: 'client result' });
  });

  test("another key replaying a mixed turn's client call id does not see the hidden tool results", async () => {
    const tools: OpenAI.Chat.Completions.ChatCompletionTool[] = [
      { type: 'function', function: { name: 'local_lookup', parameters: { type: 'object', properties: {} } } },
    ];
    mock.enqueue({
      kind: 'tool_calls',
      calls: [
        { id: 'call_mcp_private', name: 'fix__add', arguments: { a: 20, b: 22 } },
        { id: 'call_client_shared', name: 'local_lookup', arguments: {} },
      ],
    });
    const first = await client.chat.completions.create({ model: 'openai/gpt-4o-mini', tools, messages: [{ role: 'user', content: 'x' }] });
    assert.deepEqual(
      first.choices[0]!.message.tool_calls!.map((c) => c.id),
      ['call_client_shared'],
    );
    // A different key sends a history naming the same client call id.
    const other = new OpenAI({ apiKey: VK_OTHER, baseURL: gw.baseURL, maxRetries: 0 });
    mock.fallback = () => text('final');
    const replay = [
      { role: 'user' as const, content: 'x' },
      first.choices[0]!.message as any,
      { role: 'tool' as const, tool_call_id: 'call_client_shared', content: 'client result' },
    ];
    await other.chat.completions.create({ model: 'openai/gpt-4o-mini', tools, messages: replay });
    const sent = mock.requests[1]!.body;
    assert.deepEqual(
      historyToolCallsOf(sent).map((c) => c.id),
      ['call_client_shared'],
      "the other key's request carries only its own history",
    );
    assert.ok(!JSON.stringify(sent).includes('call_mcp_private'));
    // The owner still gets its turn stitched back.
    await client.chat.completions.create({ model: 'openai/gpt-4o-mini', tools, messages: replay });
    const results = Object.fromEntries(toolResultsOf(mock.requests[2]!.body).map((r) => [r.id, r.content]));
    assert.deepEqual(results, { call_mcp_private: '42', call_client_shared: 'client result' });
  });

  test('round cap: after maxRounds the model is asked once more without tools', async () => {
    const capped = new OpenAI({ apiKey: VK_CAPPED, baseURL: gw.baseURL, maxRetries: 0 });
    mock.fallback = (body) => (toolsForbidden(body) ? text('final without tools') : calls(['fix__add', { a: 1, b: 2 }]));
    const res = await capped.chat.completions.create({
      model: 'openai/gpt-4o-mini',
      messages: [{ role: 'user', content: 'loop forever' }],
    });
    assert.equal(res.choices[0]!.message.content, 'final without tools');
    assert.equal(mock.requests.length, 3);
    assert.equal((res as any).tollgate.stopped, 'max_rounds');
    const results = toolResultsOf(mock.requests[2]!.body).map((r) => r.content);
    assert.deepEqual(results[0], '3');
    assert.match(results[1]!, /loop_limit/, 'calls beyond the cap are answered, not run');
  });

  test('tool-call cap: calls beyond maxToolCalls are not run', async () => {
    const capped = new OpenAI({ apiKey: VK_CAPPED, baseURL: gw.baseURL, maxRetries: 0 });
    mock.enqueue(
      calls(['fix__add', { a: 1, b: 1 }], ['fix__add', { a: 2, b: 2 }], ['fix__add', { a: 3, b: 3 }], ['fix__add', { a: 4, b: 4 }]),
    );
    mock.fallback = (body) => (toolsForbidden(body) ? text('capped answer') : calls(['fix__add', { a: 9, b: 9 }]));
    const res = await capped.chat.completions.create({ model: 'anthropic/claude-sonnet-4-5', messages: [{ role: 'user', content: 'x' }] });
    assert.equal(res.choices[0]!.message.content, 'capped answer');
    assert.equal((res as any).tollgate.stopped, 'max_tool_calls');
    const results = toolResultsOf(mock.requests[1]!.body).map((r) => r.content);
    assert.deepEqual(results.slice(0, 3), ['2', '4', '6']);
    assert.match(results[3]!, /loop_limit/);
    assert.deepEqual(mock.requests[1]!.body.tool_choice, { type: 'none' });
  });

  test('streaming: progress comments, one assistant message, client tool call delivered at the end', async () => {
    mock.enqueue(calls(['fix__echo', { text: 'streamed' }]));
    mock.fallback = () => ({
      kind: 'tool_calls',
      text: 'Need one more thing.',
      calls: [{ id: 'call_c', name: 'client_fn', arguments: { q: 1 } }],
    });
    const res = await fetch(`${gw.baseURL}/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${VK}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        model: 'openai/gpt-4o-mini',
        stream: true,
        tools: [{ type: 'function', function: { name: 'client_fn', parameters: { type: 'object' } } }],
        messages: [{ role: 'user', content: 'x' }],
      }),
    });
    const raw = await res.text();
    assert.match(raw, /^: tollgate: running fix__echo$/m);
    assert.match(raw, /^: tollgate: fix__echo ok \d+ms$/m);
    const chunks = raw
      .split('\n\n')
      .filter((f) => f.startsWith('data: {'))
      .map((f) => JSON.parse(f.slice(6)));
    assert.equal(new Set(chunks.map((c) => c.id)).size, 1, 'one message id across rounds');
    const toolDeltas = chunks.flatMap((c) => c.choices[0]?.delta.tool_calls ?? []);
    assert.deepEqual(
      toolDeltas.map((d: any) => d.function.name),
      ['client_fn'],
    );
    assert.equal(chunks.find((c) => c.choices[0]?.finish_reason)?.choices[0].finish_reason, 'tool_calls');
    assert.equal(chunks.map((c) => c.choices[0]?.delta.content ?? '').join(''), 'Need one more thing.');
    assert.match(raw, /data: \[DONE\]\n\n$/);
  });

  test('x-tollgate-tools narrows the offered tools and never widens them', async () => {
    await client.chat.completions.create(
      { model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'x' }] },
      { headers: { 'x-tollgate-tools': 'fix__add,everything__trigger-long-running-operation' } },
    );
    assert.deepEqual(offeredToolsOf(mock.requests[0]!.body), ['fix__add']);
    await client.chat.completions.create(
      { model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'x' }] },
      { headers: { 'x-tollgate-tools': 'none' } },
    );
    assert.deepEqual(offeredToolsOf(mock.requests[1]!.body), []);
  });

  test('stdio MCP servers do not see the gateway environment', async () => {
    mock.enqueue(calls(['everything__get-env', {}]));
    mock.fallback = (body) => text(toolResultsOf(body)[0]?.content ?? '');
    const res = await client.chat.completions.create({ model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'env' }] });
    const env = res.choices[0]!.message.content!;
    assert.match(env, /PATH/, 'the tool really printed its environment');
    assert.ok(!env.includes(SECRET) && !env.includes('TOLLGATE_LOOP_TEST_SECRET'));
  });
});
