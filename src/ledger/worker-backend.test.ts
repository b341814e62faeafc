// The SQLite worker: a worker that dies (here: out of memory on one huge batch) is replaced on the
// next write, and the writer bounds batches by bytes so large payloads never build such a batch.
import { describe, test, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { createTempDatabase, type TempDatabase } from '../db/temp-database.js';
import { createWorkerLedgerBackend } from './worker-backend.js';
import { createLedgerWriter } from './writer.js';
import type { LedgerItem } from './rows.js';

const count = (t: TempDatabase, table: string): number => (t.sqlite.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
const payload = (i: number, body: string): LedgerItem => ({ table: 'payloads', row: { requestId: `r${i}`, ts: 1, kind: 'request', body } });
// 4 MB of text each (8 MB in the worker's UTF-16 heap once cloned).
const BIG = 'x'.repeat(4 * 1024 * 1024);
const HEAP_MB = 32;

describe('SQLite ledger worker', () => {
  let t: TempDatabase;
  beforeEach(() => {
    t = createTempDatabase();
  });
  afterEach(() => t.cleanup());

  test('a worker killed by an oversize batch is replaced; the next writes land', { timeout: 60_000 }, async () => {
    const backend = createWorkerLedgerBackend(t.path, { maxOldGenerationSizeMb: HEAP_MB });
    try {
      await backend.ready();
      const huge = Array.from({ length: 12 }, (_, i) => payload(i, BIG));
      const err = await Promise.resolve(backend.writeBatch(huge)).then(
        () => undefined,
        (e: unknown) => e as Error & { code?: string },
      );
      assert.ok(err, 'the oversize batch failed');
      assert.match(err.message, /ledger worker (exited|failed)/);
      assert.equal(err.code, undefined, 'no data-error code: the writer treats it as transient and retries');
      await backend.writeBatch([payload(100, 'small')]);
      assert.equal(backend.restarts, 1);
      assert.equal(count(t, 'payloads'), 1);
    } finally {
      await backend.close();
    }
  });

  test('through the writer, the same rows land: batches are bounded by bytes', { timeout: 60_000 }, async () => {
    const backend = createWorkerLedgerBackend(t.path, { maxOldGenerationSizeMb: HEAP_MB });
    const errors: string[] = [];
    const w = createLedgerWriter({
      backend,
      batchSize: 500,
      flushIntervalMs: 60_000,
      maxQueue: 1000,
      onError: (e) => errors.push(e.message),
    });
    try {
      await backend.ready();
      for (let i = 0; i < 12; i++) void w.payload({ requestId: `r${i}`, ts: 1, kind: 'request', body: BIG });
      await w.flush();
      assert.equal(count(t, 'payloads'), 12);
      assert.equal(backend.restarts, 0, 'the worker never died');
      assert.deepEqual(errors, []);
    } finally {
      await w.close();
      await backend.close();
    }
  });
});
