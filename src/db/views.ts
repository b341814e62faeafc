// Reporting views: the documented, stable way to read the ledger with SQL.
//
// Rules the figures follow (also in README):
// - Days and months are UTC, from the epoch-ms `ts`.
// - requests.cost_usd already includes the tool costs of that request (the pipeline adds LLM and
//   tool costs together), so cost_by_key_day / cost_by_team_month never add tool_calls again.
//   Tool calls made through the /mcp endpoint (request_id NULL) appear in tool_usage_day only.
// - tool_usage_day counts tools (kind 'tool'); prompt gets and resource reads of /mcp clients are
//   rows of tool_calls too (kind 'prompt' / 'resource') and are queried there.
// - cost_usd is SUM over known costs; a row whose cost is NULL (unknown price) or flagged
//   cost_unknown is counted in unknown_cost_* so a partial sum is never mistaken for the total.
// - `day` is the indexed generated column of each table, so `WHERE day = '2025-01-31'` on a
//   view is answered from that index (SQLite pushes the term into the grouped subquery).
import { sql } from 'drizzle-orm';
import { integer, real, sqliteView, text } from 'drizzle-orm/sqlite-core';
import { costByModelDaySql, costBySessionSql, requestTotals } from './view-sql.js';

export const costByKeyDay = sqliteView('cost_by_key_day', {
  day: text('day').notNull(),
  keyId: text('key_id'),
  teamId: text('team_id'),
  requests: integer('requests').notNull(),
  errors: integer('errors').notNull(),
  promptTokens: integer('prompt_tokens').notNull(),
  completionTokens: integer('completion_tokens').notNull(),
  costUsd: real('cost_usd'),
  unknownCostRequests: integer('unknown_cost_requests').notNull(),
}).as(sql`SELECT day, key_id, team_id,
  ${requestTotals}
FROM requests
GROUP BY day, key_id, team_id`);

export const costByTeamMonth = sqliteView('cost_by_team_month', {
  month: text('month').notNull(),
  teamId: text('team_id'),
  customerId: text('customer_id'),
  requests: integer('requests').notNull(),
  errors: integer('errors').notNull(),
  promptTokens: integer('prompt_tokens').notNull(),
  completionTokens: integer('completion_tokens').notNull(),
  costUsd: real('cost_usd'),
  unknownCostRequests: integer('unknown_cost_requests').notNull(),
}).as(sql`SELECT month, team_id, customer_id,
  ${requestTotals}
FROM requests
GROUP BY month, team_id, customer_id`);

/** Per agent session (x-claude-code-session-id or another configured session header), key and surface. */
export const costBySession = sqliteView('cost_by_session', {
  sessionId: text('session_id').notNull(),
  keyId: text('key_id'),
  teamId: text('team_id'),
  surface: text('surface').notNull(),
  firstTs: integer('first_ts').notNull(),
  lastTs: integer('last_ts').notNull(),
  requests: integer('requests').notNull(),
  errors: integer('errors').notNull(),
  promptTokens: integer('prompt_tokens').notNull(),
  completionTokens: integer('completion_tokens').notNull(),
  costUsd: real('cost_usd'),
  unknownCostRequests: integer('unknown_cost_requests').notNull(),
}).as(costBySessionSql);

/** Per upstream attempt; errors are network failures/timeouts (status 0) and HTTP >= 400. */
export const costByModelDay = sqliteView('cost_by_model_day', {
  day: text('day').notNull(),
  provider: text('provider').notNull(),
  model: text('model').notNull(),
  llmCalls: integer('llm_calls').notNull(),
  errors: integer('errors').notNull(),
  promptTokens: integer('prompt_tokens').notNull(),
  completionTokens: integer('completion_tokens').notNull(),
  costUsd: real('cost_usd'),
  unknownCostCalls: integer('unknown_cost_calls').notNull(),
}).as(costByModelDaySql);

/**
 * calls counts every decision; errors are allowed calls that did not end 'ok'; denials are
 * calls the policy refused. Latency figures cover allowed calls only (a denial takes no time
 * worth averaging); p50 is the nearest-rank median: the ceil(n/2)-th smallest latency.
 *
 * Shape: every figure is a window aggregate over PARTITION BY day, name, and the outer query
 * keeps one row per partition, the one holding the median (allowed, timed rows sort first, by
 * latency, so that row is number ceil(n/2)). A view whose inner query partitions only by
 * (day, name) lets SQLite push `WHERE day >= …` into it and use the (day, name) index; a
 * GROUP BY over a window subquery would read the whole table first.
 */
export const toolUsageDay = sqliteView('tool_usage_day', {
  day: text('day').notNull(),
  server: text('server').notNull(),
  tool: text('tool').notNull(),
  name: text('name').notNull(),
  calls: integer('calls').notNull(),
  errors: integer('errors').notNull(),
  denials: integer('denials').notNull(),
  avgLatencyMs: real('avg_latency_ms'),
  p50LatencyMs: integer('p50_latency_ms'),
  costUsd: real('cost_usd'),
}).as(sql`SELECT day, server, tool, name, calls, errors, denials, avg_latency_ms,
  CASE WHEN timed > 0 THEN latency_ms END AS p50_latency_ms,
  cost_usd
FROM (
  SELECT day, server, tool, name, latency_ms,
    count(*) OVER w AS calls,
    sum(CASE WHEN decision = 'allowed' AND status <> 'ok' THEN 1 ELSE 0 END) OVER w AS errors,
    sum(CASE WHEN decision = 'denied' THEN 1 ELSE 0 END) OVER w AS denials,
    avg(CASE WHEN decision = 'allowed' THEN latency_ms END) OVER w AS avg_latency_ms,
    count(CASE WHEN decision = 'allowed' THEN latency_ms END) OVER w AS timed,
    sum(cost_usd) OVER w AS cost_usd,
    row_number() OVER (PARTITION BY day, name
      ORDER BY (decision = 'allowed' AND latency_ms IS NOT NULL) DESC, latency_ms) AS rn
  FROM tool_calls
  WHERE kind = 'tool'
  WINDOW w AS (PARTITION BY day, name)
)
WHERE rn = max(1, (timed + 1) / 2)`);
