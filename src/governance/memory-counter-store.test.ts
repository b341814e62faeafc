import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createMemoryCounterStore } from './memory-counter-store.js';

describe('memory counter store: money', () => {
  test('reserve is all-or-nothing across scopes', async () => {
    const s = createMemoryCounterStore();
    await s.addSpend('team', 9);
    const r = await s.reserve([
      { scope: 'key', limitUsd: 100, amountUsd: 2 },
      { scope: 'team', limitUsd: 10, amountUsd: 2 },
    ]);
    assert.deepEqual(r, { ok: false, exceeded: 'team' });
    assert.equal(await s.reserved('key'), 0, 'nothing reserved on the key when the team refused');
  });

  test('spent + reserved + amount may equal the limit, not exceed it', async () => {
    const s = createMemoryCounterStore();
    assert.deepEqual(await s.reserve([{ scope: 'a', limitUsd: 1, amountUsd: 0.6 }]), { ok: true });
    assert.deepEqual(await s.reserve([{ scope: 'a', limitUsd: 1, amountUsd: 0.4 }]), { ok: true });
    assert.equal((await s.reserve([{ scope: 'a', limitUsd: 1, amountUsd: 0.01 }])).ok, false);
    // Nothing left: even a zero-amount reservation (unknown price) is refused.
    assert.equal((await s.reserve([{ scope: 'a', limitUsd: 1, amountUsd: 0 }])).ok, false);
  });

  test('unlimited scopes are tracked but never refuse', async () => {
    const s = createMemoryCounterStore();
    assert.deepEqual(await s.reserve([{ scope: 'u', limitUsd: null, amountUsd: 1e6 }]), { ok: true });
    assert.equal(await s.reserved('u'), 1e6);
  });

  test('settle and release arithmetic, with no float dust', async () => {
    const s = createMemoryCounterStore();
    const entries = [{ scope: 'x', limitUsd: 1, amountUsd: 0.3 }];
    for (let i = 0; i < 10; i++) {
      await s.reserve(entries);
      await s.settle(entries, 0.3, 0.1);
    }
    assert.equal(await s.spent('x'), 1);
    assert.equal(await s.reserved('x'), 0);
    assert.equal((await s.reserve([{ scope: 'x', limitUsd: 1, amountUsd: 0 }])).ok, false, 'exactly exhausted');
    const s2 = createMemoryCounterStore();
    await s2.reserve([{ scope: 'y', limitUsd: 5, amountUsd: 2 }]);
    await s2.release([{ scope: 'y' }], 2);
    assert.equal(await s2.reserved('y'), 0);
    assert.equal(await s2.spent('y'), 0);
  });
});

describe('memory counter store: windows', () => {
  test('hitAll is all-or-nothing', async () => {
    const s = createMemoryCounterStore();
    assert.equal((await s.hit('b', 1000, 1, 1, 0)).ok, true);
    const r = await s.hitAll([{ key: 'a', windowMs: 1000, amount: 1, limit: 5 }, { key: 'b', windowMs: 1000, amount: 1, limit: 1 }], 10);
    assert.equal(r.ok, false);
    assert.equal(!r.ok && r.key, 'b');
    // 'a' was not counted: five more calls still fit.
    for (let i = 0; i < 5; i++) assert.equal((await s.hit('a', 1000, 1, 5, 20)).ok, true);
    assert.equal((await s.hit('a', 1000, 1, 5, 20)).ok, false);
  });
});
