// Retention through the ledger's writer thread: the same rows go as on a bare connection, and the
// gateway's store (openStore on a file) runs none of its DELETEs on the main thread.
import { afterEach, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { createTempDatabase, type TempDatabase } from '../db/temp-database.js';
import { prepareLedgerStatements } from './statements.js';
import { createWorkerLedgerBackend } from './worker-backend.js';
import { runRetention } from './retention.js';
import { openStore } from '../store/open-store.js';
import { waitFor } from '../../tests/helpers/wait-for.js';

const DAY = 86_400_000;
const NOW = Date.now();
let t: TempDatabase;
beforeEach(() => {
  t = createTempDatabase();
  // Rows at 1, 5, 10 and 40 days old in every table.
  prepareLedgerStatements(t.sqlite).writeBatch(
    [1, 5, 10, 40].flatMap((age) => {
      const ts = NOW - age * DAY;
      return [
        { table: 'requests' as const, row: { id: `r${age}`, ts, status: 200, costUsd: 0 } },
        { table: 'llm_calls' as const, row: { requestId: `r${age}`, ts, provider: 'p', model: 'm', status: 200, costUsd: 0 } },
        {
          table: 'tool_calls' as const,
          row: { ts, server: 's', tool: 't', name: 's__t', status: 'ok' as const, decision: 'allowed' as const },
        },
        { table: 'payloads' as const, row: { requestId: `r${age}`, ts, kind: 'request' as const, body: '{}' } },
      ];
    }),
  );
});
afterEach(() => t.cleanup());

const count = (table: string): number => {
  const db = new Database(t.path, { readonly: true });
  try {
    return (db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
  } finally {
    db.close();
  }
};

test('through the writer thread, in batches: the same rows go', { timeout: 60_000 }, async () => {
  const backend = createWorkerLedgerBackend(t.path);
  try {
    await backend.ready();
    const result = await runRetention(backend.deleteOlder, { retentionDays: 30, payloadRetentionDays: 7, batchSize: 1, now: NOW });
    assert.deepEqual(result, { requests: 1, llmCalls: 1, toolCalls: 1, payloads: 2 });
    assert.equal(count('requests'), 3);
    assert.equal(count('payloads'), 2);
  } finally {
    await backend.close();
  }
});

test('the store on a file runs retention with no DELETE on the main thread', { timeout: 60_000 }, async () => {
  const proto = Object.getPrototypeOf(t.sqlite.prepare('SELECT 1')) as Record<string, (...args: unknown[]) => unknown>;
  const original = proto.run!;
  const seen: string[] = [];
  proto.run = function (this: { source: string }, ...args: unknown[]) {
    if (/^DELETE/.test(this.source)) seen.push(this.source);
    return original.apply(this, args);
  };
  try {
    const store = await openStore({
      location: t.path,
      ledger: { batchSize: 100, flushIntervalMs: 50, maxQueue: 1000, payloadRetentionDays: 7, retentionDays: 30 },
      onLedgerError: () => undefined,
      onLedgerFlush: () => undefined,
      onRetentionError: () => undefined,
    });
    try {
      await waitFor(() => count('requests') === 3 && count('payloads') === 2, 10_000, 'retention to run');
    } finally {
      await store.close();
    }
    assert.deepEqual(seen, [], 'no DELETE ran on the main thread');
  } finally {
    proto.run = original;
  }
});
