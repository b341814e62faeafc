// Gateway tools on the native Responses pass-through (issue 18): a key with gateway MCP tools, or a
// request naming a gateway MCP server as a hosted tool, stays on /v1/responses upstream. The
// client's body goes with its tools and items intact plus the gateway's tools as function tools;
// the gateway runs its calls and continues with the round's output items (reasoning included) and
// function_call_output items; the client sees one response without the gateway's function calls,
// sequence numbers rising by one, usage summed over rounds, and every round in the ledger.
import { after, before, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI from 'openai';
import { startMockUpstream, type MockUpstream } from './mock-upstream/server.js';
import { startGateway, type TestGateway } from './helpers/gateway.js';
import { startMcpHttpServer, type McpHttpServer } from './fixtures/mcp-http-server.js';

const VK = 'vk-native-loop-tools-1';
const VK_CAPPED = 'vk-native-loop-capped1';
let mock: MockUpstream;
let fixture: McpHttpServer;
let gw: TestGateway;
let client: OpenAI;

/** What Codex sends: tools and items a chat upstream could not be told. */
const codexTools = [
  { type: 'namespace', name: 'mcp__docs', description: 'd', tools: [{ type: 'function', name: 'search', parameters: { type: 'object' } }] },
  { type: 'custom', name: 'apply_patch', format: { type: 'grammar', syntax: 'lark', definition: 'start: /.+/' } },
  { type: 'web_search', external_web_access: false },
  { type: 'tool_search' },
];
const codexInput = [
  { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'add 2 and 3' }] },
  { type: 'reasoning', id: 'rs_prev', summary: [], encrypted_content: 'gAAAA-earlier' },
];

before(async () => {
  mock = await startMockUpstream();
  fixture = await startMcpHttpServer();
  gw = await startGateway({
    config: {
      providers: {
        oai: {
          type: 'openai',
          baseUrl: mock.openaiBaseUrl,
          keys: [{ value: 'sk-native-loop-secret' }],
          models: ['gpt-5-codex'],
          apis: ['chat', 'responses'],
          maxRetries: 0,
        },
      },
      pricing: { 'oai/gpt-5-codex': { inputPerMTok: 1, outputPerMTok: 2 } },
      mcpServers: { fix: { transport: 'http', url: fixture.url } },
      virtualKeys: [
        { id: 'native-loop', key: VK, models: ['*'], tools: { allow: ['fix__*'] }, budget: { usd: 10, period: 'month' } },
        { id: 'native-capped', key: VK_CAPPED, models: ['*'], tools: { allow: ['fix__*'] }, loop: { maxRounds: 1 } },
      ],
    },
  });
  client = new OpenAI({ apiKey: VK, baseURL: gw.baseURL, maxRetries: 0 });
});
after(async () => {
  await gw.close();
  await fixture.close();
  await mock.close();
});
beforeEach(() => {
  mock.reset();
  fixture.calls.length = 0;
});

/** Round 1: encrypted reasoning and a gateway call; round 2: the answer. */
function enqueueGatewayRound() {
  mock.enqueue(
    {
      kind: 'tool_calls',
      reasoning: { encrypted: 'gAAAA-round1' },
      calls: [{ id: 'call_gw', name: 'fix__add', arguments: { a: 2, b: 3 } }],
      usage: { input: 10, output: 5 },
    },
    { kind: 'text', text: 'it is 5', usage: { input: 20, output: 3 } },
  );
}

function assertUpstreamRounds() {
  assert.deepEqual(
    mock.requests.map((r) => r.path),
    ['/v1/responses', '/v1/responses'],
    'both rounds spoke Responses, not chat',
  );
  const [first, second] = mock.requests.map((r) => r.body);
  assert.equal(first.model, 'gpt-5-codex');
  assert.deepEqual(first.tools.slice(0, 4), codexTools, "the client's tools reach the upstream as sent");
  assert.ok(
    first.tools.some((t: any) => t.type === 'function' && t.name === 'fix__add'),
    'the gateway tool is offered as a function',
  );
  assert.deepEqual(first.input, codexInput, 'items untouched');
  assert.equal(first.store, false);
  // Round 2 continues with the conversation, round 1's output (its reasoning too) and the tool's result.
  const types = second.input.map((i: any) => i.type);
  assert.deepEqual(types, ['message', 'reasoning', 'reasoning', 'function_call', 'function_call_output']);
  assert.equal(second.input[2].encrypted_content, 'gAAAA-round1');
  assert.equal(second.input[3].call_id, 'call_gw');
  assert.deepEqual(second.input[4], { type: 'function_call_output', call_id: 'call_gw', output: '5' });
}

async function assertLedger(requestId: string | null) {
  const rows = await gw.query<{ surface: string; rounds: number }>('SELECT surface, rounds FROM requests WHERE id = ?', requestId);
  assert.deepEqual(
    rows.map((r) => [r.surface, Number(r.rounds)]),
    [['responses', 2]],
  );
  const calls = await gw.query<{ round: number; prompt_tokens: number }>(
    'SELECT round, prompt_tokens FROM llm_calls WHERE request_id = ? ORDER BY round',
    requestId,
  );
  assert.deepEqual(
    calls.map((c) => [Number(c.round), Number(c.prompt_tokens)]),
    [
      [1, 10],
      [2, 20],
    ],
  );
  const tools = await gw.query<{ server: string; tool: string; status: string }>(
    'SELECT server, tool, status FROM tool_calls WHERE request_id = ?',
    requestId,
  );
  assert.deepEqual(
    tools.map((t) => `${t.server}/${t.tool}:${t.status}`),
    ['fix/add:ok'],
  );
}

const body = { model: 'oai/gpt-5-codex', input: codexInput, tools: codexTools, store: false, include: ['reasoning.encrypted_content'] };

test('non-streamed: the gateway tool runs between native rounds; the client sees no gateway function_call', async () => {
  enqueueGatewayRound();
  const { data, response } = await client.responses.create(body as never).withResponse();
  assertUpstreamRounds();
  assert.deepEqual(fixture.calls, ['add']);
  assert.deepEqual(
    data.output.map((i) => i.type),
    ['reasoning', 'message'],
  );
  assert.equal(data.output_text, 'it is 5');
  assert.deepEqual(data.tools, codexTools, "the response echoes the client's tools, not the gateway's");
  assert.equal(data.usage?.input_tokens, 30, 'usage summed over rounds');
  assert.equal(data.usage?.output_tokens, 8);
  await assertLedger(response.headers.get('x-request-id'));
});

test("non-streamed, one round and no gateway call: the response still echoes the client's tools, not the gateway's", async () => {
  // Before, such an answer went out as the upstream's own bytes, whose `tools` listed the key's MCP tools.
  mock.enqueue({ kind: 'text', text: 'no tool needed' });
  const data = await client.responses.create({ model: 'oai/gpt-5', input: 'hi', tools: codexTools } as never);
  assert.ok(
    (mock.requests[0]!.body.tools as { name?: string }[]).some((t) => t.name?.startsWith('fix__')),
    'the gateway offered its tools',
  );
  assert.equal(data.output_text, 'no tool needed');
  assert.deepEqual(data.tools, codexTools);
  const plain = await client.responses.create({ model: 'oai/gpt-5', input: 'hi' } as never);
  assert.deepEqual(plain.tools, [], 'none of the gateway tools when the client sent none');
});

test('streamed: upstream events relayed live, gateway calls hidden, numbers renumbered and consistent', async () => {
  enqueueGatewayRound();
  const { data: stream, response } = await client.responses.create({ ...body, stream: true } as never).withResponse();
  const events: any[] = [];
  for await (const e of stream as unknown as AsyncIterable<any>) events.push(e);
  assertUpstreamRounds();
  assert.deepEqual(
    events.map((e) => e.sequence_number),
    events.map((_, i) => i),
    'sequence numbers rise by one from 0',
  );
  assert.equal(events.filter((e) => e.type === 'response.created').length, 1);
  assert.equal(events.filter((e) => e.type === 'response.completed').length, 1);
  assert.ok(!events.some((e) => e.item?.type === 'function_call' || e.type.startsWith('response.function_call')), 'no gateway call shown');
  const completed = events.at(-1);
  assert.equal(completed.type, 'response.completed');
  const done = events.filter((e) => e.type === 'response.output_item.done');
  assert.deepEqual(
    done.map((e) => e.output_index),
    done.map((_, i) => i),
    'output indexes run on across rounds',
  );
  assert.deepEqual(
    completed.response.output,
    done.map((e) => e.item),
    'the final response lists what was streamed',
  );
  assert.equal(events.flatMap((e) => (e.type === 'response.output_text.delta' ? [e.delta] : [])).join(''), 'it is 5');
  assert.equal(completed.response.usage.input_tokens, 30);
  assert.deepEqual(events[0].response.tools, codexTools, "the response echoes the client's tools, not the gateway's");
  assert.deepEqual(completed.response.tools, codexTools);
  await assertLedger(response.headers.get('x-request-id'));
});

test('a client call beside a gateway call ends the round; the follow-up gets the hidden call stitched back', async () => {
  mock.enqueue({
    kind: 'tool_calls',
    calls: [
      { id: 'call_gw2', name: 'fix__add', arguments: { a: 1, b: 1 } },
      { id: 'call_patch', name: 'apply_patch', arguments: '*** patch', custom: true },
    ],
  });
  const first = await client.responses.create(body as never);
  assert.deepEqual(
    first.output.map((i) => i.type),
    ['custom_tool_call'],
  );
  assert.deepEqual(fixture.calls, ['add'], 'the gateway ran its call');
  mock.enqueue({ kind: 'text', text: 'patched' });
  await client.responses.create({
    ...body,
    input: [...codexInput, ...first.output, { type: 'custom_tool_call_output', call_id: 'call_patch', output: 'ok' }],
  } as never);
  const sent = mock.requests.at(-1)!.body.input as any[];
  assert.deepEqual(
    sent.map((i) => `${i.type}:${i.call_id ?? ''}`),
    [
      'message:',
      'reasoning:',
      'custom_tool_call:call_patch',
      'function_call:call_gw2',
      'function_call_output:call_gw2',
      'custom_tool_call_output:call_patch',
    ],
  );
});

test('hosted gateway MCP on a native upstream: mcp_list_tools and mcp_call items and events, the server entry not sent upstream', async () => {
  mock.enqueue(
    { kind: 'tool_calls', calls: [{ id: 'call_h', name: 'fix__echo', arguments: { text: 'hi' } }] },
    { kind: 'text', text: 'echoed' },
  );
  const events: any[] = [];
  const stream = await client.responses.create({
    model: 'oai/gpt-5-codex',
    input: 'echo hi',
    tools: [{ type: 'mcp', server_label: 'fix', allowed_tools: ['echo'], require_approval: 'never' }],
    stream: true,
  });
  for await (const e of stream) events.push(e);
  const upstreamTools = mock.requests[0]!.body.tools;
  assert.deepEqual(
    upstreamTools.map((t: any) => `${t.type}:${t.name}`),
    ['function:fix__echo'],
  );
  const completed = events.at(-1);
  assert.deepEqual(
    completed.response.output.map((i: any) => i.type),
    ['mcp_list_tools', 'mcp_call', 'message'],
  );
  assert.equal(completed.response.output[1].output, 'hi');
  assert.ok(events.some((e) => e.type === 'response.mcp_call.completed'));
  assert.deepEqual(
    events.map((e) => e.sequence_number),
    events.map((_, i) => i),
  );
});

test('approval on a native upstream: the call waits, an approval by previous_response_id runs it once', async () => {
  mock.enqueue({ kind: 'tool_calls', calls: [{ id: 'call_ap', name: 'fix__add', arguments: { a: 4, b: 4 } }] });
  const tools = [{ type: 'mcp' as const, server_label: 'fix', require_approval: 'always' as const }];
  const first = await client.responses.create({ model: 'oai/gpt-5-codex', input: 'add 4 and 4', tools });
  assert.deepEqual(
    first.output.map((i) => i.type),
    ['mcp_list_tools', 'mcp_approval_request'],
  );
  const request = first.output[1] as OpenAI.Responses.ResponseOutputItem.McpApprovalRequest;
  assert.deepEqual(fixture.calls, []);
  mock.enqueue({ kind: 'text', text: 'eight' });
  const second = await client.responses.create({
    model: 'oai/gpt-5-codex',
    previous_response_id: first.id,
    input: [{ type: 'mcp_approval_response', approval_request_id: request.id, approve: true }],
    tools,
  });
  assert.deepEqual(fixture.calls, ['add']);
  const sent = mock.requests.at(-1)!.body;
  assert.equal(sent.previous_response_id, first.id, 'the upstream continues its own stored response');
  assert.deepEqual(sent.input, [{ type: 'function_call_output', call_id: 'call_ap', output: '8' }]);
  assert.equal(second.output_text, 'eight');
  assert.equal(second.output.find((i) => i.type === 'mcp_call')?.type, 'mcp_call');
});

test("the key's loop cap holds on the native path: the last round may not call tools, the response says it was cut short", async () => {
  mock.enqueue(
    { kind: 'tool_calls', calls: [{ id: 'call_cap', name: 'fix__add', arguments: { a: 1, b: 2 } }] },
    { kind: 'text', text: 'as far as I got' },
  );
  const capped = new OpenAI({ apiKey: VK_CAPPED, baseURL: gw.baseURL, maxRetries: 0 });
  const res = (await capped.responses.create({ model: 'oai/gpt-5-codex', input: 'add' })) as OpenAI.Responses.Response & {
    tollgate?: { stopped?: string };
  };
  assert.deepEqual(fixture.calls, [], 'the call past the cap did not run');
  assert.equal(mock.requests.length, 2);
  assert.equal(mock.requests[1]!.body.tool_choice, 'none');
  assert.match(mock.requests[1]!.body.input.at(-1).output, /not run/, JSON.stringify(mock.requests[1]!.body.input.at(-1)));
  assert.equal(res.status, 'incomplete');
  assert.equal(res.tollgate?.stopped, 'max_rounds');
  assert.equal(res.output_text, 'as far as I got');
});
