// POST /v1/responses on translated upstreams (issue 18), through the official openai SDK
// (client.responses.create, streamed and not): the request pivots through chat into the one tool
// loop, the client gets Responses items and events, previous_response_id continues a stored
// conversation per key, and hosted MCP (`type: "mcp"` naming a gateway server) shows its calls.
import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI from 'openai';
import { startMockUpstream, type MockUpstream } from './mock-upstream/server.js';
import type { MockReply } from './mock-upstream/types.js';
import { mockProviders, startGateway, type TestGateway } from './helpers/gateway.js';
import { offeredToolsOf, toolResultsOf } from './helpers/wire.js';
import { startMcpHttpServer, type McpHttpServer } from './fixtures/mcp-http-server.js';

const VK = 'vk-responses-test-01';
const VK_OTHER = 'vk-responses-other-1';
const VK_BARE = 'vk-responses-bare-01';
let mock: MockUpstream;
let fixture: McpHttpServer;
let gw: TestGateway;
let client: OpenAI;

const text = (t: string): MockReply => ({ kind: 'text', text: t });
const calls = (...c: [string, unknown][]): MockReply => ({
  kind: 'tool_calls',
  calls: c.map(([name, args]) => ({ name, arguments: args })),
});
const lastBody = () => mock.requests.at(-1)!.body;

before(async () => {
  mock = await startMockUpstream();
  fixture = await startMcpHttpServer();
  gw = await startGateway({
    config: {
      providers: mockProviders(mock),
      mcpServers: { fix: { transport: 'http', url: fixture.url } },
      virtualKeys: [
        { id: 'resp', key: VK, models: ['*'], tools: { allow: ['fix__*'] } },
        { id: 'other', key: VK_OTHER, models: ['*'], tools: { allow: ['fix__*'] } },
        { id: 'bare', key: VK_BARE, models: ['*'], tools: { allow: [] } },
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
beforeEach(() => mock.reset());

async function collect(stream: AsyncIterable<OpenAI.Responses.ResponseStreamEvent>) {
  const events: OpenAI.Responses.ResponseStreamEvent[] = [];
  for await (const e of stream) events.push(e);
  return events;
}

for (const model of ['openai/gpt-4o-mini', 'anthropic/claude-sonnet-4-5']) {
  describe(`responses on ${model}`, () => {
    test('a string input and instructions answer as a Response, usage in Responses terms', async () => {
      const bare = new OpenAI({ apiKey: VK_BARE, baseURL: gw.baseURL, maxRetries: 0 });
      const res = await bare.responses.create({ model, instructions: 'be brief', input: 'hello there' });
      assert.equal(res.object, 'response');
      assert.match(res.id, /^resp_/);
      assert.equal(res.status, 'completed');
      assert.equal(res.output_text, 'echo: hello there');
      assert.equal(res.usage?.input_tokens, 10);
      assert.equal(res.usage?.output_tokens, 5);
      const sent = lastBody();
      if (model.startsWith('openai')) {
        assert.deepEqual(sent.messages, [
          { role: 'system', content: 'be brief' },
          { role: 'user', content: 'hello there' },
        ]);
        assert.equal(sent.model, 'gpt-4o-mini');
      } else assert.equal(sent.system, 'be brief');
    });

    test('streamed: OpenAI event names in order, sequence numbers from 0, the same final response', async () => {
      const bare = new OpenAI({ apiKey: VK_BARE, baseURL: gw.baseURL, maxRetries: 0 });
      const events = await collect(await bare.responses.create({ model, input: 'stream me', stream: true }));
      assert.deepEqual(
        events.map((e) => e.sequence_number),
        events.map((_, i) => i),
      );
      const types = events.map((e) => e.type);
      assert.deepEqual(types.slice(0, 4), [
        'response.created',
        'response.in_progress',
        'response.output_item.added',
        'response.content_part.added',
      ]);
      assert.deepEqual(types.slice(-4), [
        'response.output_text.done',
        'response.content_part.done',
        'response.output_item.done',
        'response.completed',
      ]);
      const text = events.flatMap((e) => (e.type === 'response.output_text.delta' ? [e.delta] : [])).join('');
      assert.equal(text, 'echo: stream me');
      const done = events.at(-1) as OpenAI.Responses.ResponseCompletedEvent;
      assert.equal(done.response.usage?.total_tokens, 15);
      assert.equal((done.response.output[0] as OpenAI.Responses.ResponseOutputMessage).content[0]!.type, 'output_text');
    });

    test('client function tools: a function_call item, then its output continues via previous_response_id', async () => {
      mock.enqueue({ kind: 'tool_calls', calls: [{ id: 'call_w1', name: 'get_weather', arguments: { city: 'Oslo' } }] });
      const tools: OpenAI.Responses.Tool[] = [
        { type: 'function', name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } } }, strict: false },
      ];
      const first = await client.responses.create({ model, input: 'weather in Oslo?', tools });
      const call = first.output.find((i) => i.type === 'function_call') as OpenAI.Responses.ResponseFunctionToolCall;
      assert.equal(call.name, 'get_weather');
      assert.equal(call.call_id, 'call_w1');
      assert.deepEqual(JSON.parse(call.arguments), { city: 'Oslo' });
      const offered = offeredToolsOf(lastBody());
      assert.ok(offered.includes('get_weather') && offered.includes('fix__add'), 'the client function tool beside the key MCP tools');

      mock.fallback = (body) => text(`tool said ${toolResultsOf(body)[0]?.content}`);
      const second = await client.responses.create({
        model,
        previous_response_id: first.id,
        input: [{ type: 'function_call_output', call_id: 'call_w1', output: 'sunny' }],
        tools,
      });
      assert.equal(second.output_text, 'tool said sunny');
      assert.equal(second.previous_response_id, first.id);
    });

    test("the key's MCP tools run in the gateway loop, hidden as on chat; usage covers both rounds", async () => {
      mock.enqueue(calls(['fix__add', { a: 2, b: 3 }]));
      mock.fallback = (body) => text(`sum is ${toolResultsOf(body)[0]?.content}`);
      const res = await client.responses.create({ model, input: 'add 2 and 3' });
      assert.equal(res.output_text, 'sum is 5');
      assert.deepEqual(
        res.output.map((i) => i.type),
        ['message'],
      );
      assert.equal(res.usage?.input_tokens, 20);
      const info = (res as any).tollgate;
      const rows = await gw.query<{ rounds: number; tool_calls: number; surface: string; cost_usd: number | null }>(
        'SELECT rounds, tool_calls, surface, cost_usd FROM requests WHERE id = ?',
        info.request_id,
      );
      assert.deepEqual(
        rows.map((r) => [Number(r.rounds), Number(r.tool_calls), r.surface]),
        [[2, 1, 'responses']],
      );
      // The summary says what the request cost, as chat's does (README: the `tollgate` field).
      assert.equal(info.rounds, 2);
      assert.equal(typeof info.cost_usd, 'number');
      assert.ok(Math.abs(info.cost_usd - Number(rows[0]!.cost_usd)) < 1e-9, `${info.cost_usd} vs the ledger's ${rows[0]!.cost_usd}`);
    });

    test('hosted MCP: mcp_list_tools and mcp_call items, allowed_tools narrowing the offer', async () => {
      mock.enqueue(calls(['fix__echo', { text: 'ping' }]));
      mock.fallback = (body) => text(`got ${toolResultsOf(body)[0]?.content}`);
      const res = await client.responses.create({
        model,
        input: 'echo ping',
        tools: [{ type: 'mcp', server_label: 'fix', allowed_tools: ['echo', 'add'], require_approval: 'never' }],
      });
      assert.deepEqual(
        res.output.map((i) => i.type),
        ['mcp_list_tools', 'mcp_call', 'message'],
      );
      const listing = res.output[0] as OpenAI.Responses.ResponseOutputItem.McpListTools;
      assert.deepEqual(listing.tools.map((t) => t.name).sort(), ['add', 'echo']);
      const call = res.output[1] as OpenAI.Responses.ResponseOutputItem.McpCall;
      assert.equal(call.server_label, 'fix');
      assert.equal(call.name, 'echo');
      assert.equal(call.output, 'ping');
      assert.equal(res.output_text, 'got ping');
      assert.deepEqual(offeredToolsOf(mock.requests[0]!.body).sort(), ['fix__add', 'fix__echo']);
    });

    test('hosted MCP streamed: mcp_list_tools and mcp_call events between the items', async () => {
      mock.enqueue(calls(['fix__fail', {}]));
      mock.fallback = () => text('it failed');
      const events = await collect(
        await client.responses.create({
          model,
          input: 'try it',
          stream: true,
          tools: [{ type: 'mcp', server_label: 'fix', require_approval: { never: { tool_names: ['fail'] } }, allowed_tools: ['fail'] }],
        }),
      );
      const types = events.map((e) => e.type);
      for (const t of [
        'response.mcp_list_tools.in_progress',
        'response.mcp_list_tools.completed',
        'response.mcp_call.in_progress',
        'response.mcp_call_arguments.done',
        'response.mcp_call.failed',
      ])
        assert.ok(types.includes(t as never), `${t} in ${types.join(',')}`);
      assert.ok(types.indexOf('response.mcp_call.failed') < types.indexOf('response.output_text.delta'));
      const done = events.at(-1) as OpenAI.Responses.ResponseCompletedEvent;
      assert.deepEqual(
        done.response.output.map((i) => i.type),
        ['mcp_list_tools', 'mcp_call', 'message'],
      );
      assert.match((done.response.output[1] as OpenAI.Responses.ResponseOutputItem.McpCall).error ?? '', /always fails/);
    });
  });
}

describe('responses: refusals and the store', () => {
  const model = 'openai/gpt-4o-mini';
  const status = async (p: Promise<unknown>) => {
    try {
      await p;
    } catch (err) {
      return err as InstanceType<typeof OpenAI.APIError>;
    }
    assert.fail('expected an error');
  };

  test('a tool or item a chat upstream cannot take is a 400 naming it, in the OpenAI error shape', async () => {
    const err = await status(
      client.responses.create({ model, input: 'x', tools: [{ type: 'code_interpreter', container: { type: 'auto' } }] }),
    );
    assert.equal(err.status, 400);
    assert.equal((err.error as any).param, 'tools[0]');
    assert.match(err.message, /code_interpreter/);
    const remote = await status(
      client.responses.create({ model, input: 'x', tools: [{ type: 'mcp', server_label: 'x', server_url: 'https://example.com/mcp' }] }),
    );
    assert.equal(remote.status, 400);
    assert.match(remote.message, /server_url/);
    const unknown = await status(client.responses.create({ model, input: 'x', tools: [{ type: 'mcp', server_label: 'nope' }] }));
    assert.equal(unknown.status, 400);
    assert.equal((unknown.error as any).code, 'mcp_server_not_configured');
    assert.equal(mock.requests.length, 0, 'nothing reached the upstream');
  });

  test('a hosted tool the upstream cannot run is left out; the client is told in x-tollgate-warnings, the ledger row says it too', async () => {
    const { response } = await client.responses.create({ model, input: 'search?', tools: [{ type: 'web_search' }] }).withResponse();
    assert.match(response.headers.get('x-tollgate-warnings') ?? '', /tools\[0\] \(web_search\) not offered/);
    assert.ok(!offeredToolsOf(lastBody()).includes('web_search'));
    const [row] = await gw.query<{ warnings: string | null }>(
      'SELECT warnings FROM requests WHERE id = ?',
      response.headers.get('x-request-id'),
    );
    assert.match(row?.warnings ?? '', /tools\[0\] \(web_search\) not offered/);
  });

  test('stored responses are per key: GET, another key cannot see or continue them, DELETE removes', async () => {
    const res = await client.responses.create({ model, input: 'remember me' });
    const got = await client.responses.retrieve(res.id);
    assert.equal(got.output_text, 'echo: remember me');
    const other = new OpenAI({ apiKey: VK_OTHER, baseURL: gw.baseURL, maxRetries: 0 });
    assert.equal((await status(other.responses.retrieve(res.id))).status, 404);
    const cont = await status(other.responses.create({ model, previous_response_id: res.id, input: 'and?' }));
    assert.equal(cont.status, 400);
    assert.equal((cont.error as any).param, 'previous_response_id');

    const follow = await client.responses.create({ model, previous_response_id: res.id, input: 'and now?' });
    assert.deepEqual(
      lastBody().messages.map((m: any) => m.content),
      ['remember me', 'echo: remember me', 'and now?'],
    );
    assert.equal(follow.output_text, 'echo: and now?');

    await client.responses.delete(res.id);
    assert.equal((await status(client.responses.retrieve(res.id))).status, 404);
    const unstored = await client.responses.create({ model, input: 'forget me', store: false });
    assert.equal((await status(client.responses.retrieve(unstored.id))).status, 404);
  });

  test('a stream that breaks after it started ends with an error event and response.failed, never a silent cut', async () => {
    const bare = new OpenAI({ apiKey: VK_BARE, baseURL: gw.baseURL, maxRetries: 0 });
    mock.enqueue({ kind: 'stream-error', text: 'partial answer', errorType: 'server_error', message: 'upstream fell over' });
    const res = await fetch(`${gw.baseURL}/responses`, {
      method: 'POST',
      headers: { authorization: `Bearer ${VK_BARE}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model, input: 'x', stream: true }),
    });
    assert.equal(res.status, 200);
    const frames = (await res.text()).split('\n\n').filter(Boolean);
    const types = frames.map((f) => /^event: (.+)$/m.exec(f)?.[1]);
    assert.deepEqual(types.slice(-2), ['error', 'response.failed']);
    assert.match(frames.at(-2)!, /upstream fell over/);
    const failed = JSON.parse(frames.at(-1)!.split('data: ')[1]!);
    assert.equal(failed.response.status, 'failed');
    assert.ok(types.includes('response.output_text.delta'), 'the text before the break was streamed');
    // The openai SDK hands both events to the caller (it throws only for an `error` field in the data).
    mock.enqueue({ kind: 'stream-error', text: 'partial', errorType: 'server_error', message: 'again' });
    const events = await collect(await bare.responses.create({ model, input: 'x', stream: true }));
    const error = events.find((e) => e.type === 'error') as OpenAI.Responses.ResponseErrorEvent;
    assert.match(error.message, /again/);
    assert.equal(events.at(-1)!.type, 'response.failed');
  });

  test('no key, no answer: 401 in the OpenAI shape', async () => {
    const anon = new OpenAI({ apiKey: 'vk-not-a-key', baseURL: gw.baseURL, maxRetries: 0 });
    const err = await status(anon.responses.create({ model, input: 'x' }));
    assert.equal(err.status, 401);
  });
});
