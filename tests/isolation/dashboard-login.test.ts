// Dashboard login is throttled (issue 15, item 9): after 10 failed attempts from one address the
// login answers 429 with Retry-After, even for the right token, so the admin token cannot be
// guessed at network speed; the Bearer header keeps working for scripts.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startGateway, type TestGateway } from '../helpers/gateway.js';

const ADMIN = 'admin-login-throttle-1';
let gw: TestGateway;

before(async () => {
  gw = await startGateway({ adminToken: ADMIN, config: {} });
});
after(() => gw.close());

const login = (token: string) =>
  fetch(`${gw.url}/logs/login`, { method: 'POST', body: new URLSearchParams({ token }), redirect: 'manual' });

describe('dashboard login throttle', () => {
  test('10 failures, then 429 with Retry-After for any token; Bearer still works', async () => {
    for (let i = 0; i < 10; i++) assert.equal((await login(`guess-${i}`)).status, 401);
    const throttled = await login(ADMIN);
    assert.equal(throttled.status, 429);
    assert.ok(Number(throttled.headers.get('retry-after')) > 0);
    assert.equal(throttled.headers.get('set-cookie'), null, 'no session while throttled');
    assert.equal((await fetch(`${gw.url}/logs`, { headers: { authorization: `Bearer ${ADMIN}` } })).status, 200);
  });
});
