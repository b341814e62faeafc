import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { GatewayError } from '../errors.js';
import { BudgetGuard } from './budgets.js';
import { createMemoryCounterStore } from './memory-counter-store.js';
import { compilePolicy } from './policy.js';
import type { KeyContext, VirtualKeyRecord } from './types.js';

function ctxWith(opts: {
  key?: VirtualKeyRecord['budget'];
  team?: VirtualKeyRecord['budget'];
  customer?: VirtualKeyRecord['budget'];
}): KeyContext {
  const key: VirtualKeyRecord = {
    id: 'k1',
    keyHash: 'h',
    team: 'eng',
    models: ['*'],
    tools: { allow: [], deny: [] },
    budget: opts.key,
    toolLimits: [],
    loop: { maxRounds: 10, maxToolCalls: 50, timeoutMs: 1000 },
    disabled: false,
    source: 'api',
    createdAt: 0,
    updatedAt: 0,
  };
  return {
    key,
    team: { id: 'eng', customer: 'acme', budget: opts.team, source: 'api' },
    customer: { id: 'acme', budget: opts.customer, source: 'api' },
    policy: compilePolicy(key),
  };
}

function setup(start = '2025-03-15T12:00:00Z') {
  let now = Date.parse(start);
  const guard = new BudgetGuard({ store: createMemoryCounterStore(), now: () => now });
  return { guard, setNow: (iso: string) => void (now = Date.parse(iso)) };
}

const is402 = (pattern: RegExp) => (err: unknown) =>
  err instanceof GatewayError && err.status === 402 && err.type === 'budget_exceeded' && pattern.test(err.message);

describe('BudgetGuard', () => {
  test('many concurrent reservations never exceed the budget', async () => {
    const { guard } = setup();
    const ctx = ctxWith({ key: { usd: 1, period: 'month' } });
    const results = await Promise.allSettled(Array.from({ length: 100 }, () => guard.reserve(ctx, 0.3)));
    const ok = results.filter((r) => r.status === 'fulfilled');
    assert.equal(ok.length, 3);
    for (const r of results) if (r.status === 'rejected') assert.ok(is402(/virtual key k1 budget of \$1\/month exhausted/)(r.reason));
    const [keyUsage] = await guard.usage(ctx);
    assert.ok(keyUsage!.reservedUsd <= 1);
    assert.ok(Math.abs(keyUsage!.reservedUsd - 0.9) < 1e-9);
  });

  test('the message names the level that ran out', async () => {
    const { guard } = setup();
    const ctx = ctxWith({
      key: { usd: 1000, period: 'month' },
      team: { usd: 500, period: 'month' },
      customer: { usd: 2000, period: 'week' },
    });
    await assert.rejects(guard.reserve(ctx, 600), is402(/^team eng budget of \$500\/month exhausted$/));
    const c2 = ctxWith({ customer: { usd: 5, period: 'none' } });
    await assert.rejects(guard.reserve(c2, 6), is402(/customer acme budget of \$5 \(all time\) exhausted/));
  });

  test('settle replaces the reservation by the actual cost; release frees it', async () => {
    const { guard } = setup();
    const ctx = ctxWith({ key: { usd: 10, period: 'day' }, team: { usd: 20, period: 'month' } });
    const r = await guard.reserve(ctx, 4);
    let [k, t] = await guard.usage(ctx);
    assert.deepEqual([k!.spentUsd, k!.reservedUsd, k!.remainingUsd], [0, 4, 6]);
    await guard.settle(r, 1.5);
    await guard.settle(r, 1.5); // a second settle must not double count
    [k, t] = await guard.usage(ctx);
    assert.deepEqual([k!.spentUsd, k!.reservedUsd, k!.remainingUsd], [1.5, 0, 8.5]);
    assert.deepEqual([t!.spentUsd, t!.reservedUsd, t!.remainingUsd], [1.5, 0, 18.5]);
    const r2 = await guard.reserve(ctx, 8);
    await guard.release(r2);
    await guard.release(r2);
    [k] = await guard.usage(ctx);
    assert.deepEqual([k!.spentUsd, k!.reservedUsd], [1.5, 0]);
  });

  test('check refuses once a level has nothing left; record adds spend without reserving', async () => {
    const { guard } = setup();
    const ctx = ctxWith({ team: { usd: 2, period: 'month' } });
    await guard.check(ctx);
    await guard.record(ctx, 2);
    await assert.rejects(guard.check(ctx), is402(/team eng/));
    await assert.rejects(guard.reserve(ctx, 0), is402(/team eng/), 'a zero (unknown price) reservation is refused too');
  });

  for (const [period, before, after] of [
    ['day', '2025-03-15T23:59:59Z', '2025-03-16T00:00:00Z'],
    ['week', '2025-03-16T23:59:59Z', '2025-03-17T00:00:00Z'],
    ['month', '2025-03-31T23:59:59Z', '2025-04-01T00:00:00Z'],
  ] as const) {
    test(`a new ${period} starts from zero`, async () => {
      const { guard, setNow } = setup(before);
      const ctx = ctxWith({ key: { usd: 1, period } });
      await guard.record(ctx, 1);
      await assert.rejects(guard.reserve(ctx, 0.1), is402(/k1/));
      setNow(after);
      const [u] = await guard.usage(ctx);
      assert.equal(u!.spentUsd, 0);
      assert.equal(u!.periodStart, new Date(Date.parse(after)).toISOString());
      await guard.reserve(ctx, 0.1);
    });
  }

  test('a budget changed between two reservations of one key applies at once (levels are cached per key record)', async () => {
    const { guard } = setup();
    const ctx = ctxWith({ key: { usd: 1, period: 'month' } });
    await guard.reserve(ctx, 0.1);
    // The registry replaces a team record on change; the key record stays the same object.
    ctx.team = { id: 'eng', customer: 'acme', budget: { usd: 0.05, period: 'month' }, source: 'api' };
    await assert.rejects(guard.reserve(ctx, 0.1), is402(/team eng/));
    // A budget swapped on the record itself is seen too.
    ctx.team = { id: 'eng', customer: 'acme', source: 'api' };
    ctx.key!.budget = { usd: 0.15, period: 'month' };
    await assert.rejects(guard.reserve(ctx, 0.1), is402(/k1/));
    await guard.reserve(ctx, 0.05);
  });

  test('usage reports levels without a budget as unlimited all-time spend', async () => {
    const { guard } = setup();
    const ctx = ctxWith({});
    await guard.record(ctx, 0.25);
    const usage = await guard.usage(ctx);
    assert.deepEqual(
      usage.map((u) => [u.level, u.period, u.limitUsd, u.spentUsd, u.remainingUsd, u.periodEnd]),
      [
        ['key', 'none', null, 0.25, null, null],
        ['team', 'none', null, 0.25, null, null],
        ['customer', 'none', null, 0.25, null, null],
      ],
    );
  });

  test('restore adds spend into the current period', async () => {
    const { guard } = setup();
    await guard.restore({ level: 'team', id: 'eng', budget: { usd: 3, period: 'month' } }, 3);
    await assert.rejects(guard.check(ctxWith({ team: { usd: 3, period: 'month' } })), is402(/team eng/));
  });
});
