import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { test } from 'node:test';
import { text } from 'node:stream/consumers';
import { getHeapSnapshot } from 'node:v8';
import { counterStoreContract } from './counter-store-contract.js';
import { createMemoryCounterStore } from './memory-counter-store.js';

counterStoreContract('memory counter store', async () => createMemoryCounterStore());

/** Concatenated-string (ConsString) nodes in a heap snapshot of this process: a count, unlike heap bytes. */
async function consStrings(): Promise<number> {
  const snapshot = JSON.parse(await text(getHeapSnapshot())) as {
    snapshot: { meta: { node_fields: string[]; node_types: [string[]] } };
    nodes: number[];
  };
  const { node_fields: fields, node_types: types } = snapshot.snapshot.meta;
  const cons = types[0].indexOf('concatenated string');
  let count = 0;
  for (let i = 0; i < snapshot.nodes.length; i += fields.length) if (snapshot.nodes[i] === cons) count++;
  return count;
}

test('memory counter store: the ids it keeps as done are flat strings, not the tree of ~14 ConsStrings randomUUID() makes', async () => {
  const store = createMemoryCounterStore();
  const n = 10_000; // the most it keeps
  const before = await consStrings();
  // BudgetGuard's ids: randomUUID(), which V8 keeps as ConsString trees unless flattened (about
  // 500 bytes of heap per id instead of about 80).
  for (let i = 0; i < n; i++) await store.release(randomUUID(), [{ scope: 's' }], 0);
  const kept = (await consStrings()) - before;
  // The store is used after the count, so it is not collected before it.
  assert.deepEqual(await store.reserve(randomUUID(), [{ scope: 's', limitUsd: null, amountUsd: 0 }], Date.now() + 1000), { ok: true });
  // Flattened in place, an id keeps at most its one outer ConsString (pointing at the flat copy)
  // until the GC short-cuts it: ≤ 1 per id (4,790 for 10,000 here); unflattened, 14 per id (140,000).
  assert.ok(kept < 2 * n, `${kept} ConsString nodes kept for ${n} ids`);
});

test('memory counter store: the done set keeps the last 10,000 ids', async () => {
  const store = createMemoryCounterStore();
  const entries = [{ scope: 's', limitUsd: null, amountUsd: 0 }];
  for (let i = 0; i <= 10_000; i++) await store.release(`id-${i}`, entries, 0);
  assert.deepEqual(await store.reserve('id-1', entries, Date.now() + 1000), { ok: false, done: true });
  assert.deepEqual(await store.reserve('id-0', entries, Date.now() + 1000), { ok: true }, 'the oldest is forgotten');
});

test('memory counter store: the done set still keeps exactly the last 10,000 ids after many evictions', async () => {
  const store = createMemoryCounterStore();
  const entries = [{ scope: 's', limitUsd: null, amountUsd: 0 }];
  for (let i = 0; i < 25_000; i++) await store.release(`id-${i}`, entries, 0);
  assert.deepEqual(await store.reserve('id-15000', entries, Date.now() + 1000), { ok: false, done: true });
  assert.deepEqual(await store.reserve('id-24999', entries, Date.now() + 1000), { ok: false, done: true });
  assert.deepEqual(await store.reserve('id-14999', entries, Date.now() + 1000), { ok: true }, 'older ones are forgotten');
  // A release of an id already done is not kept twice (it would push out a newer one early).
  await store.release('id-20000', entries, 0);
  await store.release('id-25000', entries, 0);
  assert.deepEqual(await store.reserve('id-15001', entries, Date.now() + 1000), { ok: false, done: true });
});
