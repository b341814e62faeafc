// The reporting views on PostgreSQL: same names, columns and figures as src/db/views.ts (read the
// rules there). Dialect differences: greatest() for SQLite's scalar max(), and avg() cast to float8
// so it is the same double SQLite returns rather than a numeric. Counts and sums of integers come
// back as bigint/numeric; the pool in open.ts parses them as JS numbers.
import { sql } from 'drizzle-orm';
import { bigint, doublePrecision, pgView, text } from 'drizzle-orm/pg-core';
import { costByModelDaySql, costBySessionSql, requestTotals } from '../view-sql.js';

const n = (name: string) => bigint(name, { mode: 'number' });

export const costByKeyDay = pgView('cost_by_key_day', {
  day: text('day').notNull(),
  keyId: text('key_id'),
  teamId: text('team_id'),
  requests: n('requests').notNull(),
  errors: n('errors').notNull(),
  promptTokens: n('prompt_tokens').notNull(),
  completionTokens: n('completion_tokens').notNull(),
  costUsd: doublePrecision('cost_usd'),
  unknownCostRequests: n('unknown_cost_requests').notNull(),
}).as(sql`SELECT day, key_id, team_id, ${requestTotals} FROM requests GROUP BY day, key_id, team_id`);

export const costByTeamMonth = pgView('cost_by_team_month', {
  month: text('month').notNull(),
  teamId: text('team_id'),
  customerId: text('customer_id'),
  requests: n('requests').notNull(),
  errors: n('errors').notNull(),
  promptTokens: n('prompt_tokens').notNull(),
  completionTokens: n('completion_tokens').notNull(),
  costUsd: doublePrecision('cost_usd'),
  unknownCostRequests: n('unknown_cost_requests').notNull(),
}).as(sql`SELECT month, team_id, customer_id, ${requestTotals} FROM requests GROUP BY month, team_id, customer_id`);

export const costBySession = pgView('cost_by_session', {
  sessionId: text('session_id').notNull(),
  keyId: text('key_id'),
  teamId: text('team_id'),
  surface: text('surface').notNull(),
  firstTs: n('first_ts').notNull(),
  lastTs: n('last_ts').notNull(),
  requests: n('requests').notNull(),
  errors: n('errors').notNull(),
  promptTokens: n('prompt_tokens').notNull(),
  completionTokens: n('completion_tokens').notNull(),
  costUsd: doublePrecision('cost_usd'),
  unknownCostRequests: n('unknown_cost_requests').notNull(),
}).as(costBySessionSql);

export const costByModelDay = pgView('cost_by_model_day', {
  day: text('day').notNull(),
  provider: text('provider').notNull(),
  model: text('model').notNull(),
  llmCalls: n('llm_calls').notNull(),
  errors: n('errors').notNull(),
  promptTokens: n('prompt_tokens').notNull(),
  completionTokens: n('completion_tokens').notNull(),
  costUsd: doublePrecision('cost_usd'),
  unknownCostCalls: n('unknown_cost_calls').notNull(),
}).as(costByModelDaySql);

/** Same shape as the SQLite view: window aggregates per (day, name), the median row kept. */
export const toolUsageDay = pgView('tool_usage_day', {
  day: text('day').notNull(),
  server: text('server').notNull(),
  tool: text('tool').notNull(),
  name: text('name').notNull(),
  calls: n('calls').notNull(),
  errors: n('errors').notNull(),
  denials: n('denials').notNull(),
  avgLatencyMs: doublePrecision('avg_latency_ms'),
  p50LatencyMs: n('p50_latency_ms'),
  costUsd: doublePrecision('cost_usd'),
}).as(sql`SELECT day, server, tool, name, calls, errors, denials, avg_latency_ms,
  CASE WHEN timed > 0 THEN latency_ms END AS p50_latency_ms,
  cost_usd
FROM (
  SELECT day, server, tool, name, latency_ms,
    count(*) OVER w AS calls,
    sum(CASE WHEN decision = 'allowed' AND status <> 'ok' THEN 1 ELSE 0 END) OVER w AS errors,
    sum(CASE WHEN decision = 'denied' THEN 1 ELSE 0 END) OVER w AS denials,
    (avg(CASE WHEN decision = 'allowed' THEN latency_ms END) OVER w)::float8 AS avg_latency_ms,
    count(CASE WHEN decision = 'allowed' THEN latency_ms END) OVER w AS timed,
    sum(cost_usd) OVER w AS cost_usd,
    row_number() OVER (PARTITION BY day, name
      ORDER BY (decision = 'allowed' AND latency_ms IS NOT NULL) DESC, latency_ms) AS rn
  FROM tool_calls
  WHERE kind = 'tool'
  WINDOW w AS (PARTITION BY day, name)
) AS t
WHERE rn = greatest(1, (timed + 1) / 2)`);
