import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { ChatRequest } from '../../src/openai/types.js';
import type { AdapterContext } from '../types.js';
import { anthropicAdapter } from './index.js';

const ctx: AdapterContext = {
  baseUrl: 'https://api.anthropic.com',
  apiKey: 'sk-ant-test',
  model: 'claude-sonnet-4-20250514',
  defaultMaxTokens: 4096,
};
const user = { role: 'user' as const, content: 'Hi' };

function body(req: Partial<ChatRequest>, c: AdapterContext = ctx): Record<string, any> {
  const upstream = anthropicAdapter.chatRequest({ model: 'anthropic/claude', messages: [user], ...req }, c);
  return JSON.parse(upstream.body ?? 'null');
}

describe('anthropic chatRequest: envelope', () => {
  test('POSTs to /v1/messages with key, version, content type and config headers', () => {
    const r = anthropicAdapter.chatRequest(
      { model: 'x', messages: [user] },
      { ...ctx, headers: { 'anthropic-beta': 'prompt-caching-2024-07-31' } },
    );
    assert.equal(r.url, 'https://api.anthropic.com/v1/messages');
    assert.equal(r.method, 'POST');
    assert.deepEqual(r.headers, {
      'x-api-key': 'sk-ant-test',
      'anthropic-version': '2023-06-01',
      'content-type': 'application/json',
      'anthropic-beta': 'prompt-caching-2024-07-31',
    });
  });

  test("a baseUrl with a query: the path goes before it, a pass-through call's own query after it", () => {
    const proxied = { ...ctx, baseUrl: 'https://proxy.example/anthropic?tenant=t1' };
    assert.equal(
      anthropicAdapter.chatRequest({ model: 'x', messages: [user] }, proxied).url,
      'https://proxy.example/anthropic/v1/messages?tenant=t1',
    );
    const native = anthropicAdapter.nativeRequest!(
      { format: 'messages', path: '/v1/messages?beta=true', body: '{}', headers: {} },
      proxied,
    );
    assert.equal(native.url, 'https://proxy.example/anthropic/v1/messages?tenant=t1&beta=true');
  });

  test('no x-api-key header without a key', () => {
    const { apiKey: _omit, ...noKey } = ctx;
    const r = anthropicAdapter.chatRequest({ model: 'x', messages: [user] }, noKey);
    assert.equal('x-api-key' in r.headers, false);
  });

  test('model is the upstream model from the context', () => {
    assert.equal(body({ model: 'anthropic/claude-sonnet-4' }).model, 'claude-sonnet-4-20250514');
  });
});
