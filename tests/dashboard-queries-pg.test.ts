// The dashboard's PostgreSQL queries give the same rows as its SQLite ones: the same ledger rows
// go into a SQLite file and a fresh PostgreSQL database, and every DashboardQueries method is
// compared (list filters and paging, a request's trace rows, every usage breakdown). Money is in
// binary fractions and latencies in integers so sums are exact on both. Skipped without PostgreSQL.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createTempDatabase, type TempDatabase } from '../src/db/temp-database.js';
import { migratePostgres, openPostgres, type OpenedPg } from '../src/db/pg/open.js';
import { createSqliteDashboardQueries, type DashboardQueries } from '../src/dashboard/queries.js';
import { createPgDashboardQueries, numberParams } from '../src/dashboard/pg-queries.js';
import type { RequestFilters } from '../src/dashboard/request-queries.js';
import { createTestDatabase, type TestDatabase } from './helpers/services.js';

const DAY1 = Date.UTC(2025, 0, 30, 12);
const DAY2 = Date.UTC(2025, 0, 31, 12);

// [sql, rows]: the same statements for both stores (`?` becomes $n on PostgreSQL).
const SEED: [string, unknown[][]][] = [
  [
    'INSERT INTO requests (id, ts, key_id, team_id, customer_id, model, provider, status, error_type, rounds, tool_calls, prompt_tokens, completion_tokens, cost_usd, cost_unknown, latency_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
    [
      ['aaa-1', DAY1, 'k1', 'eng', 'acme', 'openai/a', 'openai', 200, null, 2, 2, 10, 5, 0.5, 0, 40],
      ['aab-2', DAY2, 'k1', 'eng', 'acme', 'openai/a', 'openai', 500, 'upstream_error', 1, 0, 1, 0, null, 1, 9],
      ['bbb-3', DAY2, 'k2', 'ops', null, 'anthropic/b', 'anthropic', 200, null, 1, 1, 2, 2, 0.25, 0, 12],
      ['ccc-4', DAY2, 'k2', 'ops', null, 'anthropic/b', 'anthropic', 429, 'rate_limited', 0, 0, 0, 0, 0, 0, 1],
      ['ccd-5', DAY2 + 1000, null, null, null, 'local/c', 'local', 200, null, 1, 0, 3, 4, 0.125, 0, 7],
    ],
  ],
  [
    'INSERT INTO llm_calls (request_id, ts, round, attempt, provider, model, status, prompt_tokens, completion_tokens, cost_usd, cost_unknown, latency_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
    [
      ['aaa-1', DAY1, 1, 1, 'openai', 'a', 200, 6, 3, 0.25, 0, 20],
      ['aaa-1', DAY1, 2, 1, 'openai', 'a', 200, 4, 2, 0.25, 0, 15],
      ['aab-2', DAY2, 1, 1, 'openai', 'a', 500, 1, 0, null, 1, 9],
      ['bbb-3', DAY2, 1, 1, 'anthropic', 'b', 200, 2, 2, 0.25, 0, 10],
    ],
  ],
  [
    'INSERT INTO tool_calls (request_id, ts, key_id, team_id, round, server, tool, name, args_hash, status, decision, reason, latency_ms, cost_usd, error) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
    [
      ['aaa-1', DAY1, 'k1', 'eng', 1, 'docs', 'search', 'docs__search', 'h1', 'ok', 'allowed', null, 10, 0.5, null],
      ['aaa-1', DAY1, 'k1', 'eng', 1, 'docs', 'fetch', 'docs__fetch', 'h2', 'error', 'allowed', null, 30, 0, 'boom'],
      ['bbb-3', DAY2, 'k2', 'ops', 1, 'docs', 'search', 'docs__search', 'h3', 'ok', 'allowed', null, 30, 0.5, null],
      ['bbb-3', DAY2, 'k2', 'ops', 1, 'docs', 'search', 'docs__search', 'h4', 'denied', 'denied', 'tool_not_allowed', 0, null, null],
    ],
  ],
  [
    'INSERT INTO payloads (request_id, ts, kind, ref, body) VALUES (?, ?, ?, ?, ?)',
    [
      ['aaa-1', DAY1, 'request', null, '{"m":1}'],
      ['aaa-1', DAY1, 'tool_args', 'call_1', '{"q":"x"}'],
    ],
  ],
  [
    "INSERT INTO virtual_keys (id, key_hash, config, source, created_at, updated_at) VALUES (?, ?, '{}', 'api', 1, 1)",
    [
      ['k2', 'h-k2'],
      ['k1', 'h-k1'],
    ],
  ],
  ["INSERT INTO teams (id, source, created_at, updated_at) VALUES (?, 'api', 1, 1)", [['ops'], ['eng']]],
];

const pgDb = await createTestDatabase();
const skip = typeof pgDb === 'string' ? pgDb : false;
if (skip) console.log(`# skipping the PostgreSQL dashboard query parity tests: ${skip}`);

let lite: TempDatabase;
let opened: OpenedPg;
let sqliteQ: DashboardQueries;
let pgQ: DashboardQueries;

before(async () => {
  if (skip) return;
  lite = createTempDatabase();
  opened = await openPostgres((pgDb as TestDatabase).url, { max: 2 });
  await migratePostgres(opened);
  for (const [sql, rows] of SEED) {
    const stmt = lite.sqlite.prepare(sql);
    for (const row of rows) {
      stmt.run(...row);
      await opened.pool.query(numberParams(sql), row);
    }
  }
  sqliteQ = createSqliteDashboardQueries(lite.sqlite);
  pgQ = createPgDashboardQueries(opened.pool);
});
after(async () => {
  if (skip) return;
  lite.cleanup();
  await opened.close();
  await (pgDb as TestDatabase).drop();
});

const FILTERS: RequestFilters[] = [
  {},
  { key: 'k1' },
  { team: 'ops', status: 'error' },
  { model: 'openai/a', status: 'ok' },
  { status: '429' },
  { hasTools: true },
  { hasTools: false, from: DAY2, to: DAY2 + 1 },
  { idPrefix: 'cc' },
  { before: { ts: DAY2, id: 'bbb-3' } },
];

describe('dashboard queries: PostgreSQL gives what SQLite gives', { skip }, () => {
  test('request list: every filter, the limit and the keyset cursor', async () => {
    for (const f of FILTERS) {
      const expected = await sqliteQ.listRequests(f, 3);
      assert.ok(f.key === undefined || expected.length > 0, 'the fixture exercises the filter');
      assert.deepEqual(await pgQ.listRequests(f, 3), expected, JSON.stringify(f));
    }
    assert.deepEqual(
      (await pgQ.listRequests({ idPrefix: 'cc' }, 10)).map((r) => r.id),
      ['ccd-5', 'ccc-4'],
    );
  });

  test('request detail, its trace rows, and the filter options', async () => {
    for (const id of ['aaa-1', 'bbb-3', 'ccd-5', 'missing'])
      assert.deepEqual(await pgQ.requestDetail(id), await sqliteQ.requestDetail(id), id);
    const detail = await pgQ.requestDetail('aaa-1');
    assert.equal(detail?.llmCalls.length, 2);
    assert.equal(detail?.toolCalls.length, 2);
    assert.deepEqual(await pgQ.filterOptions(), { keys: ['k1', 'k2'], teams: ['eng', 'ops'] });
    assert.deepEqual(await pgQ.filterOptions(), await sqliteQ.filterOptions());
  });

  test('usage: per day and every breakdown, unknown prices counted apart', async () => {
    for (const since of ['2025-01-01', '2025-01-31', '2025-02-01'])
      assert.deepEqual(await pgQ.usage(since), await sqliteQ.usage(since), since);
    const usage = await pgQ.usage('2025-01-01');
    assert.deepEqual(
      usage.byDay.map((d) => [d.day, d.requests, d.unknown_cost]),
      [
        ['2025-01-30', 1, 0],
        ['2025-01-31', 4, 1],
      ],
    );
    assert.deepEqual(
      usage.byTool.map((t) => [t.name, t.calls, t.denials, t.avg_latency_ms]),
      [
        ['docs__search', 3, 1, 20],
        ['docs__fetch', 1, 0, 30],
      ],
    );
  });
});
