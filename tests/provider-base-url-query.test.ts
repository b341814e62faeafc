// A provider whose baseUrl carries a query (Azure OpenAI's `?api-version=…`, its key in an `api-key`
// header). Before, the path was appended to the whole string: `/v1?api-version=…/chat/completions`,
// so no call to such a provider reached the right path. Now every upstream URL has the path on the
// base's pathname and the base's query kept, ahead of the call's own.
import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startStack, type Stack } from './helpers/stack.js';

const VK = 'vk-base-url-query-1';
const QUERY = 'api-version=2024-10-21';
let stack: Stack;

before(async () => {
  stack = await startStack({
    config: ({ mock }) => ({
      providers: {
        azure: {
          type: 'openai',
          baseUrl: `${mock.openaiBaseUrl}?${QUERY}`,
          headers: { 'api-key': 'azure-key-1' },
          models: ['gpt-5'],
          apis: ['chat', 'responses'],
          maxRetries: 0,
        },
        proxied: { type: 'anthropic', baseUrl: `${mock.anthropicBaseUrl}/?${QUERY}`, keys: [{ value: 'sk-ant-q' }], maxRetries: 0 },
      },
      virtualKeys: [{ id: 'q', key: VK, models: ['*'] }],
    }),
  });
});
after(() => stack.stop());
beforeEach(() => stack.mock.reset());

const call = (path: string, body?: unknown) =>
  fetch(`${stack.gw.baseURL}${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { authorization: `Bearer ${VK}`, 'content-type': 'application/json', 'anthropic-version': '2023-06-01' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  }).then(async (r) => ({ status: r.status, body: (await r.json()) as any }));
const asked = () => stack.mock.requests.map((r) => [r.method, r.path]);

describe('a provider baseUrl with a query', () => {
  test('chat: the path goes before the query, the key in the configured header', async () => {
    const r = await call('/chat/completions', { model: 'azure/gpt-5', messages: [{ role: 'user', content: 'hi' }] });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.deepEqual(asked(), [['POST', `/v1/chat/completions?${QUERY}`]]);
    assert.equal(stack.mock.requests[0]!.headers['api-key'], 'azure-key-1');
  });

  test("Responses pass-through, then GET of the stored response and its input_items (the call's query after the base's)", async () => {
    const created = await call('/responses', { model: 'azure/gpt-5', input: 'hello' });
    assert.equal(created.status, 200, JSON.stringify(created.body));
    const id = created.body.id as string;
    stack.mock.enqueue({ kind: 'raw', status: 200, body: JSON.stringify({ id, object: 'response', status: 'completed', output: [] }) });
    const got = await call(`/responses/${id}`);
    assert.equal(got.status, 200, JSON.stringify(got.body));
    assert.equal(got.body.id, id);
    const list = { object: 'list', data: [], first_id: null, last_id: null, has_more: false };
    stack.mock.enqueue({ kind: 'raw', status: 200, body: JSON.stringify(list) });
    const items = await call(`/responses/${id}/input_items?limit=5`);
    assert.equal(items.status, 200, JSON.stringify(items.body));
    assert.deepEqual(asked(), [
      ['POST', `/v1/responses?${QUERY}`],
      ['GET', `/v1/responses/${id}?${QUERY}`],
      ['GET', `/v1/responses/${id}/input_items?${QUERY}&limit=5`],
    ]);
  });

  test('Messages pass-through and count_tokens: a trailing slash before the query dropped, the client query kept', async () => {
    const messages = [{ role: 'user', content: 'hi' }];
    const sent = await call('/messages?beta=true', { model: 'proxied/claude-sonnet-4-5', max_tokens: 16, messages });
    assert.equal(sent.status, 200, JSON.stringify(sent.body));
    const counted = await call('/messages/count_tokens', { model: 'proxied/claude-sonnet-4-5', messages });
    assert.equal(counted.status, 200, JSON.stringify(counted.body));
    assert.deepEqual(asked(), [
      ['POST', `/v1/messages?${QUERY}&beta=true`],
      ['POST', `/v1/messages/count_tokens?${QUERY}`],
    ]);
  });
});
