// The PostgreSQL back end against a scripted pool: what it sends, and what it does when a COMMIT's
// reply is lost. (Against a real server: tests/ledger-pg.test.ts and tests/reliability/ledger-outage-pg.test.ts.)
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type pg from 'pg';
import { createPgLedgerBackend } from './pg-backend.js';
import type { LedgerItem } from './rows.js';
import { LEDGER_COLUMNS } from './statements.js';

/** A pool whose server keeps committed request ids; `loseCommitReply` makes the next COMMIT commit, then fail. */
function scriptedPool() {
  const committed: string[] = [];
  const inserts: string[] = [];
  let pendingIds: string[] = [];
  let pendingInserts: string[] = [];
  const state = { loseCommitReply: false, failCommit: false };
  const client = {
    on: () => undefined,
    off: () => undefined,
    release: () => undefined,
    async query(sql: string, params: unknown[] = []) {
      if (sql === 'BEGIN' || sql === 'ROLLBACK') {
        pendingIds = [];
        pendingInserts = [];
        return { rows: [] };
      }
      if (sql === 'COMMIT') {
        if (state.failCommit) throw Object.assign(new Error('Connection terminated unexpectedly'), {});
        committed.push(...pendingIds);
        inserts.push(...pendingInserts);
        if (state.loseCommitReply) throw new Error('Connection terminated unexpectedly');
        return { rows: [] };
      }
      const table = /^INSERT INTO (\w+)/.exec(sql)![1]!;
      pendingInserts.push(table);
      // One statement holds several rows: the id is the first of each row's columns.
      const width = LEDGER_COLUMNS.requests.length;
      if (table === 'requests') for (let i = 0; i < params.length; i += width) pendingIds.push(params[i] as string);
      return { rows: [] };
    },
  };
  const pool = {
    connect: async () => client,
    async query(sql: string, params: unknown[]) {
      assert.match(sql, /SELECT count\(\*\)::int AS n FROM requests WHERE id = ANY/);
      const ids = params[0] as string[];
      return { rows: [{ n: ids.filter((id) => committed.includes(id)).length }] };
    },
  };
  return { pool: pool as unknown as pg.Pool, state, committed, inserts };
}

const batch = (id: string): LedgerItem[] => [
  { table: 'llm_calls', row: { requestId: id, ts: 1, provider: 'p', model: 'm', status: 200, costUsd: 0.001 } },
  { table: 'requests', row: { id, ts: 1, status: 200, costUsd: 0.001 } },
];

describe('PostgreSQL ledger back end', () => {
  test('a batch whose COMMIT committed but whose reply was lost is not written twice', async () => {
    const { pool, state, committed, inserts } = scriptedPool();
    const backend = createPgLedgerBackend(pool);
    const items = [...batch('r1'), ...batch('r2')];
    state.loseCommitReply = true;
    await assert.rejects(() => backend.writeBatch(items) as Promise<void>, /terminated/);
    state.loseCommitReply = false;
    // The writer offers the same items again, with more queued behind them.
    const more = batch('r3');
    await backend.writeBatch([...items, ...more]);
    assert.deepEqual(committed, ['r1', 'r2', 'r3']);
    assert.deepEqual(inserts, ['requests', 'llm_calls', 'requests', 'llm_calls'], 'one transaction for r1 and r2, one for r3');
  });

  test('a batch of /mcp tool calls (each with its request row) whose COMMIT reply was lost is not written twice', async () => {
    const { pool, state, committed, inserts } = scriptedPool();
    const backend = createPgLedgerBackend(pool);
    const mcpCall = (id: string): LedgerItem[] => [
      {
        table: 'tool_calls',
        row: { requestId: id, sessionId: 's1', ts: 1, server: 'fx', tool: 'add', name: 'fx__add', status: 'ok', decision: 'allowed' },
      },
      { table: 'requests', row: { id, ts: 1, status: 200, costUsd: 0.001, toolCalls: 1, surface: 'mcp', sessionId: 's1' } },
    ];
    const items = mcpCall('mcp-1');
    state.loseCommitReply = true;
    await assert.rejects(() => backend.writeBatch(items) as Promise<void>, /terminated/);
    state.loseCommitReply = false;
    await backend.writeBatch([...items, ...mcpCall('mcp-2')]);
    assert.deepEqual(committed, ['mcp-1', 'mcp-2']);
    assert.deepEqual(inserts, ['requests', 'tool_calls', 'requests', 'tool_calls'], 'mcp-1 once, then mcp-2');
  });

  test('a batch whose COMMIT failed without committing is written on the retry', async () => {
    const { pool, state, committed } = scriptedPool();
    const backend = createPgLedgerBackend(pool);
    const items = batch('r1');
    state.failCommit = true;
    await assert.rejects(() => backend.writeBatch(items) as Promise<void>);
    state.failCommit = false;
    await backend.writeBatch(items);
    assert.deepEqual(committed, ['r1']);
  });
});
