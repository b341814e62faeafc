import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Hono } from 'hono';
import type { AppEnv } from '../app-env.js';
import { isSameOrigin, requireSameOrigin } from './same-origin.js';

test('isSameOrigin compares the Origin host with the addressed host', () => {
  assert.equal(isSameOrigin('http://gw.local:8080', 'gw.local:8080'), true);
  assert.equal(isSameOrigin('https://evil.example', 'gw.local:8080'), false);
  assert.equal(isSameOrigin('null', 'gw.local:8080'), false);
  assert.equal(isSameOrigin(undefined, 'gw.local:8080'), false);
  assert.equal(isSameOrigin('not a url', 'gw.local:8080'), false);
});

test('the middleware refuses foreign and missing origins unless a Bearer token is sent', async () => {
  const app = new Hono<AppEnv>();
  app.post(
    '/x',
    requireSameOrigin((a) => a === 'Bearer t'),
    (c) => c.text('ok'),
  );
  const post = (headers: Record<string, string>) => app.fetch(new Request('http://gw.local/x', { method: 'POST', headers }));
  assert.equal((await post({ origin: 'http://gw.local' })).status, 200);
  assert.equal((await post({ origin: 'http://evil.example' })).status, 403);
  assert.equal((await post({ origin: 'https://gw.example.com', 'x-forwarded-host': 'gw.example.com' })).status, 200);
  assert.equal((await post({})).status, 403);
  assert.equal((await post({ authorization: 'Bearer t' })).status, 200);
  assert.equal((await post({ origin: 'http://evil.example', authorization: 'Bearer t' })).status, 403);
});
