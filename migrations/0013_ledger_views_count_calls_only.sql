DROP VIEW `cost_by_key_day`;--> statement-breakpoint
DROP VIEW `cost_by_session`;--> statement-breakpoint
DROP VIEW `cost_by_team_month`;--> statement-breakpoint
CREATE VIEW `cost_by_key_day` AS SELECT day, key_id, team_id,
  sum(CASE WHEN operation = 'call' THEN 1 ELSE 0 END) AS requests,
  sum(CASE WHEN status >= 400 AND operation = 'call' THEN 1 ELSE 0 END) AS errors,
  sum(prompt_tokens) AS prompt_tokens,
  sum(completion_tokens) AS completion_tokens,
  sum(cost_usd) AS cost_usd,
  sum(CASE WHEN cost_usd IS NULL OR cost_unknown <> 0 THEN 1 ELSE 0 END) AS unknown_cost_requests
FROM requests
GROUP BY day, key_id, team_id;--> statement-breakpoint
CREATE VIEW `cost_by_session` AS SELECT session_id, key_id, team_id, surface,
  min(ts) AS first_ts,
  max(ts) AS last_ts,
  sum(CASE WHEN operation = 'call' THEN 1 ELSE 0 END) AS requests,
  sum(CASE WHEN status >= 400 AND operation = 'call' THEN 1 ELSE 0 END) AS errors,
  sum(prompt_tokens) AS prompt_tokens,
  sum(completion_tokens) AS completion_tokens,
  sum(cost_usd) AS cost_usd,
  sum(CASE WHEN cost_usd IS NULL OR cost_unknown <> 0 THEN 1 ELSE 0 END) AS unknown_cost_requests
FROM requests
WHERE session_id IS NOT NULL
GROUP BY session_id, key_id, team_id, surface;--> statement-breakpoint
CREATE VIEW `cost_by_team_month` AS SELECT month, team_id, customer_id,
  sum(CASE WHEN operation = 'call' THEN 1 ELSE 0 END) AS requests,
  sum(CASE WHEN status >= 400 AND operation = 'call' THEN 1 ELSE 0 END) AS errors,
  sum(prompt_tokens) AS prompt_tokens,
  sum(completion_tokens) AS completion_tokens,
  sum(cost_usd) AS cost_usd,
  sum(CASE WHEN cost_usd IS NULL OR cost_unknown <> 0 THEN 1 ELSE 0 END) AS unknown_cost_requests
FROM requests
GROUP BY month, team_id, customer_id;