import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { test } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { counterStoreContract } from './counter-store-contract.js';
import { createMemoryCounterStore } from './memory-counter-store.js';

counterStoreContract('memory counter store', async () => createMemoryCounterStore());

test('memory counter store: the ids it keeps as done cost ~80 bytes each, not the ~500 of a randomUUID() string tree', async () => {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  const store = createMemoryCounterStore();
  const n = 10_000; // the most it keeps
  const heap = () => {
    gc();
    gc();
    return process.memoryUsage().heapUsed;
  };
  const before = heap();
  // BudgetGuard's ids: randomUUID(), which V8 keeps as ConsString trees unless flattened.
  for (let i = 0; i < n; i++) await store.release(randomUUID(), [{ scope: 's' }], 0);
  const perId = (heap() - before) / n;
  assert.ok(perId < 200, `${Math.round(perId)} bytes per done id`);
  // (The store is used after the measurement, so it is not collected before it.)
  assert.deepEqual(await store.reserve(randomUUID(), [{ scope: 's', limitUsd: null, amountUsd: 0 }], Date.now() + 1000), { ok: true });
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
