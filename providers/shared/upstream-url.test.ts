import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { upstreamUrl } from './upstream-url.js';

describe('upstreamUrl', () => {
  test('a base without a query: the path appended, as always', () => {
    assert.equal(upstreamUrl('https://api.example.com/v1', '/chat/completions'), 'https://api.example.com/v1/chat/completions');
    assert.equal(upstreamUrl('https://h', '/v1/messages?beta=true'), 'https://h/v1/messages?beta=true');
  });

  test("a base with a query (Azure's api-version): the path before it, the query kept", () => {
    const azure = 'https://r.openai.azure.com/openai/deployments/d?api-version=2024-10-21';
    assert.equal(
      upstreamUrl(azure, '/chat/completions'),
      'https://r.openai.azure.com/openai/deployments/d/chat/completions?api-version=2024-10-21',
    );
    assert.equal(
      upstreamUrl('https://h/openai/v1/?api-version=preview', '/responses'),
      'https://h/openai/v1/responses?api-version=preview',
    );
  });

  test("the call's own query merged after the base's", () => {
    assert.equal(
      upstreamUrl('https://h/openai/v1?api-version=preview', '/responses/resp_1/input_items?limit=2&order=asc'),
      'https://h/openai/v1/responses/resp_1/input_items?api-version=preview&limit=2&order=asc',
    );
    assert.equal(upstreamUrl('https://h?a=1', '/v1/messages?beta=true'), 'https://h/v1/messages?a=1&beta=true');
  });

  test('an empty query on either side adds no stray ? or &', () => {
    assert.equal(upstreamUrl('https://h/v1?', '/chat/completions'), 'https://h/v1/chat/completions');
    assert.equal(upstreamUrl('https://h/v1?', '/responses/r/input_items?limit=1'), 'https://h/v1/responses/r/input_items?limit=1');
    assert.equal(upstreamUrl('https://h/v1?a=1', '/responses/r/input_items?'), 'https://h/v1/responses/r/input_items?a=1');
  });
});
