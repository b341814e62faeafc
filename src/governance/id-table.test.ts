import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { IdTable } from './id-table.js';

// A dozen ids in a table of 16 or 32 slots: long probe runs, runs that wrap past the end, and
// deletes that shift entries back, against a Map doing the same.
const id = fc.integer({ min: 0, max: 11 }).map((n) => `id-${n}`);
const op = fc.oneof(
  fc.record({ kind: fc.constant('set' as const), id, value: fc.nat() }),
  fc.record({ kind: fc.constant('delete' as const), id }),
  fc.record({ kind: fc.constant('reap' as const), below: fc.nat({ max: 1000 }) }),
);

test('IdTable: any sequence of set, delete and a forEach that deletes agrees with a Map', () => {
  fc.assert(
    fc.property(fc.array(op, { maxLength: 300 }), (ops) => {
      const table = new IdTable<number>();
      const map = new Map<string, number>();
      for (const o of ops) {
        if (o.kind === 'set') {
          table.set(o.id, o.value);
          map.set(o.id, o.value);
        } else if (o.kind === 'delete') assert.equal(table.delete(o.id), map.delete(o.id));
        else {
          // The counter store's reap: every entry seen, those below the mark deleted as they are seen.
          const seen = new Set<string>();
          table.forEach((value, key) => {
            assert.equal(map.get(key), value);
            seen.add(key);
            if (value < o.below) table.delete(key);
          });
          assert.deepEqual([...seen].sort(), [...map.keys()].sort());
          for (const [key, value] of map) if (value < o.below) map.delete(key);
        }
        assert.equal(table.size, map.size);
      }
      for (let n = 0; n <= 11; n++) {
        const key = `id-${n}`;
        assert.equal(table.has(key), map.has(key));
        assert.equal(table.get(key), map.get(key));
      }
    }),
    { numRuns: 2000 },
  );
});

test('IdTable: 10,000 ids in FIFO order, as the store keeps its done ids', () => {
  const table = new IdTable<true>(10_000);
  const ids = Array.from(
    { length: 30_000 },
    (_, i) => `0190f3a2-7c1e-4${String(i).padStart(3, '0').slice(-3)}-8abc-${i.toString(16).padStart(12, '0')}`,
  );
  for (let i = 0; i < ids.length; i++) {
    if (i >= 10_000) assert.equal(table.delete(ids[i - 10_000]!), true);
    table.set(ids[i]!, true);
  }
  assert.equal(table.size, 10_000);
  for (let i = 0; i < ids.length; i++) assert.equal(table.has(ids[i]!), i >= 20_000);
});
