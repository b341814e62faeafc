import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { LedgerItem } from '../ledger/rows.js';
import { prepareLedgerStatements } from '../ledger/statements.js';
import { createTempDatabase, type TempDatabase } from './temp-database.js';

const at = (iso: string): number => Date.parse(iso);
const eng = { keyId: 'k1', teamId: 'eng', customerId: 'acme' };
const tool = (ts: string, over: Partial<Extract<LedgerItem, { table: 'tool_calls' }>['row']> = {}): LedgerItem => ({
  table: 'tool_calls',
  row: {
    requestId: 'r1',
    ts: at(ts),
    ...eng,
    server: 'docs',
    tool: 'search',
    name: 'docs__search',
    status: 'ok',
    decision: 'allowed',
    ...over,
  },
});

// A hand-built ledger around a month boundary (UTC), with one unknown-cost request and call.
const dataset: LedgerItem[] = [
  {
    table: 'requests',
    row: { id: 'r6', ts: at('2025-02-28T23:59:59.999Z'), ...eng, status: 200, promptTokens: 5, completionTokens: 5, costUsd: 2 },
  },
  {
    table: 'requests',
    row: { id: 'r1', ts: at('2025-03-01T10:00:00Z'), ...eng, status: 200, promptTokens: 100, completionTokens: 50, costUsd: 0.5 },
  },
  { table: 'requests', row: { id: 'r2', ts: at('2025-03-01T23:59:59.999Z'), ...eng, status: 502, promptTokens: 10, costUsd: 0.25 } },
  {
    table: 'requests',
    row: { id: 'r3', ts: at('2025-03-01T12:00:00Z'), ...eng, status: 200, promptTokens: 1000, completionTokens: 10, costUsd: null },
  },
  {
    table: 'requests',
    row: { id: 'r4', ts: at('2025-03-02T00:00:00Z'), ...eng, status: 200, promptTokens: 1, completionTokens: 2, costUsd: 1 },
  },
  { table: 'requests', row: { id: 'r5', ts: at('2025-03-01T05:00:00Z'), keyId: 'k2', teamId: 'ops', status: 429, costUsd: 0 } },
  {
    table: 'requests',
    row: { id: 'r7', ts: at('2025-03-05T05:00:00Z'), keyId: 'k3', teamId: 'lab', status: 200, promptTokens: 3, costUsd: null },
  },

  {
    table: 'llm_calls',
    row: {
      requestId: 'r1',
      ts: at('2025-03-01T10:00:00Z'),
      provider: 'openai',
      model: 'gpt-4o',
      status: 200,
      promptTokens: 100,
      completionTokens: 50,
      costUsd: 0.5,
    },
  },
  {
    table: 'llm_calls',
    row: {
      requestId: 'r2',
      ts: at('2025-03-01T23:59:59Z'),
      provider: 'openai',
      model: 'gpt-4o',
      status: 0,
      errorType: 'upstream_timeout',
      costUsd: 0,
    },
  },
  {
    table: 'llm_calls',
    row: { requestId: 'r2', ts: at('2025-03-01T23:59:59Z'), attempt: 1, provider: 'openai', model: 'gpt-4o', status: 500, costUsd: 0 },
  },
  {
    table: 'llm_calls',
    row: {
      requestId: 'r3',
      ts: at('2025-03-01T12:00:00Z'),
      provider: 'local',
      model: 'llama3',
      status: 200,
      promptTokens: 1000,
      completionTokens: 10,
      costUsd: null,
    },
  },
  {
    table: 'llm_calls',
    row: {
      requestId: 'r4',
      ts: at('2025-03-02T00:00:00Z'),
      provider: 'openai',
      model: 'gpt-4o',
      status: 200,
      promptTokens: 1,
      completionTokens: 2,
      costUsd: 1,
    },
  },

  // docs__search on 03-01: allowed latencies 30,10,20,40 (ok), 100 (timeout), null (unavailable);
  // two denials, one with a latency of 0 that must not count in avg/p50.
  tool('2025-03-01T10:00:01Z', { latencyMs: 30, costUsd: 0.25 }),
  tool('2025-03-01T10:00:02Z', { latencyMs: 10, costUsd: 0.25 }),
  tool('2025-03-01T10:00:03Z', { latencyMs: 20, costUsd: 0.25 }),
  tool('2025-03-01T10:00:04Z', { latencyMs: 40, costUsd: 0.25 }),
  tool('2025-03-01T10:00:05Z', { latencyMs: 100, status: 'timeout', error: 'timed out' }),
  tool('2025-03-01T10:00:06Z', { status: 'server_unavailable' }),
  tool('2025-03-01T10:00:07Z', { status: 'denied', decision: 'denied', reason: 'tool_not_allowed' }),
  tool('2025-03-01T10:00:08Z', { status: 'denied', decision: 'denied', reason: 'tool_rate_limited', latencyMs: 0 }),
  // Through /mcp (no request) and on another day.
  tool('2025-03-01T11:00:00Z', { requestId: null, sessionId: 's1', tool: 'fetch', name: 'docs__fetch', latencyMs: 7 }),
  tool('2025-03-02T11:00:00Z', { latencyMs: 5 }),
  tool('2025-03-02T11:00:01Z', { status: 'denied', decision: 'denied', reason: 'budget_exceeded' }),
];

describe('reporting views', () => {
  let t: TempDatabase;
  const all = (sql: string, ...params: unknown[]): unknown[] => t.sqlite.prepare(sql).all(...params);
  before(() => {
    t = createTempDatabase();
    prepareLedgerStatements(t.sqlite).writeBatch(dataset);
  });
  after(() => t.cleanup());

  test('cost_by_key_day: UTC days, errors, NULL costs counted as unknown (and never summed as 0)', () => {
    assert.deepEqual(all('SELECT * FROM cost_by_key_day ORDER BY day, key_id'), [
      {
        day: '2025-02-28',
        key_id: 'k1',
        team_id: 'eng',
        requests: 1,
        errors: 0,
        prompt_tokens: 5,
        completion_tokens: 5,
        cost_usd: 2,
        unknown_cost_requests: 0,
      },
      {
        day: '2025-03-01',
        key_id: 'k1',
        team_id: 'eng',
        requests: 3,
        errors: 1,
        prompt_tokens: 1110,
        completion_tokens: 60,
        cost_usd: 0.75,
        unknown_cost_requests: 1,
      },
      {
        day: '2025-03-01',
        key_id: 'k2',
        team_id: 'ops',
        requests: 1,
        errors: 1,
        prompt_tokens: 0,
        completion_tokens: 0,
        cost_usd: 0,
        unknown_cost_requests: 0,
      },
      {
        day: '2025-03-02',
        key_id: 'k1',
        team_id: 'eng',
        requests: 1,
        errors: 0,
        prompt_tokens: 1,
        completion_tokens: 2,
        cost_usd: 1,
        unknown_cost_requests: 0,
      },
      {
        day: '2025-03-05',
        key_id: 'k3',
        team_id: 'lab',
        requests: 1,
        errors: 0,
        prompt_tokens: 3,
        completion_tokens: 0,
        cost_usd: null,
        unknown_cost_requests: 1,
      },
    ]);
  });

  test('cost_by_team_month: months split at the UTC boundary', () => {
    assert.deepEqual(all('SELECT * FROM cost_by_team_month ORDER BY month, team_id'), [
      {
        month: '2025-02',
        team_id: 'eng',
        customer_id: 'acme',
        requests: 1,
        errors: 0,
        prompt_tokens: 5,
        completion_tokens: 5,
        cost_usd: 2,
        unknown_cost_requests: 0,
      },
      {
        month: '2025-03',
        team_id: 'eng',
        customer_id: 'acme',
        requests: 4,
        errors: 1,
        prompt_tokens: 1111,
        completion_tokens: 62,
        cost_usd: 1.75,
        unknown_cost_requests: 1,
      },
      {
        month: '2025-03',
        team_id: 'lab',
        customer_id: null,
        requests: 1,
        errors: 0,
        prompt_tokens: 3,
        completion_tokens: 0,
        cost_usd: null,
        unknown_cost_requests: 1,
      },
      {
        month: '2025-03',
        team_id: 'ops',
        customer_id: null,
        requests: 1,
        errors: 1,
        prompt_tokens: 0,
        completion_tokens: 0,
        cost_usd: 0,
        unknown_cost_requests: 0,
      },
    ]);
  });

  test('cost_by_model_day: one row per provider/model/day; status 0 and >= 400 are errors', () => {
    assert.deepEqual(all('SELECT * FROM cost_by_model_day ORDER BY day, provider'), [
      {
        day: '2025-03-01',
        provider: 'local',
        model: 'llama3',
        llm_calls: 1,
        errors: 0,
        prompt_tokens: 1000,
        completion_tokens: 10,
        cost_usd: null,
        unknown_cost_calls: 1,
      },
      {
        day: '2025-03-01',
        provider: 'openai',
        model: 'gpt-4o',
        llm_calls: 3,
        errors: 2,
        prompt_tokens: 100,
        completion_tokens: 50,
        cost_usd: 0.5,
        unknown_cost_calls: 0,
      },
      {
        day: '2025-03-02',
        provider: 'openai',
        model: 'gpt-4o',
        llm_calls: 1,
        errors: 0,
        prompt_tokens: 1,
        completion_tokens: 2,
        cost_usd: 1,
        unknown_cost_calls: 0,
      },
    ]);
  });

  test('tool_usage_day: calls, errors, denials, latency of allowed calls, nearest-rank p50', () => {
    assert.deepEqual(all('SELECT * FROM tool_usage_day ORDER BY day, name'), [
      {
        day: '2025-03-01',
        server: 'docs',
        tool: 'fetch',
        name: 'docs__fetch',
        calls: 1,
        errors: 0,
        denials: 0,
        avg_latency_ms: 7,
        p50_latency_ms: 7,
        cost_usd: null,
      },
      // timed allowed latencies 10,20,30,40,100 → avg 40, p50 = 3rd = 30
      {
        day: '2025-03-01',
        server: 'docs',
        tool: 'search',
        name: 'docs__search',
        calls: 8,
        errors: 2,
        denials: 2,
        avg_latency_ms: 40,
        p50_latency_ms: 30,
        cost_usd: 1,
      },
      {
        day: '2025-03-02',
        server: 'docs',
        tool: 'search',
        name: 'docs__search',
        calls: 2,
        errors: 0,
        denials: 1,
        avg_latency_ms: 5,
        p50_latency_ms: 5,
        cost_usd: null,
      },
    ]);
  });

  test('p50 of an even count is the lower middle; a day with only denials has no latency', () => {
    const s = prepareLedgerStatements(t.sqlite);
    s.writeBatch([
      tool('2025-04-01T00:00:00Z', { latencyMs: 4 }),
      tool('2025-04-01T00:00:01Z', { latencyMs: 1 }),
      tool('2025-04-01T00:00:02Z', { latencyMs: 3 }),
      tool('2025-04-01T00:00:03Z', { latencyMs: 2 }),
      tool('2025-04-02T00:00:00Z', { status: 'denied', decision: 'denied' }),
    ]);
    assert.deepEqual(
      all("SELECT day, calls, denials, avg_latency_ms, p50_latency_ms FROM tool_usage_day WHERE day >= '2025-04-01' ORDER BY day"),
      [
        { day: '2025-04-01', calls: 4, denials: 0, avg_latency_ms: 2.5, p50_latency_ms: 2 },
        { day: '2025-04-02', calls: 1, denials: 1, avg_latency_ms: null, p50_latency_ms: null },
      ],
    );
  });

  test('filtering a view by day or month is one scan of its covering index, grouped without a sort', () => {
    const plan = (sql: string): string =>
      (t.sqlite.prepare(`EXPLAIN QUERY PLAN ${sql}`).all() as { detail: string }[]).map((r) => r.detail).join('\n');
    const views = [
      ["SELECT * FROM cost_by_key_day WHERE day = '2025-03-01'", /SEARCH requests USING INDEX requests_day_key_cover_idx/],
      ["SELECT * FROM cost_by_team_month WHERE month = '2025-03'", /SEARCH requests USING INDEX requests_month_team_cover_idx/],
      ["SELECT * FROM cost_by_model_day WHERE day >= '2025-03-01'", /SEARCH llm_calls USING INDEX llm_calls_day_model_cover_idx/],
    ] as const;
    for (const [sql, index] of views) {
      assert.match(plan(sql), index);
      assert.doesNotMatch(plan(sql), /TEMP B-TREE FOR GROUP BY/, sql);
    }
    assert.match(
      plan("SELECT * FROM tool_usage_day WHERE day >= '2025-03-01'"),
      /SEARCH tool_calls USING INDEX tool_calls_day_name_cover_idx/,
    );
  });
});
