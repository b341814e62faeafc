import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createDashboardAuth } from './session.js';

describe('dashboard session', () => {
  test('the cookie value is derived from the token, not the token itself', () => {
    const auth = createDashboardAuth('admin-secret');
    const value = auth.sessionValue();
    assert.notEqual(value, 'admin-secret');
    assert.ok(!value.includes('admin-secret'));
    assert.ok(auth.checkSession(value));
    assert.ok(!auth.checkSession('admin-secret'));
    // A different token gives a different session: rotating the token logs everyone out.
    assert.notEqual(createDashboardAuth('other').sessionValue(), value);
  });

  test('bearer token or session cookie authenticate; nothing else does', () => {
    const auth = createDashboardAuth('admin-secret');
    assert.ok(auth.isAuthenticated('Bearer admin-secret', undefined));
    assert.ok(auth.isAuthenticated(undefined, auth.sessionValue()));
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
    assert.throws(() => auth.sessionValue());
  });
});
