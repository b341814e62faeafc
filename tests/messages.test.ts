// The Anthropic Messages surface (issue 17) through the official @anthropic-ai/sdk over loopback:
// pass-through to an Anthropic provider (the client's bytes, headers, query and stream as they came),
// translation to an OpenAI-compatible provider, gateway MCP tools on both, errors in Anthropic's
// shape (upstream ones unmodified), count_tokens, /v1/models, and the ledger's surface and session.
import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import Anthropic from '@anthropic-ai/sdk';
import { startMockUpstream, type MockUpstream } from './mock-upstream/server.js';
import { watchEffectOrder } from './helpers/effect-order.js';
import { mockProviders, startGateway, type TestGateway } from './helpers/gateway.js';
import { offeredToolsOf, toolResultsOf } from './helpers/wire.js';
import { startMcpHttpServer, type McpHttpServer } from './fixtures/mcp-http-server.js';

const VK = 'vk-messages-test-0001';
const ADMIN = 'admin-messages-test-0001';
const TOOLS_VK = 'vk-messages-tools-0001';
const CLAUDE = 'anthropic/claude-sonnet-4-5';
const GPT = 'openai/gpt-4o-mini';
const PRICE = { inputPerMTok: 3, outputPerMTok: 15 };
let mock: MockUpstream;
let fixture: McpHttpServer;
let gw: TestGateway;
let client: Anthropic;
let toolsClient: Anthropic;

before(async () => {
  mock = await startMockUpstream();
  fixture = await startMcpHttpServer();
  gw = await startGateway({
    config: {
      providers: mockProviders(mock),
      mcpServers: { fix: { transport: 'http', url: fixture.url } },
      pricing: { [CLAUDE]: PRICE, [GPT]: PRICE },
      virtualKeys: [
        { id: 'plain', key: VK, models: ['*'] },
        { id: 'tools', key: TOOLS_VK, models: ['*'], tools: { allow: ['fix__*'] } },
      ],
      messages: { pingIntervalMs: 40 },
    },
    adminToken: ADMIN,
  });
  client = new Anthropic({ apiKey: VK, baseURL: gw.url, maxRetries: 0 });
  toolsClient = new Anthropic({ apiKey: TOOLS_VK, baseURL: gw.url, maxRetries: 0 });
});
after(async () => {
  await gw.close();
  await fixture.close();
  await mock.close();
});
beforeEach(() => mock.reset());

const post = (path: string, body: string, headers: Record<string, string> = {}) =>
  fetch(`${gw.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-api-key': VK, ...headers }, body });

describe('pass-through to an Anthropic provider', () => {
  test("the client's bytes go upstream with only model rewritten; query, anthropic-version and anthropic-beta as sent", async () => {
    // Odd spacing, unknown fields, cache_control, block-form system, a thinking block with its signature.
    const body = `{ "model" :"${CLAUDE}","max_tokens":64, "system":[{"type":"text","text":"be brief","cache_control":{"type":"ephemeral"}}],
      "messages":[{"role":"user","content":"hi"},{"role":"assistant","content":[{"type":"thinking","thinking":"hmm","signature":"sig\\u002Fabc=="},{"type":"text","text":"yo"}]},{"role":"user","content":[{"type":"text","text":"again","cache_control":{"type":"ephemeral"}}]}],
      "future_field":{"x":1.50}, "context_management":{"edits":[]}}`;
    const res = await post('/v1/messages?beta=true', body, {
      'anthropic-version': '2023-06-01',
      'anthropic-beta': 'context-management-2099-01-01,some-new-beta',
    });
    assert.equal(res.status, 200);
    const sent = mock.requests[0]!;
    assert.equal(sent.path, '/v1/messages?beta=true');
    assert.equal(sent.raw, body.replace(`"${CLAUDE}"`, '"claude-sonnet-4-5"'));
    assert.equal(sent.headers['anthropic-beta'], 'context-management-2099-01-01,some-new-beta');
    assert.equal(sent.headers['anthropic-version'], '2023-06-01');
    assert.equal(sent.headers['x-api-key'], 'sk-ant-test-secret');
    const msg = (await res.json()) as any;
    assert.equal(msg.type, 'message');
    assert.equal(msg.content[0].text, 'echo: again');
  });

  test('the SDK, not streaming: the upstream message as it came; a requests row with surface and session', async () => {
    const session = `cc-session-${Date.now()}`;
    const res = await client.messages.create(
      { model: CLAUDE, max_tokens: 100, messages: [{ role: 'user', content: 'hello' }] },
      { headers: { 'x-claude-code-session-id': session } },
    );
    assert.equal(res.content[0]!.type, 'text');
    assert.equal((res.content[0] as Anthropic.TextBlock).text, 'echo: hello');
    assert.equal(res.usage.input_tokens, 10);
    const [row] = await gw.query<any>('SELECT * FROM requests WHERE session_id = ?', session);
    assert.equal(row.surface, 'messages');
    assert.equal(row.status, 200);
    assert.equal(row.key_id, 'plain');
    assert.equal(row.model, CLAUDE);
    assert.equal(row.cost_usd, (10 * PRICE.inputPerMTok + 5 * PRICE.outputPerMTok) / 1e6);
  });

  test('the SDK, streaming: text assembled, the upstream ping relayed, usage from message_start and message_delta', async () => {
    mock.enqueue({ kind: 'text', text: 'streamed answer', usage: { input: 30, output: 7 } });
    const raw = await (
      await post(
        '/v1/messages',
        JSON.stringify({ model: CLAUDE, max_tokens: 50, stream: true, messages: [{ role: 'user', content: 'x' }] }),
      )
    ).text();
    assert.match(raw, /^event: message_start\ndata: /);
    assert.match(raw, /event: ping\ndata: {"type":"ping"}/);
    assert.ok(!raw.includes('[DONE]'));
    mock.enqueue({ kind: 'text', text: 'streamed answer', usage: { input: 30, output: 7 } });
    const stream = client.messages.stream({ model: CLAUDE, max_tokens: 50, messages: [{ role: 'user', content: 'x' }] });
    const final = await stream.finalMessage();
    assert.equal((final.content[0] as Anthropic.TextBlock).text, 'streamed answer');
    assert.equal(final.usage.input_tokens, 30);
    assert.equal(final.usage.output_tokens, 7);
  });

  test('a streamed pass-through is charged: its llm_calls row and its requests row carry the usage and the cost', async () => {
    mock.enqueue({ kind: 'text', text: 'streamed and charged', usage: { input: 30, output: 7 } });
    const res = await post(
      '/v1/messages',
      JSON.stringify({ model: CLAUDE, max_tokens: 50, stream: true, messages: [{ role: 'user', content: 'x' }] }),
    );
    assert.match(await res.text(), /event: message_stop/);
    const id = res.headers.get('x-request-id');
    const cost = (30 * PRICE.inputPerMTok + 7 * PRICE.outputPerMTok) / 1e6;
    const calls = await gw.query<any>(
      'SELECT status, error_type, prompt_tokens, completion_tokens, cost_usd FROM llm_calls WHERE request_id = ?',
      id,
    );
    assert.deepEqual(
      calls.map((c) => [c.status, c.error_type, Number(c.prompt_tokens), Number(c.completion_tokens), c.cost_usd]),
      [[200, null, 30, 7, cost]],
    );
    const [row] = await gw.query<any>('SELECT status, prompt_tokens, completion_tokens, cost_usd FROM requests WHERE id = ?', id);
    assert.deepEqual([row.status, Number(row.prompt_tokens), Number(row.completion_tokens), row.cost_usd], [200, 30, 7, cost]);
  });

  test('a JSON pass-through is written before its effects: the llm_calls and requests rows come after the end, with usage and cost', async () => {
    // The order, as the gateway's process sees it: the client's end() against the ledger's two calls.
    const watch = watchEffectOrder(gw);
    mock.enqueue({ kind: 'text', text: 'answered first', usage: { input: 40, output: 6 } });
    let res: Response;
    try {
      res = await post('/v1/messages', JSON.stringify({ model: CLAUDE, max_tokens: 50, messages: [{ role: 'user', content: 'x' }] }));
      assert.equal(((await res.json()) as any).content[0].text, 'answered first');
    } finally {
      watch.stop();
    }
    assert.deepEqual(watch.order, ['end', 'llm_calls', 'requests']);
    const id = res.headers.get('x-request-id');
    const cost = (40 * PRICE.inputPerMTok + 6 * PRICE.outputPerMTok) / 1e6;
    const [call] = await gw.query<any>('SELECT status, prompt_tokens, completion_tokens, cost_usd FROM llm_calls WHERE request_id = ?', id);
    assert.deepEqual([call.status, Number(call.prompt_tokens), Number(call.completion_tokens), call.cost_usd], [200, 40, 6, cost]);
    const [row] = await gw.query<any>('SELECT status, prompt_tokens, completion_tokens, cost_usd FROM requests WHERE id = ?', id);
    assert.deepEqual([row.status, Number(row.prompt_tokens), Number(row.completion_tokens), row.cost_usd], [200, 40, 6, cost]);
  });

  test('a pass-through stream that goes quiet gets synthetic pings between its events; one that arrives at once gets none', async () => {
    // Anthropic upstream, 120 ms between frames, pings every 40 ms of silence: the gateway's own pings
    // come after the stream started (the mock's one ping is third, right after content_block_start).
    mock.enqueue({ kind: 'text', text: 'slow words here', frameDelayMs: 120 });
    const slow = await (
      await post('/v1/messages', JSON.stringify({ model: CLAUDE, max_tokens: 5, stream: true, messages: [{ role: 'user', content: 'x' }] }))
    ).text();
    const events = [...slow.matchAll(/^event: (\w+)/gm)].map((m) => m[1]);
    assert.equal(events[0], 'message_start');
    assert.equal(events.at(-1), 'message_stop');
    assert.ok(events.filter((e) => e === 'ping').length >= 3, `synthetic pings between frames: ${events.join(',')}`);
    assert.ok(events.indexOf('ping', events.indexOf('content_block_delta')) > 0, 'a ping after the first delta');

    const fast = await (
      await post('/v1/messages', JSON.stringify({ model: CLAUDE, max_tokens: 5, stream: true, messages: [{ role: 'user', content: 'x' }] }))
    ).text();
    assert.equal([...fast.matchAll(/^event: ping/gm)].length, 1, 'only the upstream ping');
  });

  test("an Anthropic upstream's errors come back unmodified (status and body), after its retries", async () => {
    const body = JSON.stringify({ type: 'error', error: { type: 'overloaded_error', message: 'Overloaded (mock wording)' } });
    mock.enqueue({ kind: 'error', status: 529, body }, { kind: 'error', status: 529, body }, { kind: 'error', status: 529, body });
    const res = await post('/v1/messages', JSON.stringify({ model: CLAUDE, max_tokens: 5, messages: [{ role: 'user', content: 'x' }] }));
    assert.equal(res.status, 529);
    assert.equal(await res.text(), body);
    assert.equal(mock.requests.length, 3, 'retried like any upstream failure');
    const bad = JSON.stringify({
      type: 'error',
      error: { type: 'invalid_request_error', message: 'prompt is too long: 300000 tokens > 200000 maximum' },
    });
    mock.enqueue({ kind: 'error', status: 400, body: bad });
    await assert.rejects(
      client.messages.create({ model: CLAUDE, max_tokens: 5, messages: [{ role: 'user', content: 'x' }] }),
      (err: any) => err instanceof Anthropic.BadRequestError && err.message.includes('prompt is too long: 300000 tokens > 200000 maximum'),
    );
  });

  test('a stream error event reaches the client as the upstream sent it', async () => {
    mock.enqueue({ kind: 'stream-error', text: 'partial', errorType: 'overloaded_error', message: 'Overloaded mid-stream' });
    const raw = await (
      await post(
        '/v1/messages',
        JSON.stringify({ model: CLAUDE, max_tokens: 50, stream: true, messages: [{ role: 'user', content: 'x' }] }),
      )
    ).text();
    assert.match(raw, /event: error\ndata: {"type":"error","error":{"type":"overloaded_error","message":"Overloaded mid-stream"}}\n\n$/);
  });

  test('pass-through frames: canonical ones as they came, others rewritten in canonical form, a malformed one a 502 error event', async () => {
    const ev = (type: string, data: object) => `event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`;
    const start = ev('message_start', {
      message: { id: 'msg_raw', type: 'message', role: 'assistant', model: 'm', content: [], usage: { input_tokens: 3, output_tokens: 1 } },
    });
    const block = ev('content_block_start', { index: 0, content_block: { type: 'text', text: '' } });
    const delta = ev('content_block_delta', { index: 0, delta: { type: 'text_delta', text: 'hi' } });
    const end =
      ev('content_block_stop', { index: 0 }) +
      ev('message_delta', { delta: { stop_reason: 'end_turn', stop_sequence: null }, usage: { output_tokens: 2 } }) +
      ev('message_stop', {});
    const sse = (body: string) => ({ kind: 'raw' as const, status: 200, body, contentType: 'text/event-stream' });
    const streamed = async () =>
      (
        await post(
          '/v1/messages',
          JSON.stringify({ model: CLAUDE, max_tokens: 50, stream: true, messages: [{ role: 'user', content: 'x' }] }),
        )
      ).text();
    mock.enqueue(sse(start + block + delta + end));
    assert.equal(await streamed(), start + block + delta + end);
    // CRLF line ends, no space after the colons, an id line: read as before, written as rawFrame writes.
    const odd = delta.replace('event: ', 'id: 7\nevent:').replace('data: ', 'data:').replaceAll('\n', '\r\n');
    mock.enqueue(sse(start + block + odd + end));
    assert.equal(await streamed(), start + block + delta + end);
    // A frame in canonical form whose data is not JSON: the stream ends with the 502's error event.
    mock.enqueue(sse(`${start}${block}event: content_block_delta\ndata: {"type":"content_block_delta",\n\n${end}`));
    const cut = await streamed();
    assert.ok(cut.startsWith(start + block), cut);
    assert.match(
      cut.slice((start + block).length),
      /^event: error\ndata: {"type":"error","error":{"type":"api_error","message":"anthropic sent an unparsable content_block_delta event",.*"code":"upstream_malformed".*\n\n$/,
    );
  });

  test('a client that leaves mid-stream stops the relay: the upstream call is cut too', { timeout: 30_000 }, async () => {
    mock.enqueue({ kind: 'text', text: 'a slow answer that keeps coming', frameDelayMs: 300 });
    const aborted = mock.nextAbort();
    const ac = new AbortController();
    const res = await fetch(`${gw.url}/v1/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': VK },
      body: JSON.stringify({ model: CLAUDE, max_tokens: 50, stream: true, messages: [{ role: 'user', content: 'x' }] }),
      signal: ac.signal,
    });
    const reader = res.body!.getReader();
    await reader.read();
    ac.abort();
    await aborted;
    assert.equal(mock.aborted, 1);
  });
});

describe('gateway errors in Anthropic shape', () => {
  test('unknown key → 401 authentication_error; bad body → 400 invalid_request_error naming the field; key in any header', async () => {
    const stranger = new Anthropic({ apiKey: 'vk-nobody-000000', baseURL: gw.url, maxRetries: 0 });
    await assert.rejects(
      stranger.messages.create({ model: CLAUDE, max_tokens: 5, messages: [{ role: 'user', content: 'x' }] }),
      (err: any) => err instanceof Anthropic.AuthenticationError && (err.error as any)?.error?.type === 'authentication_error',
    );
    const res = await post('/v1/messages', JSON.stringify({ model: CLAUDE, max_tokens: 5, messages: [{ role: 'user', content: 7 }] }));
    assert.equal(res.status, 400);
    const err = (await res.json()) as any;
    assert.equal(err.type, 'error');
    assert.equal(err.error.type, 'invalid_request_error');
    assert.equal(err.error.param, 'messages[0].content');
    for (const headers of [{ authorization: `Bearer ${VK}` }, { 'x-bf-vk': VK }] as Record<string, string>[]) {
      const ok = await fetch(`${gw.url}/v1/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify({ model: CLAUDE, max_tokens: 5, messages: [{ role: 'user', content: 'x' }] }),
      });
      assert.equal(ok.status, 200);
    }
  });

  test('too many messages → 400 naming messages, before any upstream call', async () => {
    const messages = Array.from({ length: 10_001 }, () => ({ role: 'user', content: 'x' }));
    const res = await post('/v1/messages', JSON.stringify({ model: CLAUDE, max_tokens: 5, messages }));
    assert.equal(res.status, 400);
    const err = (await res.json()) as any;
    assert.equal(err.error.code, 'too_many_messages');
    assert.equal(mock.requests.length, 0);
  });
});

describe('what Claude Code asks of its base URL at startup', () => {
  test('HEAD / (its connection pre-warm) and GET or HEAD /api/hello: 200 without a key, no ledger row', async () => {
    // Rows of requests started from here on (an earlier stream's row may still be on its way).
    const since = Date.now();
    for (const [method, path] of [
      ['HEAD', '/'],
      ['GET', '/'],
      ['HEAD', '/api/hello'],
      ['GET', '/api/hello'],
    ] as const) {
      const res = await fetch(`${gw.url}${path}`, { method });
      assert.equal(res.status, 200, `${method} ${path}`);
      if (method === 'GET') assert.deepEqual(await res.json(), { status: 'ok' });
      else assert.equal(await res.text(), '');
    }
    // A real request right after is ledgered: the probes were not (the ledger had time to write them).
    await client.messages.create({ model: CLAUDE, max_tokens: 5, messages: [{ role: 'user', content: 'x' }] });
    const [after] = await gw.query<any>('SELECT count(*) AS n FROM requests WHERE ts >= ?', since);
    assert.equal(after.n, 1);
  });
});

describe('count_tokens and models', () => {
  test('count_tokens: passed through to an Anthropic provider, estimated for others', async () => {
    const counted = await client.messages.countTokens({ model: CLAUDE, messages: [{ role: 'user', content: 'count me please' }] });
    assert.equal(mock.requests[0]!.path, '/v1/messages/count_tokens');
    assert.equal(counted.input_tokens, Math.ceil(mock.requests[0]!.raw.length / 4));
    const estimated = await client.messages.countTokens({ model: GPT, messages: [{ role: 'user', content: 'count me please' }] });
    assert.ok(estimated.input_tokens > 0);
    assert.equal(mock.requests.length, 1, 'no upstream call for an estimate');
  });

  test('count_tokens writes a requests row (operation count_tokens, no cost) that the cost views do not count', async () => {
    const session = `count-${Date.now()}`;
    const opts = { headers: { 'x-claude-code-session-id': session } };
    await gw.quiet();
    const before = await gw.query<any>("SELECT requests, errors FROM cost_by_key_day WHERE key_id = 'plain'");
    await client.messages.countTokens({ model: CLAUDE, messages: [{ role: 'user', content: 'count me' }] }, opts);
    await client.messages.countTokens({ model: GPT, messages: [{ role: 'user', content: 'count me' }] }, opts);
    const refused = await post('/v1/messages/count_tokens', JSON.stringify({ model: 'nope/none', messages: [] }), {
      'x-claude-code-session-id': session,
    });
    assert.equal(refused.status, 400);
    const rows = await gw.query<any>(
      'SELECT surface, operation, status, key_id, model, cost_usd, prompt_tokens, latency_ms FROM requests WHERE session_id = ? ORDER BY ts, status',
      session,
    );
    assert.deepEqual(
      rows.map((r) => [r.surface, r.operation, r.status, r.key_id, r.model, r.cost_usd, r.prompt_tokens]),
      [
        ['messages', 'count_tokens', 200, 'plain', CLAUDE, 0, 0],
        ['messages', 'count_tokens', 200, 'plain', GPT, 0, 0],
        ['messages', 'count_tokens', 400, 'plain', 'nope/none', 0, 0],
      ],
    );
    assert.ok(rows.every((r) => Number.isInteger(r.latency_ms) && r.latency_ms >= 0));
    assert.deepEqual(await gw.query<any>("SELECT requests, errors FROM cost_by_key_day WHERE key_id = 'plain'"), before);
    const [bySession] = await gw.query<any>('SELECT requests, errors FROM cost_by_session WHERE session_id = ?', session);
    assert.deepEqual({ ...bySession }, { requests: 0, errors: 0 });
  });

  test('/v1/models answers the Anthropic SDK (display_name, has_more, first_id, last_id)', async () => {
    const page = await client.models.list();
    const ids = page.data.map((m) => m.id);
    assert.ok(ids.includes(CLAUDE) && ids.includes(GPT));
    assert.equal(page.data[0]!.display_name, page.data[0]!.id);
    assert.equal(page.data[0]!.type, 'model');
    const raw = (await (await fetch(`${gw.url}/v1/models`, { headers: { 'x-api-key': VK } })).json()) as any;
    assert.equal(raw.has_more, false);
    assert.equal(raw.first_id, raw.data[0].id);
    assert.equal(raw.object, 'list', 'the OpenAI fields are there too');
  });
});

describe('translation to an OpenAI-compatible provider', () => {
  test('text, not streaming and streaming', async () => {
    const res = await client.messages.create({
      model: GPT,
      max_tokens: 100,
      system: 'be kind',
      messages: [{ role: 'user', content: 'hello there' }],
    });
    assert.equal((res.content[0] as Anthropic.TextBlock).text, 'echo: hello there');
    assert.equal(res.stop_reason, 'end_turn');
    assert.equal(res.usage.output_tokens, 5);
    const sent = mock.requests[0]!.body;
    assert.deepEqual(sent.messages[0], { role: 'system', content: 'be kind' });
    assert.equal(sent.max_completion_tokens, 100);

    mock.enqueue({ kind: 'text', text: 'a streamed reply', usage: { input: 12, output: 4 } });
    const final = await client.messages.stream({ model: GPT, max_tokens: 100, messages: [{ role: 'user', content: 'x' }] }).finalMessage();
    assert.equal((final.content[0] as Anthropic.TextBlock).text, 'a streamed reply');
    assert.equal(final.usage.input_tokens, 12, 'message_delta carries the real usage');
    assert.equal(final.usage.output_tokens, 4);
  });

  test("streamed usage: message_start carries the gateway's estimate, message_delta the upstream's real input, output and cache figures", async () => {
    const usage = { input: 12, output: 4, cacheRead: 64 };
    mock.enqueue({ kind: 'text', text: 'a streamed reply', usage });
    const session = `usage-${Date.now()}`;
    const raw = await (
      await post('/v1/messages', JSON.stringify({ model: GPT, max_tokens: 50, stream: true, messages: [{ role: 'user', content: 'x' }] }), {
        'x-claude-code-session-id': session,
      })
    ).text();
    assert.deepEqual(mock.requests[0]!.body.stream_options, { include_usage: true }, 'the chat upstream is asked for usage');
    const events = raw
      .split('\n\n')
      .filter((f) => f.startsWith('event: '))
      .map((f) => JSON.parse(f.slice(f.indexOf('data: ') + 6)));
    const start = events.find((e) => e.type === 'message_start').message.usage;
    assert.ok(start.input_tokens > 0 && start.output_tokens === 0, 'an estimate of the input, no output yet');
    const final = events.find((e) => e.type === 'message_delta').usage;
    assert.deepEqual(final, { input_tokens: 12, cache_creation_input_tokens: 0, cache_read_input_tokens: 64, output_tokens: 4 });
    const [row] = await gw.query<any>('SELECT prompt_tokens, completion_tokens FROM requests WHERE session_id = ?', session);
    assert.deepEqual({ ...row }, { prompt_tokens: 12 + 64, completion_tokens: 4 });

    // The SDK takes input and cache counts from message_delta when present, so it reports the upstream's figures.
    mock.enqueue({ kind: 'text', text: 'a streamed reply', usage });
    const msg = await client.messages.stream({ model: GPT, max_tokens: 50, messages: [{ role: 'user', content: 'x' }] }).finalMessage();
    assert.equal(msg.usage.input_tokens, 12);
    assert.equal(msg.usage.cache_read_input_tokens, 64);
    assert.equal(msg.usage.output_tokens, 4);
  });

  test('a chat upstream that reports no usage: message_delta keeps the input estimate instead of claiming 0', async () => {
    mock.enqueue({ kind: 'text', text: 'no usage here', omitUsage: true });
    const raw = await (
      await post('/v1/messages', JSON.stringify({ model: GPT, max_tokens: 50, stream: true, messages: [{ role: 'user', content: 'x' }] }))
    ).text();
    const events = raw
      .split('\n\n')
      .filter((f) => f.startsWith('event: '))
      .map((f) => JSON.parse(f.slice(f.indexOf('data: ') + 6)));
    const start = events.find((e) => e.type === 'message_start').message.usage;
    const final = events.find((e) => e.type === 'message_delta').usage;
    assert.ok(start.input_tokens > 0);
    assert.equal(final.input_tokens, start.input_tokens);
  });

  test("the client's tools: tool_use out, tool_result back, streaming and not", async () => {
    const tools: Anthropic.Tool[] = [
      { name: 'Bash', description: 'run', input_schema: { type: 'object', properties: { command: { type: 'string' } } } },
    ];
    for (const stream of [false, true]) {
      mock.enqueue({ kind: 'tool_calls', calls: [{ id: 'call_1', name: 'Bash', arguments: { command: 'ls' } }] });
      const req = { model: GPT, max_tokens: 100, tools, messages: [{ role: 'user' as const, content: 'list' }] };
      const msg = stream ? await client.messages.stream(req).finalMessage() : await client.messages.create(req);
      assert.equal(msg.stop_reason, 'tool_use');
      const use = msg.content.find((b) => b.type === 'tool_use') as Anthropic.ToolUseBlock;
      assert.deepEqual([use.id, use.name, use.input], ['call_1', 'Bash', { command: 'ls' }]);
      const followUp = await client.messages.create({
        ...req,
        messages: [
          ...req.messages,
          { role: 'assistant', content: msg.content },
          { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'call_1', content: 'a.txt' }] },
        ],
      });
      assert.equal(followUp.content[0]!.type, 'text');
      assert.deepEqual(toolResultsOf(mock.requests.at(-1)!.body), [{ id: 'call_1', content: 'a.txt' }]);
      mock.reset();
    }
  });

  test('untranslatable fields → 400 naming them; dropped hints → x-tollgate-warnings', async () => {
    const res = await post(
      '/v1/messages',
      JSON.stringify({ model: GPT, max_tokens: 5, top_k: 3, messages: [{ role: 'user', content: 'x' }] }),
    );
    assert.equal(res.status, 400);
    const err = (await res.json()) as any;
    assert.equal(err.error.param, 'top_k');
    assert.equal(err.error.code, 'untranslatable_field');
    const warned = await post(
      '/v1/messages',
      JSON.stringify({
        model: GPT,
        max_tokens: 5,
        thinking: { type: 'enabled', budget_tokens: 1024 },
        messages: [{ role: 'user', content: 'x' }],
      }),
    );
    assert.equal(warned.status, 200);
    assert.equal(warned.headers.get('x-tollgate-warnings'), 'thinking ignored');
    // What Claude Code sends: clearing thinking is a no-op for chat, effort a hint; a JSON schema format is translated.
    const cc = await post(
      '/v1/messages',
      JSON.stringify({
        model: GPT,
        max_tokens: 5,
        context_management: { edits: [{ type: 'clear_thinking_20251015', keep: 'all' }] },
        output_config: { effort: 'high', format: { type: 'json_schema', schema: { type: 'object' } } },
        messages: [
          { role: 'user', content: 'x' },
          { role: 'system', content: 'a reminder, in place' },
        ],
      }),
    );
    assert.equal(cc.status, 200);
    assert.equal(cc.headers.get('x-tollgate-warnings'), 'context_management ignored; output_config.effort ignored');
    // The same warnings on the request's ledger row, and on its /logs page.
    const id = cc.headers.get('x-request-id')!;
    const [row] = await gw.query<any>('SELECT warnings FROM requests WHERE id = ?', id);
    assert.equal(row.warnings, 'context_management ignored; output_config.effort ignored');
    const page = await (await fetch(`${gw.url}/logs/requests/${id}`, { headers: { authorization: `Bearer ${ADMIN}` } })).text();
    assert.match(page, /Dropped in translation: context_management ignored; output_config.effort ignored/);
    const [plain] = await gw.query<any>('SELECT warnings FROM requests WHERE id = ?', warned.headers.get('x-request-id'));
    assert.equal(plain.warnings, 'thinking ignored');
    const sent = mock.requests.at(-1)!.body;
    assert.deepEqual(
      sent.messages.map((m: any) => m.role),
      ['user', 'system'],
      'a mid-conversation system turn keeps its place',
    );
    assert.deepEqual(sent.response_format, {
      type: 'json_schema',
      json_schema: { name: 'output', schema: { type: 'object' }, strict: true },
    });
    const edits = await post(
      '/v1/messages',
      JSON.stringify({
        model: GPT,
        max_tokens: 5,
        context_management: { edits: [{ type: 'clear_tool_uses_20250919' }] },
        messages: [{ role: 'user', content: 'x' }],
      }),
    );
    assert.equal(((await edits.json()) as any).error.param, 'context_management.edits[0]');
  });

  test('a slow upstream: synthetic pings after message_start while waiting', async () => {
    mock.enqueue({ kind: 'text', text: 'late', delayMs: 300 });
    const raw = await (
      await post('/v1/messages', JSON.stringify({ model: GPT, max_tokens: 5, stream: true, messages: [{ role: 'user', content: 'x' }] }))
    ).text();
    const events = [...raw.matchAll(/^event: (\w+)/gm)].map((m) => m[1]);
    assert.equal(events[0], 'message_start');
    assert.equal(events[1], 'ping');
    assert.equal(events.at(-1), 'message_stop');
    const start = JSON.parse(raw.split('\n')[1]!.slice(6));
    assert.ok(start.message.usage.input_tokens > 0, 'message_start carries the input estimate, never 0');
  });
});

describe('gateway MCP tools on the Messages surface', () => {
  for (const model of [CLAUDE, GPT]) {
    for (const stream of [false, true]) {
      test(`${model}: the gateway runs its tool and loops; the client sees one answer (${stream ? 'streaming' : 'json'})`, async () => {
        mock.enqueue({ kind: 'tool_calls', text: 'let me add', calls: [{ id: 'toolu_gw1', name: 'fix__add', arguments: { a: 2, b: 3 } }] });
        mock.fallback = (body) => ({ kind: 'text', text: `sum is ${toolResultsOf(body)[0]?.content}` });
        const req = { model, max_tokens: 200, messages: [{ role: 'user' as const, content: 'add 2 and 3' }] };
        const msg = stream ? await toolsClient.messages.stream(req).finalMessage() : await toolsClient.messages.create(req);
        assert.ok(!msg.content.some((b) => b.type === 'tool_use'), 'gateway tool calls stay hidden');
        const text = msg.content
          .filter((b) => b.type === 'text')
          .map((b) => (b as Anthropic.TextBlock).text)
          .join('|');
        assert.match(text, /sum is 5$/);
        assert.equal(msg.stop_reason, 'end_turn');
        assert.equal(mock.requests.length, 2);
        assert.ok(offeredToolsOf(mock.requests[0]!.body).includes('fix__add'));
        const [row] = await gw.query<any>("SELECT * FROM requests WHERE key_id = 'tools' ORDER BY ts DESC LIMIT 1");
        assert.equal(row.rounds, 2);
        assert.equal(row.tool_calls, 1);
        assert.equal(row.surface, 'messages');
        const [tool] = await gw.query<any>('SELECT * FROM tool_calls WHERE request_id = ?', row.id);
        assert.equal(tool.name, 'fix__add');
        assert.equal(tool.status, 'ok');
      });
    }
  }

  test('Anthropic provider: a mixed turn returns only the client tool; the follow-up gets the hidden part stitched back', async () => {
    const tools: Anthropic.Tool[] = [{ name: 'Bash', input_schema: { type: 'object', properties: {} } }];
    mock.enqueue({
      kind: 'tool_calls',
      calls: [
        { id: 'toolu_bash', name: 'Bash', arguments: { command: 'ls' } },
        { id: 'toolu_gw', name: 'fix__add', arguments: { a: 1, b: 1 } },
      ],
    });
    const req = { model: CLAUDE, max_tokens: 100, tools, messages: [{ role: 'user' as const, content: 'both' }] };
    const msg = await toolsClient.messages.create(req);
    assert.equal(msg.stop_reason, 'tool_use');
    assert.deepEqual(
      msg.content.filter((b) => b.type === 'tool_use').map((b) => (b as Anthropic.ToolUseBlock).name),
      ['Bash'],
    );
    await toolsClient.messages.create({
      ...req,
      messages: [
        ...req.messages,
        { role: 'assistant', content: msg.content },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_bash', content: 'a.txt' }] },
      ],
    });
    const sent = mock.requests.at(-1)!.body;
    const assistant = sent.messages[1];
    assert.deepEqual(
      assistant.content.filter((b: any) => b.type === 'tool_use').map((b: any) => b.id),
      ['toolu_bash', 'toolu_gw'],
    );
    assert.deepEqual(
      sent.messages[2].content.map((b: any) => b.tool_use_id),
      ['toolu_gw', 'toolu_bash'],
    );
    assert.equal(sent.messages[2].content[0].content, '2');
  });
});
