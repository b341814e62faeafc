import { describe, test, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { createTempDatabase, type TempDatabase } from '../db/temp-database.js';
import { runRetention, startRetention } from './retention.js';
import { prepareLedgerStatements } from './statements.js';
import { waitFor } from '../../tests/helpers/wait-for.js';

const DAY = 86_400_000;
const NOW = Date.UTC(2025, 5, 30);
const ids = (t: TempDatabase, table: string, col = 'ts'): number[] =>
  (t.sqlite.prepare(`SELECT ${col} AS v FROM ${table} ORDER BY ${col}`).all() as { v: number }[]).map((r) => r.v);

// Rows at 1, 5, 10, 40 days old in every table.
function seed(t: TempDatabase): void {
  const s = prepareLedgerStatements(t.sqlite);
  s.writeBatch(
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
}

describe('retention', () => {
  let t: TempDatabase;
  beforeEach(() => {
    t = createTempDatabase();
    seed(t);
  });
  afterEach(() => t.cleanup());

  test('deletes only rows older than each retention, in batches', async () => {
    const result = await runRetention(t.sqlite, { retentionDays: 30, payloadRetentionDays: 7, batchSize: 1, now: NOW });
    assert.deepEqual(result, { requests: 1, llmCalls: 1, toolCalls: 1, payloads: 2 });
    for (const table of ['requests', 'llm_calls', 'tool_calls'])
      assert.deepEqual(ids(t, table), [NOW - 10 * DAY, NOW - 5 * DAY, NOW - DAY], table);
    assert.deepEqual(ids(t, 'payloads'), [NOW - 5 * DAY, NOW - DAY]);
  });

  test('rows of a budget period in force are kept, whatever retentionDays says', async () => {
    // A monthly budget whose period began 7 days ago: only the 10- and 40-day-old rows may go.
    const result = await runRetention(t.sqlite, {
      retentionDays: 1,
      payloadRetentionDays: 7,
      batchSize: 10,
      now: NOW,
      keepSince: NOW - 7 * DAY,
    });
    assert.equal(result.requests, 2);
    assert.deepEqual(ids(t, 'requests'), [NOW - 5 * DAY, NOW - DAY]);
    // An all-time budget keeps everything.
    const none = await runRetention(t.sqlite, { retentionDays: 1, payloadRetentionDays: 7, batchSize: 10, now: NOW, keepSince: 0 });
    assert.equal(none.requests, 0);
  });

  test('without retentionDays the ledger is kept forever; payloads still expire', async () => {
    const result = await runRetention(t.sqlite, { payloadRetentionDays: 2, batchSize: 100, now: NOW });
    assert.deepEqual(result, { requests: 0, llmCalls: 0, toolCalls: 0, payloads: 3 });
    assert.equal(ids(t, 'requests').length, 4);
  });

  test('startRetention runs once right away and stop() ends the schedule', async () => {
    const runs: unknown[] = [];
    const schedule = startRetention(t.sqlite, { payloadRetentionDays: 7, intervalMs: 60_000, now: () => NOW, onRun: (r) => runs.push(r) });
    await waitFor(() => runs.length === 1, 5_000, 'the first run');
    schedule.stop();
    assert.deepEqual(runs, [{ requests: 0, llmCalls: 0, toolCalls: 0, payloads: 2 }]);
  });
});
