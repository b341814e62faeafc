// The parts of the reporting views that are the same SQL in SQLite and PostgreSQL, so both stores
// compute the figures one way (src/db/views.ts and src/db/pg/views.ts add their dialect's rest).
import { sql } from 'drizzle-orm';

/**
 * Per-group totals over `requests` (cost_by_key_day, cost_by_team_month, cost_by_session).
 * `requests` and `errors` count model calls and /mcp tool calls only (operation = 'call'): a
 * count_tokens call or a GET / DELETE of a stored response (retrieve, input_items, delete) uses no
 * tokens and costs nothing, and an agent polling a background response would otherwise multiply
 * its key's request and error counts. Those rows stay in the requests table under their operation.
 */
export const requestTotals = sql`sum(CASE WHEN operation = 'call' THEN 1 ELSE 0 END) AS requests,
  sum(CASE WHEN status >= 400 AND operation = 'call' THEN 1 ELSE 0 END) AS errors,
  sum(prompt_tokens) AS prompt_tokens,
  sum(completion_tokens) AS completion_tokens,
  sum(cost_usd) AS cost_usd,
  sum(CASE WHEN cost_usd IS NULL OR cost_unknown <> 0 THEN 1 ELSE 0 END) AS unknown_cost_requests`;

/** cost_by_model_day: one row per upstream attempt; errors are network failures (status 0) and HTTP >= 400. */
export const costByModelDaySql = sql`SELECT day, provider, model,
  count(*) AS llm_calls,
  sum(CASE WHEN status = 0 OR status >= 400 THEN 1 ELSE 0 END) AS errors,
  sum(prompt_tokens) AS prompt_tokens,
  sum(completion_tokens) AS completion_tokens,
  sum(cost_usd) AS cost_usd,
  sum(CASE WHEN cost_usd IS NULL OR cost_unknown <> 0 THEN 1 ELSE 0 END) AS unknown_cost_calls
FROM llm_calls
GROUP BY day, provider, model`;

/** cost_by_session: one row per agent session (requests that carried a session id), per key and surface. */
export const costBySessionSql = sql`SELECT session_id, key_id, team_id, surface,
  min(ts) AS first_ts,
  max(ts) AS last_ts,
  ${requestTotals}
FROM requests
WHERE session_id IS NOT NULL
GROUP BY session_id, key_id, team_id, surface`;
