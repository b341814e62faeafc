import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { pickKey } from './pick-key.js';

describe('pickKey', () => {
  test('no keys → undefined, one key → that key', () => {
    assert.equal(pickKey([], Math.random), undefined);
    assert.equal(
      pickKey([{ value: 'a', weight: 1 }], () => 0.99),
      'a',
    );
  });

  test('follows the weights', () => {
    const keys = [
      { value: 'a', weight: 1 },
      { value: 'b', weight: 3 },
    ];
    assert.equal(
      pickKey(keys, () => 0),
      'a',
    );
    assert.equal(
      pickKey(keys, () => 0.24),
      'a',
    );
    assert.equal(
      pickKey(keys, () => 0.26),
      'b',
    );
    assert.equal(
      pickKey(keys, () => 0.999),
      'b',
    );
    let seed = 1;
    const rnd = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
    const counts = { a: 0, b: 0 } as Record<string, number>;
    for (let i = 0; i < 4000; i++) counts[pickKey(keys, rnd)!]!++;
    assert.ok(counts.b! / 4000 > 0.7 && counts.b! / 4000 < 0.8, `b share ${counts.b! / 4000}`);
  });
});
