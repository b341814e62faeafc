import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Hono } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { virtualKeySchema } from '../../config-schema.js';
import { errorHeaders, renderError, toGatewayError } from '../../errors.js';
import { BudgetGuard } from '../../governance/budgets.js';
import { createMemoryCounterStore } from '../../governance/memory-counter-store.js';
import { createMemoryGovernanceRepository } from '../../governance/memory-repository.js';
import { GovernanceRegistry } from '../../governance/registry.js';
import { createAdminRoutes } from './index.js';

const NOW = Date.parse('2025-03-15T12:00:00Z');
const TOKEN = 'admin-token-123';

function setup(opts: { adminToken: string | undefined } = { adminToken: TOKEN }) {
  const { adminToken } = opts;
  const registry = new GovernanceRegistry({
    config: {
      customers: [{ id: 'acme', budget: { usd: 2000, period: 'month' } }],
      teams: [{ id: 'eng', customer: 'acme', budget: { usd: 500, period: 'month' } }],
      virtualKeys: [virtualKeySchema.parse({ id: 'cfg', key: 'config-secret', team: 'eng', budget: { usd: 100, period: 'day' } })],
    },
    repository: createMemoryGovernanceRepository(),
    now: () => NOW,
  });
  const budgets = new BudgetGuard({ store: createMemoryCounterStore(), now: () => NOW });
  const app = new Hono();
  app.onError((err, c) => {
    const g = toGatewayError(err);
    return c.json(renderError(g), g.status as ContentfulStatusCode, errorHeaders(g));
  });
  app.route('/api', createAdminRoutes({ registry, budgets, adminToken, now: () => NOW }));
  const call = async (method: string, path: string, body?: unknown, token: string | null = TOKEN) => {
    const headers: Record<string, string> = {};
    if (token !== null) headers.authorization = `Bearer ${token}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    const res = await app.request(`/api${path}`, {
      method,
      headers,
      body: typeof body === 'string' ? body : body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, json: (await res.json()) as any };
  };
  return { registry, budgets, call };
}

describe('admin auth', () => {
  test('401 authentication_error without or with a wrong token', async () => {
    const { call } = setup();
    for (const token of [null, 'wrong']) {
      const r = await call('GET', '/virtual-keys', undefined, token);
      assert.equal(r.status, 401);
      assert.equal(r.json.error.type, 'authentication_error');
    }
  });

  test('disabled when no admin token is configured', async () => {
    const { call } = setup({ adminToken: undefined });
    const r = await call('GET', '/virtual-keys', undefined, 'anything');
    assert.equal(r.status, 401);
    assert.match(r.json.error.message, /TOLLGATE_ADMIN_TOKEN is not set/);
  });
});

describe('admin /virtual-keys', () => {
  test('POST returns the secret once; GET never shows secrets or hashes', async () => {
    const { call, registry } = setup();
    const created = await call('POST', '/virtual-keys', {
      id: 'app1',
      team: 'eng',
      models: ['openai/*'],
      expiresAt: '2026-01-01T00:00:00Z',
    });
    assert.equal(created.status, 201);
    assert.match(created.json.key, /^tg-/);
    assert.equal(created.json.keyHash, undefined);
    assert.equal(created.json.expiresAt, '2026-01-01T00:00:00.000Z');
    assert.equal(created.json.source, 'api');
    assert.equal(registry.authenticate(created.json.key, NOW).key?.id, 'app1');

    const list = await call('GET', '/virtual-keys');
    assert.equal(list.status, 200);
    assert.deepEqual(list.json.data.map((k: { id: string }) => k.id).sort(), ['app1', 'cfg']);
    const text = JSON.stringify(list.json) + JSON.stringify((await call('GET', '/virtual-keys/app1')).json);
    assert.equal(text.includes(created.json.key), false);
    assert.equal(text.includes('keyHash'), false);
    assert.equal(text.includes(registry.getKey('app1')!.keyHash), false);
  });

  test('validation errors are 400 with param naming the field; malformed JSON is 400', async () => {
    const { call } = setup();
    let r = await call('POST', '/virtual-keys', { id: 'x', models: 'openai/*' });
    assert.deepEqual([r.status, r.json.error.type, r.json.error.param], [400, 'invalid_request_error', 'models']);
    r = await call('POST', '/virtual-keys', { id: 'x', budget: { usd: -1 } });
    assert.deepEqual([r.status, r.json.error.param], [400, 'budget.usd']);
    r = await call('POST', '/virtual-keys', { id: 'x', key: 'choose-my-own' });
    assert.deepEqual([r.status, r.json.error.param], [400, 'key'], 'the secret is generated, never chosen');
    r = await call('POST', '/virtual-keys', { id: 'x', team: 'nope' });
    assert.deepEqual([r.status, r.json.error.param], [400, 'team']);
    r = await call('POST', '/virtual-keys', '{"id": ');
    assert.deepEqual([r.status, r.json.error.type], [400, 'invalid_request_error']);
    assert.match(r.json.error.message, /malformed JSON/);
  });

  test('prompt and resource rules (/mcp) are set, stored, decided on, and cleared back to the default', async () => {
    const { call, registry } = setup();
    let r = await call('POST', '/virtual-keys', {
      id: 'mcp',
      tools: { allow: ['docs__*'] },
      prompts: { allow: ['docs__summary'] },
      resources: { allow: ['docs+file:///public/*'], deny: ['docs+file:///public/secret*'] },
    });
    assert.equal(r.status, 201);
    assert.deepEqual(r.json.prompts, { allow: ['docs__summary'], deny: [] });
    const policy = () => registry.authenticate(r.json.key as string).policy;
    assert.equal(policy().allowPrompt('docs__other'), false, 'the list, not the default');
    assert.equal(policy().denyResource('docs+file:///public/secret.md'), true);
    const key = r.json.key as string;
    r = await call('PATCH', '/virtual-keys/mcp', { prompts: null });
    assert.equal(r.status, 200);
    assert.equal(r.json.prompts, undefined);
    assert.equal(registry.authenticate(key).policy.allowPrompt('docs__other'), true, 'back to what the tools reach');
    r = await call('POST', '/virtual-keys', { id: 'bad', prompts: { allow: [''] } });
    assert.deepEqual([r.status, r.json.error.param], [400, 'prompts.allow.0']);
  });

  test('GET/PATCH/DELETE by id; 404 for unknown; 409 for config keys', async () => {
    const { call } = setup();
    await call('POST', '/virtual-keys', { id: 'k', models: ['openai/*'], budget: { usd: 5, period: 'week' } });
    let r = await call('PATCH', '/virtual-keys/k', { disabled: true, budget: null, name: 'renamed' });
    assert.equal(r.status, 200);
    assert.deepEqual([r.json.disabled, r.json.budget, r.json.name, r.json.models], [true, undefined, 'renamed', ['openai/*']]);
    r = await call('PATCH', '/virtual-keys/k', { id: 'other' });
    assert.deepEqual([r.status, r.json.error.param], [400, 'id']);
    r = await call('PATCH', '/virtual-keys/cfg', { disabled: true });
    assert.equal(r.status, 409);
    assert.match(r.json.error.message, /config file/);
    assert.equal((await call('GET', '/virtual-keys/nope')).status, 404);
    assert.equal((await call('GET', '/virtual-keys/nope')).json.error.type, 'not_found_error');
    assert.equal((await call('DELETE', '/virtual-keys/nope')).status, 404);
    r = await call('DELETE', '/virtual-keys/k');
    assert.deepEqual([r.status, r.json], [200, { id: 'k', deleted: true }]);
    assert.equal((await call('GET', '/virtual-keys/k')).status, 404);
    r = await call('POST', '/virtual-keys', { id: 'cfg' });
    assert.equal(r.status, 409);
  });
});

describe('admin /teams and /customers', () => {
  test('CRUD with reference checks', async () => {
    const { call } = setup();
    let r = await call('POST', '/customers', { id: 'globex', budget: { usd: 10 } });
    assert.deepEqual([r.status, r.json.budget], [201, { usd: 10, period: 'month' }]);
    r = await call('POST', '/teams', { id: 'ops', customer: 'missing' });
    assert.deepEqual([r.status, r.json.error.param], [400, 'customer']);
    r = await call('POST', '/teams', { id: 'ops', customer: 'globex' });
    assert.equal(r.status, 201);
    r = await call('PATCH', '/teams/ops', { budget: { usd: 3, period: 'day' } });
    assert.deepEqual([r.status, r.json.budget, r.json.customer], [200, { usd: 3, period: 'day' }, 'globex']);
    assert.equal((await call('GET', '/teams')).json.data.length, 2);
    assert.equal((await call('GET', '/teams/ops')).json.id, 'ops');
    assert.equal((await call('DELETE', '/customers/globex')).status, 409, 'still used by team ops');
    assert.equal((await call('DELETE', '/teams/ops')).status, 200);
    assert.equal((await call('DELETE', '/customers/globex')).status, 200);
    assert.equal((await call('GET', '/customers/globex')).status, 404);
    assert.equal((await call('PATCH', '/teams/eng', { budget: null })).status, 409);
  });
});

describe('admin /usage', () => {
  test('per key (with its team and customer), per team, per customer, and all', async () => {
    const { call, budgets, registry } = setup();
    await budgets.record(registry.contextForKey('cfg')!, 12.5);
    let r = await call('GET', '/usage?key=cfg');
    assert.equal(r.status, 200);
    assert.deepEqual(
      r.json.data.map((u: any) => [u.level, u.id, u.spentUsd, u.limitUsd, u.remainingUsd, u.periodStart]),
      [
        ['key', 'cfg', 12.5, 100, 87.5, '2025-03-15T00:00:00.000Z'],
        ['team', 'eng', 12.5, 500, 487.5, '2025-03-01T00:00:00.000Z'],
        ['customer', 'acme', 12.5, 2000, 1987.5, '2025-03-01T00:00:00.000Z'],
      ],
    );
    r = await call('GET', '/usage?team=eng');
    assert.deepEqual(
      r.json.data.map((u: any) => u.id),
      ['eng', 'acme'],
    );
    r = await call('GET', '/usage?customer=acme');
    assert.deepEqual(
      r.json.data.map((u: any) => [u.id, u.spentUsd]),
      [['acme', 12.5]],
    );
    r = await call('GET', '/usage');
    assert.deepEqual(
      r.json.data.map((u: any) => `${u.level}:${u.id}`),
      ['key:cfg', 'team:eng', 'customer:acme'],
    );
    assert.equal((await call('GET', '/usage?key=ghost')).status, 404);
    assert.equal((await call('GET', '/usage?key=cfg&team=eng')).status, 400);
  });
});
