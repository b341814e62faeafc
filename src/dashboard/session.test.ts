import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createDashboardAuth } from './session.js';

const sessionOf = (r: ReturnType<ReturnType<typeof createDashboardAuth>['login']>): string => {
  assert.ok(r.ok);
  return r.session;
};

describe('dashboard session', () => {
  test('each login gets its own random session, unrelated to the token', () => {
    const auth = createDashboardAuth('admin-secret');
    const a = sessionOf(auth.login('admin-secret', 'ip1'));
    const b = sessionOf(auth.login('admin-secret', 'ip1'));
    assert.notEqual(a, b);
    assert.ok(!a.includes('admin-secret'));
    assert.ok(auth.checkSession(a) && auth.checkSession(b));
    assert.ok(!auth.checkSession('admin-secret'));
    assert.ok(!createDashboardAuth('admin-secret').checkSession(a), 'another process (or a restart) does not know it');
  });

  test('sessions expire on the server, and logout revokes one without touching the others', () => {
    let now = 0;
    const auth = createDashboardAuth('admin-secret', { now: () => now, ttlMs: 1000 });
    const a = sessionOf(auth.login('admin-secret', 'ip1'));
    const b = sessionOf(auth.login('admin-secret', 'ip1'));
    auth.logout(a);
    assert.ok(!auth.checkSession(a));
    assert.ok(auth.checkSession(b));
    now = 1000;
    assert.ok(!auth.checkSession(b), 'expired');
  });

  test('failed logins are throttled per address; the window ends; a good login clears the count', () => {
    let now = 0;
    const auth = createDashboardAuth('admin-secret', { now: () => now, maxFailures: 3, failureWindowMs: 60_000 });
    for (let i = 0; i < 3; i++) assert.deepEqual(auth.login('wrong', 'ip1'), { ok: false });
    assert.deepEqual(auth.login('admin-secret', 'ip1'), { ok: false, retryAfterS: 60 }, 'even the right token waits');
    assert.ok(auth.login('admin-secret', 'ip2').ok, 'other addresses are not affected');
    now = 60_000;
    assert.ok(auth.login('admin-secret', 'ip1').ok);
  });

  test('bearer token or session cookie authenticate; nothing else does', () => {
    const auth = createDashboardAuth('admin-secret');
    const s = sessionOf(auth.login('admin-secret', 'ip'));
    assert.ok(auth.isAuthenticated('Bearer admin-secret', undefined));
    assert.ok(auth.isAuthenticated(undefined, s));
    assert.ok(!auth.isAuthenticated('Bearer wrong', undefined));
    assert.ok(!auth.isAuthenticated('admin-secret', undefined));
    assert.ok(!auth.isAuthenticated(undefined, 'forged'));
    assert.ok(!auth.isAuthenticated(undefined, undefined));
  });

  test('no token configured: disabled, nothing authenticates', () => {
    const auth = createDashboardAuth(undefined);
    assert.equal(auth.enabled, false);
    assert.ok(!auth.isAuthenticated('Bearer ', ''));
    assert.ok(!auth.checkToken(''));
    assert.deepEqual(auth.login('', 'ip'), { ok: false });
  });
});
