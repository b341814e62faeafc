import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { pino } from 'pino';
import { virtualKeySchema } from '../config-schema.js';
import { BudgetGuard } from './budgets.js';
import { createGovernanceGate } from './gate.js';
import { createMemoryCounterStore } from './memory-counter-store.js';
import { createMemoryGovernanceRepository } from './memory-repository.js';
import { RateLimiter } from './rate-limit.js';
import { GovernanceRegistry } from './registry.js';

const NOW = Date.parse('2025-03-15T12:00:00Z');
const defaultLoop = { maxRounds: 10, maxToolCalls: 50, timeoutMs: 120_000 };

function setup() {
  const registry = new GovernanceRegistry({
    config: { customers: [], teams: [], virtualKeys: [], requireVirtualKey: true },
    repository: createMemoryGovernanceRepository(),
    now: () => NOW,
  });
  const store = createMemoryCounterStore();
  const gate = createGovernanceGate({
    registry,
    budgets: new BudgetGuard({ store, now: () => NOW }),
    rateLimiter: new RateLimiter({ store, now: () => NOW, maxInFlightPerKey: 64 }),
    defaultLoop,
    logger: pino({ level: 'silent' }),
  });
  return { registry, gate };
}

const bearer = (secret: string) => ({ get: (name: string) => (name === 'authorization' ? `Bearer ${secret}` : undefined) });

describe('governance gate', () => {
  test("a key's access is built once and again after any change to its records", async () => {
    const { registry, gate } = setup();
    await registry.createTeam({ id: 'eng' });
    const { key: _k, ...input } = virtualKeySchema.parse({ id: 'k', key: 'placeholder', team: 'eng', loop: { maxRounds: 3 } });
    const { secret } = await registry.createKey(input);
    const first = await gate.admit(bearer(secret));
    assert.equal(await gate.admit(bearer(secret)), first);
    assert.equal(first.loop.maxRounds, 3);
    await registry.updateKey('k', { loop: { maxRounds: 5, maxToolCalls: 50, timeoutMs: 120_000 } });
    const updated = await gate.admit(bearer(secret));
    assert.notEqual(updated, first);
    assert.equal(updated.loop.maxRounds, 5);
    await registry.updateTeam('eng', { budget: { usd: 1, period: 'day' } });
    const budgeted = await gate.admit(bearer(secret));
    assert.notEqual(budgeted, updated);
    assert.equal(updated.budgeted, false);
    assert.equal(budgeted.budgeted, true);
    await registry.updateKey('k', { disabled: true });
    await assert.rejects(gate.admit(bearer(secret)), /disabled/);
  });
});
