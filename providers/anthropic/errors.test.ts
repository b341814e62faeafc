import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { anthropicAdapter } from './index.js';
import { streamError } from '../../src/wire/messages/errors.js';

const raw = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');

describe('anthropic errorFromResponse', () => {
  test('400 invalid_request_error → 400 with the upstream message, not retryable', () => {
    const err = anthropicAdapter.errorFromResponse(400, raw('error-400.json'), {});
    assert.equal(err.status, 400);
    assert.equal(err.type, 'invalid_request_error');
    assert.equal(err.retryable, false);
    assert.match(err.message, /anthropic returned 400: messages: roles must alternate/);
  });

  test('529 overloaded → retryable upstream_error carrying Retry-After', () => {
    const err = anthropicAdapter.errorFromResponse(529, raw('error-529-overloaded.json'), { 'retry-after': '7' });
    assert.equal(err.status, 502);
    assert.equal(err.type, 'upstream_error');
    assert.equal(err.retryable, true);
    assert.equal(err.retryAfter, 7);
    assert.match(err.message, /529: Overloaded/);
  });

  test('401 is our credentials problem, not the caller’s', () => {
    const err = anthropicAdapter.errorFromResponse(
      401,
      '{"type":"error","error":{"type":"authentication_error","message":"invalid x-api-key"}}',
      {},
    );
    assert.equal(err.status, 502);
    assert.match(err.message, /invalid x-api-key/);
  });

  test('non-JSON bodies still produce a message', () => {
    const err = anthropicAdapter.errorFromResponse(502, '<html>Bad Gateway</html>', {});
    assert.match(err.message, /Bad Gateway/);
  });
});

describe('anthropic stream error events', () => {
  test('overloaded_error → 503, other errors → 502', () => {
    const overloaded = streamError({ type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } });
    assert.equal(overloaded.status, 503);
    assert.equal(overloaded.type, 'upstream_error');
    assert.match(overloaded.message, /Overloaded/);
    const api = streamError({ type: 'error', error: { type: 'api_error', message: 'Internal server error' } });
    assert.equal(api.status, 502);
    assert.match(api.message, /Internal server error/);
  });
});
