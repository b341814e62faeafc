// GET /v1/responses/{id} for a response a native upstream stored after the gateway ran its own
// tools in it. The upstream stored its last round: the gateway's tools among `tools`, the usage of
// that round alone, that round's output only. Before, GET returned that as it was, so it differed
// from what the POST returned; now the POST's output, the client's tools and the usage of every
// round are laid over the upstream's answer, whose other fields (status, metadata…) stay its own.
import { after, before, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { echoReply, type MockUpstream } from './mock-upstream/server.js';
import { passThroughProviders, type TestGateway } from './helpers/gateway.js';
import { startStack, type Stack } from './helpers/stack.js';

const VK = 'vk-retrieve-loop-0001';
const VK_PLAIN = 'vk-retrieve-plain-001';
let mock: MockUpstream;
let gw: TestGateway;
let stop: Stack['stop'] | undefined;

before(async () => {
  ({ mock, gw, stop } = await startStack({
    mcp: true,
    config: ({ mock }) => ({
      providers: passThroughProviders(mock, 'retrieve-loop', { maxRetries: 0 }),
      virtualKeys: [
        { id: 'loop', key: VK, models: ['*'], tools: { allow: ['fix__*'] } },
        { id: 'plain', key: VK_PLAIN, models: ['*'], tools: { allow: [] } },
      ],
    }),
  }));
});
after(() => stop?.());
beforeEach(() => {
  mock.reset();
  // The upstream's stored response: its last round as it answered it, tools as that round was sent.
  mock.fallback = (body, path) => {
    if (!path.startsWith('/v1/responses/')) return echoReply(body);
    const lastSent = mock.requests.findLast((r) => r.method === 'POST')!.body;
    const stored = {
      id: path.slice('/v1/responses/'.length),
      object: 'response',
      status: 'completed',
      metadata: { from: 'upstream' },
      tools: lastSent.tools,
      output: [{ id: 'msg_last', type: 'message', role: 'assistant', content: [{ type: 'output_text', text: 'it is 5' }] }],
      usage: { input_tokens: 7, output_tokens: 3, total_tokens: 10 },
    };
    return { kind: 'raw', status: 200, body: JSON.stringify(stored) };
  };
});

const call = (method: string, path: string, body?: unknown, key = VK) =>
  fetch(`${gw.baseURL}${path}`, {
    method,
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  }).then(async (r) => ({ status: r.status, body: (await r.json()) as any }));

test('a native response the gateway ran a tool in: GET shows the output, tools and usage the POST did', async () => {
  mock.enqueue(
    { kind: 'tool_calls', calls: [{ id: 'call_gw', name: 'fix__add', arguments: { a: 2, b: 3 } }] },
    { kind: 'text', text: 'it is 5' },
  );
  const tools = [{ type: 'function', name: 'client_lookup', parameters: { type: 'object', properties: {} } }];
  const posted = await call('POST', '/responses', { model: 'oai/gpt-5', input: 'add 2 and 3', tools });
  assert.equal(posted.status, 200, JSON.stringify(posted.body));
  const sentTools = mock.requests.findLast((r) => r.method === 'POST')!.body.tools as { name: string }[];
  assert.ok(
    sentTools.some((t) => t.name !== 'client_lookup'),
    'the upstream was offered the gateway tools',
  );

  const got = await call('GET', `/responses/${posted.body.id}`);
  assert.equal(got.status, 200, JSON.stringify(got.body));
  assert.equal(got.body.id, posted.body.id);
  assert.deepEqual(got.body.tools, tools, "the client's tools, not the gateway's");
  assert.deepEqual(got.body.usage, posted.body.usage, 'the usage of both rounds');
  assert.notEqual(got.body.usage.total_tokens, 10);
  assert.deepEqual(got.body.output, posted.body.output);
  assert.deepEqual(got.body.tollgate, posted.body.tollgate);
  assert.deepEqual(got.body.metadata, { from: 'upstream' }, "the upstream's other fields kept");
});

test('a response passed through unchanged (a key with no gateway tools): GET is the upstream answer as it came', async () => {
  const posted = await call('POST', '/responses', { model: 'oai/gpt-5', input: 'hello' }, VK_PLAIN);
  assert.equal(posted.status, 200, JSON.stringify(posted.body));
  assert.equal(mock.requests[0]!.body.tools, undefined, 'no tools were added');
  const got = await call('GET', `/responses/${posted.body.id}`, undefined, VK_PLAIN);
  assert.equal(got.status, 200, JSON.stringify(got.body));
  assert.deepEqual(got.body.usage, { input_tokens: 7, output_tokens: 3, total_tokens: 10 });
  assert.equal(got.body.output[0].id, 'msg_last');
});
