// Native pass-through of /v1/responses (issue 18.2): a provider with "apis": ["chat", "responses"]
// gets the client's bytes with only `model` rewritten — Codex's namespace, custom and web_search
// tools, reasoning items and unknown fields untouched — and the answer (JSON, or SSE events as they
// came) goes back as sent, with usage in the ledger. Gateway tools are added to the native body
// (tests/responses-native-loop.test.ts runs them).
import { after, before, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI from 'openai';
import { startMockUpstream, type MockUpstream } from './mock-upstream/server.js';
import { startGateway, type TestGateway } from './helpers/gateway.js';
import { startMcpHttpServer, type McpHttpServer } from './fixtures/mcp-http-server.js';

const VK = 'vk-native-responses-1';
const VK_TOOLS = 'vk-native-tools-0001';
const VK_BUDGET = 'vk-native-budget-001';
let mock: MockUpstream;
let fixture: McpHttpServer;
let gw: TestGateway;

const codexBody = {
  model: 'oai/gpt-5-codex',
  instructions: 'You are Codex.',
  input: [
    { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'hello' }] },
    { type: 'reasoning', id: 'rs_1', summary: [], encrypted_content: 'gAAAA-opaque' },
  ],
  tools: [
    {
      type: 'namespace',
      name: 'mcp__docs',
      description: 'd',
      tools: [{ type: 'function', name: 'search', parameters: { type: 'object' } }],
    },
    { type: 'custom', name: 'apply_patch', format: { type: 'grammar', syntax: 'lark', definition: 'start: /.+/' } },
    { type: 'web_search', external_web_access: false },
    { type: 'tool_search' },
  ],
  tool_choice: 'auto',
  parallel_tool_calls: false,
  reasoning: { effort: 'medium', summary: 'auto' },
  store: false,
  include: ['reasoning.encrypted_content'],
  prompt_cache_key: 'abc',
  client_metadata: { session_id: 's1' },
  some_future_field: { n: 1.5 },
};

before(async () => {
  mock = await startMockUpstream();
  fixture = await startMcpHttpServer();
  gw = await startGateway({
    config: {
      providers: {
        oai: {
          type: 'openai',
          baseUrl: mock.openaiBaseUrl,
          keys: [{ value: 'sk-native-secret' }],
          models: ['gpt-5-codex'],
          apis: ['chat', 'responses'],
          maxRetries: 0,
        },
      },
      pricing: { 'oai/gpt-5-codex': { inputPerMTok: 1, outputPerMTok: 2 } },
      mcpServers: { fix: { transport: 'http', url: fixture.url } },
      virtualKeys: [
        { id: 'native', key: VK, models: ['*'] },
        { id: 'native-tools', key: VK_TOOLS, models: ['*'], tools: { allow: ['fix__*'] } },
        { id: 'native-budget', key: VK_BUDGET, models: ['*'], budget: { usd: 10, period: 'month' } },
      ],
    },
  });
});
after(async () => {
  await gw.close();
  await fixture.close();
  await mock.close();
});
beforeEach(() => mock.reset());

async function post(body: unknown, key = VK): Promise<Response> {
  return fetch(`${gw.baseURL}/responses`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
}

test('the bytes go through with only model rewritten; the upstream JSON comes back as sent; usage ledgered', async () => {
  const sent = JSON.stringify(codexBody);
  const res = await post(codexBody);
  assert.equal(res.status, 200);
  const text = await res.text();
  assert.equal(mock.requests.length, 1);
  assert.equal(mock.requests[0]!.path, '/v1/responses');
  assert.equal(mock.requests[0]!.headers.authorization, 'Bearer sk-native-secret');
  assert.deepEqual(mock.requests[0]!.body, { ...JSON.parse(sent), model: 'gpt-5-codex' });
  const body = JSON.parse(text);
  assert.match(body.id, /^resp_mock/);
  assert.equal(body.output[0].content[0].text, 'echo: hello');
  const rows = await gw.query<{ prompt_tokens: number; completion_tokens: number; surface: string }>(
    'SELECT r.surface, l.prompt_tokens, l.completion_tokens FROM requests r JOIN llm_calls l ON l.request_id = r.id WHERE r.id = ?',
    res.headers.get('x-request-id'),
  );
  assert.deepEqual(
    rows.map((r) => [r.surface, Number(r.prompt_tokens), Number(r.completion_tokens)]),
    [['responses', 10, 5]],
  );
});

test('streamed: the upstream events are relayed as they came (the openai SDK reads them); usage from response.completed', async () => {
  const client = new OpenAI({ apiKey: VK, baseURL: gw.baseURL, maxRetries: 0 });
  const { data: stream, response } = await client.responses
    .create({ model: 'oai/gpt-5-codex', input: 'stream it', stream: true })
    .withResponse();
  const events: OpenAI.Responses.ResponseStreamEvent[] = [];
  for await (const e of stream) events.push(e);
  assert.equal(events[0]!.type, 'response.created');
  assert.equal(
    (events.at(-1) as OpenAI.Responses.ResponseCompletedEvent).response.id.startsWith('resp_mock'),
    true,
    'the upstream response itself',
  );
  assert.equal(events.flatMap((e) => (e.type === 'response.output_text.delta' ? [e.delta] : [])).join(''), 'echo: stream it');
  assert.equal(mock.requests[0]!.body.stream, true);
  const rows = await gw.query<{ completion_tokens: number; error_type: string | null }>(
    'SELECT completion_tokens, error_type FROM llm_calls WHERE request_id = ?',
    response.headers.get('x-request-id'),
  );
  assert.deepEqual(
    rows.map((r) => [Number(r.completion_tokens), r.error_type]),
    [[5, null]],
  );
});

test('upstream errors keep their status and message in the OpenAI shape', async () => {
  mock.enqueue({ kind: 'error', status: 400, message: "Unknown parameter: 'some_future_field'." });
  const res = await post(codexBody);
  assert.equal(res.status, 400);
  const body = (await res.json()) as { error: { message: string; type: string } };
  assert.match(body.error.message, /some_future_field/);
  assert.equal(body.error.type, 'invalid_request_error');
});

test('a budget without a client cap adds max_output_tokens; everything else is kept', async () => {
  await post({ model: 'oai/gpt-5-codex', input: 'capped', some_future_field: 1 }, VK_BUDGET);
  const sent = mock.requests[0]!.body;
  assert.equal(typeof sent.max_output_tokens, 'number');
  assert.equal(sent.some_future_field, 1);
});

test("with the key's tools, the request still passes through: the client's tools and items as sent, the gateway's added", async () => {
  const res = await post(codexBody, VK_TOOLS);
  assert.equal(res.status, 200);
  assert.equal(mock.requests[0]!.path, '/v1/responses');
  const sent = mock.requests[0]!.body;
  assert.deepEqual({ ...sent, tools: sent.tools.slice(0, codexBody.tools.length) }, { ...codexBody, model: 'gpt-5-codex' });
  assert.ok(sent.tools.slice(codexBody.tools.length).some((t: any) => t.type === 'function' && t.name === 'fix__add'));
  assert.equal(res.headers.get('x-tollgate-warnings'), null);
});

test('a client that leaves mid-stream stops the relay: the upstream call is cut too', { timeout: 30_000 }, async () => {
  mock.enqueue({ kind: 'text', text: 'a slow answer that keeps coming', frameDelayMs: 300 });
  const aborted = mock.nextAbort();
  const ac = new AbortController();
  const res = await fetch(`${gw.baseURL}/responses`, {
    method: 'POST',
    headers: { authorization: `Bearer ${VK}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'oai/gpt-5-codex', input: 'x', stream: true }),
    signal: ac.signal,
  });
  const reader = res.body!.getReader();
  await reader.read();
  ac.abort();
  await aborted;
  assert.equal(mock.aborted, 1);
});
