// The CounterStore contract as tests, run against every implementation (memory, Redis) so they
// cannot drift apart. Not a *.test.ts file itself: each store's test file calls this.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { CounterStore } from './counter-store.js';

export function counterStoreContract(name: string, make: () => Promise<CounterStore>, skip: string | false = false): void {
  describe(`${name}: money`, { skip }, () => {
    let n = 0;
    const id = () => `r${++n}-${Math.random().toString(36).slice(2)}`;
    const FAR = Date.now() + 3_600_000;

    test('reserve is all-or-nothing across scopes', async () => {
      const s = await make();
      await s.addSpend('team', 9);
      const r = await s.reserve(
        id(),
        [
          { scope: 'key', limitUsd: 100, amountUsd: 2 },
          { scope: 'team', limitUsd: 10, amountUsd: 2 },
        ],
        FAR,
      );
      assert.deepEqual(r, { ok: false, exceeded: 'team' });
      assert.equal(await s.reserved('key'), 0, 'nothing reserved on the key when the team refused');
    });

    test('spent + reserved + amount may equal the limit, not exceed it', async () => {
      const s = await make();
      assert.deepEqual(await s.reserve(id(), [{ scope: 'a', limitUsd: 1, amountUsd: 0.6 }], FAR), { ok: true });
      assert.deepEqual(await s.reserve(id(), [{ scope: 'a', limitUsd: 1, amountUsd: 0.4 }], FAR), { ok: true });
      assert.equal((await s.reserve(id(), [{ scope: 'a', limitUsd: 1, amountUsd: 0.01 }], FAR)).ok, false);
      // Nothing left: even a zero-amount reservation is refused.
      assert.equal((await s.reserve(id(), [{ scope: 'a', limitUsd: 1, amountUsd: 0 }], FAR)).ok, false);
    });

    test('unlimited scopes are tracked but never refuse', async () => {
      const s = await make();
      assert.deepEqual(await s.reserve(id(), [{ scope: 'u', limitUsd: null, amountUsd: 1e6 }], FAR), { ok: true });
      assert.equal(await s.reserved('u'), 1e6);
    });

    test('settle and release arithmetic, with no float dust', async () => {
      const s = await make();
      const entries = [{ scope: 'x', limitUsd: 1, amountUsd: 0.3 }];
      for (let i = 0; i < 10; i++) {
        const rid = id();
        await s.reserve(rid, entries, FAR);
        await s.settle(rid, entries, 0.3, 0.1);
      }
      assert.equal(await s.spent('x'), 1);
      assert.equal(await s.reserved('x'), 0);
      assert.equal((await s.reserve(id(), [{ scope: 'x', limitUsd: 1, amountUsd: 0 }], FAR)).ok, false, 'exactly exhausted');
      const s2 = await make();
      const rid = id();
      await s2.reserve(rid, [{ scope: 'y', limitUsd: 5, amountUsd: 2 }], FAR);
      await s2.release(rid, [{ scope: 'y' }], 2);
      assert.equal(await s2.reserved('y'), 0);
      assert.equal(await s2.spent('y'), 0);
    });

    test('reserve, settle and release are idempotent per id (a retry after a lost reply counts once)', async () => {
      const s = await make();
      const entries = [{ scope: 'i', limitUsd: 10, amountUsd: 2 }];
      const rid = id();
      assert.deepEqual(await s.reserve(rid, entries, FAR), { ok: true });
      assert.deepEqual(await s.reserve(rid, entries, FAR), { ok: true });
      assert.equal(await s.reserved('i'), 2, 'the repeated reserve held nothing more');
      await s.settle(rid, entries, 2, 1.5);
      await s.settle(rid, entries, 2, 1.5);
      await s.release(rid, entries, 2);
      assert.equal(await s.spent('i'), 1.5);
      assert.equal(await s.reserved('i'), 0);
      assert.deepEqual(await s.reserve(rid, entries, FAR), { ok: false, done: true }, 'a settled id cannot reserve again');
    });

    test('a release that overtakes its reserve (reply lost) tombstones the id', async () => {
      const s = await make();
      const entries = [{ scope: 't', limitUsd: 10, amountUsd: 3 }];
      const rid = id();
      await s.release(rid, entries, 3);
      assert.deepEqual(await s.reserve(rid, entries, FAR), { ok: false, done: true });
      assert.equal(await s.reserved('t'), 0);
      assert.equal(await s.spent('t'), 0);
    });

    test('a lease that passes without renewal is released; renewed ones stay', async () => {
      const s = await make();
      const entries = [{ scope: 'l', limitUsd: 5, amountUsd: 2 }];
      const dead = id();
      const alive = id();
      await s.reserve(dead, entries, Date.now() + 150);
      await s.reserve(alive, entries, Date.now() + 150);
      assert.equal(await s.reserved('l'), 4);
      await s.renew([{ id: alive, entries, amountUsd: 2 }], Date.now() + 60_000);
      const until = Date.now() + 5000;
      while ((await s.reserved('l')) > 2 && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
      assert.equal(await s.reserved('l'), 2, 'the dead reservation expired');
      // Its late settle still adds the spend, once; the reservation it had is not taken twice.
      await s.settle(dead, entries, 2, 1);
      await s.settle(alive, entries, 2, 1);
      assert.equal(await s.spent('l'), 2);
      assert.equal(await s.reserved('l'), 0);
    });

    test('seedSpend sets the spend only on a scope that does not exist yet', async () => {
      const s = await make();
      assert.equal(await s.seedSpend('k:a:month:0', 2.5), true);
      assert.equal(await s.spent('k:a:month:0'), 2.5);
      assert.equal(await s.seedSpend('k:a:month:0', 4), false, 'a second restore must not count twice');
      assert.equal(await s.spent('k:a:month:0'), 2.5);
      await s.reserve(id(), [{ scope: 'k:b:month:0', limitUsd: null, amountUsd: 1 }], FAR);
      assert.equal(await s.seedSpend('k:b:month:0', 7), false, 'a scope live traffic created is not overwritten');
    });

    test('concurrent reservations never overspend together', async () => {
      const s = await make();
      const results = await Promise.all(
        Array.from({ length: 50 }, () => s.reserve(id(), [{ scope: 'c', limitUsd: 1, amountUsd: 0.1 }], FAR)),
      );
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

    test('an amount given back `at` its time leaves the bucket it was counted in, or nothing once out of the window', async () => {
      const s = await make();
      const back = (amount: number, at: number, now: number) => s.hitAll([{ key: 'r', windowMs: 1000, amount, limit: Infinity, at }], now);
      await s.hit('r', 1000, 10, Infinity, 900); // a reservation in the bucket [0, 1000)
      await back(-10, 900, 1200); // given back from the previous bucket, where it weighs 8 at 1200
      await s.hit('r', 1000, 8, Infinity, 1200);
      // 8 in the window: taken from the current bucket instead, the 10 would have hidden 2 of them.
      assert.equal((await s.hit('r', 1000, 0, 8, 1200)).ok, false);
      assert.equal((await s.hit('r', 1000, 0, 9, 1200)).ok, true);
      await s.hit('r', 1000, 6, Infinity, 1500);
      await back(-6, 1500, 3100); // its bucket has left the window: nothing to take back
      assert.equal((await s.hit('r', 1000, 1, 1, 3100)).ok, true);
      assert.equal((await s.hit('r', 1000, 1, 1, 3100)).ok, false);
    });
  });
}
