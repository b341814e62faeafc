import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { SlidingWindow } from './sliding-window.js';

describe('SlidingWindow', () => {
  test('refuses over the limit and says when it frees', () => {
    const w = new SlidingWindow(60_000);
    for (let i = 0; i < 3; i++) {
      assert.equal(w.check(1, 3, 1000), 0);
      w.add(1, 1000);
    }
    const wait = w.check(1, 3, 1000);
    // Next bucket starts at 60s; there the 3 old hits weigh 3×(1-x/60s), ≤ 2 after 20s more.
    assert.equal(wait, 59_000 + 20_000);
    assert.ok(w.check(1, 3, 1000 + wait - 1) > 0);
    assert.equal(w.check(1, 3, 1000 + wait), 0);
  });

  test('the previous bucket decays linearly', () => {
    const w = new SlidingWindow(1000);
    w.add(10, 500);
    assert.equal(w.estimate(1000), 10);
    assert.equal(w.estimate(1500), 5);
    assert.equal(new SlidingWindow(1000).estimate(2000), 0);
    // at 1500: est 5, limit 10, amount 6 → wait until est ≤ 4: 100 ms more.
    assert.equal(w.check(6, 10, 1500), 100);
  });

  test('a clock stepping back keeps the counts', () => {
    const w = new SlidingWindow(1000);
    w.add(3, 5500);
    assert.equal(w.estimate(4000), 3);
    assert.ok(w.check(1, 3, 4000) > 0);
  });

  test('amount 0 asks whether anything is left', () => {
    const w = new SlidingWindow(1000);
    w.add(100, 0);
    assert.ok(w.check(0, 100, 10) > 0);
    assert.equal(w.check(0, 101, 10), 0);
  });

  test('property: waiting the returned time always admits the hit', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ dt: fc.integer({ min: 0, max: 3000 }), n: fc.integer({ min: 1, max: 5 }) }), { maxLength: 30 }),
        fc.integer({ min: 1, max: 20 }),
        (ops, limit) => {
          const w = new SlidingWindow(1000);
          let now = 0;
          for (const op of ops) {
            now += op.dt;
            const wait = w.check(op.n, limit, now);
            if (wait === 0) w.add(op.n, now);
            else if (op.n <= limit) {
              assert.ok(wait > 0 && wait <= 2000);
              // Wait as told (the clock only moves forward), then the hit must fit.
              now += wait;
              assert.equal(w.check(op.n, limit, now), 0);
              w.add(op.n, now);
            }
          }
        },
      ),
    );
  });
});
