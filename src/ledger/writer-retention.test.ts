// A written row must not be kept by the writer. Under load every row that outlives two scavenges
// is promoted, and old-space garbage is what mark-compacts (and their pauses, the bench's p99 tail)
// are made of; the queue used to keep written entries until 4,096 had piled up.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { createLedgerWriter, type LedgerBackend, type RequestRow } from './writer.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const row = (id: string): RequestRow => ({ id, ts: 1_700_000_000_000, status: 200, costUsd: 0.01 });
const tick = () => new Promise((r) => setImmediate(r));

test('rows are let go once written, also while later rows still wait', async () => {
  let batches = 0;
  let hold: (() => void) | undefined;
  const backend: LedgerBackend = {
    writeBatch() {
      // The second batch stays in flight, so rows queued meanwhile wait behind written ones.
      if (++batches === 2) return new Promise<void>((resolve) => (hold = resolve));
    },
    write() {},
    writeDeadLetters() {},
  };
  const w = createLedgerWriter({ backend, batchSize: 3, flushIntervalMs: 60_000, maxQueue: 1000 });
  const refs: WeakRef<RequestRow>[] = [];
  const send = (id: string) => {
    const r = row(id);
    refs.push(new WeakRef(r));
    w.request(r);
  };
  for (const id of ['a', 'b', 'c']) send(id);
  await w.flush();
  for (const id of ['d', 'e', 'f']) send(id);
  const second = w.flush();
  await tick();
  send('g'); // queued behind the batch in flight
  await tick();
  gc();
  assert.deepEqual(
    refs.slice(0, 3).map((r) => r.deref()),
    [undefined, undefined, undefined],
    'the first batch is written: nothing keeps its rows',
  );
  assert.equal(w.depth(), 4, 'd, e, f in flight and g waiting');
  hold!();
  await second;
  await tick();
  gc();
  assert.deepEqual(
    refs.map((r) => r.deref()),
    refs.map(() => undefined),
    'every written row is let go',
  );
  assert.equal(w.depth(), 0);
  await w.close();
});
