// Issue 16, item 3: what an OpenAI-compatible upstream sends besides the text reaches the client,
// in streams and in responses the gateway rebuilds (after its own tool rounds): logprobs,
// system_fingerprint, service_tier, refusal, and completion_tokens_details with reasoning tokens.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI from 'openai';
import { startMockUpstream, type MockUpstream } from './mock-upstream/server.js';
import { mockProviders, startGateway, type TestGateway } from './helpers/gateway.js';
import { startMcpHttpServer, type McpHttpServer } from './fixtures/mcp-http-server.js';

const VK = 'vk-openai-fields-01';
let mock: MockUpstream;
let fixture: McpHttpServer;
let gw: TestGateway;
let client: OpenAI;

before(async () => {
  mock = await startMockUpstream();
  fixture = await startMcpHttpServer();
  gw = await startGateway({
    config: {
      providers: mockProviders(mock),
      mcpServers: { fix: { transport: 'http', url: fixture.url } },
      virtualKeys: [{ id: 'fields', key: VK, models: ['*'], tools: { allow: ['fix__*'] } }],
    },
  });
  client = new OpenAI({ apiKey: VK, baseURL: gw.baseURL, maxRetries: 0 });
});
after(async () => {
  await gw.close();
  await fixture.close();
  await mock.close();
});

const LOGPROBS = { content: [{ token: 'No', logprob: -0.1, bytes: [78, 111], top_logprobs: [] }], refusal: null };
const USAGE = { prompt_tokens: 9, completion_tokens: 30, total_tokens: 39, completion_tokens_details: { reasoning_tokens: 24 } };
const toolRound = JSON.stringify({
  id: 'c1',
  object: 'chat.completion',
  created: 1,
  model: 'gpt-4o-mini',
  choices: [
    {
      index: 0,
      message: {
        role: 'assistant',
        content: null,
        tool_calls: [{ id: 't1', type: 'function', function: { name: 'fix__add', arguments: '{"a":1,"b":2}' } }],
      },
      finish_reason: 'tool_calls',
    },
  ],
  usage: { prompt_tokens: 5, completion_tokens: 5, total_tokens: 10 },
});

describe('OpenAI fields kept', () => {
  test('a response rebuilt after a gateway tool round keeps logprobs, refusal, system_fingerprint, service_tier, reasoning tokens', async () => {
    const final = {
      id: 'c2',
      object: 'chat.completion',
      created: 2,
      model: 'gpt-4o-mini',
      system_fingerprint: 'fp_abc',
      service_tier: 'default',
      choices: [{ index: 0, message: { role: 'assistant', content: null, refusal: 'No.' }, logprobs: LOGPROBS, finish_reason: 'stop' }],
      usage: USAGE,
    };
    mock.enqueue({ kind: 'raw', status: 200, body: toolRound }, { kind: 'raw', status: 200, body: JSON.stringify(final) });
    const res = await client.chat.completions.create({ model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'x' }] });
    assert.equal((res as any).tollgate.rounds, 2, 'rebuilt by the gateway');
    assert.equal(res.system_fingerprint, 'fp_abc');
    assert.equal(res.service_tier, 'default');
    assert.equal(res.choices[0]!.message.refusal, 'No.');
    assert.deepEqual(res.choices[0]!.logprobs, LOGPROBS);
    assert.equal(res.usage?.completion_tokens_details?.reasoning_tokens, 24);
  });

  test('a stream keeps logprobs on its chunks, system_fingerprint and service_tier, and the reasoning tokens in its usage', async () => {
    const chunk = (o: object) =>
      `data: ${JSON.stringify({ id: 's', object: 'chat.completion.chunk', created: 3, model: 'gpt-4o-mini', system_fingerprint: 'fp_s', service_tier: 'flex', ...o })}\n\n`;
    const body = [
      chunk({ choices: [{ index: 0, delta: { role: 'assistant', content: 'No' }, logprobs: LOGPROBS, finish_reason: null }] }),
      chunk({ choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] }),
      chunk({ choices: [], usage: USAGE }),
      'data: [DONE]\n\n',
    ].join('');
    mock.enqueue({ kind: 'raw', status: 200, body, contentType: 'text/event-stream' });
    const stream = await client.chat.completions.create({
      model: 'openai/gpt-4o-mini',
      stream: true,
      stream_options: { include_usage: true },
      messages: [{ role: 'user', content: 'x' }],
    });
    const chunks: OpenAI.ChatCompletionChunk[] = [];
    for await (const c of stream) chunks.push(c);
    const text = chunks.find((c) => c.choices[0]?.delta.content === 'No')!;
    assert.deepEqual(text.choices[0]!.logprobs, LOGPROBS);
    assert.equal(text.system_fingerprint, 'fp_s');
    assert.equal(text.service_tier, 'flex');
    assert.equal(chunks.at(-1)!.usage?.completion_tokens_details?.reasoning_tokens, 24);
  });
});
