// A streamed chat completion ends at the upstream's terminal event, on each wire the chat path
// speaks (an OpenAI-compatible upstream's `data: [DONE]`, an Anthropic upstream's message_stop
// translated to chat): the client gets its last frames and `data: [DONE]` at once, and what the
// upstream does after that event (resets the connection, or stalls past the provider's timeoutMs
// before its body ends) is neither an error frame nor the request's error in the ledger. The rows say
// 200 with the tokens and cost the stream carried, once. A tool loop's round that ended with gateway
// tool calls runs them without waiting for the upstream's body end. A failure before the terminal
// event is still the request's error. As tests/early-end-ledger.test.ts for the pass-through surfaces.
import { after, afterEach, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { postRaw, type RawAnswer } from './helpers/raw-stream.js';
import { waitFor } from './helpers/wait-for.js';
import { startGateway, type TestGateway } from './helpers/gateway.js';
import {
  ev,
  MESSAGES,
  PRICE,
  rowsOf,
  startEarlyEndUpstream,
  SUCCESS,
  TIMEOUT_MS,
  type EarlyEndUpstream,
} from './helpers/early-end-upstream.js';
import { startMcpHttpServer, type McpHttpServer } from './fixtures/mcp-http-server.js';

const KEY = 'vk-chat-early-end-01';
const LOOP_KEY = 'vk-chat-early-end-02';

const data = (value: object) => `data: ${JSON.stringify(value)}\n\n`;
const chunk = (delta: object, finish: string | null = null) =>
  data({ id: 'c1', object: 'chat.completion.chunk', created: 1, model: 'gpt-5', choices: [{ index: 0, delta, finish_reason: finish }] });
const USAGE = data({
  id: 'c1',
  object: 'chat.completion.chunk',
  created: 1,
  model: 'gpt-5',
  choices: [],
  usage: { prompt_tokens: 7, completion_tokens: 3, total_tokens: 10 },
});
const CHAT_DONE = 'data: [DONE]\n\n';
/** An OpenAI-compatible stream: "hi", 7 input and 3 output tokens, ending at [DONE]. */
const CHAT = [chunk({ role: 'assistant', content: '' }), chunk({ content: 'hi' }), chunk({}, 'stop'), USAGE, CHAT_DONE].join('');
const CALL = { id: 'call_1', type: 'function', function: { name: 'fix__add', arguments: '{"a":1,"b":2}' } };
const CHAT_CALLS = [chunk({ role: 'assistant', tool_calls: [{ index: 0, ...CALL }] }), chunk({}, 'tool_calls'), USAGE, CHAT_DONE].join('');
const MESSAGE_STOP = ev('message_stop', {});
const MESSAGES_CALLS = [
  ev('message_start', {
    message: { id: 'msg_2', type: 'message', role: 'assistant', model: 'm', content: [], usage: { input_tokens: 7, output_tokens: 1 } },
  }),
  ev('content_block_start', { index: 0, content_block: { type: 'tool_use', id: 'toolu_1', name: 'fix__add', input: {} } }),
  ev('content_block_delta', { index: 0, delta: { type: 'input_json_delta', partial_json: '{"a":1,"b":2}' } }),
  ev('content_block_stop', { index: 0 }),
  ev('message_delta', { delta: { stop_reason: 'tool_use', stop_sequence: null }, usage: { output_tokens: 3 } }),
  MESSAGE_STOP,
].join('');

/** When set, the upstream leaves out its stream's terminal event (then resets, stalls or ends as `upstream.after` says). */
let cut = false;
let upstream: EarlyEndUpstream;
let mcp: McpHttpServer;
let gw: TestGateway;
const unhandled: unknown[] = [];
const onUnhandled = (err: unknown) => void unhandled.push(err);

before(async () => {
  process.on('unhandledRejection', onUnhandled);
  upstream = await startEarlyEndUpstream((req, body) => {
    const messages = req.url?.startsWith('/v1/messages');
    // A round after the gateway ran its tool answers with text; a first round of the tool loop calls it.
    const calls = body.includes('fix__add') && !body.includes('"tool_result"') && !body.includes('"role":"tool"');
    const frames = messages ? (calls ? MESSAGES_CALLS : MESSAGES) : calls ? CHAT_CALLS : CHAT;
    return cut ? frames.replace(messages ? MESSAGE_STOP : CHAT_DONE, '') : frames;
  });
  mcp = await startMcpHttpServer();
  gw = await startGateway({
    config: {
      providers: {
        anthropic: {
          type: 'anthropic',
          baseUrl: `http://127.0.0.1:${upstream.port}`,
          keys: [{ value: 'sk-ant-test-secret' }],
          models: ['claude-sonnet-4-5'],
          maxRetries: 0,
          timeoutMs: TIMEOUT_MS,
        },
        oai: {
          type: 'openai',
          baseUrl: `http://127.0.0.1:${upstream.port}/v1`,
          keys: [{ value: 'sk-chat-secret' }],
          models: ['gpt-5'],
          maxRetries: 0,
          timeoutMs: TIMEOUT_MS,
        },
      },
      mcpServers: { fix: { transport: 'http', url: mcp.url } },
      pricing: { 'anthropic/claude-sonnet-4-5': PRICE, 'oai/gpt-5': PRICE },
      virtualKeys: [
        { id: 'plain', key: KEY, models: ['*'] },
        { id: 'loop', key: LOOP_KEY, models: ['*'], tools: { allow: ['fix__add'] } },
      ],
    },
  });
});
after(async () => {
  process.off('unhandledRejection', onUnhandled);
  await gw.close();
  await upstream.close();
  await mcp.close();
});
afterEach(() => {
  cut = false;
  assert.deepEqual(unhandled, [], 'no unhandled rejection');
});

const post = (model: string, key = KEY): Promise<RawAnswer> =>
  postRaw(
    `${gw.url}/v1/chat/completions`,
    { authorization: `Bearer ${key}` },
    JSON.stringify({ model, stream: true, stream_options: { include_usage: true }, messages: [{ role: 'user', content: 'hello' }] }),
  );

/** The stream's data frames, parsed (`[DONE]` as the string). */
function framesOf(body: string): unknown[] {
  return body
    .split('\n\n')
    .filter((f) => f.startsWith('data: '))
    .map((f) => (f === 'data: [DONE]' ? '[DONE]' : JSON.parse(f.slice(6))));
}

/** The client got the whole answer: "hi", finish_reason stop, usage 7/3 (asked for), `[DONE]` last, no error frame. */
function assertWhole(got: RawAnswer, usage = { prompt_tokens: 7, completion_tokens: 3 }): void {
  assert.equal(got.status, 200);
  const frames = framesOf(got.body) as any[];
  assert.equal(frames.at(-1), '[DONE]', got.body);
  assert.ok(!got.body.includes('"error"'), `no error frame: ${got.body}`);
  const chunks = frames.slice(0, -1);
  assert.equal(chunks.map((c) => c.choices[0]?.delta?.content ?? '').join(''), 'hi');
  assert.equal(chunks.find((c) => c.choices[0]?.finish_reason)?.choices[0].finish_reason, 'stop');
  assert.deepEqual({ prompt_tokens: chunks.at(-1).usage?.prompt_tokens, completion_tokens: chunks.at(-1).usage?.completion_tokens }, usage);
}

const WIRES = { 'OpenAI-compatible [DONE]': 'oai/gpt-5', 'Anthropic message_stop': 'anthropic/claude-sonnet-4-5' };

for (const [wire, model] of Object.entries(WIRES)) {
  test(`chat over ${wire}: the upstream resets after its terminal event: the client has the whole answer, no error frame; the rows say 200 with its usage and cost`, async () => {
    upstream.after = 'reset';
    const got = await post(model);
    assertWhole(got);
    const rows = await rowsOf(gw, got.id);
    assert.deepEqual(rows, { request: SUCCESS, calls: [SUCCESS] });
    await gw.quiet();
    assert.deepEqual(await rowsOf(gw, got.id), rows, 'no second row once the reset has been read');
  });

  test(`chat over ${wire}: the upstream stalls past timeoutMs after its terminal event: the client's stream ends at once, recorded 200, once; the stalled connection is given up`, async () => {
    upstream.after = 'stall';
    const before = upstream.sockets.length;
    const started = Date.now();
    const got = await post(model);
    const tookMs = Date.now() - started;
    assertWhole(got);
    assert.ok(tookMs < (TIMEOUT_MS * 2) / 3, `the client's stream ended at the terminal event, not at the body timeout (${tookMs} ms)`);
    const rows = await rowsOf(gw, got.id);
    assert.deepEqual(rows, { request: SUCCESS, calls: [SUCCESS] });
    const stalled = upstream.sockets[before]!;
    await waitFor(() => stalled.destroyed, 10_000, 'the stalled upstream connection to close');
    await gw.quiet();
    assert.deepEqual(await rowsOf(gw, got.id), rows, 'no second row at the body timeout');
  });

  test(`chat over ${wire}: the upstream's body ends cleanly a moment after its terminal event: its connection is kept`, async () => {
    upstream.after = 'end';
    const before = upstream.sockets.length;
    const first = await post(model);
    assertWhole(first);
    assert.deepEqual((await rowsOf(gw, first.id)).request, SUCCESS);
    const socket = upstream.sockets[before]!;
    await waitFor(() => upstream.ended.has(socket), 10_000, 'the upstream body end');
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(socket.destroyed, false, 'the connection is kept after a clean end (read to its end, not cancelled)');
    assertWhole(await post(model));
  });

  test(`chat over ${wire}: the upstream resets before its terminal event: an error frame, and the request recorded as failed`, async () => {
    upstream.after = 'reset';
    cut = true;
    const got = await post(model);
    assert.equal(got.status, 200);
    const frames = framesOf(got.body) as any[];
    assert.equal(frames.at(-1), '[DONE]');
    assert.equal(frames.at(-2).error?.type, 'upstream_error', got.body);
    const rows = (await rowsOf(gw, got.id)) as { request: any; calls: any[] };
    assert.equal(rows.request.status, 502);
    assert.equal(rows.calls.length, 1);
    assert.notEqual(rows.calls[0].error_type, null);
  });

  test(`chat over ${wire}, tool loop: a round that ends with gateway tool calls runs them at its terminal event, not at the upstream's body end`, async () => {
    upstream.after = 'stall';
    const started = Date.now();
    const got = await post(model, LOOP_KEY);
    const tookMs = Date.now() - started;
    assertWhole(got, { prompt_tokens: 14, completion_tokens: 6 });
    assert.ok(tookMs < (TIMEOUT_MS * 2) / 3, `both rounds ended at their terminal events (${tookMs} ms)`);
    const rows = await rowsOf(gw, got.id);
    assert.deepEqual(rows, { request: { ...SUCCESS, prompt_tokens: 14, completion_tokens: 6, cost_usd: 26 }, calls: [SUCCESS, SUCCESS] });
    const [tool] = await gw.query<{ tool: string; status: string }>('SELECT tool, status FROM tool_calls WHERE request_id = ?', got.id);
    assert.deepEqual({ ...tool }, { tool: 'add', status: 'ok' });
  });
}

// Messages and Responses clients of an upstream that does not speak their format go through the
// chat path too: their rounds end at the same terminal events.
const TRANSLATED = {
  'Messages over OpenAI-compatible [DONE]': {
    model: 'oai/gpt-5',
    post: (model: string) =>
      postRaw(
        `${gw.url}/v1/messages`,
        { 'x-api-key': KEY },
        JSON.stringify({ model, max_tokens: 16, stream: true, messages: [{ role: 'user', content: 'hello' }] }),
      ),
    last: 'message_stop',
  },
  'Responses over Anthropic message_stop': {
    model: 'anthropic/claude-sonnet-4-5',
    post: (model: string) =>
      postRaw(
        `${gw.url}/v1/responses`,
        { authorization: `Bearer ${KEY}` },
        JSON.stringify({ model, input: 'hello', stream: true, store: false }),
      ),
    last: 'response.completed',
  },
};

for (const [name, surface] of Object.entries(TRANSLATED)) {
  for (const mode of ['reset', 'stall'] as const) {
    test(`${name}: the upstream ${mode}s after its terminal event: the client's stream ends whole, at once; the rows say 200 with its usage and cost`, async () => {
      upstream.after = mode;
      const started = Date.now();
      const got = await surface.post(surface.model);
      const tookMs = Date.now() - started;
      assert.equal(got.status, 200);
      assert.ok(got.body.includes(`event: ${surface.last}\n`), got.body);
      assert.ok(!got.body.includes('event: error'), `no error event: ${got.body}`);
      assert.ok(tookMs < (TIMEOUT_MS * 2) / 3, `ended at the terminal event, not at the body timeout (${tookMs} ms)`);
      assert.deepEqual(await rowsOf(gw, got.id), { request: SUCCESS, calls: [SUCCESS] });
    });
  }
}
