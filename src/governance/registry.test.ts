import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { virtualKeySchema } from '../config-schema.js';
import { GatewayError } from '../errors.js';
import { createMemoryGovernanceRepository } from './memory-repository.js';
import { decideModel } from './policy.js';
import { GovernanceRegistry } from './registry.js';
import type { VirtualKeyInput } from './records.js';
import type { GovernanceRepository } from './types.js';

const NOW = Date.parse('2025-03-15T12:00:00Z');
const vk = (o: Record<string, unknown>) => virtualKeySchema.parse(o);
const input = (o: Record<string, unknown>): VirtualKeyInput => {
  const { key: _k, ...rest } = virtualKeySchema.parse({ key: 'placeholder', ...o });
  return rest;
};

function makeRegistry(repo: GovernanceRepository = createMemoryGovernanceRepository(), requireVirtualKey = true) {
  return new GovernanceRegistry({
    config: {
      customers: [{ id: 'acme', budget: { usd: 2000, period: 'month' } }],
      teams: [{ id: 'eng', customer: 'acme' }],
      virtualKeys: [
        vk({ id: 'main', key: 'secret-main', team: 'eng', models: ['openai/*'] }),
        vk({ id: 'off', key: 'secret-off', disabled: true }),
        vk({ id: 'old', key: 'secret-old', expiresAt: '2025-03-15T11:59:59Z' }),
        vk({ id: 'later', key: 'secret-later', expiresAt: '2025-03-15T12:00:01+00:00' }),
      ],
      requireVirtualKey,
    },
    repository: repo,
    now: () => NOW,
  });
}

const gw = (status: number, type: string, pattern?: RegExp, param?: string) => (err: unknown) =>
  err instanceof GatewayError &&
  err.status === status &&
  err.type === type &&
  (pattern === undefined || pattern.test(err.message)) &&
  (param === undefined || err.param === param);

describe('GovernanceRegistry.authenticate', () => {
  test('a valid key yields its context with team and customer', () => {
    const ctx = makeRegistry().authenticate('secret-main', NOW);
    assert.equal(ctx.key?.id, 'main');
    assert.equal(ctx.team?.id, 'eng');
    assert.equal(ctx.customer?.id, 'acme');
    assert.equal(decideModel(ctx.policy, 'openai', 'gpt-4o').allowed, true);
    assert.equal(decideModel(ctx.policy, 'anthropic', 'claude').allowed, false);
    assert.equal(ctx.key?.keyHash.length, 64);
  });

  test('missing → 401 virtual_key_required; unknown → 401 virtual_key_not_found', () => {
    const r = makeRegistry();
    assert.throws(() => r.authenticate(undefined, NOW), gw(401, 'virtual_key_required'));
    assert.throws(() => r.authenticate('', NOW), gw(401, 'virtual_key_required'));
    assert.throws(() => r.authenticate('secret-nope', NOW), gw(401, 'virtual_key_not_found'));
  });

  test('disabled or expired → 403 virtual_key_blocked', () => {
    const r = makeRegistry();
    assert.throws(() => r.authenticate('secret-off', NOW), gw(403, 'virtual_key_blocked', /off is disabled/));
    assert.throws(() => r.authenticate('secret-old', NOW), gw(403, 'virtual_key_blocked', /old expired/));
    assert.equal(r.authenticate('secret-later', NOW).key?.id, 'later');
    assert.throws(() => r.authenticate('secret-later', NOW + 1000), gw(403, 'virtual_key_blocked'));
  });

  test('without requireVirtualKey, no key gets the open policy; a wrong key is still refused', () => {
    const r = makeRegistry(undefined, false);
    const ctx = r.authenticate(undefined, NOW);
    assert.equal(ctx.key, null);
    assert.equal(decideModel(ctx.policy, 'any', 'model').allowed, true);
    assert.throws(() => r.authenticate('bad', NOW), gw(401, 'virtual_key_not_found'));
  });
});

describe('GovernanceRegistry CRUD', () => {
  test('created keys authenticate with the returned secret, are persisted, and reload', async () => {
    const repo = createMemoryGovernanceRepository();
    const r = makeRegistry(repo);
    const { record, secret } = await r.createKey(input({ id: 'new', team: 'eng', models: ['anthropic/*'] }));
    assert.match(secret, /^tg-/);
    assert.equal(record.source, 'api');
    assert.equal(r.authenticate(secret, NOW).key?.id, 'new');
    assert.equal(JSON.stringify(await repo.listKeys()).includes(secret), false, 'the secret is never stored');
    const again = makeRegistry(repo);
    assert.throws(() => again.authenticate(secret, NOW), gw(401, 'virtual_key_not_found'));
    await again.load();
    assert.equal(again.authenticate(secret, NOW).team?.id, 'eng');
  });

  test('updates recompile the policy; deletes stop authentication', async () => {
    const r = makeRegistry();
    const { secret } = await r.createKey(input({ id: 'k', models: ['openai/*'] }));
    assert.equal(decideModel(r.authenticate(secret, NOW).policy, 'local', 'x').allowed, false);
    await r.updateKey('k', { models: ['local/*'] });
    assert.equal(decideModel(r.authenticate(secret, NOW).policy, 'local', 'x').allowed, true);
    await r.updateKey('k', { disabled: true });
    assert.throws(() => r.authenticate(secret, NOW), gw(403, 'virtual_key_blocked'));
    await r.deleteKey('k');
    assert.throws(() => r.authenticate(secret, NOW), gw(401, 'virtual_key_not_found'));
    assert.equal(r.getKey('k'), undefined);
  });

  test('config entries are read-only (409); unknown ids 404; bad references 400 naming the field', async () => {
    const r = makeRegistry();
    await assert.rejects(r.updateKey('main', { disabled: true }), gw(409, 'invalid_request_error', /config file/));
    await assert.rejects(r.deleteKey('main'), gw(409, 'invalid_request_error', /read-only/));
    await assert.rejects(r.deleteTeam('eng'), gw(409, 'invalid_request_error'));
    await assert.rejects(r.updateCustomer('acme', { budget: null }), gw(409, 'invalid_request_error'));
    await assert.rejects(r.updateKey('ghost', {}), gw(404, 'not_found_error'));
    await assert.rejects(r.createKey(input({ id: 'x', team: 'nope' })), gw(400, 'invalid_request_error', /team nope/, 'team'));
    await assert.rejects(r.createTeam({ id: 't', customer: 'nope' }), gw(400, 'invalid_request_error', /customer nope/, 'customer'));
    await assert.rejects(r.createKey(input({ id: 'main' })), gw(409, 'invalid_request_error', /already exists/));
    await assert.rejects(
      r.createKey(input({ id: 'z', rateLimit: { requests: 1, window: '0m' } })),
      gw(400, 'invalid_request_error', undefined, 'rateLimit.window'),
    );
  });

  test('teams and customers: create, update, delete, in-use protection', async () => {
    const r = makeRegistry();
    await r.createCustomer({ id: 'globex' });
    await r.createTeam({ id: 'ops', customer: 'globex', budget: { usd: 5, period: 'day' } });
    const { secret } = await r.createKey(input({ id: 'opskey', team: 'ops' }));
    assert.equal(r.authenticate(secret, NOW).customer?.id, 'globex');
    await assert.rejects(r.deleteTeam('ops'), gw(409, 'invalid_request_error', /opskey/));
    await assert.rejects(r.deleteCustomer('globex'), gw(409, 'invalid_request_error', /ops/));
    const team = await r.updateTeam('ops', { customer: null, budget: { usd: 9, period: 'week' } });
    assert.deepEqual([team.customer, team.budget], [undefined, { usd: 9, period: 'week' }]);
    assert.equal(r.authenticate(secret, NOW).customer, undefined);
    await r.updateKey('opskey', { team: null });
    await r.deleteTeam('ops');
    await r.deleteCustomer('globex');
    assert.equal(r.getTeam('ops'), undefined);
  });

  test('concurrent creates of one id: exactly one wins', async () => {
    const r = makeRegistry();
    const results = await Promise.allSettled([1, 2, 3].map(() => r.createKey(input({ id: 'dup' }))));
    assert.equal(results.filter((x) => x.status === 'fulfilled').length, 1);
  });

  test('a failed repository write leaves memory unchanged', async () => {
    const repo = createMemoryGovernanceRepository();
    const r = makeRegistry({
      ...repo,
      upsertKey: async () => {
        throw new Error('disk full');
      },
    });
    await assert.rejects(r.createKey(input({ id: 'k' })), /disk full/);
    assert.equal(r.getKey('k'), undefined);
    await r.createCustomer({ id: 'still-works' });
  });

  test('database entries clashing with config are ignored with a warning', async () => {
    const repo = createMemoryGovernanceRepository();
    await repo.upsertTeam({ id: 'eng', source: 'api' });
    const r = makeRegistry(repo);
    await r.load();
    assert.equal(r.getTeam('eng')?.source, 'config');
    assert.match(r.warnings.join('\n'), /team eng/);
  });

  test('a stored key whose tool rules match no gateway name still loads, with a warning per rule naming key and rule', async () => {
    const repo = createMemoryGovernanceRepository();
    const { secret } = await makeRegistry(repo).createKey(input({ id: 'legacy', models: ['*'], tools: { allow: ['docs__*'] } }));
    // As an earlier version stored it (its rules were not checked then): the admin API now refuses these.
    const [stored] = await repo.listKeys();
    await repo.upsertKey({
      ...stored!,
      tools: { allow: ['docs__*'], deny: ['docs__delete.page'] },
      approval: [`docs__${'x'.repeat(70)}`],
      toolLimits: [
        { tool: 'docs__search', calls: 1, window: '1m' },
        { tool: 'wiki__pages/read', calls: 1, window: '1m' },
      ],
    });
    const r = makeRegistry(repo);
    await r.load();
    assert.equal(r.authenticate(secret, NOW).key?.id, 'legacy', 'stored data does not stop the key loading');
    const about = r.warnings.filter((w) => w.includes('virtual key legacy'));
    assert.equal(about.length, 3, about.join('\n'));
    assert.match(
      about[0]!,
      /tools\.deny "docs__delete\.page" matches no tool.*write "docs__delete_page".*PATCH \/api\/virtual-keys\/legacy/s,
    );
    assert.match(about[1]!, /approval "docs__x+" matches no tool: .*at most 64 characters/);
    assert.match(about[2]!, /toolLimits\[1\]\.tool "wiki__pages\/read" matches no tool.*write "wiki__pages_read"/);
    assert.deepEqual(makeRegistry().warnings, [], 'sound keys: no warning');
  });
});

describe('GovernanceRegistry.current', () => {
  test('an admitted key re-read by id: unchanged the same context, changed the new one, deleted or remade 401, disabled 403', async () => {
    const r = makeRegistry();
    const { record, secret } = await r.createKey(input({ id: 'api', models: ['openai/*'] }));
    const ctx = r.authenticate(secret, NOW);
    assert.equal(r.current(ctx, NOW), ctx, 'no change: no new context');
    await r.updateKey('api', { models: ['anthropic/*'] });
    const changed = r.current(ctx, NOW);
    assert.notEqual(changed, ctx);
    assert.equal(decideModel(changed.policy, 'openai', 'gpt-4o').allowed, false);
    await r.updateKey('api', { disabled: true });
    assert.throws(() => r.current(ctx, NOW), gw(403, 'virtual_key_blocked', /api is disabled/));
    await r.deleteKey('api');
    assert.throws(() => r.current(ctx, NOW), gw(401, 'virtual_key_not_found'));
    await r.createKey(input({ id: 'api', models: ['openai/*'] }));
    assert.throws(() => r.current(ctx, NOW), gw(401, 'virtual_key_not_found'), 'remade under its id: another secret');
    assert.equal(record.id, 'api');
    const expiring = r.authenticate('secret-later', NOW);
    assert.throws(() => r.current(expiring, NOW + 2000), gw(403, 'virtual_key_blocked', /expired/));
  });
});
