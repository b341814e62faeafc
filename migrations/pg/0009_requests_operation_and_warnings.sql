DROP VIEW "public"."cost_by_key_day";--> statement-breakpoint
DROP VIEW "public"."cost_by_session";--> statement-breakpoint
DROP VIEW "public"."cost_by_team_month";--> statement-breakpoint
DROP INDEX "requests_day_key_cover_idx";--> statement-breakpoint
DROP INDEX "requests_month_team_cover_idx";--> statement-breakpoint
ALTER TABLE "requests" ADD COLUMN "operation" text DEFAULT 'call' NOT NULL;--> statement-breakpoint
ALTER TABLE "requests" ADD COLUMN "warnings" text;--> statement-breakpoint
CREATE INDEX "requests_day_key_cover_idx" ON "requests" USING btree ("day","key_id","team_id","status","prompt_tokens","completion_tokens","cost_usd","cost_unknown","operation");--> statement-breakpoint
CREATE INDEX "requests_month_team_cover_idx" ON "requests" USING btree ("month","team_id","customer_id","status","prompt_tokens","completion_tokens","cost_usd","cost_unknown","operation");--> statement-breakpoint
CREATE VIEW "public"."cost_by_key_day" AS (SELECT day, key_id, team_id, sum(CASE WHEN operation = 'count_tokens' THEN 0 ELSE 1 END) AS requests,
  sum(CASE WHEN status >= 400 AND operation <> 'count_tokens' THEN 1 ELSE 0 END) AS errors,
  sum(prompt_tokens) AS prompt_tokens,
  sum(completion_tokens) AS completion_tokens,
  sum(cost_usd) AS cost_usd,
  sum(CASE WHEN cost_usd IS NULL OR cost_unknown <> 0 THEN 1 ELSE 0 END) AS unknown_cost_requests FROM requests GROUP BY day, key_id, team_id);--> statement-breakpoint
CREATE VIEW "public"."cost_by_session" AS (SELECT session_id, key_id, team_id, surface,
  min(ts) AS first_ts,
  max(ts) AS last_ts,
  sum(CASE WHEN operation = 'count_tokens' THEN 0 ELSE 1 END) AS requests,
  sum(CASE WHEN status >= 400 AND operation <> 'count_tokens' THEN 1 ELSE 0 END) AS errors,
  sum(prompt_tokens) AS prompt_tokens,
  sum(completion_tokens) AS completion_tokens,
  sum(cost_usd) AS cost_usd,
  sum(CASE WHEN cost_usd IS NULL OR cost_unknown <> 0 THEN 1 ELSE 0 END) AS unknown_cost_requests
FROM requests
WHERE session_id IS NOT NULL
GROUP BY session_id, key_id, team_id, surface);--> statement-breakpoint
CREATE VIEW "public"."cost_by_team_month" AS (SELECT month, team_id, customer_id, sum(CASE WHEN operation = 'count_tokens' THEN 0 ELSE 1 END) AS requests,
  sum(CASE WHEN status >= 400 AND operation <> 'count_tokens' THEN 1 ELSE 0 END) AS errors,
  sum(prompt_tokens) AS prompt_tokens,
  sum(completion_tokens) AS completion_tokens,
  sum(cost_usd) AS cost_usd,
  sum(CASE WHEN cost_usd IS NULL OR cost_unknown <> 0 THEN 1 ELSE 0 END) AS unknown_cost_requests FROM requests GROUP BY month, team_id, customer_id);