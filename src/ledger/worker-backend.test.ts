// The SQLite worker: a worker that dies (here: out of memory on one huge batch) is replaced on the
// next write, and the writer bounds batches by bytes so large payloads never build such a batch;
// a worker that dies between a batch's COMMIT and its reply does not get that batch stored twice.
import { deserializeRows } from './worker-rows.js';
import { describe, test, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { createTempDatabase, type TempDatabase } from '../db/temp-database.js';
import { createWorkerLedgerBackend } from './worker-backend.js';
import { createLedgerWriter } from './writer.js';
import type { LedgerItem } from './rows.js';
import type { WorkerRequest } from './sqlite-worker.js';
import { waitFor } from '../../tests/helpers/wait-for.js';

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

  test('a worker that dies between COMMIT and its reply: the batch is not written again', { timeout: 60_000 }, async () => {
    let killAfterCommit = true;
    const backend = createWorkerLedgerBackend(
      t.path,
      {},
      {
        onWorker: (worker) => {
          const post = worker.postMessage.bind(worker);
          worker.postMessage = (msg: WorkerRequest) => {
            post(msg);
            if (msg.op !== 'rows' || !killAfterCommit) return;
            killAfterCommit = false;
            // Block this thread until the worker has committed, then lose its reply and kill it.
            const rows = deserializeRows(msg.rows);
            const id = rows.params[rows.tables.indexOf('requests')]![0];
            const deadline = Date.now() + 30_000;
            while (!t.sqlite.prepare('SELECT 1 FROM requests WHERE id = ?').get(id))
              if (Date.now() > deadline) throw new Error('the worker never committed');
            worker.removeAllListeners('message');
            void worker.terminate();
          };
        },
      },
    );
    const errors: string[] = [];
    const w = createLedgerWriter({
      backend,
      batchSize: 500,
      flushIntervalMs: 60_000,
      maxQueue: 1000,
      retryBaseMs: 1,
      onError: (e) => errors.push(e.message),
    });
    // /mcp tool calls: a tool_calls row and its request row each.
    const mcpCall = (id: string) => {
      void w.toolCall({
        requestId: id,
        sessionId: 's1',
        ts: 1,
        server: 'fx',
        tool: 'add',
        name: 'fx__add',
        status: 'ok',
        decision: 'allowed',
      });
      void w.request({ id, ts: 1, status: 200, costUsd: 0.001, toolCalls: 1, surface: 'mcp', sessionId: 's1' });
    };
    try {
      await backend.ready();
      mcpCall('mcp-1');
      mcpCall('mcp-2');
      await w.flush();
      assert.match(errors[0] ?? '', /ledger worker exited/, 'the worker died with the batch');
      assert.equal(w.depth(), 4, 'its rows are kept for a retry');
      mcpCall('mcp-3');
      await waitFor(async () => {
        await w.flush();
        return w.depth() === 0;
      });
      assert.equal(backend.restarts, 1);
      const rows = t.sqlite
        .prepare(
          'SELECT r.id, count(t.id) AS calls FROM requests r LEFT JOIN tool_calls t ON t.request_id = r.id GROUP BY r.id ORDER BY r.id',
        )
        .all();
      assert.deepEqual(rows, [
        { id: 'mcp-1', calls: 1 },
        { id: 'mcp-2', calls: 1 },
        { id: 'mcp-3', calls: 1 },
      ]);
      assert.equal(count(t, 'tool_calls'), 3);
      assert.equal(count(t, 'ledger_dead_letters'), 0, 'nothing refused as a duplicate');
    } finally {
      await w.close();
      await backend.close();
    }
  });
});
