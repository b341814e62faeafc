import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { prepareLedgerStatements } from '../ledger/statements.js';
import { RESTORE_CACHE_KIB, spendByScopeSince, spendSince } from './spend.js';
import { createTempDatabase, type TempDatabase } from './temp-database.js';

describe('spend restore queries', () => {
  let t: TempDatabase;
  before(() => {
    t = createTempDatabase();
    const s = prepareLedgerStatements(t.sqlite);
    const scope = { keyId: 'k1', teamId: 'eng', customerId: 'acme' };
    s.writeBatch([
      { table: 'requests', row: { id: 'old', ts: 50, ...scope, status: 200, costUsd: 100 } },
      { table: 'requests', row: { id: 'a', ts: 100, ...scope, status: 200, costUsd: 1.5 } },
      { table: 'requests', row: { id: 'b', ts: 200, ...scope, status: 200, costUsd: null } },
      { table: 'requests', row: { id: 'c', ts: 300, keyId: 'k2', teamId: 'eng', customerId: 'acme', status: 200, costUsd: 0.25 } },
      // Tool call inside request a: its cost is already in requests.cost_usd, never added twice.
      {
        table: 'tool_calls',
        row: { requestId: 'a', ts: 100, ...scope, server: 'd', tool: 's', name: 'd__s', status: 'ok', decision: 'allowed', costUsd: 0.5 },
      },
      // Tool call through /mcp: counts on its own.
      {
        table: 'tool_calls',
        row: {
          sessionId: 'sess',
          ts: 150,
          ...scope,
          server: 'd',
          tool: 's',
          name: 'd__s',
          status: 'ok',
          decision: 'allowed',
          costUsd: 0.125,
        },
      },
    ]);
  });
  after(() => t.cleanup());

  test('spendSince sums request costs and /mcp tool costs for one scope', () => {
    assert.equal(spendSince(t.sqlite, { keyId: 'k1' }, 100), 1.625);
    assert.equal(spendSince(t.sqlite, { keyId: 'k1' }, 0), 101.625);
    assert.equal(spendSince(t.sqlite, { teamId: 'eng' }, 100), 1.875);
    assert.equal(spendSince(t.sqlite, { customerId: 'acme' }, 250), 0.25);
    assert.equal(spendSince(t.sqlite, { keyId: 'nobody' }, 0), 0);
  });

  test('spendByScopeSince returns every scope in one query', () => {
    assert.deepEqual([...spendByScopeSince(t.sqlite, 'key', 100)].sort(), [
      ['k1', 1.625],
      ['k2', 0.25],
    ]);
    assert.deepEqual([...spendByScopeSince(t.sqlite, 'team', 100)], [['eng', 1.875]]);
    assert.deepEqual([...spendByScopeSince(t.sqlite, 'customer', 201)], [['acme', 0.25]]);
  });

  test("the restore queries run with a 2 MB page cache, then the connection's own size is back (issue 20: memory)", () => {
    const own = t.sqlite.pragma('cache_size', { simple: true });
    t.sqlite.pragma('cache_size = -12345');
    const calls: string[] = [];
    const pragma = t.sqlite.pragma;
    t.sqlite.pragma = function (this: typeof t.sqlite, source: string, options?: { simple?: boolean }) {
      calls.push(source);
      return pragma.call(this, source, options);
    } as typeof pragma;
    try {
      assert.equal(spendSince(t.sqlite, { keyId: 'k1' }, 100), 1.625);
      assert.equal(spendByScopeSince(t.sqlite, 'team', 100).get('eng'), 1.875);
    } finally {
      t.sqlite.pragma = pragma;
    }
    const once = ['cache_size', `cache_size = -${RESTORE_CACHE_KIB}`, 'cache_size = -12345'];
    assert.equal(RESTORE_CACHE_KIB, 2000);
    assert.deepEqual(calls, [...once, ...once]);
    assert.equal(t.sqlite.pragma('cache_size', { simple: true }), -12345);
    t.sqlite.pragma(`cache_size = ${own}`);
  });
});
