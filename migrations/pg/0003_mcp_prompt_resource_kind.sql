DROP VIEW "public"."tool_usage_day";--> statement-breakpoint
ALTER TABLE "tool_calls" ADD COLUMN "kind" text DEFAULT 'tool' NOT NULL;--> statement-breakpoint
CREATE VIEW "public"."tool_usage_day" AS (SELECT day, server, tool, name, calls, errors, denials, avg_latency_ms,
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
WHERE rn = greatest(1, (timed + 1) / 2));