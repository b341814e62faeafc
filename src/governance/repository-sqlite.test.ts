import { describe, test, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import type { VirtualKeyRecord } from './types.js';
import { createGovernanceRepository } from './repository-sqlite.js';
import { createTempDatabase, type TempDatabase } from '../db/temp-database.js';

const key = (over: Partial<VirtualKeyRecord> = {}): VirtualKeyRecord => ({
  id: 'eng-main',
  name: 'Engineering',
  keyHash: 'a'.repeat(64),
  team: 'eng',
  models: ['openai/*'],
  tools: { allow: ['docs__*'], deny: ['docs__delete'] },
  budget: { usd: 100, period: 'month' },
  rateLimit: { requests: 600, tokens: 200_000, window: '1m' },
  toolLimits: [{ tool: 'docs__search', calls: 10, window: '1m' }],
  loop: { maxRounds: 10, maxToolCalls: 50, maxCostUsd: 1, timeoutMs: 120_000 },
  disabled: false,
  expiresAt: 1_800_000_000_000,
  source: 'api',
  createdAt: 1000,
  updatedAt: 1000,
  ...over,
});

describe('governance repository', () => {
  let t: TempDatabase;
  beforeEach(() => {
    t = createTempDatabase();
  });
  afterEach(() => t.cleanup());

  test('prompt and resource rules round-trip; absent stays absent (the default applies)', async () => {
    const repo = createGovernanceRepository(t.db);
    const rules = {
      prompts: { allow: ['docs__*'], deny: [] },
      resources: { allow: ['docs+file:///public/*'], deny: ['docs+file:///public/x'] },
    };
    await repo.upsertKey(key(rules));
    assert.deepEqual(await repo.listKeys(), [key(rules)]);
    await repo.upsertKey(key({ updatedAt: 2000 }));
    const [stored] = await repo.listKeys();
    assert.equal(stored?.prompts, undefined);
    assert.equal(stored?.resources, undefined);
  });

  test('keys round-trip, update in place keeping created_at, and delete', async () => {
    const repo = createGovernanceRepository(t.db);
    await repo.upsertKey(key());
    assert.deepEqual(await repo.listKeys(), [key()]);

    await repo.upsertKey(
      key({ disabled: true, createdAt: 5000, updatedAt: 6000, budget: undefined, team: undefined, name: undefined, expiresAt: null }),
    );
    const [stored] = await repo.listKeys();
    assert.ok(stored);
    assert.equal(stored.disabled, true);
    assert.equal(stored.createdAt, 1000, 'created_at survives updates');
    assert.equal(stored.updatedAt, 6000);
    assert.equal(stored.budget, undefined);
    assert.equal(stored.team, undefined);
    assert.equal(stored.name, undefined);
    assert.equal(stored.expiresAt, null);
    assert.deepEqual(stored.toolLimits, key().toolLimits);

    assert.equal(await repo.deleteKey('eng-main'), true);
    assert.equal(await repo.deleteKey('eng-main'), false);
    assert.deepEqual(await repo.listKeys(), []);
  });

  test('two keys with the same secret are refused with a readable error', async () => {
    const repo = createGovernanceRepository(t.db);
    await repo.upsertKey(key());
    await assert.rejects(repo.upsertKey(key({ id: 'other' })), /virtual key other: another key already uses the same secret/);
  });

  test('teams and customers round-trip with and without budgets', async () => {
    let clock = 1;
    const repo = createGovernanceRepository(t.db, { now: () => clock++ });
    await repo.upsertCustomer({ id: 'acme', budget: { usd: 2000, period: 'month' }, source: 'config' });
    await repo.upsertCustomer({ id: 'solo', source: 'api' });
    await repo.upsertTeam({ id: 'eng', customer: 'acme', budget: { usd: 500, period: 'week' }, source: 'config' });
    await repo.upsertTeam({ id: 'ops', source: 'api' });
    assert.deepEqual(await repo.listCustomers(), [
      { id: 'acme', budget: { usd: 2000, period: 'month' }, source: 'config' },
      { id: 'solo', source: 'api' },
    ]);
    assert.deepEqual(await repo.listTeams(), [
      { id: 'eng', customer: 'acme', budget: { usd: 500, period: 'week' }, source: 'config' },
      { id: 'ops', source: 'api' },
    ]);

    await repo.upsertTeam({ id: 'ops', customer: 'solo', source: 'api' });
    const ops = t.sqlite.prepare("SELECT created_at, updated_at, customer_id FROM teams WHERE id = 'ops'").get();
    assert.deepEqual(ops, { created_at: 4, updated_at: 5, customer_id: 'solo' });

    assert.equal(await repo.deleteTeam('ops'), true);
    assert.equal(await repo.deleteCustomer('solo'), true);
    assert.equal(await repo.deleteCustomer('solo'), false);
    assert.deepEqual(
      (await repo.listTeams()).map((x) => x.id),
      ['eng'],
    );
    assert.deepEqual(
      (await repo.listCustomers()).map((x) => x.id),
      ['acme'],
    );
  });
});
