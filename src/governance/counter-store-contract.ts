// The CounterStore contract as tests, run against every implementation (memory, Redis) so they
// cannot drift apart. Not a *.test.ts file itself: each store's test file calls this.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { CounterStore } from './counter-store.js';

export function counterStoreContract(name: string, make: () => Promise<CounterStore>, skip: string | false = false): void {
  describe(`${name}: money`, { skip }, () => {
    test('reserve is all-or-nothing across scopes', async () => {
      const s = await make();
      await s.addSpend('team', 9);
      const r = await s.reserve([
        { scope: 'key', limitUsd: 100, amountUsd: 2 },
        { scope: 'team', limitUsd: 10, amountUsd: 2 },
      ]);
      assert.deepEqual(r, { ok: false, exceeded: 'team' });
      assert.equal(await s.reserved('key'), 0, 'nothing reserved on the key when the team refused');
    });

    test('spent + reserved + amount may equal the limit, not exceed it', async () => {
      const s = await make();
      assert.deepEqual(await s.reserve([{ scope: 'a', limitUsd: 1, amountUsd: 0.6 }]), { ok: true });
      assert.deepEqual(await s.reserve([{ scope: 'a', limitUsd: 1, amountUsd: 0.4 }]), { ok: true });
      assert.equal((await s.reserve([{ scope: 'a', limitUsd: 1, amountUsd: 0.01 }])).ok, false);
      // Nothing left: even a zero-amount reservation (unknown price) is refused.
      assert.equal((await s.reserve([{ scope: 'a', limitUsd: 1, amountUsd: 0 }])).ok, false);
    });

    test('unlimited scopes are tracked but never refuse', async () => {
      const s = await make();
      assert.deepEqual(await s.reserve([{ scope: 'u', limitUsd: null, amountUsd: 1e6 }]), { ok: true });
      assert.equal(await s.reserved('u'), 1e6);
    });

    test('settle and release arithmetic, with no float dust', async () => {
      const s = await make();
      const entries = [{ scope: 'x', limitUsd: 1, amountUsd: 0.3 }];
      for (let i = 0; i < 10; i++) {
        await s.reserve(entries);
        await s.settle(entries, 0.3, 0.1);
      }
      assert.equal(await s.spent('x'), 1);
      assert.equal(await s.reserved('x'), 0);
      assert.equal((await s.reserve([{ scope: 'x', limitUsd: 1, amountUsd: 0 }])).ok, false, 'exactly exhausted');
      const s2 = await make();
      await s2.reserve([{ scope: 'y', limitUsd: 5, amountUsd: 2 }]);
      await s2.release([{ scope: 'y' }], 2);
      assert.equal(await s2.reserved('y'), 0);
      assert.equal(await s2.spent('y'), 0);
    });

    test('releasing more than reserved floors at zero', async () => {
      const s = await make();
      await s.reserve([{ scope: 'z', limitUsd: 5, amountUsd: 1 }]);
      await s.release([{ scope: 'z' }], 3);
      assert.equal(await s.reserved('z'), 0);
    });

    test('seedSpend sets the spend only on a scope that does not exist yet', async () => {
      const s = await make();
      assert.equal(await s.seedSpend('k:a:month:0', 2.5), true);
      assert.equal(await s.spent('k:a:month:0'), 2.5);
      assert.equal(await s.seedSpend('k:a:month:0', 4), false, 'a second restore must not count twice');
      assert.equal(await s.spent('k:a:month:0'), 2.5);
      await s.reserve([{ scope: 'k:b:month:0', limitUsd: null, amountUsd: 1 }]);
      assert.equal(await s.seedSpend('k:b:month:0', 7), false, 'a scope live traffic created is not overwritten');
    });

    test('concurrent reservations never overspend together', async () => {
      const s = await make();
      const results = await Promise.all(Array.from({ length: 50 }, () => s.reserve([{ scope: 'c', limitUsd: 1, amountUsd: 0.1 }])));
      assert.equal(results.filter((r) => r.ok).length, 10);
      assert.equal(await s.reserved('c'), 1);
    });
  });

  describe(`${name}: windows`, { skip }, () => {
    test('hitAll is all-or-nothing', async () => {
      const s = await make();
      assert.equal((await s.hit('b', 1000, 1, 1, 0)).ok, true);
      const r = await s.hitAll(
        [
          { key: 'a', windowMs: 1000, amount: 1, limit: 5 },
          { key: 'b', windowMs: 1000, amount: 1, limit: 1 },
        ],
        10,
      );
      assert.equal(r.ok, false);
      assert.equal(!r.ok && r.key, 'b');
      // 'a' was not counted: five more calls still fit.
      for (let i = 0; i < 5; i++) assert.equal((await s.hit('a', 1000, 1, 5, 20)).ok, true);
      assert.equal((await s.hit('a', 1000, 1, 5, 20)).ok, false);
    });

    test('sliding estimate and retry hint: the previous bucket decays', async () => {
      const s = await make();
      for (let i = 0; i < 4; i++) assert.equal((await s.hit('w', 1000, 1, 4, 100)).ok, true);
      const full = await s.hit('w', 1000, 1, 4, 900);
      assert.deepEqual(full, { ok: false, key: 'w', retryAfterMs: 350 });
      // At 1500 the previous bucket (4) weighs half: 2 in the window, room for 2.
      assert.equal((await s.hit('w', 1000, 2, 4, 1500)).ok, true);
      const r = await s.hit('w', 1000, 1, 4, 1500);
      assert.equal(r.ok, false);
      assert.equal(!r.ok && r.retryAfterMs, 250);
    });

    test('a zero amount checks for room; Infinity records without a limit', async () => {
      const s = await make();
      assert.equal((await s.hit('t', 60_000, 100, Infinity, 0)).ok, true);
      assert.equal((await s.hit('t', 60_000, 0, 100, 10)).ok, false);
      assert.equal((await s.hit('t', 60_000, 0, 101, 10)).ok, true);
    });

    test('a changed window length starts a fresh window', async () => {
      const s = await make();
      assert.equal((await s.hit('m', 1000, 1, 1, 0)).ok, true);
      assert.equal((await s.hit('m', 2000, 1, 1, 10)).ok, true);
    });

    test('the same key twice in one hitAll counts both', async () => {
      const s = await make();
      assert.equal(
        (
          await s.hitAll(
            [
              { key: 'd', windowMs: 1000, amount: 1, limit: 3 },
              { key: 'd', windowMs: 1000, amount: 1, limit: 3 },
            ],
            0,
          )
        ).ok,
        true,
      );
      assert.equal((await s.hit('d', 1000, 1, 3, 0)).ok, true);
      assert.equal((await s.hit('d', 1000, 1, 3, 0)).ok, false);
    });
  });
}
