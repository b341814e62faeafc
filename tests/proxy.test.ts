// The gateway as a plain OpenAI-compatible proxy (issue 2): both providers, streaming and not,
// validation, upstream faults, retries, fallbacks, cancellation — through the official SDK.
import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI from 'openai';
import { startMockUpstream, type MockUpstream } from './mock-upstream/server.js';
import { mockProviders, startGateway, type TestGateway } from './helpers/gateway.js';
import { waitFor } from './helpers/wait-for.js';

const VK = 'vk-proxy-test-0001';
let mock: MockUpstream;
let gw: TestGateway;
let client: OpenAI;

before(async () => {
  mock = await startMockUpstream();
  gw = await startGateway({
    config: {
      providers: {
        ...mockProviders(mock),
        slow: { type: 'openai', baseUrl: mock.openaiBaseUrl, timeoutMs: 300, maxRetries: 0 },
        nokey: { type: 'openai', baseUrl: mock.openaiBaseUrl, keys: [{ value: '${NOKEY_API_KEY}' }] },
      },
      virtualKeys: [{ id: 'proxy', key: VK, models: ['*'] }],
    },
  });
  client = new OpenAI({ apiKey: VK, baseURL: gw.baseURL, maxRetries: 0 });
});
after(async () => {
  await gw.close();
  await mock.close();
});
beforeEach(() => mock.reset());

async function collect(stream: AsyncIterable<OpenAI.Chat.Completions.ChatCompletionChunk>) {
  let text = '';
  const chunks: OpenAI.Chat.Completions.ChatCompletionChunk[] = [];
  for await (const c of stream) {
    chunks.push(c);
    text += c.choices[0]?.delta.content ?? '';
  }
  return { text, chunks };
}

for (const model of ['openai/gpt-4o-mini', 'anthropic/claude-sonnet-4-5']) {
  describe(`${model}`, () => {
    test('non-streaming answer with usage', async () => {
      mock.enqueue({ kind: 'text', text: 'Hello there', usage: { input: 12, output: 3 } });
      const res = await client.chat.completions.create({ model, messages: [{ role: 'user', content: 'hi' }] });
      assert.equal(res.choices[0]!.message.content, 'Hello there');
      assert.equal(res.choices[0]!.finish_reason, 'stop');
      assert.deepEqual([res.usage?.prompt_tokens, res.usage?.completion_tokens], [12, 3]);
      // OpenAI-compatible answers come back as the upstream sent them, fields we do not know included.
      if (model.startsWith('openai/')) assert.equal(res.system_fingerprint, 'fp_mock');
    });

    test('streaming with include_usage ends with a usage chunk', async () => {
      mock.enqueue({ kind: 'text', text: 'Streaming works fine', usage: { input: 7, output: 4 } });
      const stream = await client.chat.completions.create({
        model,
        messages: [{ role: 'user', content: 'hi' }],
        stream: true,
        stream_options: { include_usage: true },
      });
      const { text, chunks } = await collect(stream);
      assert.equal(text, 'Streaming works fine');
      const last = chunks.at(-1)!;
      assert.deepEqual(last.choices, []);
      assert.equal(last.usage?.prompt_tokens, 7);
      assert.equal(last.usage?.completion_tokens, 4);
      assert.equal(chunks.find((c) => c.choices[0]?.finish_reason)?.choices[0]?.finish_reason, 'stop');
      assert.equal(chunks[0]!.choices[0]!.delta.role, 'assistant');
    });

    test('streaming without include_usage sends no usage chunk', async () => {
      const stream = await client.chat.completions.create({ model, messages: [{ role: 'user', content: 'x' }], stream: true });
      const { text, chunks } = await collect(stream);
      assert.equal(text, 'echo: x');
      assert.ok(chunks.every((c) => !c.usage));
    });

    test('client tool calls pass through (parallel, streaming and not)', async () => {
      const tools: OpenAI.Chat.Completions.ChatCompletionTool[] = [
        { type: 'function', function: { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } } },
      ];
      const calls = [
        { name: 'get_weather', arguments: { city: 'Paris' } },
        { name: 'get_weather', arguments: { city: 'Oslo' } },
      ];
      mock.enqueue({ kind: 'tool_calls', calls });
      const res = await client.chat.completions.create({ model, messages: [{ role: 'user', content: 'weather?' }], tools });
      assert.equal(res.choices[0]!.finish_reason, 'tool_calls');
      const got = res.choices[0]!.message.tool_calls!.map((c) => c.type === 'function' && JSON.parse(c.function.arguments).city);
      assert.deepEqual(got, ['Paris', 'Oslo']);

      mock.enqueue({ kind: 'tool_calls', calls });
      const stream = client.chat.completions.stream({ model, messages: [{ role: 'user', content: 'weather?' }], tools });
      const final = await stream.finalChatCompletion();
      const streamed = final.choices[0]!.message.tool_calls!.map((c) => c.type === 'function' && JSON.parse(c.function.arguments).city);
      assert.deepEqual(streamed, ['Paris', 'Oslo']);
      assert.equal(final.choices[0]!.finish_reason, 'tool_calls');

      // The tool result goes back upstream in the provider's own format.
      mock.enqueue({ kind: 'text', text: 'Sunny' });
      const followUp = await client.chat.completions.create({
        model,
        tools,
        messages: [
          { role: 'user', content: 'weather?' },
          {
            role: 'assistant',
            content: null,
            tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }],
          },
          { role: 'tool', tool_call_id: 'call_1', content: '21C' },
        ],
      });
      assert.equal(followUp.choices[0]!.message.content, 'Sunny');
      const sent = mock.requests.at(-1)!.body;
      const serialized = JSON.stringify(sent);
      assert.ok(serialized.includes('21C') && serialized.includes('call_1'));
    });

    test('upstream 429 with Retry-After is retried, then succeeds', async () => {
      mock.enqueue(
        { kind: 'error', status: 429, message: 'slow down', headers: { 'retry-after': '0' } },
        { kind: 'text', text: 'ok after retry' },
      );
      const res = await client.chat.completions.create({ model, messages: [{ role: 'user', content: 'hi' }] });
      assert.equal(res.choices[0]!.message.content, 'ok after retry');
      assert.equal(mock.requests.length, 2);
    });

    test('upstream 500 on every attempt → 502 upstream_error', async () => {
      mock.fallback = () => ({ kind: 'error', status: 500, message: 'boom' });
      const err = await client.chat.completions.create({ model, messages: [{ role: 'user', content: 'hi' }] }).catch((e) => e);
      assert.ok(err instanceof OpenAI.APIError);
      assert.equal(err.status, 502);
      assert.equal((err.error as any).type, 'upstream_error');
      assert.equal(mock.requests.length, 3, 'one call and two retries');
    });

    test('connection reset before headers is retried', async () => {
      mock.enqueue({ kind: 'reset' }, { kind: 'text', text: 'recovered' });
      const res = await client.chat.completions.create({ model, messages: [{ role: 'user', content: 'hi' }] });
      assert.equal(res.choices[0]!.message.content, 'recovered');
    });

    test('connection reset mid-stream ends the stream with an error frame', async () => {
      mock.enqueue({ kind: 'reset-mid-stream', text: 'partial answer that will be cut' });
      const stream = await client.chat.completions.create({ model, messages: [{ role: 'user', content: 'hi' }], stream: true });
      await assert.rejects(collect(stream), (e: any) => e instanceof OpenAI.APIError && /upstream/i.test(e.message));
    });

    test('in-stream upstream error event becomes an SSE error frame', async () => {
      mock.enqueue({ kind: 'stream-error', text: 'so far so good', errorType: 'overloaded_error', message: 'Overloaded' });
      const res = await fetch(`${gw.baseURL}/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${VK}`, 'content-type': 'application/json' },
        body: JSON.stringify({ model, messages: [{ role: 'user', content: 'hi' }], stream: true }),
      });
      assert.equal(res.status, 200);
      assert.ok(res.headers.get('x-request-id'), 'streamed responses carry the request id too');
      const text = await res.text();
      const frames = text.split('\n\n').filter(Boolean);
      const content = frames
        .filter((f) => f.includes('"delta"'))
        .map((f) => JSON.parse(f.slice(6)).choices[0].delta.content ?? '')
        .join('');
      assert.equal(content, 'so far so good');
      const errorFrame = frames.find((f) => f.includes('"error"'));
      assert.ok(errorFrame, text);
      const parsed = JSON.parse(errorFrame!.slice('data: '.length));
      assert.equal(parsed.error.type, 'upstream_error');
      assert.equal(frames.at(-1), 'data: [DONE]');
    });
  });
}

describe('validation and routing', () => {
  const post = (body: string, headers: Record<string, string> = {}) =>
    fetch(`${gw.baseURL}/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${VK}`, 'content-type': 'application/json', ...headers },
      body,
    });

  test('malformed JSON → 400 invalid_request_error', async () => {
    const res = await post('{"model": ');
    assert.equal(res.status, 400);
    const body = (await res.json()) as any;
    assert.equal(body.error.type, 'invalid_request_error');
    assert.ok(res.headers.get('x-request-id'));
  });

  test('schema violations name the field', async () => {
    const cases: [unknown, string][] = [
      [{ model: 'openai/gpt-4o-mini' }, 'messages'],
      [{ model: 'openai/gpt-4o-mini', messages: [] }, 'messages'],
      [{ model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 5 }] }, 'messages[0].content'],
      [{ model: 'openai/gpt-4o-mini', messages: [{ role: 'wizard', content: 'x' }] }, 'messages[0].role'],
      [{ model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'x' }], temperature: 9 }, 'temperature'],
      [{ model: 42, messages: [{ role: 'user', content: 'x' }] }, 'model'],
    ];
    for (const [body, param] of cases) {
      const res = await post(JSON.stringify(body));
      assert.equal(res.status, 400, JSON.stringify(body));
      const json = (await res.json()) as any;
      assert.equal(json.error.type, 'invalid_request_error');
      assert.equal(json.error.param, param, JSON.stringify(json));
    }
    assert.equal(mock.requests.length, 0, 'nothing reached the upstream');
  });

  test('unknown provider or bare unknown model → 400 naming model', async () => {
    for (const model of ['nope/gpt', 'gpt-unknown']) {
      const err = await client.chat.completions.create({ model, messages: [{ role: 'user', content: 'x' }] }).catch((e) => e);
      assert.equal(err.status, 400);
      assert.equal(err.param, 'model');
    }
  });

  test('a bare model listed by a provider resolves to it', async () => {
    const res = await client.chat.completions.create({ model: 'claude-sonnet-4-5', messages: [{ role: 'user', content: 'bare' }] });
    assert.equal(res.choices[0]!.message.content, 'echo: bare');
    assert.equal(mock.requests[0]!.path, '/v1/messages');
  });

  test('unknown parameters pass through to OpenAI-compatible upstreams; gateway fields never do', async () => {
    await client.chat.completions.create({
      model: 'openai/gpt-4o-mini',
      messages: [{ role: 'user', content: 'x' }],
      seed: 7,
      logit_bias: { '50256': -100 },
      fallbacks: ['anthropic/claude-sonnet-4-5'],
    } as any);
    const sent = mock.requests[0]!.body;
    assert.equal(sent.seed, 7);
    assert.deepEqual(sent.logit_bias, { '50256': -100 });
    assert.equal(sent.model, 'gpt-4o-mini');
    assert.equal(sent.fallbacks, undefined);
    assert.equal(mock.requests[0]!.headers.authorization, 'Bearer sk-test-openai-secret');
  });

  test('fallbacks are tried in order when the primary fails', async () => {
    mock.fallback = (body) =>
      body.model === 'gpt-4o-mini' ? { kind: 'error', status: 503, message: 'down' } : { kind: 'text', text: `from ${body.model}` };
    const res = await client.chat.completions.create({
      model: 'openai/gpt-4o-mini',
      messages: [{ role: 'user', content: 'x' }],
      fallbacks: ['anthropic/claude-sonnet-4-5'],
    } as any);
    assert.equal(res.choices[0]!.message.content, 'from claude-sonnet-4-5');
    assert.deepEqual(
      mock.requests.map((r) => r.path),
      ['/v1/chat/completions', '/v1/chat/completions', '/v1/chat/completions', '/v1/messages'],
    );
  });

  test('upstream 400 is the caller’s error: 400, no retry, no fallback', async () => {
    mock.enqueue({ kind: 'error', status: 400, message: 'context too long' });
    const err = await client.chat.completions
      .create({
        model: 'openai/gpt-4o-mini',
        messages: [{ role: 'user', content: 'x' }],
        fallbacks: ['anthropic/claude-sonnet-4-5'],
      } as any)
      .catch((e) => e);
    assert.equal(err.status, 400);
    assert.match(err.message, /context too long/);
    assert.equal(mock.requests.length, 1);
  });

  test('upstream timeout → 504 upstream_timeout', async () => {
    mock.enqueue({ kind: 'hang' });
    const err = await client.chat.completions.create({ model: 'slow/m', messages: [{ role: 'user', content: 'x' }] }).catch((e) => e);
    assert.equal(err.status, 504);
    assert.equal(err.error.type, 'upstream_timeout');
  });

  test('invalid JSON and empty bodies from the upstream → 502', async () => {
    mock.fallback = () => ({ kind: 'raw', status: 200, body: '{not json' });
    const err = await client.chat.completions.create({ model: 'slow/m', messages: [{ role: 'user', content: 'x' }] }).catch((e) => e);
    assert.equal(err.status, 502);
    mock.fallback = () => ({ kind: 'raw', status: 200, body: '' });
    const err2 = await client.chat.completions.create({ model: 'slow/m', messages: [{ role: 'user', content: 'x' }] }).catch((e) => e);
    assert.equal(err2.status, 502);
    assert.match(err2.message, /empty body/);
  });

  test('a provider whose key variable is unset fails clearly', async () => {
    const err = await client.chat.completions.create({ model: 'nokey/m', messages: [{ role: 'user', content: 'x' }] }).catch((e) => e);
    assert.equal(err.status, 503);
    assert.match(err.message, /NOKEY_API_KEY/);
    assert.equal(mock.requests.length, 0);
  });

  test('client disconnect cancels the upstream request (non-streaming and streaming)', async () => {
    for (const stream of [false, true]) {
      mock.enqueue({ kind: 'hang' });
      const ac = new AbortController();
      const aborted = mock.nextAbort();
      const pending = client.chat.completions
        .create({ model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'x' }], stream }, { signal: ac.signal })
        .catch((e) => e);
      await waitFor(() => mock.requests.length > 0, 10_000, 'the request to reach the upstream');
      ac.abort();
      await pending;
      await aborted;
      assert.equal(mock.aborted, 1);
      mock.reset();
    }
  });

  test('GET /v1/models lists configured models; /healthz answers', async () => {
    const models = await client.models.list();
    const ids = models.data.map((m) => m.id).sort();
    assert.deepEqual(ids, ['anthropic/claude-sonnet-4-5', 'openai/gpt-4o-mini']);
    const health = await fetch(`${gw.url}/healthz`);
    assert.equal(health.status, 200);
    assert.ok(health.headers.get('x-request-id'));
  });

  test('without Node bindings (app.request) streams come back as a web ReadableStream', async () => {
    const res = await gw.gateway.app.request('/v1/chat/completions', {
      method: 'POST',
      headers: { authorization: `Bearer ${VK}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'openai/gpt-4o-mini', stream: true, messages: [{ role: 'user', content: 'web' }] }),
    });
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /text\/event-stream/);
    const text = await res.text();
    const content = text
      .split('\n\n')
      .filter((f) => f.startsWith('data: {'))
      .map((f) => JSON.parse(f.slice(6)).choices[0]?.delta.content ?? '')
      .join('');
    assert.equal(content, 'echo: web');
    assert.match(text, /data: \[DONE\]\n\n$/);
  });

  test('unknown routes answer 404 in the OpenAI error shape', async () => {
    const res = await fetch(`${gw.url}/v1/nothing`);
    assert.equal(res.status, 404);
    assert.equal(((await res.json()) as any).error.type, 'not_found_error');
  });
});
